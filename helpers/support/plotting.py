"""The drawing under `helpers.plots`, and the checks of its inputs: a clear error for a
wrong map, a wrong number of values, a window that is not a whole number, and the like."""

from __future__ import annotations

import numbers
import reprlib
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from helpers.support.checks import describe_value, is_real_number, is_whole_number

# FrozenLake's actions: 0 left, 1 down, 2 right, 3 up, as (dx, dy) (rows grow downwards)
ARROWS = {0: (-1, 0), 1: (0, 1), 2: (1, 0), 3: (0, -1)}
ENDS = ("H", "G")  # squares where the episode ends: nothing to decide there


def letters(row: Any) -> str | None:
    """One row of the map as a string, or None if it is not made of letters."""
    if isinstance(row, bytes):
        return row.decode()
    if isinstance(row, str):
        return row
    if not isinstance(row, Iterable):
        return None
    letters = []
    for letter in row:
        if isinstance(letter, bytes):
            letter = letter.decode()
        if not isinstance(letter, str):
            return None
        letters.append(letter)
    return "".join(letters)


def map_rows(desc: Any, who: str, first: str) -> list[str]:
    """The map as a list of strings, from strings or FrozenLake's array of bytes."""
    rows = None
    if isinstance(desc, Iterable) and not isinstance(desc, str | bytes):
        rows = [letters(row) for row in desc]
    if not rows or None in rows or any(len(row) != len(rows[0]) for row in rows):
        raise ValueError(
            f"The map must be rows of letters of equal length, such as ['SFFF', 'FHFH', ...] "
            f"or env.unwrapped.desc; got {reprlib.repr(desc)}. {who}({first}, desc) takes "
            f"the {first} first, then the map."
        )
    return [row for row in rows if row is not None]


def grid_of(numbers_: Any, rows: list[str], what: str) -> np.ndarray:
    size = len(rows) * len(rows[0])
    try:
        values = np.asarray(numbers_, dtype=float).ravel()
    except (TypeError, ValueError):
        raise TypeError(
            f"{what} needs one number per square of the map, such as "
            f"agent.table({size}).max(axis=1); got {describe_value(numbers_)}."
        ) from None
    if values.size != size:
        raise ValueError(
            f"{what} needs one number per square: the map has {len(rows)} x {len(rows[0])} = "
            f"{size} squares, and {values.size} numbers were given. For a Q-table, pass "
            f"agent.table({size}).max(axis=1) (values) or .argmax(axis=1) (actions)."
        )
    return values.reshape(len(rows), len(rows[0]))


def axes(ax: Any, figsize: tuple[float, float] = (4, 4)) -> Any:
    if ax is not None and not (hasattr(ax, "plot") and hasattr(ax, "figure")):
        raise TypeError(
            f"ax must be matplotlib axes, such as one of those that plt.subplots(1, 2) "
            f"returns, or None for a new figure; got {describe_value(ax)}."
        )
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


CURVE_TO_PASS = (
    "Pass what run_job returned (the result), its result.episodes, or a list of returns."
)


def check_window(window: Any) -> None:
    if not is_whole_number(window, minimum=1):
        raise ValueError(
            f"window must be a positive whole number of episodes, such as 100; got {window!r}."
        )


def finite(value: Any, name: str) -> float:
    """`value` as a float, or an error naming `name` if it is not a finite number."""
    if not is_real_number(value):
        raise TypeError(f"{name} is {reprlib.repr(value)}, not a number. {CURVE_TO_PASS}")
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} is {number!r}, not a finite number: the curve would break.")
    return number


def whole(value: Any, name: str) -> int:
    """`value` as an int, or an error naming `name` if it is not a whole number >= 0."""
    if not is_whole_number(value):
        raise TypeError(f"{name} is {reprlib.repr(value)}, not a whole number. {CURVE_TO_PASS}")
    return int(value)


def curve_points(result: Any) -> tuple[list[int] | None, list[float]]:
    """The steps (None if only returns were given) and returns of the finished episodes."""
    episodes = getattr(result, "episodes", None)
    if episodes is not None and not isinstance(result, Mapping):
        result = episodes  # a job's result
    if isinstance(result, str | bytes | numbers.Number | Mapping) or not isinstance(
        result, Iterable
    ):
        raise TypeError(
            f"plot_learning_curve needs the episodes of a job, or their returns; got "
            f"{describe_value(result)}. {CURVE_TO_PASS}"
        )
    items = list(result)
    if not items or not all(isinstance(item, Mapping) for item in items):
        return None, [finite(value, f"return {n}") for n, value in enumerate(items)]
    steps, returns = [], []
    for n, episode in enumerate(items):
        missing = [key for key in ("steps", "return") if key not in episode]
        if missing:
            raise TypeError(
                f"episode {n} has no {' or '.join(map(repr, missing))} key: it is not one of "
                f"a job's episodes. {CURVE_TO_PASS}"
            )
        if episode.get("outcome") != "unfinished":
            steps.append(whole(episode["steps"], f"episode {n}'s steps"))
            returns.append(finite(episode["return"], f"episode {n}'s return"))
    return steps, returns


def _draw_map(ax: Any, rows: list[str]) -> None:
    ax.set_xticks(range(len(rows[0])))
    ax.set_yticks(range(len(rows)))
    ax.set_xlim(-0.5, len(rows[0]) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.tick_params(length=0, labelbottom=False, labelleft=False)


def draw_grid_values(values: Any, desc: Any, ax: Any) -> Any:
    """`helpers.plots.plot_grid_values`: the heat map, each square with its letter."""
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


def draw_grid_policy(actions: Any, desc: Any, ax: Any) -> Any:
    """`helpers.plots.plot_grid_policy`: the map with an arrow per square."""
    from matplotlib.patches import Rectangle

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
            colour = colours.get(letter, "#eef")
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour, edgecolor="white"))
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


def moving_mean(values: Any, window: Any) -> np.ndarray:
    """`helpers.plots.moving_average`: the mean of each `window` values (fewer at the start)."""
    check_window(window)
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(f"moving_average needs a list of numbers; got {describe_value(values)}.")
    values = np.array([finite(v, f"value {n}") for n, v in enumerate(values)], dtype=float)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - window)
    return (sums[ends] - sums[starts]) / (ends - starts)


def draw_learning_curve(result: Any, window: Any, ax: Any, label: str | None) -> Any:
    """`helpers.plots.plot_learning_curve`: smoothed returns against the steps taken."""
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
    average = moving_mean(returns, window)
    ax.plot(x, average, label=label or f"mean of the last {window} episodes")
    ax.set_xlabel(x_label)
    ax.set_ylabel("return")
    return ax
