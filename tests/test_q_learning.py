"""QLearningAgent: its update is the formula, it explores only when told, and it learns."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from helpers import QLearningAgent, RandomAgent, evaluate, run_job
from helpers.q_learning import UnsupportedSpaceError


def step(observation, action, reward, next_observation, terminated=False, truncated=False):
    return {
        "observation": observation,
        "action": action,
        "reward": reward,
        "next_observation": next_observation,
        "terminated": terminated,
        "truncated": truncated,
        "info": {},
    }


def ready_agent(n_actions: int = 2, **settings) -> QLearningAgent:
    """An agent that has seen a Discrete(n_actions) action space, as run_job would show it."""
    agent = QLearningAgent(**settings)
    agent.seed(0)
    agent.decision_function(0, gym.spaces.Discrete(n_actions))
    return agent


def test_update_is_the_formula():
    agent = ready_agent(learning_rate=0.5, discount=0.9)
    agent.q[1] = np.array([2.0, 4.0])
    agent.q[0] = np.array([1.0, 0.0])
    agent.train(step(0, 0, reward=1.0, next_observation=1))
    # target = 1 + 0.9 * max(2, 4) = 4.6; Q = 1 + 0.5 * (4.6 - 1) = 2.8
    assert agent.q[0][0] == pytest.approx(2.8)
    assert agent.q[0][1] == 0.0, "only the action taken changes"
    assert list(agent.q[1]) == [2.0, 4.0], "the next state's row is left alone"


def test_terminated_does_not_bootstrap_but_truncated_does():
    results = {}
    for ending in ["terminated", "truncated"]:
        agent = ready_agent(learning_rate=1.0, discount=0.9)
        agent.q[1] = np.array([10.0, 0.0])
        agent.train(
            step(0, 1, 1.0, 1, terminated=ending == "terminated", truncated=ending == "truncated")
        )
        results[ending] = agent.q[0][1]
    assert results["terminated"] == pytest.approx(1.0), "nothing comes after the game's end"
    assert results["truncated"] == pytest.approx(1.0 + 0.9 * 10.0), "a time limit is no end"


def test_new_states_get_rows_of_zeros():
    agent = ready_agent(n_actions=3)
    agent.train(step(5, 2, 0.0, 7))
    assert set(agent.q) == {5, 7}
    assert agent.q[7].tolist() == [0.0, 0.0, 0.0]
    assert agent.table(8).shape == (8, 3)


def test_greedy_breaks_ties_at_random_and_repeats_under_a_seed():
    agent = ready_agent(n_actions=4)
    agent.explore = False
    choices = [agent.decision_function(3, gym.spaces.Discrete(4)) for _ in range(200)]
    assert set(choices) == {0, 1, 2, 3}, "an untried state: every action gets its chance"
    agent.seed(1)
    again = [agent.decision_function(3, gym.spaces.Discrete(4)) for _ in range(20)]
    agent.seed(1)
    assert again == [agent.decision_function(3, gym.spaces.Discrete(4)) for _ in range(20)]


def test_explores_only_when_explore_is_true():
    agent = ready_agent(n_actions=3, epsilon=1.0)
    agent.q[0] = np.array([0.0, 5.0, 0.0])
    space = gym.spaces.Discrete(3)
    exploring = {agent.decision_function(0, space) for _ in range(100)}
    assert exploring == {0, 1, 2}
    agent.explore = False
    assert {agent.decision_function(0, space) for _ in range(100)} == {1}


def test_evaluate_plays_greedily_and_gives_exploration_back():
    agent = QLearningAgent(epsilon=1.0)  # would act at random if it explored
    run_job("Taxi-v4", agent, 50_000, seed=0, record_video=False)
    agent.epsilon = 1.0
    greedy = evaluate("Taxi-v4", agent, episodes=5, seed=100)
    assert agent.explore is True
    random = evaluate("Taxi-v4", RandomAgent(), episodes=5, seed=100)
    assert np.mean(greedy) > np.mean(random)


def test_same_seed_same_table():
    tables = []
    for _ in range(2):
        agent = QLearningAgent()
        run_job("FrozenLake-v1", agent, 3000, seed=4, record_video=False)
        tables.append(agent.table(16))
    assert np.array_equal(tables[0], tables[1])


@pytest.mark.parametrize("seed", [0, 1])
def test_learns_frozen_lake(seed):
    agent = QLearningAgent()
    run_job("FrozenLake-v1", agent, 20_000, seed=seed, record_video=False)
    learned = evaluate("FrozenLake-v1", agent, episodes=100, seed=1000)
    random = evaluate("FrozenLake-v1", RandomAgent(), episodes=100, seed=1000)
    assert sum(learned) >= 20 > 5 >= sum(random), (sum(learned), sum(random))


def test_learns_taxi_with_its_defaults():
    agent = QLearningAgent()
    # 150,000 steps: every test seed solved (100,000 are not enough)
    run_job("Taxi-v4", agent, 150_000, seed=0, record_video=False)
    learned = evaluate("Taxi-v4", agent, episodes=30, seed=1000)
    assert np.mean(learned) >= 5, learned
    assert np.mean(evaluate("Taxi-v4", RandomAgent(), episodes=30, seed=1000)) < -500


def test_observations_that_are_not_whole_numbers_get_a_clear_error():
    with pytest.raises(UnsupportedSpaceError, match="Discrete observations.*CrossEntropyAgent"):
        run_job("CartPole-v1", QLearningAgent(), 10, seed=0, record_video=False)


def test_a_continuous_action_space_gets_a_clear_error():
    with pytest.raises(UnsupportedSpaceError, match=r"Discrete action space.*Box"):
        run_job("Pendulum-v1", QLearningAgent(), 10, seed=0, record_video=False)


def test_training_before_any_decision_is_explained():
    with pytest.raises(RuntimeError, match="decision_function"):
        QLearningAgent().train(step(0, 0, 0.0, 1))


@pytest.mark.parametrize("setting", ["learning_rate", "discount", "epsilon"])
def test_settings_outside_zero_to_one_are_refused(setting):
    with pytest.raises(ValueError, match=setting):
        QLearningAgent(**{setting: 1.5})


def test_an_agent_made_for_frozen_lake_refuses_taxi_and_the_other_way_round():
    lake_agent = QLearningAgent()
    run_job("FrozenLake-v1", lake_agent, steps=200, seed=0, record_video=False)
    taxi_agent = QLearningAgent()
    run_job("Taxi-v4", taxi_agent, steps=200, seed=0, record_video=False)
    made_for = r"made for an environment with {} actions.*Discrete\({}\).*QLearningAgent\(\)"
    with pytest.raises(ValueError, match=made_for.format(4, 6)):
        run_job("Taxi-v4", lake_agent, steps=10, seed=0, record_video=False)
    with pytest.raises(ValueError, match=made_for.format(4, 6)):
        evaluate("Taxi-v4", lake_agent, episodes=1, seed=0)
    with pytest.raises(ValueError, match=made_for.format(6, 4)):
        evaluate("FrozenLake-v1", taxi_agent, episodes=1, seed=0)
    with pytest.raises(ValueError, match=r"made for an environment with 4 actions.*Box"):
        lake_agent.decision_function(0, gym.spaces.Box(-1, 1, shape=(4,)))
    assert evaluate("FrozenLake-v1", lake_agent, episodes=2, seed=0) is not None  # its own is fine
