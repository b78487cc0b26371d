"""The agent-environment loop of the series: `run_job`, and `JobResult`, what it returns.

Around the loop, `helpers.support.job` checks the arguments, wraps the environment
(`prepare`) and closes it whatever happens (`finishing`).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
from gymnasium.utils.save_video import capped_cubic_video_schedule

from helpers.support.job import describe_job, finishing, prepare


@dataclass
class JobResult:
    """What `run_job` collected.

    ``history``: one dict per step: ``episode``, ``step``, ``action``, ``reward``,
    ``terminated``, ``truncated``, ``info`` (and, with ``keep_observations=True``,
    ``observation``). ``episodes``: one dict per episode: ``episode``, ``steps``,
    ``return`` (the sum of its rewards), ``outcome`` (``"terminated"``: the game ended;
    ``"truncated"``: a time limit; ``"unfinished"``: the job's steps ran out) and
    ``video`` (a path or None). ``parameters``: the arguments of the call.

    >>> from helpers import RandomAgent
    >>> result = run_job("CartPole-v1", RandomAgent(), steps=100, seed=42, record_video=False)
    >>> [(e["steps"], e["outcome"]) for e in result.episodes[-2:]]
    [(22, 'terminated'), (8, 'unfinished')]
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
        return self.videos[0].parent if self.videos else None

    def __repr__(self) -> str:
        return describe_job(self)


def end_episode(result: JobResult, outcome: str, env: gym.Env, verbose: bool) -> None:
    """Add the episode that just ended to ``result.episodes``, with its video."""
    number = len(result.episodes)
    records = []  # this episode's records: the last ones of the history
    for record in reversed(result.history):
        if record["episode"] != number:
            break
        records.append(record)
    episode = {
        "episode": number,
        "steps": len(records),
        "return": sum(r["reward"] for r in records),
        "outcome": outcome,
        "video": None,
    }
    result.episodes.append(episode)
    if verbose:
        print(
            f"Episode {number} {outcome} after {len(records)} steps, return {episode['return']:g}"
        )
    episode["video"] = env.finish_video()  # last: kept even if its video fails


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
    """Let `model` act in `env` for `steps` steps; return what happened (a `JobResult`).

    `env`: an id or a ``gymnasium.Env`` (closed when done). `model`: an agent (see
    `helpers.agents`). ``model.train`` gets every step; ``model.train_on_history`` the
    records of every `episodes_per_train` finished episodes (0: never). `seed` seeds
    the first reset, the action space and ``model.seed``: same seed, same run.
    `record_video`: True, False, or a function of the episode number (by default
    Gymnasium's schedule: 0, 1, 8, 27, ...); each run's videos go to a new folder in
    `video_dir`. `keep_observations`: keep them in the history (a Space Invaders
    screen is 100 KB). `verbose`: a line per episode; `progress`: a progress bar.
    On an error or Ctrl-C the environment is closed, finished videos stay whole,
    and what was collected is on the exception as ``partial_result``.
    """
    result = JobResult(parameters=dict(locals()))
    env, model = prepare(env, model, result, record_video)  # checked, seeded, filmed
    with finishing(env, result):  # close env and videos, even on an error or Ctrl-C
        trained_until = 0  # the history before this step went to train_on_history
        observation, info = env.reset(seed=result.parameters["seed"])
        for step in range(steps):
            action = model.decision_function(observation, env.action_space)
            next_observation, reward, terminated, truncated, info = env.step(action)
            record = {
                "episode": len(result.episodes),
                "step": step,
                "action": action,
                "reward": reward,
                "terminated": terminated,
                "truncated": truncated,
                "info": info,
            }
            if keep_observations:
                record["observation"] = copy.deepcopy(next_observation)
            result.history.append(record)
            model.train(
                {
                    "observation": observation,
                    "action": action,
                    "reward": reward,
                    "next_observation": next_observation,
                    "terminated": terminated,
                    "truncated": truncated,
                    "info": info,
                }
            )
            if terminated or truncated:
                end_episode(result, "terminated" if terminated else "truncated", env, verbose)
                if episodes_per_train and len(result.episodes) % episodes_per_train == 0:
                    model.train_on_history(result.history[trained_until:])
                    trained_until = len(result.history)
                observation, info = env.reset()
            else:
                observation = next_observation
        if not (terminated or truncated):  # the steps ran out in the middle of an episode
            end_episode(result, "unfinished", env, verbose)
    return result
