"""The pictures of helpers.plots: one mark per square, clear errors for a wrong size."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import gymnasium as gym
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import JobResult
from helpers.plots import moving_average, plot_grid_policy, plot_grid_values, plot_learning_curve

LAKE = gym.make("FrozenLake-v1").unwrapped.desc  # 4 x 4 bytes, as the notebooks pass it


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_values_label_every_square_with_its_letter():
    ax = plot_grid_values(np.linspace(0, 1, 16), LAKE)
    labels = [text.get_text() for text in ax.texts]
    assert len(labels) == 16
    assert labels[0].startswith("S\n0.00")
    assert labels[5] == "H" and labels[15] == "G", "holes and goal show no value"


def test_policy_draws_an_arrow_on_each_square_where_the_agent_decides():
    ax = plot_grid_policy(np.full(16, 2), LAKE)
    arrows = [a for a in ax.texts if a.get_text() == "" and a.arrow_patch is not None]
    assert len(arrows) == 16 - 5, "4 holes and the goal get no arrow"
    (x0, y0), (x1, y1) = arrows[0].xyann, arrows[0].xy
    assert x1 > x0 and y1 == y0, "action 2 points right"


def test_a_wrong_number_of_squares_is_explained():
    with pytest.raises(ValueError, match="16 squares, and 15 numbers"):
        plot_grid_values(np.zeros(15), LAKE)
    with pytest.raises(ValueError, match="rows of letters"):
        plot_grid_policy(np.zeros(4), ["SF", "H"])


def test_learning_curve_puts_steps_on_x_and_leaves_the_unfinished_episode_out():
    result = JobResult(
        episodes=[
            {"steps": 10, "return": 0.0, "outcome": "terminated"},
            {"steps": 5, "return": 1.0, "outcome": "truncated"},
            {"steps": 3, "return": 9.0, "outcome": "unfinished"},
        ]
    )
    (line,) = plot_learning_curve(result, window=2).lines
    assert line.get_xdata().tolist() == [10, 15]
    assert line.get_ydata().tolist() == [0.0, 0.5]


def test_learning_curve_without_a_finished_episode_is_explained():
    with pytest.raises(ValueError, match="no episode"):
        plot_learning_curve(JobResult(episodes=[]))


def test_moving_average_refuses_an_empty_window():
    assert moving_average([1, 2, 3], window=5).tolist() == [1.0, 1.5, 2.0]
    with pytest.raises(ValueError, match="window"):
        moving_average([1.0], window=0)
