"""describe_returns and show_video take what a learner most likely passes, or say what to pass."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from helpers import JobResult, describe_returns, show_video

EPISODES = [
    {"episode": 0, "steps": 10, "return": 1.0, "outcome": "terminated", "video": None},
    {"episode": 1, "steps": 20, "return": 3.0, "outcome": "truncated", "video": None},
    {"episode": 2, "steps": 4, "return": 99.0, "outcome": "unfinished", "video": None},
]
TWO = "mean 2.0 (standard error 1.0), spread 1.4 (min 1.0, max 3.0) over 2 episodes"


# describe_returns


def test_describe_returns_keeps_its_line_for_a_list_and_an_array():
    assert describe_returns([1.0, 3.0]) == TWO
    assert describe_returns(np.array([1, 3])) == TWO
    assert describe_returns([np.float32(1.0), np.int64(3)]) == TWO
    assert describe_returns([[1.0], [3.0]]) == TWO  # a column of returns, as before


def test_describe_returns_of_a_job_result_describes_its_finished_episodes():
    assert describe_returns(JobResult(episodes=EPISODES)) == TWO


def test_describe_returns_of_episode_dicts_reads_their_returns():
    assert describe_returns(EPISODES) == TWO, "the unfinished episode is left out"


def test_describe_returns_of_a_generator():
    assert describe_returns(r for r in (1.0, 3.0)) == TWO
    assert describe_returns(e["return"] for e in EPISODES[:2]) == TWO


@pytest.mark.parametrize(
    ("returns", "problem"),
    [
        (None, r"got None"),
        ([1, None, 3], r"returns\[1\] is None, not a number"),
        ([1, "2"], r"returns\[1\] is '2', not a number"),
        ([True, False], r"returns\[0\] is True, not a number"),
        ("12", r"got the text '12'"),
        (EPISODES[0], r"got one episode's dict"),
        ([{"steps": 3}], r"returns\[0\] is a dict without a 'return' key"),
        ([[1.0], [None]], r"returns\[1\]\[0\] is None"),
        (3.0, r"got the number 3.0"),
        (object(), r"got object"),
    ],
)
def test_describe_returns_refuses_what_is_not_a_list_of_numbers(returns, problem):
    with pytest.raises(TypeError, match=problem) as caught:
        describe_returns(returns)
    assert "result.returns" in str(caught.value), "the error says what to pass"


@pytest.mark.parametrize(
    ("returns", "where"),
    [
        ([1, float("nan")], r"returns\[1\] is nan"),
        ([1, math.inf], r"returns\[1\] is inf"),
        (np.array([1.0, np.nan]), r"returns\[1\] is nan"),
        ([{"return": -math.inf}], r'returns\[0\]\["return"\] is -inf'),
    ],
)
def test_describe_returns_refuses_nan_and_infinity(returns, where):
    with pytest.raises(ValueError, match=where + ", not a finite number"):
        describe_returns(returns)


# show_video


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\0\0\0\x20ftypisom" + bytes(100))  # enough of an mp4 for the checks
    return path


@pytest.mark.parametrize("width", [np.int64(300), np.float32(300.0), 300.0, 300])
def test_show_video_takes_numpy_numbers_as_width(clip, width):
    assert 'width="300"' in show_video(clip, width=width).data


@pytest.mark.parametrize("width", [math.inf, math.nan, np.float64("inf"), np.bool_(True), 0.5])
def test_show_video_refuses_widths_that_are_not_pixels(clip, width):
    with pytest.raises(TypeError, match=r"width must be a number of pixels, such as 480"):
        show_video(clip, width=width)


@pytest.mark.parametrize("limit", ["20", None, math.nan, 0, -1, True])
def test_show_video_max_megabytes_must_be_a_positive_number(clip, limit):
    with pytest.raises(TypeError, match=r"max_megabytes must be a positive number"):
        show_video(clip, max_megabytes=limit)


def test_show_video_takes_numpy_and_unlimited_max_megabytes(clip):
    assert show_video(clip, max_megabytes=np.float32(1)).data.startswith("<video")
    assert show_video(clip, max_megabytes=math.inf).data.startswith("<video")


def test_show_video_of_an_episode_dict_shows_its_video(clip):
    html = show_video({"episode": 0, "return": 1.0, "video": clip}).data
    assert html == show_video(clip).data
    both = show_video([{"video": clip}, {"video": clip}]).data
    assert both.count("<video ") == 2


def test_show_video_of_an_unrecorded_episode_dict_says_it_was_not_recorded():
    with pytest.raises(FileNotFoundError, match="that episode was not recorded"):
        show_video(EPISODES[0])


def test_show_video_of_a_dict_without_a_video_says_what_to_pass():
    with pytest.raises(TypeError, match=r"""a dict without a 'video' key.*episode\["video"\]"""):
        show_video({"episode": 0, "return": 1.0})


def test_show_video_takes_a_bytes_path(clip):
    assert show_video(os.fsencode(clip)).data == show_video(clip).data
    assert show_video([os.fsencode(clip)]).data == show_video(clip).data
