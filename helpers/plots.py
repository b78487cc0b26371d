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

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from helpers.support.plotting import (
    axes,
    check_window,
    curve_points,
    describe_value,
    finite,
    grid_of,
    map_rows,
)

__all__ = ["plot_grid_values", "plot_grid_policy", "plot_learning_curve", "moving_average"]

# FrozenLake's actions: 0 left, 1 down, 2 right, 3 up, as (dx, dy) on the picture
# (rows grow downwards).
ARROWS = {0: (-1, 0), 1: (0, 1), 2: (1, 0), 3: (0, -1)}
ENDS = ("H", "G")  # squares where the episode ends: nothing to decide there


def _draw_map(ax: Any, rows: list[str]) -> None:
    ax.set_xticks(range(len(rows[0])))
    ax.set_yticks(range(len(rows)))
    ax.set_xlim(-0.5, len(rows[0]) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.tick_params(length=0, labelbottom=False, labelleft=False)


def plot_grid_values(values: Sequence[float] | np.ndarray, desc: Any, ax: Any = None) -> Any:
    """A heat map of `values`, one per square of the map `desc`, with each square's letter.

    Brighter squares are worth more (the colours run from 0, or the lowest value
    if one is negative, to the highest). Holes and the goal show only their letter:
    the episode ends there, so they have no value of their own.
    """
    rows = map_rows(desc, "plot_grid_values", "values")
    grid = grid_of(values, rows, "plot_grid_values")
    not_finite = np.argwhere(~np.isfinite(grid))
    if not_finite.size:
        y, x = not_finite[0]
        raise ValueError(
            f"plot_grid_values needs a finite number on every square: row {y}, column {x} "
            f"is {grid[y, x]}."
        )
    ax = axes(ax)
    low = min(grid.min(), 0.0)  # a map of negative values still spans the colours
    high = max(grid.max(), low + 1e-9)
    image = ax.imshow(grid, cmap="viridis", vmin=low, vmax=high)
    for y, row in enumerate(rows):
        for x, letter in enumerate(row):
            label = letter if letter in ENDS else f"{letter}\n{grid[y, x]:.2f}"
            colour = "black" if grid[y, x] > low + 0.6 * (high - low) else "white"
            ax.text(x, y, label, ha="center", va="center", color=colour, fontsize=9)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    _draw_map(ax, rows)
    return ax


def plot_grid_policy(actions: Sequence[int] | np.ndarray, desc: Any, ax: Any = None) -> Any:
    """The map `desc` with an arrow on each square for the action taken there.

    Actions are FrozenLake's: 0 left, 1 down, 2 right, 3 up; any other action
    is refused. Holes (dark) and the goal (green) get no arrow: the episode is
    over there, so whatever the actions hold on them is not drawn.
    """
    rows = map_rows(desc, "plot_grid_policy", "actions")
    grid = grid_of(actions, rows, "plot_grid_policy")
    for y, row in enumerate(rows):
        for x, letter in enumerate(row):
            if letter not in ENDS and grid[y, x] not in ARROWS:
                raise ValueError(
                    f"plot_grid_policy draws FrozenLake's four actions (0 left, 1 down, "
                    f"2 right, 3 up) as arrows; the action on row {y}, column {x} is "
                    f"{grid[y, x]:g}, which has no arrow. A game with other actions (Taxi has "
                    f"6) needs a picture of its own."
                )
    grid = np.nan_to_num(grid).astype(int)  # holes and the goal may hold anything
    ax = axes(ax)
    colours = {"H": "#334", "G": "#6c6", "S": "#cde"}
    for y, row in enumerate(rows):
        for x, letter in enumerate(row):
            ax.add_patch(
                _square(x, y, colours.get(letter, "#eef")),
            )
            if letter in ENDS:
                ax.text(x, y, letter, ha="center", va="center", color="white", fontsize=12)
                continue
            dx, dy = ARROWS[int(grid[y, x])]
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
    check_window(window)
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(f"moving_average needs a list of numbers; got {describe_value(values)}.")
    values = np.array([finite(v, f"value {n}") for n, v in enumerate(values)], dtype=float)
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
    `result` is what `run_job` returned, or its ``result.episodes``. Given bare
    returns (``result.returns``), the x axis can only count finished episodes, and
    such a curve is not drawn on axes that count steps (nor the other way round).
    """
    check_window(window)
    steps, returns = curve_points(result)
    if not returns:
        raise ValueError(
            "The job finished no episode, so there is no return to plot: run it for more steps."
        )
    x_label = "environment steps" if steps is not None else "finished episodes"
    ax = axes(ax, figsize=(7, 3.5))
    other = {"environment steps", "finished episodes"} - {x_label}
    if ax.get_xlabel() in other:
        raise ValueError(
            f"These axes already hold a curve that counts {ax.get_xlabel()} on x, and this "
            f"one counts {x_label}: pass the job's result (not result.returns) for every "
            f"curve of one picture, so that all count environment steps."
        )
    x = np.cumsum(steps) if steps is not None else np.arange(1, len(returns) + 1)
    average = moving_average(returns, window)
    ax.plot(x, average, label=label or f"mean of the last {window} episodes")
    ax.set_xlabel(x_label)
    ax.set_ylabel("return")
    return ax
