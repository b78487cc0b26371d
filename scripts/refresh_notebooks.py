"""Re-execute every notebook in notebooks/ and save it with its new outputs.

    python scripts/refresh_notebooks.py                  # all notebooks
    python scripts/refresh_notebooks.py notebooks/03_*   # some of them

Run it after changing a notebook or `helpers`: the test suite (nbval) compares
each notebook's stored outputs with a fresh run, so a stale notebook fails it.
Notebooks run in their own folder, on this Python, with clean metadata (no
timings, kernel "python3"), so that saving them twice gives the same file.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
# As in tests/conftest.py: pygame stays silent without a screen (no SDL warning stored).
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
# NumPy on one thread per process: the networks' small matrices gain nothing from more, and
# two test workers on two cores would fight over them.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def refresh(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    notebook.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)
    print(f"{path.name}: {time.perf_counter() - start:.1f} s")


def main(paths: list[str]) -> None:
    targets = [Path(p).resolve() for p in paths] or sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    for path in targets:
        refresh(path)


if __name__ == "__main__":
    main(sys.argv[1:])
