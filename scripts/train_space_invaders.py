"""Train the Space Invaders robot that ships with the series, and test it on held-out seeds.

    python scripts/train_space_invaders.py --seed 0

What it does, top to bottom:
1. `helpers.robot_training.train_robot`: the cross-entropy method on the game's 128 RAM
   bytes, each candidate scored on the same 4 seeded episodes, in 2 processes, with a
   progress bar; each generation's centre and best candidate are checked on 8 seeds
   training never plays; the 5 best checked play 16 new seeds, and the best there wins.
2. The chosen policy plays the 30 test seeds 0-29 (never used in training or in picking
   it), as do a random agent and always-FIRE.
3. Writes, into ``--out`` (by default ``helpers/trained``, where `load_trained_agent`
   finds it): ``space_invaders.npz`` (the policy), ``space_invaders.json`` (the command,
   seed, settings, versions, learning curve, timing and test scores) and
   ``space_invaders.png`` (the learning curve).

The settings at the top are those of the shipped robot. Same seed, same result.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import ale_py
import gymnasium as gym
import numpy as np

from helpers import RandomAgent, evaluate, make_env
from helpers.robot_training import train_robot

ENV_ID = "ALE/SpaceInvaders-v5"
GENERATIONS = 30
POPULATION = 24
ELITE = 6
EPISODES_PER_CANDIDATE = 4
CHECK_EPISODES = 8
FINALISTS = 5
RECHECK_EPISODES = 16
TEST_EPISODES = 30  # seeds 0-29: never played in training
STEM = "space_invaders"


class AlwaysFire:
    """The simple rule of notebook 12: press FIRE (action 1) every step."""

    def decision_function(self, observation: object, action_space: gym.Space) -> int:
        return 1

    def train(self, transition: dict) -> None:
        pass

    def train_on_history(self, history: list) -> None:
        pass


def plot_learning_curve(log: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    generations = [entry["generation"] for entry in log]
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.plot(generations, [e["training_mean"] for e in log], label="all candidates (training)")
    axes.plot(generations, [e["training_best"] for e in log], label="best candidate (training)")
    axes.plot(generations, [e["best_check"] for e in log], label="best candidate (check seeds)")
    axes.plot(generations, [e["check_score"] for e in log], label="centre (check seeds)")
    axes.axhline(285, color="grey", linestyle="--", label="always FIRE")
    axes.set_xlabel("generation")
    axes.set_ylabel("score per episode")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=80)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    parser.add_argument("--generations", type=int, default=GENERATIONS)
    parser.add_argument("--processes", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--out", default="helpers/trained", help="output folder")
    args = parser.parse_args()

    def report(entry: dict) -> None:
        print(
            f"generation {entry['generation']:2d}: candidates {entry['training_mean']:6.1f}, "
            f"best {entry['training_best']:6.1f} (check {entry['best_check']:6.1f}), "
            f"centre on check seeds {entry['check_score']:6.1f}",
            file=sys.stderr,
        )

    run = train_robot(
        ENV_ID,
        generations=args.generations,
        population=POPULATION,
        elite=ELITE,
        episodes_per_candidate=EPISODES_PER_CANDIDATE,
        check_episodes=CHECK_EPISODES,
        finalists=FINALISTS,
        recheck_episodes=RECHECK_EPISODES,
        seed=args.seed,
        processes=args.processes,
        progress=True,
        report=report,
    )
    print(
        f"{run.steps} steps in {run.wall_seconds:.0f} s wall, {run.cpu_seconds:.0f} s CPU "
        f"({run.steps / run.cpu_seconds:.0f} steps per CPU second)"
    )
    for finalist in run.finalists:
        print(finalist)

    env = make_env(ENV_ID, **run.policy.env_kwargs)
    test = {
        "seeds": f"0-{TEST_EPISODES - 1}",
        "robot": evaluate(env, run.policy, TEST_EPISODES, seed=0),
        "always_fire": evaluate(env, AlwaysFire(), TEST_EPISODES, seed=0),
        "random": evaluate(env, RandomAgent(), TEST_EPISODES, seed=0),
    }
    env.close()
    difference = np.array(test["robot"]) - np.array(test["always_fire"])
    standard_error = difference.std(ddof=1) / np.sqrt(len(difference))
    for name in ("robot", "always_fire", "random"):
        values = np.array(test[name])
        print(f"{name:12s} mean {values.mean():6.1f} ± {values.std(ddof=1) / np.sqrt(30):5.1f}")
    print(f"robot - always_fire: {difference.mean():.1f} ± {standard_error:.1f} (paired)")

    command = "python scripts/train_space_invaders.py"
    command += f" --seed {args.seed}"
    if args.generations != GENERATIONS:
        command += f" --generations {args.generations}"
    path = run.save(
        args.out,
        STEM,
        command=command,
        versions={
            "python": platform.python_version(),
            "numpy": np.__version__,
            "gymnasium": gym.__version__,
            "ale_py": ale_py.__version__,
        },
        processes=args.processes,
        test=test,
    )
    plot_learning_curve(run.log, Path(args.out) / f"{STEM}.png")
    print(f"saved {path} and its .npz and .png")


if __name__ == "__main__":
    main()
