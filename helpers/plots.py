"""Pictures of what an agent learned, so notebooks show them without plotting code.

- `plot_grid_values`: a heat map of one number per square of a grid world (FrozenLake).
- `plot_grid_policy`: the action chosen on each square of a grid world, as arrows.
- `plot_learning_curve`: the returns of a job's episodes, smoothed, against the steps taken.
- `moving_average`: the smoothing that `plot_learning_curve` uses.

A grid world's map is given as its rows of letters, as FrozenLake's
``env.unwrapped.desc`` holds them: ``S`` start, ``F`` frozen, ``H`` hole, ``G`` goal.
Each function draws on the ``matplotlib`` axes it is given (a new figure if none) and
returns them, so a notebook can add a title or draw two pictures side by side.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> ax = plot_grid_values([0.1, 0.2, 0.0, 1.0], ["SF", "HG"])
>>> [text.get_text() for text in ax.texts]
['S\\n0.10', 'F\\n0.20', 'H', 'G']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["plot_grid_values", "plot_grid_policy", "plot_learning_curve", "moving_average"]

# FrozenLake's actions: 0 left, 1 down, 2 right, 3 up, as (dx, dy) on the picture
# (rows grow downwards).
ARROWS = {0: (-1, 0), 1: (0, 1), 2: (1, 0), 3: (0, -1)}
ENDS = ("H", "G")  # squares where the episode ends: nothing to decide there


def _rows(desc: Any) -> list[str]:
    """The map as a list of strings, from strings or FrozenLake's array of bytes."""
    rows = [
        "".join(c.decode() if isinstance(c, bytes) else str(c) for c in row)
        if not isinstance(row, str)
        else row
        for row in desc
    ]
    if not rows or any(len(row) != len(rows[0]) for row in rows):
        raise ValueError(
            f"The map must be rows of letters of equal length, such as ['SFFF', 'FHFH', ...] "
            f"or env.unwrapped.desc; got {desc!r}."
        )
    return rows


def _grid(numbers: Any, rows: list[str], what: str) -> np.ndarray:
    values = np.asarray(numbers, dtype=float).ravel()
    size = len(rows) * len(rows[0])
    if values.size != size:
        raise ValueError(
            f"{what} needs one number per square: the map has {len(rows)} x {len(rows[0])} = "
            f"{size} squares, and {values.size} numbers were given. For a Q-table, pass "
            f"agent.table({size}).max(axis=1) (values) or .argmax(axis=1) (actions)."
        )
    return values.reshape(len(rows), len(rows[0]))


def _axes(ax: Any, figsize: tuple[float, float] = (4, 4)) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def _draw_map(ax: Any, rows: list[str]) -> None:
    ax.set_xticks(range(len(rows[0])))
    ax.set_yticks(range(len(rows)))
    ax.set_xlim(-0.5, len(rows[0]) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.tick_params(length=0, labelbottom=False, labelleft=False)


def plot_grid_values(values: Sequence[float] | np.ndarray, desc: Any, ax: Any = None) -> Any:
    """A heat map of `values`, one per square of the map `desc`, with each square's letter.

    Brighter squares are worth more. Holes and the goal show only their letter:
    the episode ends there, so they have no value of their own.
    """
    rows = _rows(desc)
    grid = _grid(values, rows, "plot_grid_values")
    ax = _axes(ax)
    image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=max(grid.max(), 1e-9))
    for y, row in enumerate(rows):
        for x, letter in enumerate(row):
            label = letter if letter in ENDS else f"{letter}\n{grid[y, x]:.2f}"
            colour = "black" if grid[y, x] > 0.6 * grid.max() > 0 else "white"
            ax.text(x, y, label, ha="center", va="center", color=colour, fontsize=9)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    _draw_map(ax, rows)
    return ax


def plot_grid_policy(actions: Sequence[int] | np.ndarray, desc: Any, ax: Any = None) -> Any:
    """The map `desc` with an arrow on each square for the action taken there.

    Actions are FrozenLake's: 0 left, 1 down, 2 right, 3 up. Holes (dark) and
    the goal (green) get no arrow: the episode is over there.
    """
    rows = _rows(desc)
    grid = _grid(actions, rows, "plot_grid_policy").astype(int)
    ax = _axes(ax)
    colours = {"H": "#334", "G": "#6c6", "S": "#cde"}
    for y, row in enumerate(rows):
        for x, letter in enumerate(row):
            ax.add_patch(
                _square(x, y, colours.get(letter, "#eef")),
            )
            if letter in ENDS:
                ax.text(x, y, letter, ha="center", va="center", color="white", fontsize=12)
                continue
            dx, dy = ARROWS[grid[y, x]]
            ax.annotate(
                "",
                xy=(x + 0.35 * dx, y + 0.35 * dy),
                xytext=(x - 0.35 * dx, y - 0.35 * dy),
                arrowprops={"arrowstyle": "->", "lw": 2},
            )
    _draw_map(ax, rows)
    ax.set_aspect("equal")
    return ax


def _square(x: int, y: int, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour, edgecolor="white")


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """The mean of each `window` consecutive values (fewer at the start).

    >>> moving_average([0, 2, 4, 6], window=2).tolist()
    [0.0, 1.0, 3.0, 5.0]
    """
    if window < 1:
        raise ValueError(f"window must be 1 or more episodes, such as 100; got {window!r}.")
    values = np.asarray(values, dtype=float)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - window)
    return (sums[ends] - sums[starts]) / (ends - starts)


def plot_learning_curve(
    result: Any, window: int = 100, ax: Any = None, label: str | None = None
) -> Any:
    """The return of each finished episode of a job, averaged over `window` episodes.

    The x axis counts environment steps, not episodes, so that two methods whose
    episodes have different lengths compare fairly: steps are what learning costs.
    `result` is what `run_job` returned.
    """
    finished = [e for e in result.episodes if e["outcome"] != "unfinished"]
    if not finished:
        raise ValueError(
            "The job finished no episode, so there is no return to plot: run it for more steps."
        )
    steps = np.cumsum([e["steps"] for e in finished])
    ax = _axes(ax, figsize=(7, 3.5))
    average = moving_average([e["return"] for e in finished], window)
    ax.plot(steps, average, label=label or f"mean of the last {window} episodes")
    ax.set_xlabel("environment steps")
    ax.set_ylabel("return")
    return ax
