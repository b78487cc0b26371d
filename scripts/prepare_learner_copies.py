"""Write learner copies of the notebooks into a folder of their own.

    python scripts/prepare_learner_copies.py ~/workshop-notebooks                 # solutions folded
    python scripts/prepare_learner_copies.py ~/workshop-notebooks --solutions removed

The notebooks in ``notebooks/`` are stored with their outputs (the tests compare
them). A learner's copy starts blank instead: every output and execution count is
cleared, so the learner runs each cell and sees it happen. Exercises are stored
unsolved (the starter cells), and stay so. Solutions (cells tagged ``solution``)
are kept folded, or removed with their "Solution" heading (``--solutions removed``),
for a session where the teacher hands them out later.

Nothing in the repository is changed: the copies go only to the folder named.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return "solution" in cell.get("metadata", {}).get("tags", [])


def is_solution_heading(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith("**Solution")


def learner_copy(notebook: nbformat.NotebookNode, solutions: str) -> nbformat.NotebookNode:
    """The notebook with outputs cleared and its solutions folded or removed."""
    cells = []
    for index, cell in enumerate(notebook.cells):
        following = notebook.cells[index + 1] if index + 1 < len(notebook.cells) else None
        if solutions == "removed" and (
            is_solution(cell)
            or (is_solution_heading(cell) and following and is_solution(following))
        ):
            continue
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if is_solution(cell):
                cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
        cells.append(cell)
    notebook.cells = cells
    notebook.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    return notebook


def prepare(destination: Path, solutions: str = "folded") -> list[Path]:
    """Write a learner copy of every numbered notebook into `destination`; return the paths."""
    destination = destination.expanduser().resolve()
    if destination == NOTEBOOKS.resolve():
        raise SystemExit(
            "The learner copies must go to another folder than notebooks/ "
            "(they would replace the stored notebooks)."
        )
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(NOTEBOOKS.glob("[0-9]*.ipynb")):
        notebook = learner_copy(nbformat.read(source, as_version=4), solutions)
        target = destination / source.name
        nbformat.write(notebook, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("destination", type=Path, help="the folder to write the copies to")
    parser.add_argument(
        "--solutions",
        choices=["folded", "removed"],
        default="folded",
        help="keep the solutions folded (default) or remove them",
    )
    arguments = parser.parse_args(argv)
    written = prepare(arguments.destination, arguments.solutions)
    print(
        f"{len(written)} learner notebooks (solutions {arguments.solutions}) in {written[0].parent}"
    )
    print(
        "They import helpers: open them with a Python where the series is installed "
        "(python -m pip install -r requirements.txt -e . in the project's folder)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
