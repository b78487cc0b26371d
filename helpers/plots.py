"""Pictures of what an agent learned, so notebooks show them without plotting code.

A grid world's map is its rows of letters, as FrozenLake's ``env.unwrapped.desc`` holds
them: ``S`` start, ``F`` frozen, ``H`` hole, ``G`` goal. Each function draws on the
``matplotlib`` axes it is given (a new figure if none) and returns them, so a notebook
can add a title or draw two pictures side by side. The drawing itself is in
`helpers.support.plotting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from helpers.support.plotting import (
    draw_grid_policy,
    draw_grid_values,
    draw_learning_curve,
    moving_mean,
)

__all__ = ["plot_grid_values", "plot_grid_policy", "plot_learning_curve", "moving_average"]


def plot_grid_values(values: Sequence[float] | np.ndarray, desc: Any, ax: Any = None) -> Any:
    """A heat map of `values`, one per square of the map `desc`, with each square's letter.

    Brighter squares are worth more. Holes and the goal show only their letter: the
    episode ends there, so they have no value of their own.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_grid_values([0.1, 0.2, 0.0, 1.0], ["SF", "HG"])
    >>> [text.get_text() for text in ax.texts]
    ['S\\n0.10', 'F\\n0.20', 'H', 'G']
    """
    return draw_grid_values(values, desc, ax)


def plot_grid_policy(actions: Sequence[int] | np.ndarray, desc: Any, ax: Any = None) -> Any:
    """The map `desc` with an arrow on each square for the action taken there.

    Actions are FrozenLake's: 0 left, 1 down, 2 right, 3 up. Holes and the goal get no
    arrow: the episode is over there.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_grid_policy([2, 1, 0, 0], ["SF", "HG"])
    >>> [text.get_text() for text in ax.texts]  # two arrows (no text), then H and G
    ['', '', 'H', 'G']
    """
    return draw_grid_policy(actions, desc, ax)


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """The mean of each `window` consecutive values (fewer at the start).

    >>> moving_average([0, 2, 4, 6], window=2).tolist()
    [0.0, 1.0, 3.0, 5.0]
    """
    return moving_mean(values, window)


def plot_learning_curve(
    result: Any, window: int = 100, ax: Any = None, label: str | None = None
) -> Any:
    """The return of each finished episode of a job, averaged over `window` episodes.

    The x axis counts environment steps, not episodes: steps are what learning costs,
    so two methods with episodes of different lengths compare fairly. `result` is what
    `run_job` returned, or its ``result.episodes``; bare returns get an x axis of
    finished episodes.

    >>> from helpers import RandomAgent, run_job
    >>> result = run_job("CartPole-v1", RandomAgent(), steps=200, seed=0, record_video=False)
    >>> plot_learning_curve(result, window=5).get_xlabel()
    'environment steps'
    """
    return draw_learning_curve(result, window, ax, label)
