"""Train a robot for an Atari game on a laptop: the cross-entropy method on RAM bytes.

- `train_robot`: search for a `RamPolicy` with the cross-entropy method, every
  candidate scored on the same few seeded episodes, on one or more processes.
- `TrainingRun`: its result: the policy that did best on the check seeds, and a log
  with one entry per generation (the learning curve, the selection-bias numbers).
- `ram_statistics`: the centre and spread of each RAM byte in random play.
- `play_episodes`: the returns of several policies on several seeded episodes.
- `training_seeds`, `CHECK_SEEDS`, `RECHECK_SEEDS`: the episode seeds training uses
  (never 0-29, which are kept for testing).

The method is notebook 6's cross-entropy method with three changes that make it work
on Space Invaders:

1. It reads the game's 128 memory bytes (``obs_type="ram"``) instead of the screen,
   each byte centred and scaled by how it varies in random play.
2. Each candidate plays *several* seeded episodes, and all candidates of a generation
   play the *same* seeds (common random numbers): with one episode each, the winner is
   mostly the luckiest, not the best (selection bias).
3. After each generation the new centre of the cloud and the best candidate play a
   fixed set of *check* seeds that training never plays. At the end, the few that did
   best there play more, new check seeds (picking the best of many noisy scores
   flatters the winner: the replay measures it afresh), and the best there is the result.

Every episode depends only on the weights and its seed (sticky actions are the only
randomness in Atari games, and ``reset(seed=...)`` seeds them), so the result is the
same with 1 or 2 processes.

>>> run = train_robot("ALE/SpaceInvaders-v5", generations=1, population=2, elite=2,
...                   episodes_per_candidate=1, check_episodes=1, finalists=1,
...                   recheck_episodes=1, max_steps=50, seed=0)
>>> len(run.log), run.log[0]["generation"]
(1, 1)
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from helpers.support.environments import make_env
from helpers.trained_agents import RamPolicy

__all__ = [
    "train_robot",
    "TrainingRun",
    "ram_statistics",
    "play_episodes",
    "training_seeds",
    "CHECK_SEEDS",
    "RECHECK_SEEDS",
]

CHECK_SEEDS = tuple(range(500_000, 500_008))
"""The seeds on which each generation's centre and best candidate are checked."""

RECHECK_SEEDS = tuple(range(500_100, 500_116))
"""The new seeds on which the best-checked policies play again, to pick the result."""

ENV_KWARGS = {"obs_type": "ram"}


def training_seeds(seed: int, generation: int, episodes: int) -> list[int]:
    """The episode seeds that every candidate of `generation` plays (from 1,000,000 up).

    New seeds every generation, so no candidate can learn one game by heart; the same
    seeds for every candidate of a generation, so they are compared on equal terms.

    >>> training_seeds(seed=0, generation=3, episodes=4)
    [1000012, 1000013, 1000014, 1000015]
    """
    first = 1_000_000 * (seed + 1) + generation * episodes
    return list(range(first, first + episodes))


# ----------------------------------------------------------------------------------------
# Playing episodes, in this process or in a pool of worker processes.
# Each process keeps one environment and reuses it for every episode it plays.

_environments: dict[str, Any] = {}


def _environment(env_id: str) -> Any:
    if env_id not in _environments:
        _environments[env_id] = make_env(env_id, **ENV_KWARGS)
    return _environments[env_id]


def _play(task: tuple[str, np.ndarray, np.ndarray, int, int]) -> tuple[float, int, float]:
    """One episode: (env id, weights on raw bytes, biases, seed, max steps) -> result.

    Returns the episode's return, its number of steps and the CPU seconds it took.
    """
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


