"""The agent-environment loop of the series: `run_job`.

- `run_job`: let an agent act in an environment for a number of steps, keeping a
  history, training the agent and recording videos of chosen episodes.
- `JobResult`: what `run_job` returns (``history``, ``episodes``, ``parameters``).
- `History`: writes the history and the list of episodes while the job runs.
- `TrainingHooks`: calls the agent's ``train`` and ``train_on_history`` at the right moments.
- `capped_cubic_video_schedule`: Gymnasium's default choice of episodes to record.
- `ask_for_action`: an agent's action, checked against the action space.
- `reset_env`: the observation of a reset, checked to follow Gymnasium's API.
- `check_agent`, `check_positive_count`, `check_seed`, `environment_name`, `reward_number`,
  `end_flag`, `api_error`: shared with `evaluate`.

Filming is the third helper piece of the loop: `helpers.video.Camera`.

>>> from helpers import RandomAgent
>>> result = run_job("CartPole-v1", RandomAgent(), steps=100, seed=42, record_video=False)
>>> [(e["steps"], e["outcome"]) for e in result.episodes[-2:]]
[(22, 'terminated'), (8, 'unfinished')]
"""

from __future__ import annotations

import copy
import inspect
import linecache
import numbers
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from tqdm import tqdm

from helpers.checks import is_whole_number
from helpers.environments import make_env
from helpers.video import Camera

__all__ = [
    "run_job",
    "JobResult",
    "History",
    "TrainingHooks",
    "ask_for_action",
    "reset_env",
    "check_agent",
    "check_training_methods",
    "end_flag",
    "api_error",
    "check_positive_count",
    "check_seed",
    "environment_name",
    "reward_number",
    "capped_cubic_video_schedule",
    "InvalidActionError",
]


class InvalidActionError(ValueError):
    """Raised when an agent returns an action its environment does not accept."""


def capped_cubic_video_schedule(episode: int) -> bool:
    """Gymnasium's default: record episodes 0, 1, 8, 27, ..., 729, then every 1000th.

    >>> [e for e in range(2000) if capped_cubic_video_schedule(e)]
    [0, 1, 8, 27, 64, 125, 216, 343, 512, 729, 1000]
    """
    if episode < 1000:
        return round(episode ** (1 / 3)) ** 3 == episode
    return episode % 1000 == 0


@dataclass
class JobResult:
    """What `run_job` collected.

    ``history``: one dict per step: ``episode``, ``step``, ``action``, ``reward``,
    ``terminated``, ``truncated``, ``info`` (and ``observation``, the observation
    the step returned, only with ``keep_observations=True``).

    ``episodes``: one dict per episode: ``episode``, ``steps``, ``return`` (the sum
    of its rewards), ``outcome`` and ``video`` (the mp4's path, or ``None``). The
    outcome is ``"terminated"`` (the game ended: won or lost), ``"truncated"``
    (stopped by a time limit) or ``"unfinished"`` (the job's steps ran out first).

    ``parameters``: the arguments of the call.

    ``video_folder``: the folder of this run's videos, a new one inside
    ``video_dir`` (``None`` if no video was recorded).
    """

    history: list[dict[str, Any]] = field(default_factory=list)
    episodes: list[dict[str, Any]] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def returns(self) -> list[float]:
        """The return of every finished episode, in order."""
        return [e["return"] for e in self.episodes if e["outcome"] != "unfinished"]

    @property
    def videos(self) -> list[Path]:
        """The paths of the videos recorded, in episode order."""
        return [e["video"] for e in self.episodes if e["video"] is not None]

    @property
    def video_folder(self) -> Path | None:
        """The folder of this run's videos (None if no video was recorded)."""
        videos = self.videos
        return videos[0].parent if videos else None

    def __repr__(self) -> str:
        finished = len(self.returns)
        return (
            f"JobResult(env={self.parameters.get('env')!r}, steps={len(self.history)}, "
            f"episodes={len(self.episodes)} ({finished} finished), videos={len(self.videos)})"
        )


