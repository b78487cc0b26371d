"""Measuring an agent fairly: whole episodes, seeded, without training.

- `evaluate`: the returns of an agent over a number of seeded episodes.
- `describe_returns`: those returns in one line (mean, standard error, spread, range).

Episode ``i`` starts from ``reset(seed=seed + i)``, so two agents evaluated with the
same seed meet exactly the same starting positions: the comparison is fair, and it
repeats. One episode proves little (a random agent has lucky games); the spread of
many tells how good an agent is.

>>> from helpers import RandomAgent
>>> evaluate("CartPole-v1", RandomAgent(), episodes=3, seed=0)
[18.0, 14.0, 12.0]
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import gymnasium as gym
import numpy as np

from helpers.agents import exploration_off
from helpers.checks import describe_value, is_real_number
from helpers.environments import make_env
from helpers.loop import (
    JobResult,
    api_error,
    ask_for_action,
    check_agent,
    check_positive_count,
    check_seed,
    end_flag,
    environment_name,
    reset_env,
    reward_number,
)

__all__ = ["evaluate", "describe_returns"]

# Without max_steps, an episode stops here, with a warning: an environment that never
# ends (no time limit) must not hang an evaluation. Real episodes are far shorter.
_LONGEST_EPISODE = 100_000


def evaluate(
    env: str | gym.Env,
    model: Any,
    episodes: int,
    seed: int = 0,
    *,
    max_steps: int | None = None,
) -> list[float]:
    """Play `episodes` whole episodes with `model` and return their returns.

    The model only decides: ``train`` and ``train_on_history`` are never called,
    and an agent that explores plays with its exploration off (`exploration_off`).
    Episode ``i`` is reset with ``seed + i``; the action space (which a random
    agent samples) and the model (through ``model.seed``, if it has one) are seeded
    with `seed`. An environment given as an id is made and closed here; one given
    as a ``gymnasium.Env`` is left open for you to use again.

    Args:
        env: an environment id or a ``gymnasium.Env``.
        model: an agent with ``decision_function(observation, action_space)``.
        episodes: how many episodes to play.
        seed: the seed of the first episode, a whole number >= 0 (needed: it is
            what makes two evaluations meet the same episodes).
        max_steps: stop an episode after this many steps (counted as it stands);
            by default episodes run until terminated or truncated, or, for an
            environment without a time limit, 100,000 steps (with a warning).

    >>> from helpers import RandomAgent
    >>> evaluate("CartPole-v1", RandomAgent(), episodes=2, seed=0, max_steps=10)
    [10.0, 9.0]
    """
    check_agent(model)
    check_positive_count("episodes", episodes, example=20)
    seed = check_seed(seed, required=True)  # every agent meets the same episodes
    if max_steps is not None:
        check_positive_count("max_steps", max_steps, example=1000)
    owned = not isinstance(env, gym.Env)
    environment = make_env(env) if owned else env
    name = env if owned else environment_name(environment)
    limit = _LONGEST_EPISODE if max_steps is None else max_steps
    try:
        with exploration_off(model):
            environment.action_space.seed(seed)
            if callable(getattr(model, "seed", None)):
                model.seed(seed)
            returns = []
            for episode in range(episodes):
                observation = reset_env(environment, name, seed=seed + episode)
                total, steps, done = 0.0, 0, False
                while not done and steps < limit:
                    action = ask_for_action(model, observation, environment.action_space, name)
                    observation, reward, terminated, truncated, _ = environment.step(action)
                    total += reward if type(reward) is float else reward_number(reward)
                    steps += 1
                    done = _ended(terminated, name) or _ended(truncated, name, "truncated")
                if not done and max_steps is None:
                    _warn_endless(name, episode, steps)
                returns.append(total)
            return returns
    except (TypeError, ValueError) as err:
        clearer = api_error(name, err, evaluate)  # if step broke Gymnasium's API
        if clearer is err:
            raise
        raise clearer from err
    finally:
        if owned:
            environment.close()


def _ended(flag: Any, name: str, which: str = "terminated") -> bool:
    """`flag` (``terminated`` or ``truncated``) as a bool, or a clear error."""
    return flag if type(flag) is bool else end_flag(flag, which, name)


def _warn_endless(name: str, episode: int, steps: int) -> None:
    """Warn that an episode was stopped by the guard against endless episodes."""
    warnings.warn(
        f"Episode {episode} of {name} had not ended after {steps:,} steps: it was stopped "
        f"there and its return counted as it stands. Does the environment have a time "
        f"limit? Pass max_steps=... to evaluate to choose where episodes stop.",
        stacklevel=3,
    )


_RETURNS_TO_PASS = (
    "Pass the returns of several episodes: a list of numbers such as evaluate(...) gives, "
    "a job's result (or result.returns), or a list of its episodes (result.episodes)."
)


def _collect_returns(items: Iterable[Any], name: str, values: list[float]) -> None:
    """Append every return in `items` to `values`, or raise an error naming the culprit.

    Nested lists and arrays are read in order; an episode's dict gives its
    ``"return"``, and an ``"unfinished"`` episode is left out, as in
    ``JobResult.returns``.
    """
    for index, item in enumerate(items):
        where = f"{name}[{index}]"
        if isinstance(item, np.ndarray) and item.ndim == 0:
            item = item.item()
        if isinstance(item, Mapping):
            if "return" not in item:
                raise TypeError(
                    f"{where} is a dict without a 'return' key (its keys: "
                    f"{', '.join(map(repr, item))}). {_RETURNS_TO_PASS}"
                )
            if item.get("outcome") == "unfinished":
                continue  # cut off by the end of the job: not a whole episode's return
            item, where = item["return"], f'{where}["return"]'
        elif isinstance(item, list | tuple | np.ndarray):
            _collect_returns(item, where, values)
            continue
        if not is_real_number(item):
            raise TypeError(f"{where} is {item!r}, not a number. {_RETURNS_TO_PASS}")
        value = float(item)
        if not np.isfinite(value):
            raise ValueError(
                f"{where} is {value!r}, not a finite number: a mean with it would be "
                f"{value!r} too. Find where that return came from (a reward that is nan or "
                f"inf?), or leave it out."
            )
        values.append(value)


def _returns_to_describe(returns: Any) -> np.ndarray:
    """The returns in `returns` as floats, or a clear error that says what to pass."""
    if isinstance(returns, JobResult):
        returns = returns.returns
    elif isinstance(returns, Mapping):
        raise TypeError(
            f"describe_returns got one episode's dict (keys: {', '.join(map(repr, returns))}), "
            f"and one return has no spread to describe. {_RETURNS_TO_PASS}"
        )
    elif isinstance(returns, str | bytes | numbers.Number) or not isinstance(returns, Iterable):
        raise TypeError(
            f"describe_returns needs the returns of several episodes; got "
            f"{describe_value(returns)}. {_RETURNS_TO_PASS}"
        )
    values: list[float] = []
    _collect_returns(returns, "returns", values)
    return np.array(values, dtype=float)


def describe_returns(returns: Iterable[float] | JobResult) -> str:
    """Returns in one line: the mean and its standard error, the spread, the range.

    The spread is the standard deviation of the returns (how much one episode
    differs from the next, with n - 1 in the formula as the notebooks define it);
    the standard error, spread / sqrt(n), is how far the mean itself may be off.
    A single return has no spread to measure: both are then reported as 0.

    `returns` is a list (or array, or generator) of numbers, such as `evaluate`
    gives; a job's result or its ``result.episodes`` also do (their finished
    episodes' returns). Anything that is not a finite number is refused.

    >>> describe_returns([10.0, 20.0, 30.0])
    'mean 20.0 (standard error 5.8), spread 10.0 (min 10.0, max 30.0) over 3 episodes'
    """
    values = _returns_to_describe(returns)
    if values.size == 0:
        raise ValueError(
            "There are no returns to describe: the list is empty. A job's result.returns "
            "lists finished episodes only; run more steps, or use evaluate(...)."
        )
    spread = values.std(ddof=1) if values.size > 1 else 0.0
    standard_error = spread / np.sqrt(values.size)
    return (
        f"mean {values.mean():.1f} (standard error {standard_error:.1f}), spread {spread:.1f} "
        f"(min {values.min():.1f}, max {values.max():.1f}) over {values.size} episodes"
    )
