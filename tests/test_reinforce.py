"""ReinforceAgent: its step is the REINFORCE gradient, it repeats under a seed, and it learns."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from helpers import ReinforceAgent, evaluate, run_job
from helpers.reinforce import returns_to_go, softmax
from helpers.support.agent_checks import UnsupportedSpaceError

CARTPOLE_OBSERVATION = np.array([0.01, -0.02, 0.03, 0.04])


def played(agent: ReinforceAgent, rewards: list[float], seed: int = 0) -> list[dict]:
    """One episode of made-up observations that `agent` plays; its history records."""
    rng = np.random.default_rng(seed)
    space = gym.spaces.Discrete(2)
    history = []
    for step, reward in enumerate(rewards):
        action = agent.decision_function(rng.normal(size=4), space)
        last = step == len(rewards) - 1
        history.append(
            {"episode": 0, "step": step, "action": action, "reward": reward,
             "terminated": last, "truncated": False, "info": {}}
        )  # fmt: skip
    return history


def test_returns_to_go_restart_at_each_episode():
    rewards = np.array([1.0, 2.0, 3.0, 1.0, 1.0])
    ends = np.array([False, False, True, False, True])
    np.testing.assert_allclose(
        returns_to_go(rewards, ends, 0.5), [1 + 0.5 * 2 + 0.25 * 3, 2 + 0.5 * 3, 3, 1.5, 1]
    )


def test_the_softmax_gradient_is_pi_minus_onehot():
    """d(-log pi(a|s)) / d scores = pi - onehot(a): the line train_on_history relies on."""
    scores = np.array([[0.3, -1.2, 0.5]])
    action, eps = 2, 1e-6
    numeric = []
    for i in range(3):
        up, down = scores.copy(), scores.copy()
        up[0, i] += eps
        down[0, i] -= eps
        numeric.append(
            (-np.log(softmax(up)[0, action]) + np.log(softmax(down)[0, action])) / (2 * eps)
        )
    np.testing.assert_allclose(softmax(scores)[0] - np.eye(3)[action], numeric, atol=1e-6)


def test_a_step_makes_better_than_expected_actions_more_likely():
    agent = ReinforceAgent(hidden_sizes=(8,), learning_rate=0.01)
    agent.seed(3)
    history = played(agent, [1.0] * 30)
    observations, actions = np.array(agent.observations), np.array(agent.actions)
    returns = returns_to_go(np.ones(30), np.arange(30) == 29, agent.discount)
    better = returns > returns.mean()  # early steps: more return than the average to come
    before = softmax(agent.network.forward(observations))[np.arange(30), actions]
    agent.train_on_history(history)
    after = softmax(agent.network.forward(observations))[np.arange(30), actions]
    assert agent.updates == 1 and agent.observations == []
    assert np.mean(after[better] - before[better]) > 0 > np.mean(after[~better] - before[~better])


def test_same_seed_same_run_and_evaluating_changes_nothing():
    def trained(evaluate_between: bool) -> ReinforceAgent:
        agent = ReinforceAgent()
        run_job("CartPole-v1", agent, 1500, seed=4, record_video=False)
        if evaluate_between:
            evaluate("CartPole-v1", agent, episodes=3, seed=99)
        run_job("CartPole-v1", agent, 1500, seed=5, record_video=False)  # after a cut episode
        return agent

    first, second, third = trained(False), trained(False), trained(True)
    assert first.updates > 10
    for a, b in [(first, second), (first, third)]:
        for W_a, W_b in zip(a.network.W, b.network.W, strict=True):
            np.testing.assert_array_equal(W_a, W_b)


def test_explore_off_plays_the_most_likely_action_and_remembers_nothing():
    agent = ReinforceAgent()
    agent.seed(0)
    space = gym.spaces.Discrete(3, start=-1)
    agent.decision_function(CARTPOLE_OBSERVATION, space)
    agent.explore = False
    remembered = len(agent.actions)
    best = int(np.argmax(agent.probabilities(CARTPOLE_OBSERVATION))) - 1
    assert agent.decision_function(CARTPOLE_OBSERVATION, space) == best
    assert len(agent.actions) == remembered


def test_learns_cartpole_a_little():
    agent = ReinforceAgent()
    result = run_job("CartPole-v1", agent, 15_000, seed=7, record_video=False)
    returns = result.returns
    assert np.mean(returns[-20:]) > 2 * np.mean(returns[:20])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"hidden_sizes": (0,)}, "hidden_sizes"),
        ({"hidden_sizes": "32"}, "hidden_sizes"),
        ({"hidden_sizes": 32}, "hidden_sizes"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"discount": 1.5}, "discount"),
        ({"baseline": "yes"}, "baseline"),
    ],
)
def test_bad_settings_get_clear_errors(settings, message):
    with pytest.raises(ValueError, match=message):
        ReinforceAgent(**settings)


def test_spaces_it_cannot_handle_get_clear_errors():
    with pytest.raises(UnsupportedSpaceError, match="Box observation"):
        run_job("FrozenLake-v1", ReinforceAgent(), 10, seed=0, record_video=False)
    with pytest.raises(UnsupportedSpaceError, match="discrete actions"):
        run_job("Pendulum-v1", ReinforceAgent(), 10, seed=0, record_video=False)
    agent = ReinforceAgent()
    run_job("CartPole-v1", agent, 10, seed=0, record_video=False)
    with pytest.raises(ValueError, match="another environment"):
        agent.decision_function(np.zeros(3), gym.spaces.Discrete(2))
    with pytest.raises(ValueError, match="another environment"):
        agent.decision_function(CARTPOLE_OBSERVATION, gym.spaces.Discrete(4))


def test_untrained_agent_cannot_be_evaluated():
    with pytest.raises(RuntimeError, match="train it with run_job first"):
        evaluate("CartPole-v1", ReinforceAgent(), episodes=1, seed=0)


def test_a_history_it_did_not_play_gets_a_clear_error():
    agent = ReinforceAgent()
    agent.seed(0)
    history = played(agent, [1.0] * 5)
    with pytest.raises(ValueError, match="not what it played"):
        agent.train_on_history(history * 2)  # more steps than it played
    wrong = [dict(record, action=1 - record["action"]) for record in history]
    with pytest.raises(ValueError, match="not what it played"):
        agent.train_on_history(wrong)
