"""A policy-gradient agent: REINFORCE with a small neural network.

- `ReinforceAgent`: a network gives the probability of every action; after whole
  episodes it makes the actions that led to more return than expected more likely.
- `returns_to_go`: the discounted return from each step to the end of its episode.

The network (`helpers.network.Network`) turns an observation into one score per
action, and the *softmax* turns the scores into probabilities
``pi(a|s) = exp(score_a) / sum_b exp(score_b)``. While learning, the agent draws
its action from these probabilities, so it explores without an epsilon.

After every ``episodes_per_train`` finished episodes (`run_job` calls
``train_on_history``), it computes for every step ``t`` the *return-to-go*
``G_t = r_t + gamma r_{t+1} + gamma^2 r_{t+2} + ...`` (the rewards that followed
the action, not those before it) and takes one gradient step on the loss::

    loss = - mean over the steps t of  log pi(a_t | s_t) * (G_t - b)

``b`` is the *baseline*: the return the agent expects. Actions followed by
more return than that become more likely, the others less likely. With
``baseline=True``, ``b`` is a running average of the returns-to-go of recent
episodes (each new batch weighs 10%); with ``baseline=False``, ``b = 0``, and
every action is pushed up, those of long episodes most. Either way the factors
``G_t - b`` are divided by the running spread (standard deviation) of the
returns-to-go, so that a step has about the same size whatever the rewards.

The history `run_job` hands over holds no observations (unless
``keep_observations=True``), so the agent keeps its own: every observation and
action it chose while exploring. ``train_on_history`` pairs them with the
rewards of the history and checks that the actions agree.

``explore`` is True while it learns. With ``explore`` False (inside `evaluate`)
it plays its learned policy without exploring: the action with the highest
probability (the argmax), remembering nothing and learning nothing.

>>> from helpers import evaluate, run_job
>>> agent = ReinforceAgent()
>>> result = run_job("CartPole-v1", agent, steps=2000, seed=0, record_video=False)
>>> agent.updates > 0
True
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from helpers.network import Adam, Network
from helpers.support.network_checks import (
    check_reinforce_settings,
    check_reinforce_spaces,
    check_same_decisions,
    check_same_network_actions,
    check_same_observation,
)

__all__ = ["ReinforceAgent", "returns_to_go"]


def returns_to_go(rewards: np.ndarray, ends: np.ndarray, discount: float) -> np.ndarray:
    """``G_t = r_t + discount * G_{t+1}``, starting again at 0 after each episode's end.

    `ends` marks the last step of every episode (terminated or truncated).

    >>> returns_to_go(np.array([1.0, 1.0, 1.0, 1.0]), np.array([0, 1, 0, 1]), 0.5).tolist()
    [1.5, 1.0, 1.5, 1.0]
    """
    returns = np.zeros(len(rewards))
    following = 0.0  # the return-to-go of the step after this one
    for t in reversed(range(len(rewards))):
        if ends[t]:
            following = 0.0  # nothing after the last step of an episode counts
        following = rewards[t] + discount * following
        returns[t] = following
    return returns


def softmax(scores: np.ndarray) -> np.ndarray:
    """Probabilities from scores, row by row: ``exp(score) / sum(exp(scores))``."""
    exps = np.exp(scores - scores.max(axis=-1, keepdims=True))  # minus the max: no overflow
    return exps / exps.sum(axis=-1, keepdims=True)


class ReinforceAgent:
    """REINFORCE: a policy network learning from whole episodes (Discrete actions).

    Args:
        hidden_sizes: the sizes of the network's hidden layers, e.g. ``(32,)``.
        learning_rate: Adam's learning rate.
        discount: ``gamma``, what a reward one step later is worth now (0 to 1).
        baseline: subtract a running average of the returns-to-go (True) or nothing
            (False).

    ``seed`` (which `run_job` calls) seeds the network's first weights and the
    draws of actions: same seed, same run. With ``explore`` False the agent
    plays the most likely action, draws nothing and ignores ``seed``, so that
    `evaluate` leaves training exactly where it was.

    >>> agent = ReinforceAgent(hidden_sizes=(8,))
    >>> agent.seed(0)
    >>> observation = np.array([1.0, 2.0, -1.0, -2.0])
    >>> agent.decision_function(observation, gym.spaces.Discrete(2))  # a draw
    1
    >>> agent.probabilities(observation).round(2).tolist()  # pi(a|s), nothing learned yet
    [0.12, 0.88]
    >>> agent.explore = False  # play the most likely action
    >>> agent.decision_function(observation, gym.spaces.Discrete(2))
    1
    """

    def __init__(
        self,
        hidden_sizes: tuple[int, ...] = (32,),
        learning_rate: float = 0.005,
        discount: float = 0.99,
        baseline: bool = True,
    ) -> None:
        check_reinforce_settings(hidden_sizes, learning_rate, discount, baseline)
        self.hidden_sizes, self.learning_rate = tuple(hidden_sizes), float(learning_rate)
        self.discount, self.baseline = float(discount), baseline
        self.rng = np.random.default_rng()
        self.network: Network | None = None  # made at the first decision, when sizes are known
        self.optimiser: Adam | None = None
        self.first_action = 0  # the action space's start
        self.observations: list[np.ndarray] = []  # what it saw while exploring...
        self.actions: list[int] = []  # ...and what it chose (counted from 0)
        self.average_return = 0.0  # b: the running average of the returns-to-go G_t
        self.average_square, self.return_spread = 0.0, 1.0  # (and their spread)
        self.updates = 0  # gradient steps taken
        self.explore = True  # False: play the most likely action, and learn nothing

    def seed(self, seed: int | None) -> None:
        """Seed the first weights and the draws of actions (ignored with explore off)."""
        if self.explore:
            self.rng = np.random.default_rng(seed)

    def probabilities(self, observation: Any) -> np.ndarray:
        """``pi(a|s)`` for every action a, the policy's probabilities for `observation`."""
        if self.network is None:
            raise RuntimeError("The agent has not played yet: train it with run_job first.")
        features = np.asarray(observation, dtype=float).reshape(1, -1)
        check_same_observation(features.shape[1], self.network.sizes[0])
        return softmax(self.network.forward(features))[0]

    def decision_function(self, observation: Any, action_space: gym.Space) -> int:
        """Draw an action from the policy while exploring; else its most likely action."""
        if self.network is None:
            self._make_network(observation, action_space)
        check_same_network_actions(action_space, self.network.sizes[-1])
        probabilities = self.probabilities(observation)
        if not self.explore:
            return self.first_action + int(np.argmax(probabilities))  # the most likely action
        action = self._draw(probabilities)
        self.observations.append(np.asarray(observation, dtype=float).ravel())  # remembered
        self.actions.append(action)  # for train_on_history
        return self.first_action + action

    def _draw(self, probabilities: np.ndarray) -> int:
        """Action ``a`` with probability ``pi(a|s)``: where a random number from 0 to 1 falls
        among the running sums of the probabilities (for 0.3, 0.7: below 0.3 gives 0)."""
        action = np.searchsorted(probabilities.cumsum(), self.rng.random())
        return min(int(action), len(probabilities) - 1)  # (in case the sums end below 1)

    def train(self, transition: dict[str, Any]) -> None:
        """REINFORCE waits for whole episodes: it learns in ``train_on_history``."""

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        """One gradient step on ``-mean log pi(a_t|s_t) * (G_t - b)`` over these episodes."""
        if not self.explore or not history:
            return
        observations, actions = self._decisions_for(history)
        rewards = np.array([record["reward"] for record in history], dtype=float)
        ends = np.array([record["terminated"] or record["truncated"] for record in history])
        returns = returns_to_go(rewards, ends, self.discount)  # G_t
        self._follow_returns(returns)  # the running average and spread of G_t
        baseline = self.average_return if self.baseline else 0.0  # b
        advantages = (returns - baseline) / self.return_spread  # G_t - b, about 1 in size

        # d loss / d scores: for a softmax, d(-log pi(a|s)) / d score = pi - onehot(a)
        grad_scores = softmax(self.network.forward(observations))  # (steps, actions)
        grad_scores[np.arange(len(actions)), actions] -= 1.0
        grad_scores *= advantages[:, None] / len(actions)
        self.optimiser.step(self.network.backward(grad_scores))
        self.updates += 1
        self.observations, self.actions = [], []

    def _follow_returns(self, returns: np.ndarray) -> None:
        """Running averages of ``G_t`` and ``G_t**2`` over recent batches (the newest: 10%)."""
        if self.updates == 0:
            self.average_return, self.average_square = returns.mean(), (returns**2).mean()
        else:
            self.average_return += 0.1 * (returns.mean() - self.average_return)
            self.average_square += 0.1 * ((returns**2).mean() - self.average_square)
        variance = max(self.average_square - self.average_return**2, 0.0)
        self.return_spread = np.sqrt(variance) + 1e-8

    def _make_network(self, observation: Any, action_space: gym.Space) -> None:
        if not self.explore:
            raise RuntimeError(
                "The agent has not played yet, so it has learned nothing to play with "
                "explore off (as evaluate plays): train it with run_job first."
            )
        inputs = check_reinforce_spaces(observation, action_space)
        sizes = [inputs, *self.hidden_sizes, int(action_space.n)]
        self.network = Network(sizes, seed=int(self.rng.integers(2**31)))
        self.optimiser = Adam(self.network, self.learning_rate)
        self.first_action = int(action_space.start)

    def _decisions_for(self, history: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        """The observations and actions it remembers for the steps of `history`.

        They are its latest decisions: older ones belong to episodes a job never
        handed over (cut off when its steps ran out), and are dropped.
        """
        steps = len(history)
        actions = np.array(self.actions[len(self.actions) - steps :])
        played = [record["action"] - self.first_action for record in history]
        check_same_decisions(len(self.actions), steps, actions, played)
        return np.array(self.observations[-steps:]), actions

    def __repr__(self) -> str:
        return (
            f"ReinforceAgent(hidden_sizes={self.hidden_sizes}, "
            f"learning_rate={self.learning_rate:g}, discount={self.discount:g}, "
            f"baseline={self.baseline}, updates={self.updates})"
        )
