"""An agent that learns from every step: tabular Q-learning (`QLearningAgent`).

A *Q-value* ``Q[s][a]`` estimates the return (the discounted sum of rewards still to
come) of action ``a`` in state ``s``, acting well afterwards. After every step
``(s, a, r, s')`` the agent moves ``Q[s][a]`` a little towards a *target*::

    target  = r                             if the episode terminated at s'
    target  = r + gamma * max_a' Q[s'][a']  otherwise
    Q[s][a] = Q[s][a] + alpha * (target - Q[s][a])

``alpha`` is the learning rate, ``gamma`` the discount. A *terminated* step ended the
game: nothing comes after it. A *truncated* one was cut off by a time limit: the game
would have gone on, so the target still counts what ``s'`` was worth. The table is a
dict with a row of zeros per observation met, so it handles Discrete spaces only
(FrozenLake's 16 squares, Taxi's 500 situations); other spaces raise
`UnsupportedSpaceError`.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from helpers.agents import Transition
from helpers.support.agent_checks import (
    UnsupportedSpaceError,
    check_knows_actions,
    check_q_settings,
    check_same_actions,
    number_of_actions,
    state_number,
)

__all__ = ["QLearningAgent", "UnsupportedSpaceError"]


class QLearningAgent:
    """Tabular Q-learning with epsilon-greedy exploration, for Discrete spaces.

    `learning_rate` is ``alpha`` and `discount` ``gamma`` (both 0 to 1); while ``explore``
    is True, `epsilon` is the chance of a random action at each step, otherwise it takes
    the action with the highest Q-value. Ties are broken at random by its own generator,
    which ``seed`` seeds: always taking the first of equal actions would never try the
    others. Given another environment's action space, it raises a clear error.

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
            check_knows_actions(self.n_actions, "q_values")
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
        check_knows_actions(self.n_actions, "train")
        for state in states:
            if state not in self.q:
                self.q[state] = np.zeros(self.n_actions)

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        """Q-learning has already learned from every step in ``train``."""

    def table(self, n_observations: int) -> np.ndarray:
        """The Q-table as an array, one row per observation (zeros where never trained)."""
        check_knows_actions(self.n_actions)
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
