"""How fast does ReinforceAgent train? Steps per second against the same loop with RandomAgent.

    python benchmarks/bench_reinforce.py            # 20,000 CartPole steps, best of 3
    python benchmarks/bench_reinforce.py --steps 5000 --repeats 1

Both sides run ``run_job("CartPole-v1", agent, steps, seed=0, record_video=False)``:
one with `RandomAgent` (the environment and the loop alone), one with a fresh
`ReinforceAgent` (a forward pass of its network before every step, and a gradient
step after every episode). The repetitions alternate, and the best of each is
kept, so that a busy moment of a shared machine weighs less. The ratio says what
share of the loop's speed is left once the network acts and learns.
"""

from __future__ import annotations

import argparse
import time

from helpers import RandomAgent, ReinforceAgent, run_job


def steps_per_second(make_agent, steps: int) -> float:
    start = time.perf_counter()
    run_job("CartPole-v1", make_agent(), steps, seed=0, record_video=False)
    return steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    best = {"RandomAgent": 0.0, "ReinforceAgent": 0.0}
    for _ in range(args.repeats):
        best["RandomAgent"] = max(best["RandomAgent"], steps_per_second(RandomAgent, args.steps))
        best["ReinforceAgent"] = max(
            best["ReinforceAgent"], steps_per_second(ReinforceAgent, args.steps)
        )
    for name, speed in best.items():
        print(f"{name:>14}: {speed:8.0f} steps/s ({args.steps:,} steps, best of {args.repeats})")
    ratio = best["ReinforceAgent"] / best["RandomAgent"]
    print(f"ReinforceAgent / RandomAgent: {ratio:.2f}x the steps per second")
    print(f"200,000 training steps take about {200_000 / best['ReinforceAgent']:.0f} s")


if __name__ == "__main__":
    main()
