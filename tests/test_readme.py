"""The README: its commands, its table of contents and its Binder and Colab badges."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def command_after(marker: str, language: str = "bash") -> str:
    match = re.search(rf"<!-- {marker} -->\n```{language}\n(.+)\n```", README)
    assert match, f"no command after <!-- {marker} --> in README.md"
    return match.group(1)


def test_the_readme_has_exactly_two_commands_that_set_up_from_scratch():
    assert README.count("<!-- open-command -->") == README.count("<!-- test-command -->") == 1
    for marker in ["open-command", "test-command"]:
        # the Python check first: a wrong Python stops before anything is installed
        assert command_after(marker).startswith(
            "python3 scripts/check_python.py && python3 -m venv .venv && "
        )
    assert command_after("open-command").endswith(
        " && .venv/bin/python -m pip install -r requirements.txt -e ."
        " && .venv/bin/jupyter lab notebooks/00_start_here.ipynb"
    )
    assert command_after("test-command").endswith(
        " && .venv/bin/python -m pip install -r requirements-dev.txt -e ."
        " && .venv/bin/python -m pytest"
    )


def test_the_windows_command_does_the_same_steps_in_windows_powershell_5():
    assert README.count("<!-- open-command-windows -->") == 1
    command = command_after("open-command-windows", "powershell")
    # Windows PowerShell 5.1 has no `&&`; python.org's installer puts `py` on PATH, not
    # `python3`; a virtual environment keeps its programs in Scripts\, not bin/.
    assert "&&" not in command and "python3" not in command and "/" not in command
    steps = [step.strip(" {}") for step in re.split(r"; if \(\$\?\) \{", command)]
    version = re.match(r"py -(3\.\d+) ", steps[0]).group(1)
    assert steps == [
        f"py -{version} scripts\\check_python.py",
        f"py -{version} -m venv .venv",
        ".venv\\Scripts\\python -m pip install -r requirements.txt -e .",
        ".venv\\Scripts\\jupyter lab notebooks\\00_start_here.ipynb",
    ]
    assert command.count("{") == command.count("}") == 3
    assert version in ["3.11", "3.12", "3.13", "3.14"]


def test_ci_runs_the_readme_test_command_as_written():
    extract = subprocess.run(
        [
            "awk",
            "/<!-- test-command -->/ {found=1; next} found && /^```bash/ {getline; print; exit}",
            "README.md",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert extract.stdout.strip() == command_after("test-command")
    assert "awk '/<!-- test-command -->/" in (ROOT / ".ci" / "run").read_text()


def test_the_table_of_contents_lists_every_notebook():
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    linked = re.findall(r"\]\(notebooks/([0-9][^)]+\.ipynb)\)", README)
    assert linked == notebooks


def test_the_table_gives_each_notebook_the_time_its_header_states():
    """The README's time column and the total agree with each notebook's own estimate."""
    import nbformat

    stated = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        header = nbformat.read(path, as_version=4).cells[0].source
        match = re.search(r"\*\*Time:\*\* (?:[Aa]bout )?(\d+) (minutes|hours?)\b", header)
        assert match, f"{path.name}: no '**Time:** N minutes' in its first cell"
        stated[path.name] = int(match.group(1)) * (1 if match.group(2) == "minutes" else 60)
    rows = re.findall(r"\]\(notebooks/([0-9][^)]+\.ipynb)\) \|[^|]+\| (\d+) min \|", README)
    assert {name: int(minutes) for name, minutes in rows} == stated
    total = sum(stated.values())
    assert f"({total} minutes)" in README


def test_the_binder_badge_opens_jupyterlab_at_start_here():
    match = re.search(
        r"https://mybinder\.org/v2/gh/[^/]+/[^/]+/HEAD\?urlpath=lab/tree/(\S+?)\)", README
    )
    assert match
    assert (ROOT / match.group(1)).is_file()
    assert match.group(1) == "notebooks/00_start_here.ipynb"


def test_the_colab_badge_opens_start_here_from_the_same_repository():
    binder = re.search(r"https://mybinder\.org/v2/gh/([^/]+/[^/]+)/HEAD", README).group(1)
    badge = re.search(
        r"\[!\[Open in Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
        r"\(https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/main/(\S+?)\)",
        README,
    )
    assert badge, "no Open in Colab badge in README.md"
    assert badge.group(1) == binder
    assert badge.group(2) == "notebooks/00_start_here.ipynb"
    # beside Binder's: on the line right after it
    lines = README.splitlines()
    binder_line = next(i for i, line in enumerate(lines) if "mybinder.org/badge_logo" in line)
    assert "colab-badge.svg" in lines[binder_line + 1]
