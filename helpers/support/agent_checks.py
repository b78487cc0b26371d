"""The checks of the learning agents' inputs: settings, spaces and observations that
an agent cannot work with get a clear error naming the mistake and its fix."""

from __future__ import annotations

import numbers
from typing import Any

import gymnasium as gym
import numpy as np

from helpers.support.checks import is_real_number, is_whole_number

POLICY_ADVICE = "Use this policy in the environment whose agent learned it."
AGENT_ADVICE = (
    "An agent learns one environment: make a new CrossEntropyAgent() for this one "
    "(e.g. re-run the cell that creates it)."
)


def checked_features(weights: np.ndarray, observation: Any) -> np.ndarray:
    """``[observation, 1]`` as the numbers `weights` weigh, or a clear error."""
    try:
        if isinstance(observation, (dict, tuple)):
            raise TypeError
        features = np.append(np.asarray(observation, dtype=float).ravel(), 1.0)
    except (TypeError, ValueError):
        raise TypeError(
            f"A linear policy weighs an observation made of numbers (an array), but it got "
            f"a {type(observation).__name__}: {observation!r:.60}. Flatten such observations "
            f"first, e.g. with gymnasium.wrappers.FlattenObservation."
        ) from None
    if features.size != weights.shape[1]:
        raise ValueError(
            f"These weights were made for observations of {numbers_text(weights.shape[1] - 1)}, "
            f"but this observation has {numbers_text(features.size - 1)}: it comes from another "
            f"environment. A policy plays only the environment it learned in."
        )
    return features


def linear_action(weights: np.ndarray, observation: Any) -> int:
    """The action with the highest score ``weights @ [observation, 1]``, counted from 0.

    >>> linear_action(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([-2.0]))
    1
    """
    features = np.append(np.asarray(observation, dtype=float).ravel(), 1.0)
    return int(np.argmax(weights @ features))


def check_has_played(agent: Any, for_policy: bool = False) -> None:
    """A clear error for a `CrossEntropyAgent` asked to play what it learned before it played.

    >>> from helpers import CrossEntropyAgent
    >>> CrossEntropyAgent().policy()
    Traceback (most recent call last):
    ...
    RuntimeError: The agent has not played yet: train it with run_job first.
    """
    if agent.mean is not None:
        return
    if for_policy:
        raise RuntimeError("The agent has not played yet: train it with run_job first.")
    if not agent.explore:
        raise RuntimeError(
            "The agent has not played yet, so it has learned nothing to play with "
            "explore off (as evaluate plays): train it with run_job first."
        )


def numbers_text(count: int) -> str:
    return f"{count} number" if count == 1 else f"{count} numbers"


def play_linear(weights: np.ndarray, observation: Any, action_space: gym.Space, advice: str) -> int:
    """The action `weights` pick, counted from the space's ``start``; a clear error ending
    with `advice` if the weights were made for another environment."""
    if isinstance(observation, (dict, tuple)):
        checked_features(weights, observation)  # explains that it needs an array of numbers
    actions, columns = weights.shape
    size = np.asarray(observation).size
    if (
        not isinstance(action_space, gym.spaces.Discrete)
        or action_space.n != actions
        or size != columns - 1
    ):
        seen = numbers_text(size)
        raise ValueError(
            f"These weights were made for observations of {numbers_text(columns - 1)} and "
            f"{actions} actions, but this environment gives observations of {seen} and its "
            f"action space is {action_space}: it is another environment. {advice}"
        )
    return int(action_space.start) + int(
        np.argmax(weights @ checked_features(weights, observation))
    )


def check_cross_entropy_settings(
    population: Any, elite_fraction: Any, initial_spread: Any, extra_noise: Any
) -> None:
    """A clear error naming the first setting of a `CrossEntropyAgent` that cannot work."""
    if not is_whole_number(population, minimum=2):
        raise ValueError(
            f"population (candidates per generation) must be a whole number >= 2, such as 20; "
            f"got {population!r}."
        )

    def is_number(value: Any) -> bool:
        return is_real_number(value) and bool(np.isfinite(value))

    if not is_number(elite_fraction) or not 0 < elite_fraction <= 1:
        raise ValueError(
            f"elite_fraction (the share of candidates kept) must be a number above 0 and at "
            f"most 1, such as 0.2; got {elite_fraction!r}."
        )
    if not is_number(initial_spread) or initial_spread <= 0:
        raise ValueError(
            f"initial_spread must be a number above 0, such as 1.0; got {initial_spread!r}."
        )
    if not is_number(extra_noise) or extra_noise < 0:
        raise ValueError(
            f"extra_noise must be a number >= 0 (0: no extra noise), such as 0.05; "
            f"got {extra_noise!r}."
        )


