"""Measuring an agent fairly: `evaluate` plays seeded episodes, `describe_returns` sums up.

Episode ``i`` starts from ``reset(seed=seed + i)``, so two agents evaluated with the same
seed meet the same starting positions: the comparison is fair, and it repeats.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import gymnasium as gym
import numpy as np

from helpers.agents import exploration_off
from helpers.loop import JobResult
from helpers.support.checks import (
    LearnerChecks,
    check_evaluate_arguments,
    warn_endless,
)
from helpers.support.environments import make_env
from helpers.support.job import returns_to_summarise

LONGEST_EPISODE = 100_000  # without max_steps: an environment that never ends must not hang


def evaluate(
    env: str | gym.Env,
    model: Any,
    episodes: int,
    seed: int = 0,
    *,
    max_steps: int | None = None,
) -> list[float]:
    """Play `episodes` whole episodes with `model` and return their returns.

    The model only decides (no ``train``), with ``explore`` off (`exploration_off`).
    Episode ``i`` is reset with ``seed + i``; the action space and ``model.seed`` get
    `seed`. An id is made and closed here; a ``gymnasium.Env`` is left open.
    `max_steps` ends an episode early (its return as it stands); without it, an
    endless episode stops at 100,000 steps, with a warning.

    >>> from helpers import RandomAgent
    >>> evaluate("CartPole-v1", RandomAgent(), episodes=3, seed=0)
    [18.0, 14.0, 12.0]
    """
    seed = check_evaluate_arguments(model, episodes, seed, max_steps)
    owned = not isinstance(env, gym.Env)  # made here, so closed here
    checked = LearnerChecks(make_env(env) if owned else env)
    returns = []
    try:
        with exploration_off(model):
            checked.action_space.seed(seed)
            if callable(getattr(model, "seed", None)):
                model.seed(seed)
            for episode in range(episodes):
                observation, info = checked.reset(seed=seed + episode)
                total, steps, done = 0.0, 0, False
                while not done and steps < (max_steps or LONGEST_EPISODE):
                    action = model.decision_function(observation, checked.action_space)
                    observation, reward, terminated, truncated, info = checked.step(action)
                    total, steps, done = total + reward, steps + 1, terminated or truncated
                if not done and max_steps is None:
                    warn_endless(checked.name, episode, steps)
                returns.append(total)
    finally:
        if owned:
            checked.close()
    return returns


def describe_returns(returns: Iterable[float] | JobResult) -> str:
    """Returns in one line: the mean and its standard error, the spread, the range.

    The spread is the standard deviation (ddof=1); the standard error, spread / sqrt(n),
    is how far the mean itself may be off (both 0 for a single return). `returns`: a list
    of numbers, or a job's result (its finished episodes' returns).

    >>> describe_returns([10.0, 20.0, 30.0])
    'mean 20.0 (standard error 5.8), spread 10.0 (min 10.0, max 30.0) over 3 episodes'
    """
    values = returns_to_summarise(returns)
    spread = values.std(ddof=1) if values.size > 1 else 0.0
    standard_error = spread / np.sqrt(values.size)
    return (
        f"mean {values.mean():.1f} (standard error {standard_error:.1f}), spread {spread:.1f} "
        f"(min {values.min():.1f}, max {values.max():.1f}) over {values.size} episodes"
    )
