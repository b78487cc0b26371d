"""Bad input gets an error that names the problem and the way out."""

from __future__ import annotations

import functools
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from conftest import CorridorEnv, RecordingAgent

from helpers import (
    CrossEntropyAgent,
    RandomAgent,
    describe_returns,
    evaluate,
    make_env,
    run_job,
    show_video,
)
from helpers.support.checks import InvalidActionError
from helpers.support.environments import UnknownEnvironmentError


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
    env = CorridorEnv()
    with pytest.raises(ValueError, match="steps must be a positive whole number"):
        run_job(env, RandomAgent(), steps=steps, record_video=False)
    assert env.closed


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


# The agent


def test_the_agent_class_instead_of_an_agent_says_to_add_brackets():
    env = CorridorEnv()
    with pytest.raises(TypeError, match=r"RandomAgent is a class.*RandomAgent\(\)"):
        run_job(env, RandomAgent, steps=5, record_video=False)
    with pytest.raises(TypeError, match=r"RandomAgent is a class"):
        evaluate("CartPole-v1", RandomAgent, episodes=2)


# Seeds


@pytest.mark.parametrize(
    "seed", [np.int64(3), np.arange(5)[3], np.random.default_rng(0).integers(9)]
)
def test_numpy_integer_seeds_just_work(seed):
    result = run_job("CartPole-v1", RandomAgent(), 30, seed=seed, record_video=False)
    same = run_job("CartPole-v1", RandomAgent(), 30, seed=int(seed), record_video=False)
    assert [h["action"] for h in result.history] == [h["action"] for h in same.history]
    assert type(result.parameters["seed"]) is int
    assert evaluate("CartPole-v1", RandomAgent(), 2, seed=seed) == evaluate(
        "CartPole-v1", RandomAgent(), 2, seed=int(seed)
    )


@pytest.mark.parametrize("seed", [-1, 2.5, "42", True])
def test_a_seed_that_is_not_a_whole_number_from_0_is_named(seed):
    env = CorridorEnv()
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0"):
        run_job(env, RandomAgent(), 5, seed=seed, record_video=False)
    assert env.closed
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0"):
        evaluate("CartPole-v1", RandomAgent(), 2, seed=seed)


def test_evaluate_needs_a_seed():
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0, such as 42; got None"):
        evaluate("CartPole-v1", RandomAgent(), 2, seed=None)


# Videos


def test_video_dir_none_while_recording_is_named():
    env = CorridorEnv()
    with pytest.raises(TypeError, match=r"video_dir must be a folder name.*record_video=False"):
        run_job(env, RandomAgent(), 5, video_dir=None, record_video=True)
    assert env.closed


def test_video_dir_none_without_recording_is_fine():
    result = run_job(CorridorEnv(), RandomAgent(), 5, video_dir=None, record_video=False)
    assert len(result.history) == 5


# What the environment returns


class Rewarding(CorridorEnv):
    def __init__(self, reward):
        super().__init__()
        self.reward = reward

    def step(self, action):
        observation, _, terminated, truncated, info = super().step(action)
        return observation, self.reward, terminated, truncated, info


@pytest.mark.parametrize("reward", [np.array([1.5]), np.array(1.5), np.float32(1.5), 1.5])
def test_rewards_given_as_one_number_in_an_array_are_numbers(reward):
    result = run_job(Rewarding(reward), RandomAgent(), 3, record_video=False)
    assert [h["reward"] for h in result.history] == [1.5] * 3
    assert all(type(h["reward"]) is float for h in result.history)
    assert result.returns == [4.5]


@pytest.mark.parametrize("reward", [np.array([1.0, 2.0]), "1", None])
def test_a_reward_that_is_not_one_number_is_a_clear_error(reward):
    with pytest.raises(TypeError, match="a reward must be one number"):
        run_job(Rewarding(reward), RandomAgent(), 3, record_video=False)


