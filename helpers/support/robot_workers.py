"""The robot training's plumbing: its seeds (never 0-29, kept for testing), its worker
processes, its bookkeeping. An episode depends only on the weights and its seed, so the
result is the same with 1 or 2 processes.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from helpers.support.environments import make_env
from helpers.trained_agents import RamPolicy

CHECK_SEEDS = tuple(range(500_000, 500_008))
"""The seeds on which each generation's centre and best candidate are checked."""

RECHECK_SEEDS = tuple(range(500_100, 500_116))
"""The new seeds on which the best-checked policies play again, to pick the result."""

ENV_KWARGS = {"obs_type": "ram"}


def training_seeds(seed: int, generation: int, episodes: int) -> list[int]:
    """The seeds every candidate of `generation` plays: new each generation, shared by all.

    >>> training_seeds(seed=0, generation=3, episodes=4)
    [1000012, 1000013, 1000014, 1000015]
    """
    first = 1_000_000 * (seed + 1) + generation * episodes
    return list(range(first, first + episodes))


@functools.cache
def _environment(env_id: str) -> Any:
    return make_env(env_id, **ENV_KWARGS)


def _play(task: tuple[str, np.ndarray, np.ndarray, int, int]) -> tuple[float, int, float]:
    """One episode (env id, raw weights, biases, seed, max steps): return, steps, CPU s."""
    env_id, matrix, bias, seed, max_steps = task
    started = time.process_time()
    env = _environment(env_id)
    ram, _ = env.reset(seed=seed)
    total, steps, done = 0.0, 0, False
    while not done and steps < max_steps:
        action = int(np.argmax(matrix @ ram + bias))
        ram, reward, terminated, truncated, _ = env.step(action)
        total += float(reward)
        steps += 1
        done = terminated or truncated
    return total, steps, time.process_time() - started


def _raw(weights: np.ndarray, center: np.ndarray, scale: np.ndarray) -> tuple[Any, Any]:
    """The same policy on raw bytes: ``w @ (ram - c) / s + b == (w / s) @ ram + b'``."""
    matrix = weights[:, :-1] / scale
    return matrix, weights[:, -1] - matrix @ center


