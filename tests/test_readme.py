"""The README: its commands, its table of contents and its Binder badge."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def command_after(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```bash\n(.+)\n```", README)
    assert match, f"no command after <!-- {marker} --> in README.md"
    return match.group(1)


def test_the_readme_has_exactly_two_commands_that_set_up_from_scratch():
    assert README.count("<!-- open-command -->") == README.count("<!-- test-command -->") == 1
    for marker in ["open-command", "test-command"]:
        assert command_after(marker).startswith("python3 -m venv .venv && ")
    assert "jupyter lab notebooks/00_start_here.ipynb" in command_after("open-command")
    assert command_after("test-command").endswith("-m pytest")


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


def test_the_binder_badge_opens_jupyterlab_at_start_here():
    match = re.search(
        r"https://mybinder\.org/v2/gh/[^/]+/[^/]+/HEAD\?urlpath=lab/tree/(\S+?)\)", README
    )
    assert match
    assert (ROOT / match.group(1)).is_file()
    assert match.group(1) == "notebooks/00_start_here.ipynb"
