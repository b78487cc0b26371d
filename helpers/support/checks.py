"""The checks of what a learner writes: clear errors that name the mistake and its fix.

`LearnerChecks` checks an environment's ``reset`` and ``step``; `CheckedAgent` an agent's
actions; the rest check arguments. The number checks refuse bools (``steps=True``).
"""

from __future__ import annotations

import copy
import inspect
import numbers
import reprlib
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import gymnasium as gym
import numpy as np


class InvalidActionError(ValueError):
    """Raised when an agent returns an action its environment does not accept."""


def is_whole_number(value: Any, minimum: int = 0) -> bool:
    """Whether `value` is a whole number (numpy's included, not a bool) >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return False
    return bool(value >= minimum)


def is_real_number(value: Any) -> bool:
    """Whether `value` is a real number (numpy's included), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def describe_value(value: Any) -> str:
    """A few words on what `value` is, for an error message."""
    if value is None:
        return "None"
    if isinstance(value, str | bytes):
        return f"the text {reprlib.repr(value)}"
    if isinstance(value, numbers.Number):
        return f"the number {value!r}"
    return type(value).__name__


def environment_name(env: gym.Env) -> str:
    """The id an environment was made with, or its class name if it has none."""
    return env.spec.id if env.spec is not None else type(env.unwrapped).__name__


def valid_action(action: Any, action_space: gym.Space, env_name: str) -> Any:
    """`action` as the environment takes it (Discrete: an ``int``; Box: its dtype), or
    a clear `InvalidActionError`."""
    if type(action_space) is gym.spaces.Discrete:
        # the same test as Discrete.contains, in a fifth of the time: it runs every step
        if (
            isinstance(action, (int, np.integer))
            and action_space.start <= action < action_space.start + action_space.n
        ):
            return int(action)
        if (  # a 0-d integer array, such as np.array(1), is one integer too
            isinstance(action, np.ndarray)
            and action.shape == ()
            and action.dtype.kind in "iu"
            and action_space.contains(action)
        ):
            return int(action)
    elif type(action_space) is gym.spaces.Box:
        box_action = _as_box_action(action, action_space, env_name)
        if box_action is not None:
            return box_action
    elif action_space.contains(action):
        return action
    raise InvalidActionError(
        f"The model chose action {action!r}, which is not in the action space "
        f"{action_space} of {env_name}. "
        + (_box_hint(action, action_space) if type(action_space) is gym.spaces.Box else "")
        + "Sample one with action_space.sample()."
    )


def _box_hint(action: Any, space: gym.spaces.Box) -> str:
    """What is wrong with an action refused by a Box: its shape, or its values.

    >>> _box_hint(0.5, gym.spaces.Box(-2.0, 2.0, (1,)))
    'It has the shape () and the space wants (1,): return np.array([0.5]). '
    """
    try:
        array = np.asarray(action)
    except (TypeError, ValueError):
        return ""
    if array.dtype.kind not in "biuf":
        return ""
    array = array.astype(float)
    hint = ""
    if array.shape != space.shape:
        fix = ""
        if array.size == int(np.prod(space.shape)):
            fix = f": return np.array({np.reshape(array, space.shape).tolist()!r})"
        hint = f"It has the shape {array.shape} and the space wants {space.shape}{fix}. "
    if np.isnan(array).any():
        return hint + "It holds nan: check the computation that made it. "
    low, high = space.low.astype(float), space.high.astype(float)
    if np.broadcast_shapes(array.shape, low.shape) == low.shape and not (
        np.all(array >= low) and np.all(array <= high)
    ):
        hint += (
            "Its values must lie between action_space.low and action_space.high "
            "(np.clip(action, action_space.low, action_space.high) keeps them there). "
        )
    return hint


def _as_box_action(action: Any, space: gym.spaces.Box, env_name: str) -> np.ndarray | None:
    """`action` in the Box's dtype, or None if not in the Box; values the dtype cannot
    hold (260 in ``int8``) are refused, never wrapped round."""
    try:
        array = np.asarray(action)
    except (TypeError, ValueError):
        return None
    if array.dtype == object or not np.can_cast(array.dtype, space.dtype, casting="same_kind"):
        return None
    with np.errstate(over="ignore", invalid="ignore"):  # checked just below
        converted = array.astype(space.dtype, copy=False)
        changed = (
            converted is not array
            and not np.can_cast(array.dtype, space.dtype)  # the cast may change values
            and (
                not np.array_equal(converted, array)  # an integer wrapped round
                if converted.dtype.kind in "iub"
                else not np.array_equal(np.isinf(converted), np.isinf(array))  # overflowed
            )
        )
    if changed:
        raise InvalidActionError(
            f"The model chose action {action!r}, which {space.dtype} cannot hold: in the "
            f"action space {space} of {env_name} it would become {converted!r}. Choose "
            f"values inside the space (action_space.low to action_space.high)."
        )
    return converted if space.contains(converted) else None


def check_agent(model: Any) -> None:
    """Raise a clear error unless `model` can be asked for actions.

    >>> from helpers import RandomAgent
    >>> check_agent(RandomAgent())
    >>> check_agent(RandomAgent)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    TypeError: RandomAgent is a class, not an agent: make one with RandomAgent() ...
    """
    if isinstance(model, type):
        raise TypeError(
            f"{model.__name__} is a class, not an agent: make one with {model.__name__}() "
            f"(with the brackets) and pass that."
        )
    if not callable(getattr(model, "decision_function", None)):
        raise TypeError(
            f"The model {model!r} has no decision_function(observation, action_space) method: "
            f"it is asked for every action. Use RandomAgent() or see helpers.agents."
        )
    _check_method(model, "decision_function", "observation, action_space", 2)


def check_training_methods(model: Any, episodes_per_train: int) -> None:
    """Raise a clear error unless the ``train`` and ``train_on_history`` run_job calls
    take the arguments it gives them.

    >>> class Student:
    ...     def train(self):
    ...         pass
    >>> check_training_methods(Student(), 1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    TypeError: Student.train cannot be called as train(transition): ...
    """
    _check_method(model, "train", "transition", 1)
    if episodes_per_train:
        _check_method(model, "train_on_history", "history", 1)


def _check_method(model: Any, name: str, arguments: str, count: int) -> None:
    """Raise a clear error if ``model.<name>`` exists but cannot take `count` arguments."""
    method = getattr(model, name, None)
    if method is None:
        return
    owner = type(model).__name__
    right = f"def {name}(self, {arguments}):"
    if not callable(method):
        raise TypeError(
            f"{owner}.{name} is {method!r}, not a method: it is called as {name}({arguments}). "
            f"Write it as `{right}`, or give the attribute another name."
        )
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):  # some built-in or compiled callables hide it: trust them
        return
    try:
        signature.bind(*([None] * count))
    except TypeError:
        if inspect.ismethod(method):  # show it as written, with self
            signature = inspect.signature(method.__func__)
        raise TypeError(
            f"{owner}.{name} cannot be called as {name}({arguments}): it is written "
            f"`def {name}{signature}:`. Write it as `{right}`."
        ) from None


