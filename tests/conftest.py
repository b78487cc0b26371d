"""Small environments and agents that make the loop's behaviour easy to check."""

from __future__ import annotations

import os
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

# The notebooks' kernels inherit this: pygame (which draws CartPole, FrozenLake, the lander)
# then stays silent on a machine without a screen, so stored outputs hold no SDL warning.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
# NumPy on one thread per process: the networks' small matrices gain nothing from more, and
# two test workers on two cores would fight over them.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class CorridorEnv(gym.Env):
    """Walk right along a corridor: the episode terminates after `length` steps.

    The observation is a number that tells what happened: a reset gives
    ``1000 * resets``, each step adds 1. Frames are odd-sized on purpose
    (``33 x 45``), their brightness shows the position. `closed` tells whether
    `close` was called.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 12}

    def __init__(self, length: int = 3, render_mode: str | None = "rgb_array") -> None:
        self.length = length
        self.render_mode = render_mode
        self.action_space = gym.spaces.Discrete(2)
        self.observation_space = gym.spaces.Box(0, np.inf, shape=(), dtype=np.float64)
        self.resets = 0
        self.position = 0
        self.observation = 0.0
        self.closed = False

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.resets += 1
        self.position = 0
        self.observation = 1000.0 * self.resets
        return self.observation, {}

    def step(self, action: Any):
        self.position += 1
        self.observation += 1
        terminated = self.position >= self.length
        return self.observation, float(action), terminated, False, {"position": self.position}

    def render(self) -> np.ndarray:
        return np.full((33, 45, 3), min(255, 20 * self.position), dtype=np.uint8)

    def close(self) -> None:
        self.closed = True


class RecordingAgent:
    """Always picks action 1 and remembers everything run_job tells it."""

    def __init__(self) -> None:
        self.seen: list[Any] = []
        self.transitions: list[dict[str, Any]] = []
        self.trainings: list[list[dict[str, Any]]] = []
        self.seeds: list[int] = []

    def decision_function(self, observation: Any, action_space: gym.Space) -> int:
        self.seen.append(observation)
        return 1

    def train(self, transition: dict[str, Any]) -> None:
        self.transitions.append(transition)

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        self.trainings.append(history)

    def seed(self, seed: int) -> None:
        self.seeds.append(seed)


@pytest.fixture
def corridor() -> CorridorEnv:
    return CorridorEnv(length=3)


@pytest.fixture
def agent() -> RecordingAgent:
    return RecordingAgent()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Where Box2D is missing, skip notebook 11's stored outputs, which need it.

    tests/test_skipping.py runs that notebook without Box2D and checks that it
    explains and skips its cells instead.
    """
    from helpers import has_box2d

    if has_box2d():
        return
    skip = pytest.mark.skip(reason="needs Box2D; tests/test_skipping.py runs it without")
    for item in items:
        if item.path.name == "11_land_on_the_moon.ipynb":
            item.add_marker(skip)
