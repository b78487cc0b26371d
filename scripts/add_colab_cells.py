"""Give each notebook its "Launch on Binder" and "Open in Colab" badges and its Colab set-up cell.

    python scripts/add_colab_cells.py                   # every notebook in notebooks/
    python scripts/add_colab_cells.py notebooks/03_*    # some of them

In the notebook's first markdown cell, the line after the title becomes the two badges. Right
after that cell comes the set-up code cell: on Google Colab it installs, on top of Colab's own
packages, only what the series adds (this project's package, the pinned Gymnasium, Box2D);
anywhere else it does nothing and prints nothing, so the stored outputs stay valid. Running the
script again changes nothing; after a change here or to requirements.txt it updates both.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
REPOSITORY = "robots-shoot-lazers/robots-shoot-lazers"
SOURCE_VARIABLE = "ROBOTS_SHOOT_LAZERS_SOURCE"
CELL_ID = "colab-setup"
FIRST_LINE = "# On Google Colab only: add what the series needs to Colab's own packages"
BINDER_IMAGE = "https://mybinder.org/badge_logo.svg"
COLAB_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


def badges(name: str) -> str:
    """The badge line for notebook `name` (e.g. "03_hit_the_gym.ipynb")."""
    binder = f"https://mybinder.org/v2/gh/{REPOSITORY}/HEAD?urlpath=lab/tree/notebooks/{name}"
    colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/{name}"
    return (
        f"[![Launch on Binder]({BINDER_IMAGE})]({binder})"
        f" [![Open in Colab]({COLAB_IMAGE})]({colab})"
    )


def colab_packages(requirements: str) -> list[str]:
    """What Colab lacks, from requirements.txt: the pinned Gymnasium, moviepy (Gymnasium's
    video schedule, which run_job follows, imports it), PyAV (run_job's video encoder) and
    the Box2D lines.

    Colab already has numpy, IPython, ale-py, matplotlib, imageio and pygame; installing the
    whole pinned list there would replace parts of its own runtime.
    """
    wanted = []
    for line in requirements.splitlines():
        line = line.strip()
        if re.match(r"(gymnasium|moviepy|av|box2d|ufal-pybox2d)==", line):
            wanted.append(line)
    if not any(line.startswith("gymnasium==") for line in wanted):
        raise ValueError("requirements.txt pins no gymnasium version (gymnasium==...)")
    return wanted


def quoted(text: str) -> str:
    """A Python string literal quoted as ruff formats it (double quotes unless inside)."""
    return f"'{text}'" if '"' in text else f'"{text}"'


def setup_source(requirements: str) -> str:
    """The Colab set-up cell's code."""
    packages = "".join(f"\n        {quoted(package)}," for package in colab_packages(requirements))
    zip_url = f"https://github.com/{REPOSITORY}/archive/refs/heads/main.zip"
    return f'''{FIRST_LINE} (a minute).
# Anywhere else this cell does nothing: your set-up has everything already.
import sys

if "google.colab" in sys.modules:
    import importlib
    import os
    import subprocess

    series = os.environ.get(
        "{SOURCE_VARIABLE}",
        "{zip_url}",
    )
    packages = [{packages}
    ]
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, *packages, series], check=True)
    importlib.invalidate_caches()  # the new packages import without a restart'''


def is_setup_cell(cell) -> bool:
    """The set-up cell: by its id, or by its first line (a copy pasted elsewhere has a new id).

    Other cells that mention Colab (a check that tolerates it) are left alone.
    """
    return cell.get("id") == CELL_ID or (
        cell.cell_type == "code" and cell.source.startswith(FIRST_LINE)
    )


def with_badges(markdown: str, name: str) -> str:
    """The first markdown cell's text, with the badge line right after the title."""
    lines = markdown.split("\n")
    lines = [line for line in lines if BINDER_IMAGE not in line and COLAB_IMAGE not in line]
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    if title is None:
        raise ValueError(f"{name}: its first markdown cell has no '# Title' line")
    rest = lines[title + 1 :]
    while rest and not rest[0].strip():
        rest = rest[1:]
    return "\n".join([*lines[: title + 1], "", badges(name), "", *rest])


def add_to(notebook, name: str, requirements: str) -> None:
    """Add or update the badges and the set-up cell in `notebook` (in place)."""
    cells = [cell for cell in notebook.cells if not is_setup_cell(cell)]
    first = next((i for i, cell in enumerate(cells) if cell.cell_type == "markdown"), None)
    if first is None:
        raise ValueError(f"{name}: no markdown cell to hold the badges")
    cells[first].source = with_badges(cells[first].source, name)
    setup = nbformat.v4.new_code_cell(setup_source(requirements))
    setup.id = CELL_ID
    old = next((cell for cell in notebook.cells if is_setup_cell(cell)), None)
    if old is not None and old.source == setup.source:
        setup = old  # keep its metadata and (empty) outputs as they are
    cells.insert(first + 1, setup)
    notebook.cells = cells


def update(path: Path, requirements: str) -> bool:
    """Update the notebook file at `path`; True if it changed."""
    before = path.read_text()
    notebook = nbformat.reads(before, as_version=4)
    add_to(notebook, path.name, requirements)
    after = nbformat.writes(notebook) + "\n"
    if after == before:
        return False
    nbformat.validate(notebook)
    path.write_text(after)
    return True


def main(paths: list[str]) -> None:
    requirements = (ROOT / "requirements.txt").read_text()
    targets = [Path(p) for p in paths] or sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    for path in targets:
        changed = update(path, requirements)
        print(f"{path.name}: {'updated' if changed else 'already up to date'}")


if __name__ == "__main__":
    main(sys.argv[1:])