def ask_for_action(model: Any, observation: Any, action_space: gym.Space, env_name: str) -> Any:
    """Ask `model` for its action, and check that the environment accepts it.

    A clear error here beats a crash deep inside an emulator or a physics engine.
    Any integer type (``np.uint8`` too) is a valid Discrete action, handed on as an
    ``int``; an array for a ``Box`` is handed on in the space's dtype (a float64
    array for a float32 ``Box``, within its bounds, is accepted).

    >>> from helpers import RandomAgent
    >>> ask_for_action(RandomAgent(), None, gym.spaces.Discrete(2, seed=0), "CartPole-v1")
    1
    """
    action = model.decision_function(observation, action_space)
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
        f"{action_space} of {env_name}. Sample one with action_space.sample()."
    )


def _as_box_action(action: Any, space: gym.spaces.Box, env_name: str) -> np.ndarray | None:
    """`action` as an array of the Box's dtype, or None if it is not in the Box.

    Values that the Box's dtype cannot hold (260 in ``int8``, 1e300 in ``float32``)
    are refused, never wrapped round or turned into infinity.
    """
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
    """Raise a clear error unless the model's ``train`` and ``train_on_history`` (those
    it has, and that run_job will call) take the arguments run_job gives them.

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
    """`seed` as an ``int`` (numpy integers too), or a clear error naming ``seed``.

    >>> check_seed(np.int64(7)), check_seed(None)
    (7, None)
    """
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


def environment_name(env: gym.Env) -> str:
    """The id an environment was made with, or its class name if it has none."""
    return env.spec.id if env.spec is not None else type(env.unwrapped).__name__


def _check_arguments(
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


def _run_label(env_name: str, seed: int | None) -> str:
    """The end of a run's video folder name: ``SpaceInvaders-v5_seed42``.

    >>> _run_label("ALE/SpaceInvaders-v5", 42)
    'SpaceInvaders-v5_seed42'
    """
    name = env_name.rsplit("/", 1)[-1]
    return name if seed is None else f"{name}_seed{seed}"


def _progress_bar(steps: int, label: str) -> tqdm:
    """A text progress bar that redraws at every 5% of the steps, never by the clock.

    So it prints the same text on every run (notebooks are checked against their
    stored outputs), and its last state, 100%, is what a saved notebook shows. A
    notebook widget bar would be saved at its first state, 0%. It writes to stdout:
    in a notebook, stderr is shown as if something went wrong.
    """
    return tqdm(
        total=steps,
        desc=label,
        file=sys.stdout,
        mininterval=0,
        miniters=max(1, steps // 20),
        bar_format="{desc}: {percentage:3.0f}%|{bar:25}| {n_fmt}/{total_fmt} steps",
    )


def reward_number(reward: Any) -> float:
    """A reward as a float: a number, or an array holding one number.

    >>> reward_number(np.array([2.5]))
    2.5
    """
    if isinstance(reward, numbers.Real):
        return float(reward)
    if isinstance(reward, np.ndarray) and reward.size == 1 and reward.dtype.kind in "biuf":
        return float(reward.reshape(-1)[0])
    raise TypeError(
        f"The environment's step returned the reward {reward!r}: a reward must be one "
        f"number. Make step return a float."
    )


def end_flag(value: Any, name: str, env_name: str) -> bool:
    """``terminated`` or ``truncated`` as a ``bool``: a bool, 0 or 1, or one in an array.

    >>> end_flag(np.array([True]), "terminated", "CartPole-v1")
    True
    """
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


def api_error(env_name: str, err: BaseException, function: Callable[..., Any]) -> BaseException:
    """A clear error for `err` if it came from unpacking what ``step`` returned in `function`
    (too few or too many values, or None); otherwise `err` itself."""
    traceback = err.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    message = str(err)
    if (
        traceback is None
        or traceback.tb_frame.f_code is not function.__code__  # type: ignore[attr-defined]
        or not isinstance(err, (ValueError, TypeError))
        or not ("values to unpack" in message or "cannot unpack non-iterable" in message)
        or ".step("
        not in linecache.getline(traceback.tb_frame.f_code.co_filename, traceback.tb_lineno)
    ):  # not the unpacking of step's values: the error of someone else's code
        return err
    if "got 4" in message:  # the old Gym API
        new = TypeError(
            f"{env_name} does not follow Gymnasium's API ({message}): reset() must return "
            f"(observation, info) and step() five values (observation, reward, terminated, "
            f"truncated, info). An environment written for the old Gym API returns four "
            f"from step (one done flag): rewrite it for Gymnasium."
        )
    else:
        if "non-iterable" in message:  # None: a forgotten `return`
            returned = message.rsplit("non-iterable ", 1)[-1].removesuffix(" object")
            message = f"its step() returned {returned}, not five values"
        new = TypeError(
            f"{env_name} does not follow Gymnasium's API ({message}): step() must return five "
            f"values. Make it end with `return observation, reward, terminated, truncated, info`."
        )
    new.__cause__ = err
    return new


def reset_env(env: gym.Env, env_name: str, **arguments: Any) -> Any:
    """Reset `env` (with `arguments`, such as ``seed=42``) and return its observation.

    Gymnasium's ``reset`` returns a pair, ``(observation, info)``: anything else (the
    observation alone, as in the old Gym API, or None) is a clear error here.

    >>> reset_env(gym.make("CartPole-v1"), "CartPole-v1", seed=0).shape
    (4,)
    """
    returned = env.reset(**arguments)
    if isinstance(returned, (tuple, list)) and len(returned) == 2 and isinstance(returned[1], dict):
        return returned[0]
    shown = repr(returned)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    raise TypeError(
        f"{env_name} does not follow Gymnasium's API: its reset() returned {shown}, not a "
        f"pair (observation, info). Make reset end with `return observation, info` (info: "
        f"a dict, such as {{}}). An environment written for the old Gym API returns only "
        f"the observation: rewrite it for Gymnasium."
    )


def _copy(observation: Any) -> Any:
    """A copy of an observation that later steps cannot change."""
    if type(observation) is np.ndarray:
        return observation.copy()
    if isinstance(observation, (dict, tuple, list, np.ndarray)):
        return copy.deepcopy(observation)
    return observation


class History:
    """Writes a job's history (a record per step) and its episodes (an entry per episode).

    It also keeps count of the current episode (its number, steps and return),
    moves a progress bar, and prints a line per episode when ``verbose``.

    >>> result = JobResult()
    >>> history = History(result)
    >>> record = history.add(1, 1.0, False, False, {}, observation=None)
    >>> history.end_episode("unfinished", camera=None)
    >>> result.episodes
    [{'episode': 0, 'steps': 1, 'return': 1.0, 'outcome': 'unfinished', 'video': None}]
    """

    def __init__(
        self,
        result: JobResult,
        keep_observations: bool = False,
        verbose: bool = False,
        bar: tqdm | None = None,
    ) -> None:
        self.records, self.episodes = result.history, result.episodes
        self.keep_observations, self.verbose, self.bar = keep_observations, verbose, bar
        self.env_name = result.parameters.get("env", "The environment")
        self.episode = 0  # the number of the episode being played
        self.episode_steps = 0  # its steps so far
        self.episode_return = 0.0  # and the sum of their rewards

    def add(
        self,
        action: Any,
        reward: Any,
        terminated: Any,
        truncated: Any,
        info: dict[str, Any],
        observation: Any,
    ) -> dict[str, Any]:
        """Append the record of one step, and return it."""
        record = {
            "episode": self.episode,
            "step": len(self.records),
            # a numpy scalar becomes a plain number: smaller, and prints as one
            "action": action.item() if isinstance(action, np.generic) else action,
            "reward": reward if type(reward) is float else reward_number(reward),
            "terminated": self._flag(terminated, "terminated"),
            "truncated": self._flag(truncated, "truncated"),
            "info": info,
        }
        if self.keep_observations:  # a copy: an environment may reuse its array
            record["observation"] = _copy(observation)
        self.records.append(record)
        self.episode_steps += 1
        self.episode_return += record["reward"]
        if self.bar is not None:
            self.bar.update()
        return record

    def _flag(self, value: Any, name: str) -> bool:
        """``terminated`` or ``truncated`` as a bool (a clear error if it is not one)."""
        return value if type(value) is bool else end_flag(value, name, self.env_name)

    def end_episode(self, outcome: str, camera: Camera | None) -> None:
        """Add the episode that just ended, start counting the next one, finish its video."""
        episode = {
            "episode": self.episode,
            "steps": self.episode_steps,
            "return": self.episode_return,
            "outcome": outcome,
            "video": None,
        }
        self.episodes.append(episode)
        if self.verbose:
            print(
                f"Episode {self.episode} {outcome} after {self.episode_steps} steps, "
                f"return {self.episode_return:g}"
            )
        self.episode, self.episode_steps, self.episode_return = self.episode + 1, 0, 0.0
        if camera is not None:  # last: an episode whose video fails is kept all the same
            episode["video"] = camera.finish()


class TrainingHooks:
    """The agent's two ways to learn, called at the right moments (each only if it has it).

    - ``train(transition)`` after every step, with what that step taught: the
      observation, the action, the reward, the next observation, how it ended.
    - ``train_on_history(records)`` after every ``episodes_per_train`` finished
      episodes, with the records of those episodes (0: never).

    >>> class Student:
    ...     def train_on_history(self, records):
    ...         print(len(records), "records")
    >>> hooks = TrainingHooks(Student(), episodes_per_train=2)
    >>> hooks.after_episode([{}] * 3, finished=1)
    >>> hooks.after_episode([{}] * 5, finished=2)
    5 records
    """

    def __init__(self, model: Any, episodes_per_train: int) -> None:
        self.train = getattr(model, "train", None)
        self.train_on_history = getattr(model, "train_on_history", None)
        self.episodes_per_train = episodes_per_train
        self.trained_until = 0  # the records before this one were handed over already
        self.last: Any = None  # the last observation the environment handed over
        self.unchecked = 3  # copy the first observations, until it is known whether...
        self.reuses = False  # ...the environment changes one observation array in place

    def unshared(self, observation: Any) -> Any:
        """The observation to act on: a copy, if the environment updates one array in place.

        Such an environment hands back the same array every step, so a transition's
        observation and next observation would both show the new state. One identity
        check per step finds out; only then is every observation copied.
        """
        if self.train is None:  # nobody keeps observations from one step to the next
            return observation
        if observation is self.last and isinstance(observation, (np.ndarray, list, dict)):
            self.reuses = True  # (a number or a string is never changed in place)
        self.last = observation
        if self.reuses or self.unchecked:
            self.unchecked = max(0, self.unchecked - 1)
            return _copy(observation)
        return observation

    def after_step(
        self, observation: Any, action: Any, record: dict[str, Any], next_observation: Any
    ) -> None:
        """Hand one step's transition to ``train``."""
        if self.train is not None:
            self.train(
                {
                    "observation": observation,
                    "action": action,
                    "reward": record["reward"],
                    "next_observation": next_observation,
                    "terminated": record["terminated"],
                    "truncated": record["truncated"],
                    "info": record["info"],
                }
            )

    def after_episode(self, records: list[dict[str, Any]], finished: int) -> None:
        """After `finished` episodes in all: ``train_on_history`` if it is time."""
        if self.episodes_per_train and finished % self.episodes_per_train == 0:
            if self.train_on_history is not None:
                self.train_on_history(records[self.trained_until :])
            self.trained_until = len(records)