def check_seed(seed: Any, required: bool = False) -> int | None:
    """`seed` as an ``int`` (numpy integers too), or a clear error naming ``seed``."""
    if seed is None and not required:
        return None
    if not is_whole_number(seed):
        hint = "" if required else " (or None for a different run each time)"
        raise ValueError(f"seed must be a whole number >= 0, such as 42{hint}; got {seed!r}.")
    return int(seed)


def check_positive_count(name: str, value: Any, example: int) -> None:
    """Raise a clear error unless `value` is a whole number >= 1 (not a bool)."""
    if not is_whole_number(value, minimum=1):
        raise ValueError(
            f"{name} must be a positive whole number, such as {example}; got {value!r}."
        )


def check_run_job_arguments(
    env: Any, model: Any, steps: Any, episodes_per_train: Any, record_video: Any, seed: Any
) -> tuple[Callable[[int], bool] | None, int | None]:
    """Validate run_job's arguments; return the video schedule (None: record nothing)
    and the seed. An environment passed in is closed if an argument is wrong."""
    try:
        if not isinstance(env, (str, gym.Env)) and callable(getattr(env, "close", None)):
            raise TypeError(
                f"env must be an environment id such as 'CartPole-v1', or one environment "
                f"made with gym.make or a class that subclasses gymnasium.Env; got "
                f"{type(env).__name__} (a vector of environments, or a class that does not "
                f"subclass gym.Env). It has been closed."
            )
        check_agent(model)
        check_training_methods(model, episodes_per_train)
        check_positive_count("steps", steps, example=1000)
        if not is_whole_number(episodes_per_train):
            raise ValueError(
                f"episodes_per_train must be a whole number >= 0 (0 means never train); "
                f"got {episodes_per_train!r}."
            )
        seed = check_seed(seed)
        if record_video is True:
            return (lambda episode: True), seed
        if record_video is False or record_video is None:
            return None, seed
        if callable(record_video):
            _check_schedule(record_video)
            return record_video, seed
        raise TypeError(
            f"record_video must be True, False or a function episode -> bool; got {record_video!r}."
        )
    except Exception as err:
        if not isinstance(env, str) and callable(getattr(env, "close", None)):
            try:
                env.close()
            except Exception as close_err:  # the argument's error stays the one raised
                err.add_note(f"Closing the environment failed too: {close_err!r}")
        raise


