"""An agent that learns from every step: tabular Q-learning.

- `QLearningAgent`: keeps a table of Q-values, one row per observation it has met,
  acts epsilon-greedily on it, and improves it in ``train`` after every step.
- `UnsupportedSpaceError`: raised for spaces a table cannot hold (pictures, numbers
  that vary smoothly).

A *Q-value* ``Q[s][a]`` is the agent's estimate of the return (the discounted sum
of rewards still to come) if it takes action ``a`` in state ``s`` and acts well
afterwards. After every step ``(s, a, r, s')`` it moves ``Q[s][a]`` a little
towards a better estimate, the *target*::

    target  = r                             if the episode terminated at s'
    target  = r + gamma * max_a' Q[s'][a']  otherwise
    Q[s][a] = Q[s][a] + alpha * (target - Q[s][a])

``alpha`` is the learning rate, ``gamma`` the discount. A *terminated* step ended
the game: nothing comes after it, so its target is the reward alone. A *truncated*
step was only cut off by a time limit: the game would have gone on, so the target
still counts what ``s'`` was worth.

The table is a dict: a row of zeros (one value per action) is added the first
time an observation is trained on, so the agent needs to know neither the number
of observations nor, before its first decision, the number of actions. That is
why it handles only Discrete spaces: each observation must be a whole number
that names one state (FrozenLake's 16 squares, Taxi's 500 situations).

>>> from helpers import evaluate, run_job
>>> agent = QLearningAgent()
>>> result = run_job("FrozenLake-v1", agent, steps=20_000, seed=0, record_video=False)
>>> sum(evaluate("FrozenLake-v1", agent, episodes=100, seed=1000)) > 20
True
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from helpers.agents import Transition
from helpers.support.agent_checks import (
    UnsupportedSpaceError,
    check_q_settings,
    check_same_actions,
    number_of_actions,
    state_number,
)

__all__ = ["QLearningAgent", "UnsupportedSpaceError"]


class QLearningAgent:
    """Tabular Q-learning with epsilon-greedy exploration, for Discrete spaces.

    Args:
        learning_rate: ``alpha``, how far one step moves a Q-value towards its
            target (0 to 1).
        discount: ``gamma``, what a reward one step later is worth now (0 to 1).
        epsilon: while ``explore`` is True, the chance of a random action at
            each step; otherwise the agent takes the action with the highest
            Q-value.

    ``explore`` is True while it learns; `evaluate` switches it off (see
    `helpers.agents.exploration_off`), and the agent then always acts greedily.
    The table is made for one environment: given another environment's action
    space, the agent raises a clear error rather than play with the wrong columns.
    Ties between equal Q-values (every action of a state never tried) are broken
    at random, by the agent's own random generator, which ``seed`` seeds
    (`run_job` and `evaluate` call it): a greedy agent that always took the
    first of equal actions would never try the others.

    >>> agent = QLearningAgent(learning_rate=0.5, discount=0.9)
    >>> agent.seed(0)
    >>> agent.decision_function(0, gym.spaces.Discrete(2))
    1
    >>> agent.train({"observation": 0, "action": 1, "reward": 1.0, "next_observation": 1,
    ...              "terminated": True, "truncated": False, "info": {}})
    >>> agent.q[0]
    array([0. , 0.5])
    """

    def __init__(
        self, learning_rate: float = 0.1, discount: float = 0.99, epsilon: float = 0.1
    ) -> None:
        check_q_settings(learning_rate, discount, epsilon)
        self.learning_rate = float(learning_rate)
        self.discount = float(discount)
        self.epsilon = float(epsilon)
        self.explore = True
        self.q: dict[int, np.ndarray] = {}
        self.n_actions: int | None = None
        self.rng = np.random.default_rng()

    def seed(self, seed: int | None) -> None:
        """Seed the exploration and the tie-breaking: same seed, same choices."""
        self.rng = np.random.default_rng(seed)

    def decision_function(self, observation: Any, action_space: gym.Space) -> int:
        """Epsilon-greedy: a random action with chance epsilon (when exploring), else the best."""
        if self.n_actions is None:
            self.n_actions = number_of_actions(action_space)
        check_same_actions(action_space, self.n_actions)  # a table is made for one environment
        if self.explore and self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.n_actions))
        return self.greedy_action(observation)

    def greedy_action(self, observation: Any) -> int:
        """The action with the highest Q-value; a random one among equals."""
        values = self.q_values(observation)
        best = np.flatnonzero(values == values.max())
        return int(best[0]) if len(best) == 1 else int(self.rng.choice(best))

    def q_values(self, observation: Any) -> np.ndarray:
        """The row of Q-values of `observation` (zeros if it was never trained on)."""
        state = state_number(observation)
        if state not in self.q:
            if self.n_actions is None:
                raise RuntimeError(
                    "The agent has not seen the action space yet: call decision_function "
                    "(run_job does) before asking for Q-values."
                )
            return np.zeros(self.n_actions)
        return self.q[state]

    def train(self, transition: Transition) -> None:
        """Move Q[s][a] towards the target: the Q-learning update, after every step."""
        s, a, r = (
            state_number(transition["observation"]),
            int(transition["action"]),
            transition["reward"],
        )
        next_s = state_number(transition["next_observation"])
        self._add_rows(s, next_s)  # a row of zeros for a state met for the first time

        if transition["terminated"]:
            target = r  # the game is over: no reward comes after this one
        else:
            target = r + self.discount * self.q[next_s].max()
        self.q[s][a] += self.learning_rate * (target - self.q[s][a])

    def _add_rows(self, *states: int) -> None:
        if self.n_actions is None:
            raise RuntimeError(
                "The agent does not know its actions yet: it learns them from the action space "
                "in its first decision_function call (run_job makes it before any train call)."
            )
        for state in states:
            if state not in self.q:
                self.q[state] = np.zeros(self.n_actions)

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        """Q-learning has already learned from every step in ``train``."""

    def table(self, n_observations: int) -> np.ndarray:
        """The Q-table as an array, one row per observation (zeros where never trained).

        >>> QLearningAgent().table(3).shape
        Traceback (most recent call last):
        ...
        RuntimeError: The agent has no Q-values yet: train it first (with run_job).
        """
        if self.n_actions is None:
            raise RuntimeError("The agent has no Q-values yet: train it first (with run_job).")
        rows = np.zeros((n_observations, self.n_actions))
        for state, values in self.q.items():
            if state < n_observations:
                rows[state] = values
        return rows

    def __repr__(self) -> str:
        return (
            f"QLearningAgent(learning_rate={self.learning_rate:g}, discount={self.discount:g}, "
            f"epsilon={self.epsilon:g}, states seen={len(self.q)})"
        )