class _Players:
    """Plays episodes in `processes` worker processes (or here, for 1)."""

    def __init__(self, processes: int) -> None:
        if not isinstance(processes, int) or processes < 1:
            raise ValueError(f"processes must be a whole number of 1 or more, got {processes!r}.")
        self.processes = processes
        self.pool = None
        if processes > 1:
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            self.pool = multiprocessing.get_context(method).Pool(processes)

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
    """Every policy plays every seed: returns (scores[policy, seed], steps, CPU seconds).

    >>> policy = RamPolicy(np.zeros((6, 129)), np.zeros(128), np.ones(128))
    >>> scores, steps, _ = play_episodes("ALE/SpaceInvaders-v5", [policy], [0, 1], max_steps=30)
    >>> scores.shape, steps
    ((1, 2), 60)
    """
    owned = players is None
    players = _Players(processes) if owned else players
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
    """Centre (mean) and scale (standard deviation + 1) of each RAM byte in random play.

    Adding 1 keeps a byte that almost never changes from becoming a huge feature.

    >>> center, scale = ram_statistics("ALE/SpaceInvaders-v5", seed=0, steps=100)
    >>> center.shape, bool((scale >= 1).all())
    ((128,), True)
    """
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
    """What `train_robot` returns.

    Attributes:
        policy: the policy picked at the end (see `train_robot`).
        settings: the arguments of the run.
        log: one dict per generation (see `train_robot`).
        finalists: the policies that played the recheck seeds: dicts with
            ``generation``, ``kind`` ("centre" or "best candidate"), ``check_score``,
            ``recheck_score`` and ``chosen``.
        steps: environment steps played in all; cpu_seconds: their CPU time (all
            processes); wall_seconds: the time the run took.
    """

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