def _check_schedule(schedule: Callable[..., Any]) -> None:
    """Raise a clear error unless `schedule` can be called as ``schedule(episode)``.

    >>> _check_schedule(lambda: True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    TypeError: record_video=<lambda> cannot be called as record_video(episode): ...
    """
    try:
        signature = inspect.signature(schedule)
    except (TypeError, ValueError):  # some built-in callables hide it: trust them
        return
    try:
        signature.bind(0)
    except TypeError:
        name = getattr(schedule, "__name__", type(schedule).__name__)
        raise TypeError(
            f"record_video={name} cannot be called as record_video(episode): its arguments are "
            f"{signature}. It is asked, before every episode, whether to film it: write it "
            f"with one argument, the episode number, such as "
            f"`lambda episode: episode % 10 == 0`."
        ) from None


def reward_number(reward: Any) -> float:
    """A reward as a float: a number, or an array holding one number."""
    if isinstance(reward, numbers.Real):
        return float(reward)
    if isinstance(reward, np.ndarray) and reward.size == 1 and reward.dtype.kind in "biuf":
        return float(reward.reshape(-1)[0])
    raise TypeError(
        f"The environment's step returned the reward {reward!r}: a reward must be one "
        f"number. Make step return a float."
    )


def end_flag(value: Any, name: str, env_name: str) -> bool:
    """``terminated`` or ``truncated`` as a ``bool``: a bool, 0 or 1, or one in an array."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral) and value in (0, 1):
        return bool(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biu":
        if value.reshape(-1)[0] in (0, 1):
            return bool(value.reshape(-1)[0])
    raise TypeError(
        f"{env_name}'s step returned {name}={value!r}: it must be True or False. "
        f"Make step return a bool (such as `{name} = bool(...)`)."
    )


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def check_reset(returned: Any, env_name: str) -> tuple[Any, dict[str, Any]]:
    """What ``reset`` returned, if it is Gymnasium's pair ``(observation, info)``."""
    if isinstance(returned, (tuple, list)) and len(returned) == 2 and isinstance(returned[1], dict):
        return returned[0], returned[1]
    raise TypeError(
        f"{env_name} does not follow Gymnasium's API: its reset() returned {_shown(returned)}, "
        f"not a pair (observation, info). Make reset end with `return observation, info` "
        f"(info: a dict, such as {{}}). An environment written for the old Gym API returns "
        f"only the observation: rewrite it for Gymnasium."
    )


def check_step(returned: Any, env_name: str) -> tuple[Any, float, bool, bool, Any]:
    """What ``step`` returned, if it is Gymnasium's five values (checked and converted)."""
    if not isinstance(returned, tuple) or len(returned) != 5:
        if isinstance(returned, tuple) and len(returned) == 4:  # the old Gym API
            raise TypeError(
                f"{env_name} does not follow Gymnasium's API (its step() returned 4 values): "
                f"reset() must return (observation, info) and step() five values "
                f"(observation, reward, terminated, truncated, info). An environment "
                f"written for the old Gym API returns four from step (one done flag): "
                f"rewrite it for Gymnasium."
            )
        what = f"{len(returned)} values" if isinstance(returned, tuple) else type(returned).__name__
        raise TypeError(
            f"{env_name} does not follow Gymnasium's API (its step() returned {what}, not "
            f"five values): step() must return five values. Make it end with "
            f"`return observation, reward, terminated, truncated, info`."
        )
    observation, reward, terminated, truncated, info = returned
    if type(reward) is not float:
        reward = reward_number(reward)
    if type(terminated) is not bool:
        terminated = end_flag(terminated, "terminated", env_name)
    if type(truncated) is not bool:
        truncated = end_flag(truncated, "truncated", env_name)
    return observation, reward, terminated, truncated, info


