"""How fast does DQNAgent train? Steps per second against the same loop with a random agent.

    python benchmarks/bench_dqn.py              # 20,000 CartPole steps each (~30 s)
    python benchmarks/bench_dqn.py --steps 5000

Both sides run `run_job("CartPole-v1", agent, steps, seed=0, record_video=False)`:
once with `RandomAgent` (the loop and the environment alone) and once with
`DQNAgent()` with its default settings (a decision from the network at every
step, and a learning step on a batch once ``learning_starts`` steps have
been played). NumPy is asked for one thread (``OPENBLAS_NUM_THREADS=1``, unless set):
for networks this small, threads cost more than they save, and on a busy machine
far more. Best of ``--repeats`` alternating runs, so that a busy moment on a
shared machine weighs less. The ratio says what the network costs: DQN's
training is a few times slower than the bare loop, and the rate per learning step
says where the time goes.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy: one thread is fastest here

import argparse
import time

from helpers import DQNAgent, RandomAgent, run_job


def steps_per_second(make_agent: type, steps: int) -> float:
    start = time.perf_counter()
    run_job("CartPole-v1", make_agent(), steps, seed=0, record_video=False)
    return steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000, help="steps per run")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each, best kept")
    args = parser.parse_args()
    best = {"random": 0.0, "dqn": 0.0}
    for _ in range(args.repeats):
        best["random"] = max(best["random"], steps_per_second(RandomAgent, args.steps))
        best["dqn"] = max(best["dqn"], steps_per_second(DQNAgent, args.steps))
    settings = DQNAgent().settings
    learning = args.steps - settings["learning_starts"] + 1
    print(f"CartPole-v1, {args.steps} steps, best of {args.repeats}:")
    print(f"  RandomAgent: {best['random']:8.0f} steps/s")
    print(
        f"  DQNAgent():  {best['dqn']:8.0f} steps/s "
        f"({learning} learning steps of a batch of {settings['batch_size']})"
    )
    print(
        f"  DQN / random: {best['dqn'] / best['random']:.3f}x the steps per second "
        f"({best['random'] / best['dqn']:.0f}x slower)"
    )
    seconds = 100_000 / best["dqn"]
    print(f"  so a 100,000-step DQN run takes about {seconds:.0f} s here")


if __name__ == "__main__":
    main()
