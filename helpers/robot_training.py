"""Train a robot for an Atari game on a laptop: the cross-entropy method on RAM bytes.

`train_robot` runs the search, one generation (`one_generation`) after another, and
`pick_the_robot` makes the final choice. Notebook 7's method, with three changes: it
reads the game's 128 memory bytes (centred and scaled); all candidates of a generation
play the *same* several seeded episodes (one each would crown the luckiest); and the
winners are checked on seeds training never plays. The seeds, the worker processes
and the bookkeeping are in `helpers.support.robot_workers`.

>>> run = train_robot("ALE/SpaceInvaders-v5", generations=1, population=2, elite=2,
...                   episodes_per_candidate=1, check_episodes=1, finalists=1,
...                   recheck_episodes=1, max_steps=50, seed=0)
>>> len(run.log), run.log[0]["generation"]
(1, 1)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.support.robot_workers import Search, TrainingRun, training_seeds


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

    Each generation scores `population` candidates on the same `episodes_per_candidate`
    seeds, moves the cloud to the best `elite`, and checks the centre and the winners on
    `check_episodes` seeds training never plays; `pick_the_robot` replays the best
    `finalists` on `recheck_episodes` new seeds. ``run.log`` has one entry per generation
    (each also given to `report`). Same `seed`, same run, on 1 or more `processes`.
    """
    search = Search(dict(locals()))  # checks, RAM statistics, the first cloud, the workers
    with search:  # the worker processes stop however training ends
        for generation in range(1, generations + 1):
            search.log(one_generation(search, generation))
        pick_the_robot(search)
    return search.finish()


def one_generation(search: Search, generation: int) -> dict[str, Any]:
    """One generation: candidates, their scores, the new cloud, and a fair check."""
    settings = search.settings
    # region: one generation
    # 1. Candidates: the centre, and random variations around it.
    shape = (settings["population"], *search.mean.shape)
    candidates = search.mean + search.spread * search.rng.standard_normal(shape)
    candidates[0] = search.mean
    # 2. Every candidate plays the same seeded episodes; its score is their mean.
    seeds = training_seeds(settings["seed"], generation, settings["episodes_per_candidate"])
    returns = search.play(candidates, seeds)
    scores = returns.mean(axis=1)
    # 3. The elite become the next cloud.
    elite_first = np.argsort(scores)[::-1][: settings["elite"]]
    search.mean = candidates[elite_first].mean(axis=0)
    search.spread = candidates[elite_first].std(axis=0) + settings["extra_noise"]
    # endregion
    # 4. Check on seeds training never plays: the centre, and two winners.
    best, lucky = int(elite_first[0]), int(np.argmax(returns[:, 0]))
    checked = search.play([search.mean, candidates[best], candidates[lucky]], search.check_seeds)
    entry = {
        "generation": generation,
        "steps": search.run.steps,
        "training_mean": round(float(scores.mean()), 1),
        "training_best": round(float(scores[best]), 1),
        "best_check": round(float(checked[1].mean()), 1),
        "one_episode_best": float(returns[lucky, 0]),
        "one_episode_check": round(float(checked[2].mean()), 1),
        "check_score": round(float(checked[0].mean()), 1),
    }
    search.contenders.append((entry["check_score"], generation, "centre", search.mean))
    search.contenders.append((entry["best_check"], generation, "best candidate", candidates[best]))
    return entry


def pick_the_robot(search: Search) -> None:
    """5. The best-checked play new seeds (the best of noisy scores flatters the winner)."""
    contenders = sorted(search.contenders, key=lambda c: -c[0])  # stable: earlier first
    chosen = contenders[: search.settings["finalists"]]
    rechecked = search.play([weights for *_, weights in chosen], search.recheck_seeds)
    winner = int(np.argmax(rechecked.mean(axis=1)))
    search.run.policy = search.policy(chosen[winner][3])
    search.run.finalists = [
        {
            "generation": generation,
            "kind": kind,
            "check_score": check,
            "recheck_score": round(float(rechecked[i].mean()), 1),
            "chosen": i == winner,
        }
        for i, (check, generation, kind, _) in enumerate(chosen)
    ]