def _copy(observation: Any) -> Any:
    """A copy of an observation that later steps cannot change."""
    if type(observation) is np.ndarray:
        return observation.copy()
    if isinstance(observation, (dict, tuple, list, np.ndarray)):
        return copy.deepcopy(observation)
    return observation


class LearnerChecks(gym.Wrapper):
    """Checks every ``reset`` and ``step`` of `env` and every action sent to it, with
    errors for a learner; rewards come out as floats, end flags as bools. Observations
    and info dicts that the environment updates in place are copied.

    >>> env = LearnerChecks(gym.make("CartPole-v1"))
    >>> env.step(5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    helpers.support.checks.InvalidActionError: The model chose action 5, which is not in ...
    """

    def __init__(self, env: gym.Env, name: str | None = None, check_actions: bool = True) -> None:
        super().__init__(env)
        self.name = name or environment_name(env)
        self.check_actions = check_actions  # False where the agent's actions are checked already
        self.last: Any = None  # the last observation handed over
        self.unchecked = 3  # copy the first observations, until it is known whether...
        self.reuses = False  # ...the environment changes one observation array in place
        self.last_info: Any = None  # the same for the info dicts
        self.infos_unchecked = 3
        self.reuses_info = False

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        observation, info = check_reset(self.env.reset(**kwargs), self.name)
        return self.unshared(observation), self.unshared_info(info)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, Any]:
        if self.check_actions:
            action = valid_action(action, self.env.action_space, self.name)
        observation, reward, terminated, truncated, info = check_step(
            self.env.step(action), self.name
        )
        return self.unshared(observation), reward, terminated, truncated, self.unshared_info(info)

    def unshared(self, observation: Any) -> Any:
        if observation is self.last and isinstance(observation, (np.ndarray, list, dict)):
            self.reuses = True  # (a number or a string is never changed in place)
        self.last = observation
        if self.reuses or self.unchecked:
            self.unchecked = max(0, self.unchecked - 1)
            return _copy(observation)
        return observation

    def unshared_info(self, info: Any) -> Any:
        if info is self.last_info and isinstance(info, dict):
            self.reuses_info = True
        self.last_info = info
        if (self.reuses_info or self.infos_unchecked) and isinstance(info, dict):
            self.infos_unchecked = max(0, self.infos_unchecked - 1)
            try:
                return copy.deepcopy(info)
            except Exception:  # something in it cannot be copied: copy the dict itself
                return dict(info)
        return info


def _ignore(*arguments: Any) -> None:
    """What an agent without ``train`` or ``train_on_history`` does there: nothing."""


class CheckedAgent:
    """`model` with its actions checked; a missing ``train`` or ``train_on_history`` is a no-op."""

    def __init__(self, model: Any, env_name: str) -> None:
        self.model, self.env_name = model, env_name
        self.train = getattr(model, "train", None) or _ignore
        self.train_on_history = getattr(model, "train_on_history", None) or _ignore

    def decision_function(self, observation: Any, action_space: gym.Space) -> Any:
        action = self.model.decision_function(observation, action_space)
        return valid_action(action, action_space, self.env_name)


def check_evaluate_arguments(model: Any, episodes: Any, seed: Any, max_steps: Any) -> int:
    """Check `evaluate`'s arguments; return the seed as an ``int``."""
    check_agent(model)
    check_positive_count("episodes", episodes, example=20)
    if max_steps is not None:
        check_positive_count("max_steps", max_steps, example=1000)
    seed = check_seed(seed, required=True)
    assert seed is not None  # required: never None
    return seed


def warn_endless(name: str, episode: int, steps: int) -> None:
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
    """Append every return in `items` (nested lists, episode dicts: unfinished ones left
    out) to `values`, or raise an error naming the culprit."""
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


def returns_to_describe(returns: Any) -> np.ndarray:
    """The returns in `returns` as floats, or a clear error that says what to pass."""
    if hasattr(returns, "returns") and hasattr(returns, "episodes"):  # a JobResult
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