def test_an_environment_with_the_old_gym_api_is_named():
    class Old(CorridorEnv):
        def step(self, action):
            observation, reward, terminated, _, info = super().step(action)
            return observation, reward, terminated, info

    env = Old()
    with pytest.raises(TypeError, match=r"Old does not follow Gymnasium's API.*four from step"):
        run_job(env, RandomAgent(), 3, record_video=False)
    assert env.closed


def test_a_value_error_of_the_agent_is_not_mistaken_for_the_old_api():
    class Broken(RecordingAgent):
        def decision_function(self, observation, action_space):
            a, _ = [1, 2, 3]  # the agent's own bug
            return a

    with pytest.raises(ValueError, match="too many values to unpack"):
        run_job(CorridorEnv(), Broken(), 3, record_video=False)


def test_describe_returns_of_nothing_says_why():
    with pytest.raises(ValueError, match="no returns to describe"):
        describe_returns([])


# Actions


@pytest.mark.parametrize("action", [np.uint8(1), np.uint64(1), np.uint32(0)])
def test_numpy_unsigned_integers_are_discrete_actions(action):
    class Fixed(RecordingAgent):
        def decision_function(self, observation, action_space):
            return action

    result = run_job("CartPole-v1", Fixed(), 5, seed=0, record_video=False)
    assert [h["action"] for h in result.history] == [int(action)] * 5


def test_a_float64_array_for_a_float32_box_is_accepted():
    class Steady(RecordingAgent):
        def decision_function(self, observation, action_space):
            return np.array([0.5], dtype=np.float64)

    result = run_job("Pendulum-v1", Steady(), 5, seed=0, record_video=False)
    assert len(result.history) == 5
    assert result.history[0]["action"].dtype == np.float32


@pytest.mark.parametrize("action", [np.array([5.0]), np.array([np.nan]), np.array([1, 2]), "x"])
def test_box_actions_outside_the_box_are_refused(action):
    class Fixed(RecordingAgent):
        def decision_function(self, observation, action_space):
            return action

    with pytest.raises(InvalidActionError, match=r"not in the action space Box"):
        run_job("Pendulum-v1", Fixed(), 2, seed=0, record_video=False)


def test_cross_entropy_on_a_continuous_action_space_is_a_clear_error():
    with pytest.raises(TypeError, match=r"CrossEntropyAgent picks one of a few discrete actions"):
        run_job("Pendulum-v1", CrossEntropyAgent(), 5, seed=0, record_video=False)


def test_cross_entropy_on_dict_observations_is_a_clear_error():
    env = gym.wrappers.TransformObservation(
        gym.make("CartPole-v1"), lambda o: {"state": o}, gym.spaces.Dict()
    )
    with pytest.raises(TypeError, match=r"observation made of numbers.*FlattenObservation"):
        run_job(env, CrossEntropyAgent(), 5, seed=0, record_video=False)


def test_cross_entropy_plays_discrete_spaces_that_do_not_start_at_0():
    space = gym.spaces.Discrete(3, start=-1)
    agent = CrossEntropyAgent()
    agent.seed(0)
    actions = {agent.decision_function(np.zeros(2), space) for _ in range(1)}
    assert actions <= {-1, 0, 1}
    for _ in range(20):
        agent.candidates.append(agent.rng.standard_normal(agent.mean.shape))
        agent._playing += 1
        assert space.contains(agent.decision_function(np.ones(2), space))


@pytest.mark.parametrize("max_steps", [0, 2.5, "10"])
def test_evaluate_max_steps_must_be_a_positive_whole_number(max_steps):
    with pytest.raises(ValueError, match="max_steps must be a positive whole number"):
        evaluate("CartPole-v1", RandomAgent(), 2, seed=0, max_steps=max_steps)


def test_show_video_given_a_whole_result_says_which_path_to_pass():
    result = run_job(CorridorEnv(), RandomAgent(), 3, record_video=False)
    with pytest.raises(TypeError, match=r"path of an mp4 file \(such as result.videos\[0\]\)"):
        show_video(result)


# Environments that break Gymnasium's API, in run_job and evaluate alike


