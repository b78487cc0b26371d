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


# What a learner may pass instead, and what is refused clearly

RESULT = JobResult(
    episodes=[
        {"steps": 10, "return": 0.0, "outcome": "terminated"},
        {"steps": 5, "return": 1.0, "outcome": "truncated"},
        {"steps": 3, "return": 9.0, "outcome": "unfinished"},
    ]
)


def test_learning_curve_of_the_episodes_list_is_the_result_curve():
    (line,) = plot_learning_curve(RESULT.episodes, window=2).lines
    assert line.get_xdata().tolist() == [10, 15]
    assert line.get_ydata().tolist() == [0.0, 0.5]


@pytest.mark.parametrize("returns", [RESULT.returns, np.array([0.0, 1.0]), (r for r in [0, 1])])
def test_learning_curve_of_bare_returns_counts_episodes_on_x(returns):
    ax = plot_learning_curve(returns, window=2)
    (line,) = ax.lines
    assert line.get_xdata().tolist() == [1, 2]
    assert line.get_ydata().tolist() == [0.0, 0.5]
    assert ax.get_xlabel() == "finished episodes"


def test_learning_curve_does_not_mix_steps_and_episodes_on_one_axis():
    ax = plot_learning_curve(RESULT, window=2)
    with pytest.raises(ValueError, match=r"counts environment steps.*pass the job's result"):
        plot_learning_curve(RESULT.returns, window=2, ax=ax)
    ax = plot_learning_curve(RESULT.returns, window=2)
    with pytest.raises(ValueError, match=r"counts finished episodes"):
        plot_learning_curve(RESULT, window=2, ax=ax)


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        (None, r"got None"),
        ("returns", r"got the text 'returns'"),
        ([1.0, None], r"return 1 is None, not a number"),
        ([1.0, float("nan")], r"return 1 is nan, not a finite number"),
        ([{"steps": 3}], r"episode 0 has no 'return'"),
    ],
)
def test_learning_curve_refuses_what_is_not_returns(result, problem):
    with pytest.raises((TypeError, ValueError), match=problem) as caught:
        plot_learning_curve(result)
    assert "run_job" in str(caught.value) or "not a" in str(caught.value)


@pytest.mark.parametrize("window", ["100", 2.5, True, 0, -3, None])
def test_window_must_be_a_positive_whole_number(window):
    with pytest.raises(ValueError, match=r"window must be a positive whole number.*such as 100"):
        plot_learning_curve(RESULT, window=window)
    with pytest.raises(ValueError, match=r"window must be a positive whole number"):
        moving_average([1.0, 2.0], window=window)


def test_window_may_be_a_numpy_integer():
    (line,) = plot_learning_curve(RESULT, window=np.int64(2)).lines
    assert line.get_ydata().tolist() == [0.0, 0.5]


@pytest.mark.parametrize("bad", [4, -1, np.nan, 2.5])
def test_policy_with_an_action_frozenlake_does_not_have_is_explained(bad):
    actions = np.zeros(16)
    actions[6] = bad  # a frozen square, where an arrow is drawn
    with pytest.raises(ValueError, match=r"FrozenLake's four actions.*row 1, column 2"):
        plot_grid_policy(actions, LAKE)


def test_policy_may_hold_anything_on_holes_and_the_goal():
    actions = np.zeros(16)
    actions[[5, 15]] = [np.nan, 7]  # a hole and the goal: no arrow there
    ax = plot_grid_policy(actions, LAKE)
    assert sum(1 for a in ax.texts if a.get_text() == "") == 11


class Agent:
    pass


@pytest.mark.parametrize(
    ("values", "desc", "problem"),
    [
        (Agent(), LAKE, r"plot_grid_values needs one number per square.*got Agent"),
        (["a"] * 16, LAKE, r"plot_grid_values needs one number per square.*got list"),
        (LAKE, np.zeros(16), r"The map must be rows of letters.*first, then the map"),
        (np.zeros(16), 5, r"The map must be rows of letters"),
        (np.zeros(4), [[1, 2], [3, 4]], r"The map must be rows of letters"),
    ],
)
def test_grid_plots_explain_arguments_of_the_wrong_kind(values, desc, problem):
    with pytest.raises((TypeError, ValueError), match=problem):
        plot_grid_values(values, desc)
    with pytest.raises((TypeError, ValueError), match=problem.replace("values", "policy")):
        plot_grid_policy(values, desc)


def test_grid_values_refuses_nan_and_colours_negative_values():
    values = np.zeros(16)
    values[3] = np.nan
    with pytest.raises(ValueError, match=r"row 0, column 3 is nan"):
        plot_grid_values(values, LAKE)
    ax = plot_grid_values(np.linspace(-1, 1, 16), LAKE)
    assert ax.images[0].get_clim() == (-1.0, 1.0), "negative values are not all one colour"


def test_grid_plots_say_what_ax_must_be():
    with pytest.raises(TypeError, match=r"ax must be matplotlib axes"):
        plot_grid_values(np.zeros(16), LAKE, ax="left")


def test_learning_curve_refuses_an_episode_whose_steps_are_not_a_count():
    with pytest.raises(TypeError, match=r"episode 0's steps is 2.5, not a whole number"):
        plot_learning_curve([{"steps": 2.5, "return": 1.0, "outcome": "terminated"}])
