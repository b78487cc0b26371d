"""A robot that already learned: the trained agents shipped with the series.

`RamPolicy` is a linear policy on an Atari game's 128 memory (RAM) bytes; it decides and
never learns. `load_trained_agent` gives the agent a training script made, with
``agent.env_kwargs`` naming the observation it needs; `trained_agent_record` what was
saved with it (the command, the seed, the versions, the scores).

>>> from helpers import evaluate, make_env
>>> agent = load_trained_agent("ALE/SpaceInvaders-v5")
>>> env = make_env("ALE/SpaceInvaders-v5", **agent.env_kwargs)
>>> evaluate(env, agent, episodes=1, seed=0) == trained_agent_record("ALE/SpaceInvaders-v5")[
...     "test"]["robot"][:1]
True
>>> env.close()
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import gymnasium as gym
import numpy as np

from helpers.support.shipped import (
    check_ram_arrays,
    check_ram_size,
    load_shipped_network,
    shipped_path,
    trained_agent_record,
)

__all__ = ["RamPolicy", "load_trained_agent", "trained_agent_record"]


class RamPolicy:
    """Pick the action with the highest score ``weights @ [features, 1]``.

    The features are the RAM bytes centred and scaled, ``(ram - center) / scale``, so a
    byte that barely moves and one that runs from 0 to 255 weigh alike. One row of
    weights per action: 6 x 129 numbers for Space Invaders. It learned before, in
    `helpers.robot_training`; ``train`` and ``train_on_history`` do nothing.

    >>> policy = RamPolicy(np.zeros((2, 4)), center=np.zeros(3), scale=np.ones(3))
    >>> policy.weights[1, 0] = 1.0  # action 1 likes a large first byte
    >>> policy.decision_function(np.array([5, 0, 0], dtype=np.uint8), gym.spaces.Discrete(2))
    1
    """

    def __init__(
        self,
        weights: np.ndarray,
        center: np.ndarray,
        scale: np.ndarray,
        env_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.weights = np.asarray(weights, dtype=float)
        self.center = np.asarray(center, dtype=float)
        self.scale = np.asarray(scale, dtype=float)
        check_ram_arrays(self.weights, self.center, self.scale)
        self.env_kwargs: dict[str, Any] = dict(env_kwargs or {"obs_type": "ram"})

    def features(self, observation: Any) -> np.ndarray:
        """The scaled bytes with a constant 1 at the end (its weight is a bias per action)."""
        ram = np.asarray(observation, dtype=float).ravel()
        check_ram_size(ram, self.center, self.env_kwargs)
        return np.append((ram - self.center) / self.scale, 1.0)

    def decision_function(self, observation: Any, action_space: gym.Space) -> int:
        return int(np.argmax(self.weights @ self.features(observation)))

    def train(self, transition: dict[str, Any]) -> None:
        """A trained policy learns nothing more from a step."""

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        """Nor from whole episodes: it was trained before, by the training script."""

    def save(self, path: Any) -> None:
        """Write the weights, center and scale to an ``.npz`` file."""
        np.savez(path, weights=self.weights, center=self.center, scale=self.scale)

    def __repr__(self) -> str:
        actions, columns = self.weights.shape
        return f"RamPolicy({actions} actions x {columns} weights, env_kwargs={self.env_kwargs})"


def load_trained_agent(env_id: str) -> RamPolicy:
    """The agent trained for `env_id` by the series' own script, ready to play.

    Make its environment with ``make_env(env_id, **agent.env_kwargs)``. An id with no
    shipped agent raises `NoTrainedAgentError`.

    >>> load_trained_agent("ALE/SpaceInvaders-v5")
    RamPolicy(6 actions x 129 weights, env_kwargs={'obs_type': 'ram'})
    """
    if trained_agent_record(env_id).get("agent") == "helpers.dqn.DQNAgent":
        return load_shipped_network(env_id)  # LunarLander's network agent
    with resources.as_file(shipped_path(env_id)) as file, np.load(file) as saved:
        return RamPolicy(saved["weights"], saved["center"], saved["scale"], {"obs_type": "ram"})