def train_robot(
    env_id: str = "ALE/SpaceInvaders-v5",
    generations: int = 30,
    population: int = 24,
    elite: int = 6,
    episodes_per_candidate: int = 4,
    check_episodes: int = 8,
    finalists: int = 5,
    recheck_episodes: int = 16,
    initial_spread: float = 1.0,
    extra_noise: float = 0.1,
    max_steps: int = 5000,
    seed: int = 0,
    processes: int = 1,
    progress: bool = False,
    report: Callable[[dict[str, Any]], None] | None = None,
) -> TrainingRun:
    """Learn a `RamPolicy` with the cross-entropy method, fairly scored.

    Each generation: draw `population` candidates around the centre of the cloud (the
    centre itself is the first candidate); each plays the generation's
    `episodes_per_candidate` seeds (`training_seeds`), and its score is its mean
    return; the best `elite` become the new centre (their mean) and spread (their
    standard deviation + `extra_noise`). Then three policies play the check seeds:
    the new centre (the learning curve), the candidate with the best mean score and
    the candidate with the best *first* episode (what one episode per candidate
    would have picked): their check scores against their training scores measure
    selection bias. At the end, the `finalists` centres and best candidates with
    the highest check scores play `recheck_episodes` new seeds (`RECHECK_SEEDS`);
    the one with the best mean there is ``run.policy``.

    Each generation adds to ``run.log`` a dict with: ``generation``, ``steps`` (so
    far), ``training_mean`` (all candidates' mean score), ``training_best`` and
    ``best_check`` (the best candidate by mean score, on its training seeds and on
    the check seeds), ``one_episode_best`` and ``one_episode_check`` (the same for
    the candidate with the best first episode), ``check_score`` (the new centre on
    the check seeds). `report`, if given, is called with each entry as it is made.

    Same `seed`, same run, whatever the number of `processes`. Episodes longer than
    `max_steps` are cut (none reaches it in Space Invaders so far).
    """
    settings = {
        "env_id": env_id,
        "env_kwargs": ENV_KWARGS,
        "generations": generations,
        "population": population,
        "elite": elite,
        "episodes_per_candidate": episodes_per_candidate,
        "check_episodes": check_episodes,
        "finalists": finalists,
        "recheck_episodes": recheck_episodes,
        "initial_spread": initial_spread,
        "extra_noise": extra_noise,
        "max_steps": max_steps,
        "seed": seed,
    }
    if not 2 <= elite <= population:
        raise ValueError(f"elite must be between 2 and population ({population}), got {elite}.")
    if min(generations, episodes_per_candidate, check_episodes, finalists, recheck_episodes) < 1:
        raise ValueError(
            "generations, episodes_per_candidate, check_episodes, finalists and "
            "recheck_episodes must all be 1 or more."
        )
    if check_episodes > len(CHECK_SEEDS) or recheck_episodes > len(RECHECK_SEEDS):
        raise ValueError(
            f"check_episodes can be at most {len(CHECK_SEEDS)}, "
            f"recheck_episodes at most {len(RECHECK_SEEDS)}."
        )
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    rng = np.random.default_rng(seed)
    center, scale = ram_statistics(env_id, seed)
    env = make_env(env_id, **ENV_KWARGS)
    actions = int(env.action_space.n)
    env.close()
    mean = np.zeros((actions, center.size + 1))
    spread = np.full(mean.shape, initial_spread)
    check_seeds = list(CHECK_SEEDS[:check_episodes])

    def policy(weights: np.ndarray) -> RamPolicy:
        return RamPolicy(weights, center, scale, ENV_KWARGS)

    run = TrainingRun(policy(mean), settings)
    contenders: list[tuple[float, int, str, np.ndarray]] = []  # check score, generation, ...
    players = _Players(processes)
    bar = tqdm(
        total=generations, desc="generations", file=sys.stdout, disable=not progress, ncols=100
    )
    try:
        for generation in range(1, generations + 1):
            # 1. Candidates: the centre, and random variations around it.
            candidates = mean + spread * rng.standard_normal((population, *mean.shape))
            candidates[0] = mean
            # 2. Every candidate plays the same seeded episodes; its score is their mean.
            seeds = training_seeds(seed, generation, episodes_per_candidate)
            returns, steps, cpu = play_episodes(
                env_id,
                [policy(w) for w in candidates],
                seeds,
                max_steps=max_steps,
                players=players,
            )
            scores = returns.mean(axis=1)
            # 3. The elite become the next cloud.
            elite_first = np.argsort(scores)[::-1][:elite]
            mean = candidates[elite_first].mean(axis=0)
            spread = candidates[elite_first].std(axis=0) + extra_noise
            # 4. Check on seeds training never plays: the centre, and two winners.
            best, lucky = int(elite_first[0]), int(np.argmax(returns[:, 0]))
            checked, check_steps, check_cpu = play_episodes(
                env_id,
                [policy(mean), policy(candidates[best]), policy(candidates[lucky])],
                check_seeds,
                max_steps=max_steps,
                players=players,
            )
            run.steps += steps + check_steps
            run.cpu_seconds += cpu + check_cpu
            entry = {
                "generation": generation,
                "steps": run.steps,
                "training_mean": round(float(scores.mean()), 1),
                "training_best": round(float(scores[best]), 1),
                "best_check": round(float(checked[1].mean()), 1),
                "one_episode_best": float(returns[lucky, 0]),
                "one_episode_check": round(float(checked[2].mean()), 1),
                "check_score": round(float(checked[0].mean()), 1),
            }
            run.log.append(entry)
            contenders.append((entry["check_score"], generation, "centre", mean))
            contenders.append((entry["best_check"], generation, "best candidate", candidates[best]))
            if report is not None:
                report(entry)
            bar.set_postfix(train=entry["training_best"], check=entry["check_score"])
            bar.update()
        # 5. The best-checked play new seeds; the best there is the result.
        contenders.sort(key=lambda contender: -contender[0])  # stable: earlier first on ties
        chosen = contenders[:finalists]
        rechecked, steps, cpu = play_episodes(
            env_id,
            [policy(c[3]) for c in chosen],
            list(RECHECK_SEEDS[:recheck_episodes]),
            max_steps=max_steps,
            players=players,
        )
        run.steps += steps
        run.cpu_seconds += cpu
        winner = int(np.argmax(rechecked.mean(axis=1)))
        run.policy = policy(chosen[winner][3])
        run.finalists = [
            {
                "generation": generation,
                "kind": kind,
                "check_score": check,
                "recheck_score": round(float(rechecked[i].mean()), 1),
                "chosen": i == winner,
            }
            for i, (check, generation, kind, _) in enumerate(chosen)
        ]
    finally:
        bar.close()
        players.close()
    own = time.process_time() - started_cpu  # this process's CPU time
    # with worker processes, theirs is added to ours; with none, ours already counts the games
    run.cpu_seconds = run.cpu_seconds + own if processes > 1 else own
    run.wall_seconds = time.perf_counter() - started_wall
    return run
