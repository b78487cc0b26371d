"""evaluate and the cross-entropy agent: fair measurement, and an agent that really learns."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from conftest import CorridorEnv, RecordingAgent

from helpers import (
    CrossEntropyAgent,
    InvalidActionError,
    LinearPolicy,
    RandomAgent,
    describe_returns,
    evaluate,
    run_job,
)


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
