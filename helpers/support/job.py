"""What `run_job` does around its loop: `prepare` before it, `finishing` after it."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gymnasium as gym
from gymnasium.utils.save_video import capped_cubic_video_schedule
from tqdm import tqdm

from helpers.support.checks import (
    CheckedAgent,
    LearnerChecks,
    check_run_job_arguments,
    environment_name,
    returns_to_describe,
)
from helpers.support.environments import make_env
from helpers.support.recording import Camera


def _in_notebook() -> bool:
    from IPython import get_ipython

    return hasattr(get_ipython(), "kernel")


class ProgressBar(gym.Wrapper):
    """A progress bar redrawn at every 5% of the steps, never by the clock (the same text
    on every run); in a notebook, one line when the job ends."""

    def __init__(self, env: gym.Env, steps: int, label: str) -> None:
        super().__init__(env)
        self.in_notebook = _in_notebook()
        self.bar = tqdm(
            total=steps,
            desc=label,
            file=io.StringIO() if self.in_notebook else sys.stdout,
            mininterval=0,
            miniters=max(1, steps // 20),
            ascii=False,
            bar_format="{desc}: {percentage:3.0f}%|{bar:25}| {n_fmt}/{total_fmt} steps",
        )

    def step(self, action: Any) -> Any:
        returned = self.env.step(action)
        self.bar.update()
        return returned

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.in_notebook:
                print(self.bar)
            self.bar.close()


def run_label(env_name: str, seed: int | None) -> str:
    """The end of a run's video folder name: ``SpaceInvaders-v5_seed42``."""
    name = env_name.rsplit("/", 1)[-1]
    return name if seed is None else f"{name}_seed{seed}"


def prepare(
    env: Any, model: Any, result: Any, record_video: Any = capped_cubic_video_schedule
) -> tuple[gym.Env, CheckedAgent]:
    """The environment and the model of a job, checked, seeded and wrapped; the
    ``parameters`` of `result` (a `JobResult`) become what the job uses."""
    try:
        return _prepare(env, model, result, record_video)
    except KeyboardInterrupt as err:  # Ctrl-C before the first step: nothing collected yet
        _attach(err, result)
        raise


def _attach(err: BaseException, result: Any) -> None:
    """Put the job's `result` on `err` as ``partial_result``, with a note that says so."""
    setattr(err, "partial_result", result)  # noqa: B010 - an attribute of our own
    err.add_note(
        f"run_job stopped after {len(result.history)} steps; what it collected is on this "
        f"exception's .partial_result (in Jupyter: sys.last_value.partial_result)."
    )


def _prepare(env: Any, model: Any, result: Any, record_video: Any) -> tuple[gym.Env, CheckedAgent]:
    arguments = result.parameters
    steps, seed, video_dir = arguments["steps"], arguments["seed"], arguments["video_dir"]
    schedule, seed = check_run_job_arguments(
        env, model, steps, arguments["episodes_per_train"], record_video, seed
    )
    name = environment_name(env) if isinstance(env, gym.Env) else env
    arguments.update(env=name, model=repr(model), seed=seed, video_dir=str(video_dir))
    if not isinstance(env, gym.Env):
        env = make_env(env, render_mode="rgb_array" if schedule else None)
    try:
        env = LearnerChecks(env, name, check_actions=False)  # CheckedAgent checks them
        if arguments["progress"]:
            env = ProgressBar(env, steps, name)
        env = Camera(env, schedule, video_dir, label=run_label(name, seed))
        if seed is not None:
            env.action_space.seed(seed)
            if callable(getattr(model, "seed", None)):
                model.seed(seed)
    except BaseException:
        env.close()
        raise
    return env, CheckedAgent(model, name)


@contextmanager
def finishing(env: gym.Env, result: Any) -> Iterator[None]:
    """Close `env` however the block ends; an exception carries the job's ``partial_result``."""
    name = result.parameters.get("env")
    try:
        yield
    except BaseException as err:
        _attach(err, result)
        try:
            env.close()
        except Exception as close_err:
            err.add_note(f"Closing {name} failed too: {type(close_err).__name__}: {close_err}")
        raise
    try:
        env.close()
    except Exception as err:
        error = RuntimeError(
            f"The job ran to its end, but the close() of {name} raised "
            f"{type(err).__name__}: {err}. Nothing is lost: the result is on this "
            f"exception's .partial_result (in Jupyter: sys.last_value.partial_result). "
            f"Fix the environment's close() method."
        )
        setattr(error, "partial_result", result)  # noqa: B010 - an attribute of our own
        raise error from err


def describe_job(result: Any) -> str:
    """A `JobResult` in one line: its environment, steps, episodes and videos."""
    return (
        f"JobResult(env={result.parameters.get('env')!r}, steps={len(result.history)}, "
        f"episodes={len(result.episodes)} ({len(result.returns)} finished), "
        f"videos={len(result.videos)})"
    )


def returns_to_summarise(returns: Any) -> Any:
    """`returns` as an array of finite numbers, or a clear error (also for no returns).

    >>> returns_to_summarise([])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: There are no returns to describe: the list is empty. ...
    """
    values = returns_to_describe(returns)
    if values.size == 0:
        raise ValueError(
            "There are no returns to describe: the list is empty. A job's result.returns "
            "lists finished episodes only; run more steps, or use evaluate(...)."
        )
    return values