def run_job(
    env: str | gym.Env,
    model: Any,
    steps: int,
    episodes_per_train: int = 1,
    verbose: bool = False,
    video_dir: str | os.PathLike[str] = "gym-results",
    *,
    seed: int | None = None,
    record_video: bool | Callable[[int], bool] = capped_cubic_video_schedule,
    keep_observations: bool = False,
    progress: bool = False,
) -> JobResult:
    """Let `model` act in `env` for `steps` steps; return what happened.

    Every step: the model picks an action from the current observation, the
    environment steps, the step is recorded in the history and handed to
    ``model.train``. When an episode ends (terminated or truncated), the
    environment is reset and, after every ``episodes_per_train`` finished
    episodes, ``model.train_on_history`` gets the history of those episodes.

    Args:
        env: an environment id (made with ``render_mode="rgb_array"`` when videos
            are wanted) or a ``gymnasium.Env``. run_job closes it when done.
        model: an agent (see `helpers.agents`). ``train`` and ``train_on_history``
            are called when the model has them.
        steps: how many environment steps to take in all.
        episodes_per_train: call ``train_on_history`` after every that many
            finished episodes; 0 never calls it.
        verbose: print a line when an episode ends.
        video_dir: the folder for videos. Each run records into a new folder
            of its own inside it, such as
            ``gym-results/2026-11-24_221530_SpaceInvaders-v5_seed42/``
            (``result.video_folder``), as ``episode-000000.mp4``, ...: a later
            run never overwrites them. Videos play at the game's real speed,
            and Atari videos show every sprite (see `helpers.atari_frames`).
        seed: seeds the environment's first reset, its action space and the
            model (through ``model.seed``, if it has one): same seed, same run.
        record_video: True (every episode), False (none) or a function of the
            episode number; by default Gymnasium's schedule (0, 1, 8, 27, ...).
        keep_observations: also keep each observation in the history. A Space
            Invaders screen is 100 KB, so 1000 steps keep 100 MB.
        progress: show a progress bar (text, on stdout).

    If the run stops on an exception or an interrupt, the environment is closed,
    videos of finished episodes stay complete, the half-written one is removed,
    and what was collected is attached to the exception as ``partial_result``.
    If only the environment's ``close()`` fails, the error says so, and the whole
    result is on it as ``partial_result``.

    >>> from helpers import RandomAgent
    >>> result = run_job("CartPole-v1", RandomAgent(), steps=20, seed=1, record_video=False)
    >>> result.history[0]["step"], result.episodes[0]["outcome"]
    (0, 'unfinished')
    """
    parameters = dict(locals())  # the arguments of this call, kept in the result
    schedule, seed = _check_arguments(env, model, steps, episodes_per_train, record_video, seed)
    if isinstance(env, gym.Env):
        env_name = environment_name(env)
    else:
        env_name, env = env, make_env(env, render_mode="rgb_array" if schedule else None)
    parameters.update(env=env_name, model=repr(model), seed=seed, video_dir=str(video_dir))
    result = JobResult(parameters=parameters)
    bar = _progress_bar(steps, env_name) if progress else None
    camera: Camera | None = None
    try:
        camera = Camera(env, schedule, video_dir, label=_run_label(env_name, seed))
        history = History(result, keep_observations, verbose, bar)
        hooks = TrainingHooks(model, episodes_per_train)
        if seed is not None:
            env.action_space.seed(seed)
            if callable(getattr(model, "seed", None)):
                model.seed(seed)

        observation = hooks.unshared(reset_env(env, env_name, seed=seed))
        camera.start(episode=0)
        for _ in range(steps):
            # 1. ask the agent for an action
            action = ask_for_action(model, observation, env.action_space, env_name)
            # 2. step the environment
            next_observation, reward, terminated, truncated, info = env.step(action)
            # 3. record the step in the history (and film it)
            record = history.add(action, reward, terminated, truncated, info, next_observation)
            camera.film()
            # 4. hand the transition to train
            hooks.after_step(observation, action, record, next_observation)
            # 5. at the end of an episode: finish it, train_on_history when it is time, reset
            if terminated or truncated:
                history.end_episode("terminated" if terminated else "truncated", camera)
                hooks.after_episode(result.history, finished=history.episode)
                observation = hooks.unshared(reset_env(env, env_name))
                camera.start(history.episode)
            else:
                observation = hooks.unshared(next_observation)

        if history.episode_steps:  # the steps ran out in the middle of an episode
            history.end_episode("unfinished", camera)
    except BaseException as err:
        err = api_error(env_name, err, run_job)  # a clearer error, if step broke the API
        err.partial_result = result  # type: ignore[attr-defined]
        err.add_note(
            f"run_job stopped after {len(result.history)} steps; what it collected is on this "
            f"exception's .partial_result (in Jupyter: sys.last_value.partial_result)."
        )
        _close(camera, bar, env, env_name, result, failed=err)
        raise err  # noqa: B904 - the same exception, or its clearer version
    _close(camera, bar, env, env_name, result)  # no half-written video, the environment closed
    return result


def _close(
    camera: Camera | None,
    bar: tqdm | None,
    env: gym.Env,
    env_name: str,
    result: JobResult,
    failed: BaseException | None = None,
) -> None:
    """Stop filming, close the progress bar and the environment, whatever happens.

    If the environment's ``close()`` fails after the run itself `failed`, the run's
    error stays the one raised, with a note; after a run that went well, a clear
    error says so and carries the whole result as ``partial_result``.
    """
    try:
        if camera is not None:
            camera.close()
    finally:
        if bar is not None:
            bar.close()
        try:
            env.close()
        except Exception as err:
            if failed is not None:
                failed.add_note(f"Closing {env_name} failed too: {type(err).__name__}: {err}")
            else:
                error = RuntimeError(
                    f"The job ran to its end, but the close() of {env_name} raised "
                    f"{type(err).__name__}: {err}. Nothing is lost: the result is on this "
                    f"exception's .partial_result (in Jupyter: sys.last_value.partial_result). "
                    f"Fix the environment's close() method."
                )
                error.partial_result = result  # type: ignore[attr-defined]
                raise error from err
