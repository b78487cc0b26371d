"""The workshop kit: learner copies of the notebooks, the cheat sheet and its PDF, the guide."""

from __future__ import annotations

import importlib.util
import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKSHOP = ROOT / "workshop"


def git_status() -> str:
    run = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


@pytest.fixture(scope="module")
def learner_copies(tmp_path_factory):
    """Learner copies made once for each --solutions choice: (folder, the run, git status
    before it, git status after it)."""
    made = {}

    def make(solutions: str):
        if solutions not in made:
            folder = tmp_path_factory.mktemp(solutions) / "copies"
            before = git_status()
            run = subprocess.run(
                [sys.executable, "scripts/prepare_learner_copies.py", str(folder),
                 "--solutions", solutions],
                cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            made[solutions] = folder, run, before, git_status()
        return made[solutions]

    return make


@pytest.mark.parametrize("solutions", ["folded", "removed"])
def test_learner_copies_are_blank_and_leave_the_repository_clean(learner_copies, solutions):
    folder, run, before, after = learner_copies(solutions)
    assert run.returncode == 0, run.stdout + run.stderr
    assert after == before

    originals = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    copies = sorted(folder.glob("*.ipynb"))
    assert [p.name for p in copies] == [p.name for p in originals]
    stored_solutions = 0
    for original, copy in zip(originals, copies, strict=True):
        notebook = nbformat.read(copy, as_version=4)
        nbformat.validate(notebook)
        source = nbformat.read(original, as_version=4)
        stored_solutions += sum("solution" in tags(cell) for cell in source.cells)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
        solution_cells = [cell for cell in notebook.cells if "solution" in tags(cell)]
        if solutions == "folded":
            assert len(solution_cells) == sum("solution" in tags(c) for c in source.cells)
            assert all(cell.metadata["jupyter"]["source_hidden"] for cell in solution_cells)
        else:
            assert solution_cells == []
            assert not any(
                cell.cell_type == "markdown" and cell.source.startswith("**Solution")
                for cell in notebook.cells
            )
        # Every other cell is kept as it is, in order: the exercises stay unsolved.
        kept = [cell.source for cell in source.cells if "solution" not in tags(cell)]
        assert [cell.source for cell in notebook.cells if "solution" not in tags(cell)] == (
            kept if solutions == "folded" else [s for s in kept if not s.startswith("**Solution")]
        )
    assert stored_solutions > 0, "no notebook has a solution cell: the test checks nothing"


def test_a_learner_copy_runs_and_its_exercises_are_unsolved(learner_copies):
    from nbclient import NotebookClient

    folder, run, _, _ = learner_copies("removed")
    assert run.returncode == 0, run.stderr
    notebook = nbformat.read(folder / "00_start_here.ipynb", as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute(cwd=str(folder))
    printed = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert printed.count("not yet:") == 2
    assert "well done" not in printed


def test_learner_copies_refuse_to_overwrite_the_notebooks():
    before = git_status()
    run = subprocess.run(
        [sys.executable, "scripts/prepare_learner_copies.py", "notebooks"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode != 0
    assert "another folder than notebooks/" in run.stderr
    assert git_status() == before


CHEATSHEET = WORKSHOP / "cheatsheet.md"


def test_the_cheat_sheet_code_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # run_job writes its videos here
    blocks = re.findall(r"```python\n(.*?)```", CHEATSHEET.read_text(), re.S)
    assert len(blocks) == 2
    for block in blocks:
        exec(compile(block, str(CHEATSHEET), "exec"), {})


def test_the_cheat_sheet_covers_what_a_learner_looks_up():
    import helpers

    text = CHEATSHEET.read_text()
    for needed in [
        "gym.make(", "env.reset(seed=", "env.step(action)", "env.render()", "env.close()",
        "`observation`", "`reward`", "`terminated`", "`truncated`", "`info`",
        "decision_function(observation, action_space)", "train(transition)",
        "train_on_history(history)", "seed(seed)", "`explore`", "exploration_off(agent)",
        "show_video(", "evaluate(", "describe_returns(",
        "incompleteideas.net", "huggingface.co/learn/deep-rl-course", "gymnasium.farama.org",
        "cleanrl", "rl-baselines3-zoo",
    ]:  # fmt: skip
        assert needed in text, f"the cheat sheet should mention {needed!r}"
    # run_job's and evaluate's signatures as they are, and every Transition key.
    for function in (helpers.run_job, helpers.evaluate):
        for parameter in inspect.signature(function).parameters.values():
            if parameter.default is inspect.Parameter.empty:
                assert parameter.name in text
            elif parameter.name != "record_video":
                assert f"{parameter.name}={parameter.default!r}".replace("'", '"') in text
    for key in helpers.Transition.__annotations__:
        assert f"`{key}`" in text


def test_the_cheat_sheet_pdf_is_one_page(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_cheatsheet", ROOT / "scripts/build_cheatsheet.py"
    )
    try:
        build_cheatsheet = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(build_cheatsheet)
    except ModuleNotFoundError as error:
        pytest.fail(f"{error}: install requirements-dev.txt")
    assert build_cheatsheet.pdf_pages(WORKSHOP / "cheatsheet.pdf") == 1
    if not any(shutil.which(name) for name in build_cheatsheet.BROWSERS):
        pytest.skip("Chromium is not installed: the PDF cannot be rebuilt here")
    fresh = tmp_path / "cheatsheet.pdf"
    assert build_cheatsheet.build(target=fresh) == 1
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(fresh)], capture_output=True, text=True).stdout
        assert re.search(r"Pages:\s+1\n", info) and "(A4)" in info


def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a missing parent package
        return False


def test_the_guide_and_readme_name_only_commands_that_exist():
    for page in ["instructor_guide.md", "README.md"]:
        text = (WORKSHOP / page).read_text()
        for module in set(re.findall(r"python -m (helpers[\w.]*)", text)):
            assert module_exists(module), f"{page} runs {module}, which does not exist"
        for script in set(re.findall(r"scripts/[a-z_]+\.py", text)):
            assert (ROOT / script).is_file(), f"{page} names {script}, which does not exist"
        for link in re.findall(r"\]\(([^)#:]+)\)", text):
            assert (WORKSHOP / link).exists(), f"{page} links to {link}, which does not exist"
    guide = (WORKSHOP / "instructor_guide.md").read_text()
    for number in ["00", "01", "02", "03", "04", "05", "06", "07", "13", "14"]:
        assert f"| {number} " in guide, f"the agenda should give notebook {number} a slot"


@pytest.mark.parametrize(
    ("script", "arguments"),
    [
        ("build_wheelhouse.py", ["--platform", "linux-x86_64", "--python", "3.12"]),
        ("prepare_learner_copies.py", ["FOLDER", "--solutions", "removed"]),
    ],
)
def test_the_options_the_guide_shows_are_accepted(script, arguments):
    guide = (WORKSHOP / "instructor_guide.md").read_text()
    assert " ".join(a for a in arguments if a != "FOLDER") in guide
    run = subprocess.run(
        [sys.executable, f"scripts/{script}", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    for option in [a for a in arguments if a.startswith("--")]:
        assert option in run.stdout
