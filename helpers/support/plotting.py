"""The checks of the plots' inputs (`helpers.plots`): a clear error for a wrong map,
a wrong number of values, a window that is not a whole number, and the like."""

from __future__ import annotations

import numbers
import reprlib
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from helpers.support.checks import describe_value, is_real_number, is_whole_number

__all__ = [
    "axes",
    "check_window",
    "curve_points",
    "describe_value",
    "finite",
    "grid_of",
    "map_rows",
    "whole",
]


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
