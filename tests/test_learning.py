"""evaluate and the cross-entropy agent: fair measurement, and an agent that really learns."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from conftest import CorridorEnv, RecordingAgent

from helpers import (
    CrossEntropyAgent,
    LinearPolicy,
    RandomAgent,
    describe_returns,
    evaluate,
    run_job,
)
from helpers.support.checks import InvalidActionError


def test_evaluate_returns_one_return_per_episode():
    returns = evaluate(CorridorEnv(length=4), RecordingAgent(), episodes=3)
    assert returns == [4.0, 4.0, 4.0]


def test_evaluate_seeds_each_episode_so_agents_meet_the_same_starts():
    env = gym.make("CartPole-v1")
    first = evaluate(env, RandomAgent(), episodes=5, seed=10)
    assert first == evaluate(env, RandomAgent(), episodes=5, seed=10)  # same seed, same returns
    assert first != evaluate(env, RandomAgent(), episodes=5, seed=11)
    # the starting observation of episode i is the one reset(seed=10 + i) gives
    env.reset(seed=12)
    expected_third_start = env.unwrapped.state.copy()
    observed = []

    class FirstObservations(RandomAgent):
        def decision_function(self, observation, action_space):
            observed.append(np.asarray(observation).copy())
            return 0

    evaluate(env, FirstObservations(), episodes=3, seed=10, max_steps=1)
    assert np.allclose(observed[2], expected_third_start)


def test_evaluate_never_trains():
    agent = RecordingAgent()
    evaluate(CorridorEnv(length=3), agent, episodes=2)
    assert agent.transitions == [] and agent.trainings == []


def test_evaluate_leaves_an_env_it_was_given_open_and_closes_its_own():
    env = CorridorEnv()
    evaluate(env, RecordingAgent(), episodes=1)
    assert not env.closed


def test_evaluate_rejects_bad_input():
    with pytest.raises(ValueError, match="episodes must be a positive whole number"):
        evaluate(CorridorEnv(), RandomAgent(), episodes=0)
    with pytest.raises(TypeError, match="decision_function"):
        evaluate(CorridorEnv(), object(), episodes=1)

    class Wild:
        def decision_function(self, observation, action_space):
            return 5

    with pytest.raises(InvalidActionError, match=r"action 5.*Discrete\(2\)"):
        evaluate(CorridorEnv(), Wild(), episodes=1)


def test_describe_returns():
    # spread: sqrt(((1-2)^2 + (3-2)^2) / (2-1)) = 1.41; standard error: 1.41 / sqrt(2) = 1.0
    assert describe_returns([1.0, 3.0]) == (
        "mean 2.0 (standard error 1.0), spread 1.4 (min 1.0, max 3.0) over 2 episodes"
    )
    assert describe_returns([5.0]).startswith("mean 5.0 (standard error 0.0), spread 0.0")


def test_linear_policy_picks_the_highest_score():
    policy = LinearPolicy(np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]]))  # 3 actions, 1 input
    space = gym.spaces.Discrete(3)
    assert policy.decision_function(np.array([2.0]), space) == 0
    assert policy.decision_function(np.array([-2.0]), space) == 2


def trained_agent(seed: int, episodes_per_train: int = 1) -> CrossEntropyAgent:
    agent = CrossEntropyAgent()
    run_job(
        "CartPole-v1",
        agent,
        steps=25_000,
        seed=seed,
        episodes_per_train=episodes_per_train,
        record_video=False,
    )
    return agent


def test_the_cross_entropy_agent_learns_cartpole_far_better_than_chance():
    agent = trained_agent(seed=0)
    learned = evaluate("CartPole-v1", agent.policy(), episodes=20, seed=1000)
    chance = evaluate("CartPole-v1", RandomAgent(), episodes=20, seed=1000)
    assert np.mean(learned) > 5 * np.mean(chance)
    assert np.mean(learned) > 150
    assert agent.generation_means[-1] > 3 * agent.generation_means[0]


def test_the_cross_entropy_agent_learns_with_several_episodes_per_training():
    agent = trained_agent(seed=0, episodes_per_train=3)
    learned = evaluate("CartPole-v1", agent.policy(), episodes=20, seed=1000)
    assert np.mean(learned) > 150


def test_each_episode_is_scored_for_the_candidate_that_played_it():
    agent = CrossEntropyAgent(population=4)
    run_job(CorridorEnv(length=2), agent, steps=6, episodes_per_train=2, seed=0, record_video=False)
    # 3 episodes of 2 steps, played by candidates 0, 1, 2; training came after episode 1 only.
    # The reward is the action, and episode i sees observations 1000 (i + 1) and 1000 (i + 1) + 1.
    space = gym.spaces.Discrete(2)
    expected = [
        sum(
            LinearPolicy(agent.candidates[i]).decision_function(
                np.array([1000.0 * (i + 1) + k]), space
            )
            for k in range(2)
        )
        for i in range(2)
    ]
    assert len(agent.candidates) == 3
    assert agent.scores == expected


def test_the_same_seed_gives_the_same_learning():
    assert trained_agent(seed=3).generation_means == trained_agent(seed=3).generation_means


def test_an_agent_that_has_not_played_has_no_policy_yet():
    with pytest.raises(RuntimeError, match="has not played yet"):
        CrossEntropyAgent().policy()


class ShiftedActionsEnv(gym.Env):
    """Actions -1, 0 and 1 (``Discrete(3, start=-1)``); the reward is the action taken.

    The observation is two numbers that change every step, so that a linear policy's
    choice changes too; an episode lasts 5 steps.
    """

    def __init__(self) -> None:
        self.action_space = gym.spaces.Discrete(3, start=-1)
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(2,))
        self.t = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return self.np_random.normal(size=2), {}

    def step(self, action):
        assert self.action_space.contains(action), action
        self.t += 1
        return self.np_random.normal(size=2), float(action), False, self.t >= 5, {}


def test_the_policy_counts_actions_from_the_space_start_as_the_agent_does():
    weights = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 2.0]])  # the last row wins
    assert LinearPolicy(weights).decision_function(np.zeros(2), gym.spaces.Discrete(3)) == 2
    shifted = gym.spaces.Discrete(3, start=-1)
    assert LinearPolicy(weights).decision_function(np.zeros(2), shifted) == 1
    agent = CrossEntropyAgent(population=3)
    run_job(ShiftedActionsEnv(), agent, steps=40, seed=0, record_video=False)
    agent.mean = weights
    agent.explore = False
    assert agent.decision_function(np.zeros(2), shifted) == 1


def trained_briefly(env=None, steps=1502, population=6) -> CrossEntropyAgent:
    agent = CrossEntropyAgent(population=population)
    run_job(env or "CartPole-v1", agent, steps=steps, seed=0, record_video=False)
    return agent


@pytest.mark.parametrize("make_env", [lambda: "CartPole-v1", ShiftedActionsEnv])
def test_evaluating_the_agent_measures_its_learned_policy(make_env):
    agent = trained_briefly(make_env())
    assert agent.generation > 0 and len(agent.candidates) > 0  # a candidate is mid-episode
    learned = evaluate(make_env(), agent.policy(), episodes=5, seed=1000)
    assert evaluate(make_env(), agent, episodes=5, seed=1000) == learned
    assert agent.explore is True, "evaluate gives exploration back"


def search_state(agent: CrossEntropyAgent):
    return (
        agent.rng.bit_generator.state,
        [c.tolist() for c in agent.candidates],
        list(agent.scores),
        agent._playing,
        agent.mean.tolist(),
        agent.spread.tolist(),
        agent.generation,
        list(agent.generation_means),
    )


def test_evaluating_the_agent_leaves_its_search_as_it_was():
    agent = trained_briefly()
    before = search_state(agent)
    evaluate("CartPole-v1", agent, episodes=3, seed=1000)
    assert search_state(agent) == before


@pytest.mark.parametrize("steps", [1500, 1502])  # ends with a generation, or mid-episode
def test_training_after_an_evaluation_is_training_without_it(steps):
    def train(evaluate_between: bool) -> CrossEntropyAgent:
        agent = trained_briefly(ShiftedActionsEnv(), steps=steps)  # 5-step episodes
        if evaluate_between:
            evaluate(ShiftedActionsEnv(), agent, episodes=3, seed=1000)
        run_job(ShiftedActionsEnv(), agent, steps=200, seed=1, record_video=False)
        return agent

    assert search_state(train(True)) == search_state(train(False))


def test_episodes_played_with_explore_off_never_count_towards_a_generation():
    agent = trained_briefly()
    before = search_state(agent)
    agent.explore = False  # e.g. to film what it learned with run_job
    run_job("CartPole-v1", agent, steps=300, episodes_per_train=1, seed=5, record_video=False)
    assert search_state(agent) == before


def test_an_agent_that_has_not_played_cannot_be_evaluated_yet():
    with pytest.raises(RuntimeError, match="has not played yet.*run_job"):
        evaluate("CartPole-v1", CrossEntropyAgent(), episodes=1, seed=0)


@pytest.mark.parametrize(
    ("env_id", "sizes"),
    [
        ("Acrobot-v1", "observations of 4 numbers and 2 actions.*6 numbers.*Discrete\\(3\\)"),
        ("MountainCar-v0", "observations of 4 numbers and 2 actions.*2 numbers.*Discrete\\(3\\)"),
        ("LunarLander-v3", "observations of 4 numbers and 2 actions.*8 numbers.*Discrete\\(4\\)"),
    ],
)
def test_a_policy_or_agent_from_cartpole_refuses_another_environment(env_id, sizes):
    agent = trained_briefly(steps=300)
    with pytest.raises(ValueError, match=sizes + ".*Use this policy in the environment"):
        evaluate(env_id, agent.policy(), episodes=1, seed=0)
    with pytest.raises(ValueError, match=sizes + ".*make a new CrossEntropyAgent"):
        evaluate(env_id, agent, episodes=1, seed=0)
    with pytest.raises(ValueError, match=sizes + ".*make a new CrossEntropyAgent"):
        run_job(env_id, agent, steps=5, seed=0, record_video=False)


def test_a_policy_refuses_an_observation_of_another_size():
    policy = LinearPolicy(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="observations of 4 numbers and 2 actions.*2 numbers"):
        policy.decision_function(np.zeros(2), gym.spaces.Discrete(2))
    with pytest.raises(TypeError, match="made of numbers.*FlattenObservation"):
        policy.decision_function({"x": 1}, gym.spaces.Discrete(2))


@pytest.mark.parametrize("weights", [np.zeros(5), np.zeros((2, 0)), [[1.0, np.nan]], "ab", 3.0])
def test_linear_policy_weights_must_be_a_table_of_numbers(weights):
    with pytest.raises(ValueError, match=r"LinearPolicy needs a 2-D array.*agent.policy\(\)"):
        LinearPolicy(weights)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("population", 0),
        ("population", -3),
        ("population", 1),
        ("population", 2.5),
        ("population", "20"),
        ("population", True),
        ("elite_fraction", 0),
        ("elite_fraction", 20),
        ("elite_fraction", "0.2"),
        ("elite_fraction", float("nan")),
        ("initial_spread", 0),
        ("initial_spread", -1.0),
        ("extra_noise", "x"),
        ("extra_noise", -0.1),
        ("extra_noise", float("inf")),
    ],
)
def test_cross_entropy_settings_that_cannot_work_are_refused(setting, value):
    with pytest.raises(ValueError, match=f"^{setting} .*must be .*got {value!r}"):
        CrossEntropyAgent(**{setting: value})


def test_the_settings_the_notebooks_use_are_accepted():
    for settings in [{}, {"population": 10}, {"population": 50, "extra_noise": 0.5}]:
        CrossEntropyAgent(**settings)
    CrossEntropyAgent(population=np.int64(2), elite_fraction=1, initial_spread=0.1, extra_noise=0)
