"""The series hangs together: every link between notebooks works, and each one leads on.

Each notebook links to the one before it ("Previous") and the one after it ("Next"), and
every link to a notebook points to a file that exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9]*.ipynb"))
LINK = re.compile(r"\[[^\]]*\]\(([^)#\s]+\.ipynb)(?:#[^)]*)?\)")


def markdown(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_every_link_to_a_notebook_finds_it(path):
    missing = [
        target for target in LINK.findall(markdown(path)) if not (path.parent / target).exists()
    ]
    assert missing == [], f"{path.name} links to notebooks that do not exist: {missing}"


@pytest.mark.parametrize("index", range(len(NOTEBOOKS)), ids=lambda i: NOTEBOOKS[i].name)
def test_each_notebook_leads_to_the_next_and_back_to_the_one_before(index):
    text = markdown(NOTEBOOKS[index])

    def linked(word: str) -> list[str]:
        return re.findall(word + r"[^\[\n]*\[[^\]]*\]\(([^)#\s]+\.ipynb)\)", text)

    if index + 1 < len(NOTEBOOKS):
        assert linked("Next") == [NOTEBOOKS[index + 1].name]
    if index > 0:
        assert linked("Previous") == [NOTEBOOKS[index - 1].name]
        assert "00_start_here.ipynb" in LINK.findall(text), "no link back to Start here"