class Returning(CorridorEnv):
    """Its reset or step returns `returned` instead of what Gymnasium asks for."""

    def __init__(self, method, returned):
        super().__init__()
        self.method, self.returned = method, returned

    def reset(self, *, seed=None, options=None):
        pair = super().reset(seed=seed)
        return self.returned if self.method == "reset" else pair

    def step(self, action):
        values = super().step(action)
        return self.returned if self.method == "step" else values


def run_both(env):
    """The errors of run_job and of evaluate on the same kind of environment."""
    errors = []
    with pytest.raises(TypeError) as caught:
        run_job(env, RandomAgent(), 3, record_video=False)
    errors.append(str(caught.value))
    assert env.closed
    with pytest.raises(TypeError) as caught:
        evaluate(env, RandomAgent(), 1, seed=0)
    errors.append(str(caught.value))
    return errors


@pytest.mark.parametrize("returned", [None, 7])
def test_a_step_that_returns_none_or_a_number_is_named(returned):
    for error in run_both(Returning("step", returned)):
        assert "step() returned" in error and type(returned).__name__ in error
        assert "return observation, reward, terminated, truncated, info" in error


@pytest.mark.parametrize("returned", [None, 7, np.array([0.25, 0.75]), np.zeros(4), (1.0, 2.0)])
def test_a_reset_that_does_not_return_observation_and_info_is_named(returned):
    for error in run_both(Returning("reset", returned)):
        assert "reset() returned" in error and "return observation, info" in error


def test_evaluate_names_an_environment_with_the_old_gym_api():
    class Old(CorridorEnv):
        def step(self, action):
            observation, reward, terminated, _, info = super().step(action)
            return observation, reward, terminated, info

    with pytest.raises(TypeError, match=r"Old does not follow Gymnasium's API.*four from step"):
        evaluate(Old(), RandomAgent(), 1, seed=0)


def test_evaluate_leaves_the_agent_s_own_value_errors_alone():
    class Broken(RecordingAgent):
        def decision_function(self, observation, action_space):
            a, _ = [1, 2, 3]
            return a

    with pytest.raises(ValueError, match="too many values to unpack"):
        evaluate(CorridorEnv(), Broken(), 1, seed=0)


@pytest.mark.parametrize("flag", [np.array([True, False]), "False", 2, None])
def test_terminated_that_is_not_true_or_false_is_named(flag):
    class Flagging(CorridorEnv):
        def step(self, action):
            observation, reward, _, truncated, info = super().step(action)
            return observation, reward, flag, truncated, info

    with pytest.raises(TypeError, match=r"returned terminated=.*must be True or False"):
        run_job(Flagging(), RandomAgent(), 3, record_video=False)
    with pytest.raises(TypeError, match=r"returned terminated=.*must be True or False"):
        evaluate(Flagging(), RandomAgent(), 1, seed=0)


@pytest.mark.parametrize("flag", [np.bool_(True), np.array([True]), 1])
def test_terminated_as_a_numpy_bool_or_0_or_1_just_works(flag):
    class Flagging(CorridorEnv):
        def step(self, action):
            observation, reward, _, truncated, info = super().step(action)
            return observation, reward, flag, truncated, info

    result = run_job(Flagging(), RecordingAgent(), 2, record_video=False)
    assert [e["outcome"] for e in result.episodes] == ["terminated", "terminated"]
    assert evaluate(Flagging(), RecordingAgent(), 1, seed=0) == [1.0]


def test_evaluate_stops_an_endless_episode_with_a_warning(monkeypatch):
    monkeypatch.setattr("helpers.evaluation.LONGEST_EPISODE", 50)
    with pytest.warns(UserWarning, match=r"had not ended after 50 steps.*max_steps"):
        returns = evaluate(CorridorEnv(length=10**9), RecordingAgent(), 2, seed=0)
    assert returns == [50.0, 50.0]  # action 1 earns 1 a step


def test_evaluate_s_guard_against_endless_episodes_leaves_ending_ones_alone():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert evaluate("CartPole-v1", RandomAgent(), 3, seed=0) == [18.0, 14.0, 12.0]


