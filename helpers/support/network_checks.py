"""Clear errors for the network agents (`DQNAgent`, `ReinforceAgent`): settings that
cannot work, and environments they cannot play."""

from __future__ import annotations

import numbers
from typing import Any

import gymnasium as gym
import numpy as np

from helpers.support.agent_checks import UnsupportedSpaceError
from helpers.support.checks import is_real_number, is_whole_number


def check_dqn_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings as plain numbers, or a clear error naming the first that cannot work."""
    settings.pop("self", None)
    hidden = settings["hidden"]
    if isinstance(hidden, numbers.Integral):
        hidden = (hidden,)
    if not isinstance(hidden, (tuple, list)) or not all(
        isinstance(h, numbers.Integral) and not isinstance(h, bool) and h >= 1 for h in hidden
    ):
        raise ValueError(
            f"hidden must be the sizes of the hidden layers, whole numbers >= 1, such as "
            f"(64, 64); got {hidden!r}."
        )
    settings["hidden"] = tuple(int(h) for h in hidden)
    if not isinstance(settings["double"], (bool, np.bool_)):
        raise ValueError(f"double must be True or False; got {settings['double']!r}.")
    settings["double"] = bool(settings["double"])
    norm = settings["max_grad_norm"]
    if norm is not None and (
        isinstance(norm, bool) or not isinstance(norm, numbers.Real) or not norm > 0
    ):
        raise ValueError(f"max_grad_norm must be a number above 0, or None; got {norm!r}.")
    settings["max_grad_norm"] = None if norm is None else float(norm)
    counts = ["buffer_size", "batch_size", "train_every", "target_update_every"]
    for name in [*counts, "learning_starts", "exploration_steps", "learning_rate_steps"]:
        value, least = settings[name], 1 if name in counts else 0
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
            raise ValueError(f"{name} must be a whole number >= {least}; got {value!r}.")
        settings[name] = int(value)
    keep = settings["keep_best"]
    if keep is not None and (
        isinstance(keep, bool) or not isinstance(keep, numbers.Integral) or keep < 1
    ):
        raise ValueError(
            f"keep_best must be a number of training episodes >= 1 (20 by default), or None "
            f"to play with the latest network; got {keep!r}."
        )
    settings["keep_best"] = None if keep is None else int(keep)
    for name in ("exploration_steps", "learning_rate_steps"):
        settings[name] = max(settings[name], 1)
    for name, low, high in [
        ("learning_rate", 0, np.inf),
        ("learning_rate_end", 0, np.inf),
        ("gamma", 0, 1),
        ("epsilon_start", 0, 1),
        ("epsilon_end", 0, 1),
    ]:
        value = settings[name]
        if name == "learning_rate_end" and value is None:
            continue  # the same step size all along
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        positive = name.startswith("learning_rate")
        if not ok or not low <= value <= high or (positive and value <= 0):
            raise ValueError(
                f"{name} must be a number from {low} to {high}"
                f"{' (above 0)' if positive else ''}; got {value!r}."
            )
        settings[name] = float(value)
    return settings


def check_dqn_spaces(observation: Any, action_space: gym.Space) -> tuple[int, int]:
    """(observation size, number of actions), or a clear error for spaces DQN cannot handle."""
    if not isinstance(action_space, gym.spaces.Discrete) or action_space.start != 0:
        raise UnsupportedSpaceError(
            f"DQNAgent needs a Discrete action space starting at 0 (one Q-value per action); "
            f"this environment's action space is {action_space}. For continuous actions, "
            f"use a library such as Stable-Baselines3 (SAC, TD3)."
        )
    array = np.asarray(observation)
    if array.ndim != 1 or array.dtype.kind not in "biuf" or isinstance(observation, bool):
        seen = f"an array of shape {array.shape}" if array.ndim else repr(observation)
        raise UnsupportedSpaceError(
            f"DQNAgent needs a Box observation (a vector of numbers, like CartPole's); this "
            f"environment gives {seen}. For a Discrete observation (one whole number per "
            f"state, as in FrozenLake or Taxi) use QLearningAgent for a table; for a screen, "
            f"flatten it or use a library with convolutional networks (Stable-Baselines3)."
        )
    return array.size, int(action_space.n)


def check_reinforce_settings(
    hidden_sizes: Any, learning_rate: Any, discount: Any, baseline: Any
) -> None:
    """A clear error naming the first setting of a `ReinforceAgent` that cannot work."""
    if not isinstance(hidden_sizes, (tuple, list)) or not all(
        is_whole_number(size, minimum=1) for size in hidden_sizes
    ):
        raise ValueError(
            f"hidden_sizes must be a tuple of whole numbers >= 1 (the size of each hidden "
            f"layer), such as (32,) or (64, 64); got {hidden_sizes!r}."
        )
    if not is_real_number(learning_rate) or not 0 < learning_rate < np.inf:
        raise ValueError(
            f"learning_rate must be a number above 0, such as 0.01; got {learning_rate!r}."
        )
    if not is_real_number(discount) or not 0 <= discount <= 1:
        raise ValueError(f"discount must be a number from 0 to 1, such as 0.99; got {discount!r}.")
    if not isinstance(baseline, (bool, np.bool_)):
        raise ValueError(f"baseline must be True or False; got {baseline!r}.")


def check_reinforce_spaces(observation: Any, action_space: gym.Space) -> int:
    """The number of inputs for `observation`, or a clear error if the agent cannot play."""
    if not isinstance(action_space, gym.spaces.Discrete):
        raise UnsupportedSpaceError(
            f"ReinforceAgent picks one of a few discrete actions (Discrete), but this "
            f"environment's action space is {action_space}. Use an environment with discrete "
            f"actions, such as CartPole-v1 or LunarLander-v3 (without continuous=True)."
        )
    array = None if isinstance(observation, (dict, tuple)) else np.asarray(observation)
    if array is None or array.ndim != 1 or array.dtype.kind not in "biuf":
        seen = f"{type(observation).__name__} {observation!r:.40}"
        raise UnsupportedSpaceError(
            f"ReinforceAgent needs a Box observation: a vector of numbers, like CartPole's "
            f"4 numbers; this environment gives {seen}. For a Discrete observation (one "
            f"whole number naming a state, as in FrozenLake) use QLearningAgent; for a "
            f"picture, use RAM observations (obs_type='ram') or a library with convolutional "
            f"networks, such as Stable-Baselines3."
        )
    return array.size


def check_same_observation(size: int, inputs: int) -> None:
    if size != inputs:
        raise ValueError(
            f"This ReinforceAgent's network takes observations of {inputs} numbers, but this "
            f"one has {size}: it comes from another environment. A network learns one "
            f"environment: make a new ReinforceAgent() for this one."
        )


def check_same_network_actions(action_space: gym.Space, actions: int) -> None:
    if not isinstance(action_space, gym.spaces.Discrete) or action_space.n != actions:
        raise ValueError(
            f"This ReinforceAgent's network was made for {actions} actions, but this "
            f"environment's action space is {action_space}: it is another environment. "
            f"Make a new ReinforceAgent() for this one."
        )


def check_same_decisions(remembered: int, steps: int, actions: Any, played: list) -> None:
    """A clear error if the history is not the steps the agent remembers playing."""
    if remembered < steps:
        count = "1 step" if remembered == 1 else f"{remembered} steps"
        problem = f"it remembers only {count} played while exploring"
    elif not np.array_equal(actions, played):
        problem = f"its last {steps} decisions took other actions"
    else:
        return
    raise ValueError(
        f"ReinforceAgent learns from the episodes it played itself while exploring, but this "
        f"history of {steps} steps is not what it played: {problem}. Train it with run_job, "
        f"which hands it the history of the episodes it just played (episodes played with "
        f"explore off, as evaluate plays them, are not remembered)."
    )