class Players:
    """Plays episodes in `processes` worker processes (or here, for 1)."""

    def __init__(self, processes: int) -> None:
        if not isinstance(processes, int) or processes < 1:
            raise ValueError(f"processes must be a whole number of 1 or more, got {processes!r}.")
        self.processes = processes
        self.pool = None
        if processes > 1:
            # spawn: each worker is a fresh Python, which shares nothing with this one
            self.pool = multiprocessing.get_context("spawn").Pool(processes)

    def map(self, tasks: list[Any]) -> list[tuple[float, int, float]]:
        if self.pool is None:
            return [_play(task) for task in tasks]
        return self.pool.map(_play, tasks, chunksize=max(1, len(tasks) // (4 * self.processes)))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def play_episodes(
    env_id: str,
    policies: Sequence[RamPolicy],
    seeds: Sequence[int],
    *,
    processes: int = 1,
    max_steps: int = 27_000,
    players: Any = None,
) -> tuple[np.ndarray, int, float]:
    """Every policy plays every seed: returns (scores[policy, seed], steps, CPU seconds)."""
    owned = players is None
    players = Players(processes) if owned else players
    try:
        tasks = []
        for policy in policies:
            matrix, bias = _raw(policy.weights, policy.center, policy.scale)
            tasks += [(env_id, matrix, bias, int(seed), max_steps) for seed in seeds]
        results = players.map(tasks)
    finally:
        if owned:
            players.close()
    scores = np.array([r[0] for r in results]).reshape(len(policies), len(seeds))
    return scores, sum(r[1] for r in results), sum(r[2] for r in results)


def ram_statistics(env_id: str, seed: int, steps: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation + 1 (no huge feature) of each RAM byte in random play."""
    env = make_env(env_id, **ENV_KWARGS)
    env.action_space.seed(seed)
    rams, episode = [], 0
    ram, _ = env.reset(seed=900_000 + seed)
    for _ in range(steps):
        rams.append(ram)
        ram, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            episode += 1
            ram, _ = env.reset(seed=900_000 + seed + 1000 * episode)
    env.close()
    data = np.array(rams, dtype=float)
    return data.mean(axis=0), data.std(axis=0) + 1.0


@dataclass
class TrainingRun:
    """What `train_robot` returns; ``finalists``: the policies that played the recheck seeds."""

    policy: RamPolicy
    settings: dict[str, Any]
    log: list[dict[str, Any]] = field(default_factory=list)
    finalists: list[dict[str, Any]] = field(default_factory=list)
    steps: int = 0
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0

    def save(self, directory: str | os.PathLike[str], stem: str, **record: Any) -> Path:
        """Write ``stem.npz`` (the policy) and ``stem.json`` (settings, log, timing, `record`)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.policy.save(directory / f"{stem}.npz")
        summary = {
            **record,
            "settings": self.settings,
            "finalists": self.finalists,
            "steps": self.steps,
            "cpu_seconds": round(self.cpu_seconds, 1),
            "wall_seconds": round(self.wall_seconds, 1),
            "log": self.log,
        }
        path = directory / f"{stem}.json"
        path.write_text(json.dumps(summary, indent=1) + "\n")
        return path


SETTINGS = (
    "env_id", "generations", "population", "elite", "episodes_per_candidate",
    "check_episodes", "finalists", "recheck_episodes", "initial_spread", "extra_noise",
    "max_steps", "seed",
)  # fmt: skip
"""The settings of a training run that its record keeps (with ``env_kwargs``)."""


def check_training_settings(arguments: dict[str, Any]) -> None:
    """Raise a clear error for settings that `train_robot` cannot work with."""
    population, elite = arguments["population"], arguments["elite"]
    if not 2 <= elite <= population:
        raise ValueError(f"elite must be between 2 and population ({population}), got {elite}.")
    counts = ("generations", "episodes_per_candidate", "check_episodes", "finalists")
    if min(arguments[name] for name in (*counts, "recheck_episodes")) < 1:
        raise ValueError(
            "generations, episodes_per_candidate, check_episodes, finalists and "
            "recheck_episodes must all be 1 or more."
        )
    if arguments["check_episodes"] > len(CHECK_SEEDS) or arguments["recheck_episodes"] > len(
        RECHECK_SEEDS
    ):
        raise ValueError(
            f"check_episodes can be at most {len(CHECK_SEEDS)}, "
            f"recheck_episodes at most {len(RECHECK_SEEDS)}."
        )


class Search:
    """The state of one run of `train_robot`; a ``with`` block stops its workers."""

    def __init__(self, arguments: dict[str, Any]) -> None:
        check_training_settings(arguments)
        self.started_wall, self.started_cpu = time.perf_counter(), time.process_time()
        self.settings = {"env_id": arguments["env_id"], "env_kwargs": ENV_KWARGS}
        self.settings.update({name: arguments[name] for name in SETTINGS})
        self.processes, self.report = arguments["processes"], arguments["report"]
        self.rng = np.random.default_rng(arguments["seed"])
        self.center, self.scale = ram_statistics(arguments["env_id"], arguments["seed"])
        env = make_env(arguments["env_id"], **ENV_KWARGS)
        actions = int(env.action_space.n)
        env.close()
        self.mean = np.zeros((actions, self.center.size + 1))
        self.spread = np.full(self.mean.shape, arguments["initial_spread"])
        self.check_seeds = list(CHECK_SEEDS[: arguments["check_episodes"]])
        self.recheck_seeds = list(RECHECK_SEEDS[: arguments["recheck_episodes"]])
        self.contenders: list[tuple[float, int, str, np.ndarray]] = []
        self.run = TrainingRun(self.policy(self.mean), self.settings)
        self.players = Players(self.processes)
        self.bar = tqdm(
            total=arguments["generations"],
            desc="generations",
            file=sys.stdout,
            disable=not arguments["progress"],
            ncols=100,
        )

    def policy(self, weights: np.ndarray) -> RamPolicy:
        """The policy of `weights`, on this game's RAM bytes centred and scaled."""
        return RamPolicy(weights, self.center, self.scale, ENV_KWARGS)

    def play(self, weights: Sequence[np.ndarray] | np.ndarray, seeds: list[int]) -> np.ndarray:
        """Every policy plays every seed: their returns, ``scores[policy, seed]``."""
        scores, steps, cpu = play_episodes(
            self.settings["env_id"],
            [self.policy(w) for w in weights],
            seeds,
            max_steps=self.settings["max_steps"],
            players=self.players,
        )
        self.run.steps += steps
        self.run.cpu_seconds += cpu
        return scores

    def log(self, entry: dict[str, Any]) -> None:
        """Keep a generation's entry in the run's log, report it, move the bar."""
        self.run.log.append(entry)
        if self.report is not None:
            self.report(entry)
        self.bar.set_postfix(train=entry["training_best"], check=entry["check_score"])
        self.bar.update()

    def finish(self) -> TrainingRun:
        """The run, with its CPU and wall-clock time."""
        own = time.process_time() - self.started_cpu  # this process's CPU time
        # with worker processes, theirs is added to ours; with none, ours counts the games
        self.run.cpu_seconds = self.run.cpu_seconds + own if self.processes > 1 else own
        self.run.wall_seconds = time.perf_counter() - self.started_wall
        return self.run

    def __enter__(self) -> Search:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.bar.close()
        finally:
            self.players.close()