def check_can_learn(observation: Any, action_space: gym.Space) -> None:
    """A clear error for an environment a linear policy over discrete actions cannot play."""
    if not isinstance(action_space, gym.spaces.Discrete):
        raise TypeError(
            f"CrossEntropyAgent picks one of a few discrete actions, but this environment's "
            f"action space is {action_space}. Use an environment with discrete actions, "
            f"such as CartPole-v1 or LunarLander-v3 (not LunarLander-v3 with continuous=True)."
        )
    array = np.asarray(observation) if not isinstance(observation, (dict, tuple)) else None
    if array is None or array.dtype.kind not in "biuf":
        raise TypeError(
            f"CrossEntropyAgent weighs an observation made of numbers (an array), but this "
            f"environment gives {type(observation).__name__} observations. Flatten them first, "
            f"e.g. with gymnasium.wrappers.FlattenObservation."
        )


def policy_weights(weights: Any) -> np.ndarray:
    """`weights` as a 2-D array of finite numbers, or a clear error."""
    try:
        array = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        array = None
    if array is None or array.ndim != 2 or 0 in array.shape or not np.isfinite(array).all():
        seen = f"shape {array.shape}" if array is not None else repr(weights)[:60]
        raise ValueError(
            f"LinearPolicy needs a 2-D array of finite numbers: one row per action, one "
            f"column per observation number plus one (the constant), such as 2 x 5 for "
            f"CartPole-v1; got {seen}. A trained CrossEntropyAgent gives you one: "
            f"agent.policy()."
        )
    return array


def check_q_settings(learning_rate: Any, discount: Any, epsilon: Any) -> None:
    """A clear error naming the first setting of a `QLearningAgent` that cannot work."""
    settings = {"learning_rate": learning_rate, "discount": discount, "epsilon": epsilon}
    for name, value in settings.items():
        if not isinstance(value, numbers.Real) or not 0 <= value <= 1:
            raise ValueError(f"{name} must be a number from 0 to 1, such as 0.1; got {value!r}.")


class UnsupportedSpaceError(TypeError):
    """Raised when an agent is given a space it cannot work with."""


def number_of_actions(action_space: gym.Space) -> int:
    if not isinstance(action_space, gym.spaces.Discrete) or action_space.start != 0:
        raise UnsupportedSpaceError(
            f"QLearningAgent needs a Discrete action space starting at 0, one column of its "
            f"table per action; this environment's action space is {action_space}. "
            f"For continuous actions, try CrossEntropyAgent on a discretised task, or a "
            f"deep RL library such as Stable-Baselines3."
        )
    return int(action_space.n)


def check_same_actions(action_space: gym.Space, n_actions: int) -> None:
    """A clear error if `action_space` is not the one the agent's table was made for."""
    if getattr(action_space, "n", None) != n_actions or getattr(action_space, "start", 0) != 0:
        raise ValueError(
            f"This QLearningAgent's table was made for an environment with {n_actions} "
            f"actions (Discrete({n_actions})), but this environment's action space is "
            f"{action_space}: it is another environment. A Q-table belongs to one environment: "
            f"make a new agent, QLearningAgent(), for this one (e.g. re-run the cell that "
            f"creates it)."
        )


def check_knows_actions(n_actions: int | None, asking_for: str = "a table") -> None:
    """A clear error for a `QLearningAgent` used before it saw its action space.

    >>> from helpers import QLearningAgent
    >>> QLearningAgent().table(3)
    Traceback (most recent call last):
    ...
    RuntimeError: The agent has no Q-values yet: train it first (with run_job).
    """
    if n_actions is not None:
        return
    if asking_for == "q_values":
        raise RuntimeError(
            "The agent has not seen the action space yet: call decision_function "
            "(run_job does) before asking for Q-values."
        )
    if asking_for == "train":
        raise RuntimeError(
            "The agent does not know its actions yet: it learns them from the action space "
            "in its first decision_function call (run_job makes it before any train call)."
        )
    raise RuntimeError("The agent has no Q-values yet: train it first (with run_job).")


def state_number(observation: Any) -> int:
    if isinstance(observation, (bool, np.bool_)) or not isinstance(
        observation, (numbers.Integral, np.integer)
    ):
        shape = getattr(observation, "shape", None)
        seen = f"an array of shape {shape}" if shape is not None else repr(observation)
        raise UnsupportedSpaceError(
            f"QLearningAgent needs Discrete observations, one whole number per state (as in "
            f"FrozenLake-v1 or Taxi-v4), to use as a row of its table; it got {seen}. "
            f"For observations made of numbers, such as CartPole's, use CrossEntropyAgent "
            f"(notebook 07) or DQNAgent (notebook 09); for screens, see notebook 13."
        )
    return int(observation)
