"""scripts/add_colab_cells.py and the Colab set-up cell it adds, tried on copies of the notebooks.

The script gives each notebook its Binder and Colab badges and, right after them, a code cell
that on Colab installs what the series adds to Colab's runtime, and elsewhere does nothing.
The last test builds a virtual environment pinned like Colab's runtime and runs a notebook
there, the set-up cell installing this checkout instead of the GitHub archive.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "add_colab_cells.py"
REPOSITORY = "robots-shoot-lazers/robots-shoot-lazers"
# Google Colab's runtime, as far as the series is concerned (its Python is 3.13).
COLAB_PINS = [
    "numpy==2.1.3",
    "ipython==7.34.0",
    "ipykernel==6.17.1",
    "gymnasium==1.3.0",
    "ale-py==0.12.1",
    "matplotlib==3.10.0",
    "imageio==2.37.0",
    "pygame==2.6.1",
    "tqdm==4.67.1",
]


def load_script():
    spec = importlib.util.spec_from_file_location("add_colab_cells", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = load_script()


def problems(path: Path) -> list[str]:
    """What is missing in a notebook: badges after the title, the set-up cell after them."""
    notebook = nbformat.read(path, as_version=4)
    found = []
    first = next(i for i, cell in enumerate(notebook.cells) if cell.cell_type == "markdown")
    lines = notebook.cells[first].source.split("\n")
    if lines[:3] != [lines[0], "", TOOL.badges(path.name)] or not lines[0].startswith("# "):
        found.append("no Binder and Colab badges right after the title")
    setups = [cell for cell in notebook.cells if TOOL.is_setup_cell(cell)]
    if len(setups) != 1 or notebook.cells[first + 1] is not setups[0]:
        found.append("no single Colab set-up cell right after the first markdown cell")
    elif setups[0].source != TOOL.setup_source((ROOT / "requirements.txt").read_text()):
        found.append("an outdated Colab set-up cell: run scripts/add_colab_cells.py")
    elif setups[0].outputs:
        found.append("the Colab set-up cell has stored outputs")
    return found


def run_script(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> Path:
    """A copy of the repository's notebooks and test settings, with the script run on them."""
    repo = tmp_path_factory.mktemp("colab") / "series"
    (repo / "tests").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", repo)
    shutil.copy(ROOT / "tests" / "nbval-sanitize.cfg", repo / "tests")
    (repo / "notebooks").mkdir()
    for notebook in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        shutil.copy(notebook, repo / "notebooks")
    run_script(*sorted((repo / "notebooks").glob("*.ipynb")))
    return repo


def test_every_notebook_gets_its_badges_and_its_set_up_cell(copies):
    notebooks = sorted((copies / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == len(list((ROOT / "notebooks").glob("[0-9]*.ipynb"))) > 0
    for notebook in notebooks:
        assert problems(notebook) == [], notebook.name


def test_the_badges_open_that_notebook_on_binder_and_on_colab(copies):
    path = copies / "notebooks" / "03_hit_the_gym.ipynb"
    text = nbformat.read(path, as_version=4).cells[0].source
    assert (
        f"(https://mybinder.org/v2/gh/{REPOSITORY}/HEAD?urlpath=lab/tree/notebooks/{path.name})"
        in text
    )
    colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/"
    assert f"({colab}{path.name})" in text
    # the same repository as the README's Binder badge
    assert f"mybinder.org/v2/gh/{REPOSITORY}/HEAD" in (ROOT / "README.md").read_text()


def test_running_the_script_again_changes_nothing(copies):
    notebooks = sorted((copies / "notebooks").glob("*.ipynb"))
    before = {path: path.read_bytes() for path in notebooks}
    run = run_script(*notebooks)
    assert {path: path.read_bytes() for path in notebooks} == before
    assert run.stdout.count("already up to date") == len(notebooks)


def test_an_old_set_up_cell_and_badge_line_are_replaced(tmp_path):
    path = tmp_path / "03_hit_the_gym.ipynb"
    shutil.copy(ROOT / "notebooks" / path.name, path)
    notebook = nbformat.read(path, as_version=4)
    old = nbformat.v4.new_code_cell(TOOL.FIRST_LINE + "\nimport sys")
    notebook.cells.append(old)  # in the wrong place, with old code
    # a cell of the notebook's own that mentions Colab stays
    own = nbformat.v4.new_code_cell('import sys\n\nprint("google.colab" in sys.modules)')
    notebook.cells.insert(1, own)
    notebook.cells[0].source += "\n\n[![Launch on Binder](https://mybinder.org/badge_logo.svg)](x)"
    nbformat.write(notebook, path)
    assert problems(path)
    assert "updated" in run_script(path).stdout
    assert problems(path) == []
    cells = nbformat.read(path, as_version=4).cells
    assert cells[2].source == own.source
    stored = nbformat.read(ROOT / "notebooks" / path.name, 4).cells[1:]
    assert [cell.source for cell in cells[3:]] == [
        cell.source for cell in stored if not TOOL.is_setup_cell(cell)
    ]


def test_the_set_up_cell_installs_only_what_colab_lacks():
    requirements = (ROOT / "requirements.txt").read_text()
    packages = TOOL.colab_packages(requirements)
    gymnasium = next(line for line in requirements.splitlines() if line.startswith("gymnasium"))
    assert packages[0] == gymnasium == "gymnasium==1.4.0"
    assert any(package.startswith("box2d==") for package in packages)
    assert any(package.startswith("ufal-pybox2d==") for package in packages)  # Python 3.14
    assert any(package.startswith("av==") for package in packages)  # run_job's video encoder
    for colab_own in ["numpy", "ipython", "ipykernel", "ale-py", "matplotlib", "jupyterlab"]:
        assert not any(package.startswith(colab_own + "=") for package in packages)


def test_outside_colab_the_set_up_cell_prints_and_installs_nothing(tmp_path):
    source = TOOL.setup_source((ROOT / "requirements.txt").read_text())
    probe = source + "\nimport sys\nprint(sorted({'subprocess', 'importlib'} & set(globals())))"
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "[]\n", "")
    assert "sys.path" not in source  # no path edits: the package is installed


def test_the_notebooks_still_pass_nbval_after_the_script(copies):
    # Every notebook gets the same set-up cell: the shortest one with run_job calls shows it.
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "notebooks/00_start_here.ipynb"],
        cwd=copies,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout and "failed" not in run.stdout


