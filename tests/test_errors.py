"""Bad input gets an error that names the problem and the way out."""

from __future__ import annotations

import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from conftest import CorridorEnv, RecordingAgent

from helpers import InvalidActionError, RandomAgent, UnknownEnvironmentError, make_env, run_job


def test_an_unknown_id_names_the_closest_known_ids():
    with pytest.raises(UnknownEnvironmentError, match=r"'SpaceInvader-v5'.*'ALE/SpaceInvaders-v5'"):
        run_job("SpaceInvader-v5", RandomAgent(), steps=10)


def test_a_retired_version_points_to_the_current_one():
    with pytest.raises(UnknownEnvironmentError, match="LunarLander-v3"):
        make_env("LunarLander-v2")


def test_env_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError, match="environment id"):
        run_job(42, RandomAgent(), steps=10)


@pytest.mark.parametrize("steps", [0, -5, 2.5, "100", True, None])
def test_steps_must_be_a_positive_whole_number(steps):
    with pytest.raises(ValueError, match="steps must be a positive whole number"):
        run_job(CorridorEnv(), RandomAgent(), steps=steps, record_video=False)


@pytest.mark.parametrize("episodes_per_train", [-1, 1.5])
def test_episodes_per_train_must_not_be_negative(episodes_per_train):
    with pytest.raises(ValueError, match="episodes_per_train must be a whole number >= 0"):
        run_job(CorridorEnv(), RandomAgent(), steps=5, episodes_per_train=episodes_per_train)


def test_a_model_without_decision_function_is_refused():
    class Lazy:
        def train_on_history(self, history):
            pass

    with pytest.raises(TypeError, match="has no decision_function"):
        run_job(CorridorEnv(), Lazy(), steps=5)


def test_an_action_outside_the_space_names_the_action_and_the_space():
    class Wild(RecordingAgent):
        def decision_function(self, observation, action_space):
            return 7

    env = CorridorEnv()
    with pytest.raises(InvalidActionError, match=r"action 7.*Discrete\(2\)") as caught:
        run_job(env, Wild(), steps=5, record_video=False)
    assert env.closed
    assert caught.value.partial_result.history == []


def test_a_video_dir_that_cannot_be_written_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = CorridorEnv()
    with pytest.raises(PermissionError, match=r"Cannot write videos to .*a-file/videos"):
        run_job(env, RandomAgent(), steps=5, video_dir=blocker / "videos", record_video=True)
    assert env.closed


def test_video_from_an_env_that_cannot_render_is_a_clear_error(tmp_path):
    env = gym.make("CartPole-v1")  # no render_mode
    with pytest.raises(ValueError, match="render_mode='rgb_array'"):
        run_job(env, RandomAgent(), steps=5, video_dir=tmp_path, record_video=True)


def test_without_video_an_env_that_cannot_render_is_fine():
    result = run_job(gym.make("CartPole-v1"), RandomAgent(), steps=5, record_video=False)
    assert len(result.history) == 5


def test_record_video_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError, match="record_video must be"):
        run_job(CorridorEnv(), RandomAgent(), steps=5, record_video="yes")


def test_the_emulator_start_up_banner_is_silenced():
    script = "import gymnasium as gym, helpers; gym.make('ALE/SpaceInvaders-v5').close()"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stderr == "" and run.stdout == ""
    # without helpers, the same lines print the banner: the test above can fail
    bare = (
        "import ale_py, gymnasium as gym; gym.register_envs(ale_py);"
        " gym.make('ALE/SpaceInvaders-v5')"
    )
    noisy = subprocess.run([sys.executable, "-c", bare], capture_output=True, text=True, check=True)
    assert "A.L.E" in noisy.stderr


@pytest.mark.parametrize("action", [np.int64(2), -1, 1.0, "1", np.array([1])])
def test_actions_of_every_kind_outside_a_discrete_space_are_refused(action):
    class Fixed(RecordingAgent):
        def decision_function(self, observation, action_space):
            return action

    with pytest.raises(InvalidActionError, match=r"not in the action space Discrete\(2\)"):
        run_job(CorridorEnv(), Fixed(), steps=1, record_video=False)


@pytest.mark.parametrize("action", [np.int64(1), 0, np.int8(1), True])
def test_actions_inside_a_discrete_space_are_accepted(action):
    class Fixed(RecordingAgent):
        def decision_function(self, observation, action_space):
            return action

    assert len(run_job(CorridorEnv(), Fixed(), steps=1, record_video=False).history) == 1
