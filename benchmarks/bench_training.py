"""How much faster does the robot train on 2 processes than on 1? Prints a ratio.

    python benchmarks/bench_training.py            # 2 generations of 16 candidates (~2 minutes)
    python benchmarks/bench_training.py --quick    # 1 generation of 8 candidates (~30 seconds)

Both sides run the same small training (same seed, so the very same episodes) with
`helpers.robot_training.train_robot`, once with ``processes=1`` and once with
``processes=2``, and report environment steps per second of wall-clock time, and per
CPU second. Goal: close to 2x on a machine with 2 free cores (a busy machine shows
less). The two runs must also agree on every score: the number of processes changes
the speed, never the result.
"""

from __future__ import annotations

import argparse

from helpers.robot_training import train_robot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller measurement")
    args = parser.parse_args()
    settings = dict(
        generations=1 if args.quick else 2,
        population=8 if args.quick else 16,
        elite=3,
        episodes_per_candidate=2 if args.quick else 4,
        check_episodes=2,
        finalists=2,
        recheck_episodes=2,
        seed=0,
    )
    runs = {}
    for processes in (1, 2):
        run = train_robot(processes=processes, **settings)
        runs[processes] = run
        print(
            f"{processes} process{'es' if processes > 1 else '  '}: {run.steps} steps, "
            f"{run.steps / run.wall_seconds:6.0f} steps/s wall, "
            f"{run.steps / run.cpu_seconds:6.0f} steps per CPU second"
        )
    if runs[1].log != runs[2].log:
        raise SystemExit("The two runs differ: the number of processes changed the result.")
    ratio = (runs[2].steps / runs[2].wall_seconds) / (runs[1].steps / runs[1].wall_seconds)
    print(f"2 processes vs 1: {ratio:.2f}x the steps per second (same scores: yes)")


if __name__ == "__main__":
    main()