def colab_python() -> str:
    """Python 3.13 as on Colab where this machine has one, else the Python running the tests."""
    found = sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.13*/bin/python3")))
    return found[-1] if found else (shutil.which("python3.13") or sys.executable)


def test_on_a_runtime_pinned_like_colab_the_cell_sets_up_and_a_notebook_runs(copies, tmp_path):
    uv = shutil.which("uv", path=os.path.dirname(sys.executable)) or shutil.which("uv")
    assert uv, "uv is missing: install requirements-dev.txt"
    venv = tmp_path / "colab-venv"
    subprocess.run(
        [uv, "venv", "--quiet", "--seed", "--python", colab_python(), str(venv)], check=True
    )
    python = str(venv / "bin" / "python")
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", python, *COLAB_PINS, "nbclient==0.11.0"],
        check=True,
        timeout=600,
    )
    # Colab's kernel imports google.colab as it starts: a stand-in module, imported the same way.
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "google" / "colab").mkdir(parents=True)
    (Path(purelib) / "google" / "colab" / "__init__.py").write_text('"""Stands in for Colab."""\n')
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text("import google.colab\n")
    # The set-up cell installs this checkout (its committed and working files) instead of GitHub's.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "gym-results", "__pycache__", "test-artifacts", "build", "*.egg-info"
        ),
    )
    work = tmp_path / "work"
    work.mkdir()
    script = (
        "import json, sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, timeout=600, kernel_name='python3',"
        " resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
        "errors = [o for c in nb.cells for o in c.get('outputs', []) if o.output_type == 'error']\n"
        "videos = [o for c in nb.cells for o in c.get('outputs', [])"
        " if '<video src=\"data:video/mp4;base64,'"
        " in str(o.get('data', {}).get('text/html', ''))]\n"
        "print(json.dumps({'errors': len(errors), 'videos': len(videos)}))\n"
    )
    env = {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython")}
    env[TOOL.SOURCE_VARIABLE] = str(source)
    env.pop("PYTHONPATH", None)  # helpers must come from the installed package
    run = subprocess.run(
        [
            python,
            "-c",
            script,
            str(copies / "notebooks" / "01_robots_shoot_lazers.ipynb"),
            str(work),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {"errors": 0, "videos": 2}
    report = (
        "import sys, helpers, importlib.metadata as m\n"
        "print(helpers.__file__)\n"
        "print(*(m.version(p) for p in sys.argv[1:]))\n"
    )
    packages = ["numpy", "ipython", "ipykernel", "ale-py", "gymnasium", "box2d", "av"]
    versions = subprocess.run(
        [python, "-c", report, *packages],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    ).stdout.split("\n")
    assert versions[0].startswith(purelib)  # installed, not found through a path edit
    # Colab's own packages untouched; Gymnasium at the series' pin; Box2D and PyAV added
    assert versions[1].split() == [
        "2.1.3",
        "7.34.0",
        "6.17.1",
        "0.12.1",
        "1.4.0",
        "2.3.10",
        "15.1.0",
    ]
    assert sysconfig.get_paths()["purelib"] != purelib  # a separate environment
    # notebook 00's pre-flight check, on Colab: ready (no requirements.txt there to read)
    preflight = subprocess.run(
        [python, "-c", "import google.colab, helpers.support.preflight as p; p.main([])"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert "\nReady" in preflight.stdout and "fail" not in preflight.stdout, preflight.stdout
    assert "ok        av: 15.1.0" in preflight.stdout


@pytest.mark.parametrize(
    "notebook", sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")), ids=lambda path: path.name
)
def test_every_notebook_has_its_badges_and_its_colab_set_up_cell(notebook):
    assert problems(notebook) == [], f"{notebook.name}: run python scripts/add_colab_cells.py"