def test_a_vector_env_is_refused_closed_and_named():
    envs = gym.vector.SyncVectorEnv([lambda: gym.make("CartPole-v1")])
    with pytest.raises(TypeError, match=r"subclasses gymnasium.Env.*SyncVectorEnv"):
        run_job(envs, RandomAgent(), 5, record_video=False)
    assert envs.closed


# Agents whose methods do not take what they are given


class Signed(RandomAgent):
    pass


class Opaque:
    """A callable whose signature cannot be read."""

    __signature__ = "unreadable"

    def __call__(self, *args):
        return 1


def agent_with(name, method):
    agent = Signed()
    setattr(agent, name, method)
    return agent


@pytest.mark.parametrize(
    ("name", "method", "arguments"),
    [
        ("decision_function", lambda observation: 0, "observation, action_space"),
        ("train", lambda: None, "transition"),
        ("train_on_history", lambda: None, "history"),
        ("train", True, "transition"),
    ],
)
def test_agent_methods_that_take_the_wrong_arguments_are_named(name, method, arguments):
    env = CorridorEnv()
    expected = rf"Signed\.{name} .*Write it as `def {name}\(self, {arguments}\):`"
    with pytest.raises(TypeError, match=expected):
        run_job(env, agent_with(name, method), 5, record_video=False)
    assert env.closed


def test_a_decision_function_written_without_action_space_is_named():
    class A:
        def decision_function(self, observation):
            return 0

    expected = (
        r"A.decision_function cannot be called.*`def decision_function\(self, observation\):`"
    )
    with pytest.raises(TypeError, match=expected):
        run_job(CorridorEnv(), A(), 5, record_video=False)
    with pytest.raises(TypeError, match=expected):
        evaluate(CorridorEnv(), A(), 1, seed=0)


@pytest.mark.parametrize(
    "method",
    [
        lambda *args: 1,
        lambda observation, action_space=None, extra=None: 1,
        functools.partial(lambda agent, observation, action_space: 1, None),
        Opaque(),  # it cannot say what it takes, so it is trusted
    ],
)
def test_signatures_that_do_take_the_arguments_are_accepted(method):
    agent = agent_with("decision_function", method)
    assert len(run_job(CorridorEnv(), agent, 3, record_video=False).history) == 3


def test_train_on_history_is_not_checked_when_it_is_never_called():
    agent = agent_with("train_on_history", lambda: None)
    assert len(run_job(CorridorEnv(), agent, 3, episodes_per_train=0, record_video=False).history)


# Actions that a space's dtype cannot hold, and 0-d integer arrays


def fixed(action):
    class Fixed(RecordingAgent):
        def decision_function(self, observation, action_space):
            return action

    return Fixed()


class Boxed(CorridorEnv):
    def __init__(self, space):
        super().__init__()
        self.action_space = space

    def step(self, action):
        self.received = action
        return super().step(1)


def test_an_integer_too_big_for_an_int8_box_is_refused_not_wrapped():
    env = Boxed(gym.spaces.Box(-5, 5, (1,), dtype=np.int8))
    with pytest.raises(InvalidActionError, match=r"array\(\[260\]\).*int8 cannot hold"):
        run_job(env, fixed(np.array([260])), 1, record_video=False)
    assert not hasattr(env, "received")


def test_a_float64_too_big_for_a_float32_box_is_refused_not_made_infinite():
    env = Boxed(gym.spaces.Box(-np.inf, np.inf, (1,), dtype=np.float32))
    with pytest.raises(InvalidActionError, match=r"float32 cannot hold.*inf"):
        run_job(env, fixed(np.array([1e300])), 1, record_video=False)
    result = run_job(Boxed(env.action_space), fixed(np.array([-3])), 1, record_video=False)
    assert result.history[0]["action"].tolist() == [-3.0]


def test_a_0d_integer_array_is_a_discrete_action():
    result = run_job(CorridorEnv(), fixed(np.array(1)), 2, record_video=False)
    assert [h["action"] for h in result.history] == [1, 1]
    assert type(result.history[0]["action"]) is int
    with pytest.raises(InvalidActionError):
        run_job(CorridorEnv(), fixed(np.array(2)), 1, record_video=False)
