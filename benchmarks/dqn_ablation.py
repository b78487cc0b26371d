"""What goes wrong without replay or a target network? The data of notebook 09, precomputed.

    python benchmarks/dqn_ablation.py                      # 4 variants x 3 seeds x 30,000 steps
    python benchmarks/dqn_ablation.py --processes 2 --json notebooks/data/dqn_ablation.json

Four variants of `DQNAgent`, each trained with training seeds 0, 1 and 2 on CartPole-v1:

- "replay + target": the defaults, except that each plays its latest network
  (``keep_best=None``), as all four variants do;
- "no target network": the target network is the network itself, copied after every
  step (``target_update_every=1``);
- "no replay": learns from each step once, as it comes (``buffer_size=1,
  batch_size=1``), as the Q-table of notebook 06 did;
- "neither": both at once.

For each run: the return of every training episode (with the step at which it
ended), the mean of 30 evaluation episodes with exploration off (seeds 10,000 to
10,029), and the network's Q-value of the best action at those 30 starting states.
A policy that keeps the pole up for all 500 steps earns, discounted with gamma
0.99, 1 + 0.99 + ... + 0.99^499 = 99.3: a Q-value far above 100 has lost touch
with any return the game can give.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy: one thread is fastest here

import argparse
import json
import time
from multiprocessing import Pool

import gymnasium as gym
import numpy as np

from helpers import DQNAgent, evaluate, run_job

VARIANTS = {
    "replay + target": {},
    "no target network": {"target_update_every": 1},
    "no replay": {"buffer_size": 1, "batch_size": 1},
    "neither": {"target_update_every": 1, "buffer_size": 1, "batch_size": 1},
}
LATEST = {"keep_best": None}  # every variant plays its latest network: no network is kept
SEEDS, EVALUATION_SEED, EPISODES = (0, 1, 2), 10_000, 30


def run(job: tuple[str, int, int]) -> dict:
    variant, seed, steps = job
    start = time.perf_counter()
    agent = DQNAgent(**LATEST, **VARIANTS[variant])
    result = run_job("CartPole-v1", agent, steps, seed=seed, record_video=False)
    returns = evaluate("CartPole-v1", agent, EPISODES, seed=EVALUATION_SEED)
    env = gym.make("CartPole-v1")
    starts = [env.reset(seed=EVALUATION_SEED + i)[0] for i in range(EPISODES)]
    q_start = float(np.mean([agent.q_values(s).max() for s in starts]))
    ends = np.cumsum([e["steps"] for e in result.episodes])[: len(result.returns)].tolist()
    return {
        "variant": variant,
        "seed": seed,
        "steps": steps,
        "seconds": round(time.perf_counter() - start, 1),
        "episode_ends": ends,
        "episode_returns": result.returns,
        "evaluation_mean": float(np.mean(returns)),
        "q_at_start": round(q_start, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30_000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    jobs = [(variant, seed, args.steps) for variant in VARIANTS for seed in SEEDS]
    with Pool(args.processes) as pool:
        rows = pool.map(run, jobs)
    for row in rows:
        print(
            f"{row['variant']:18} seed {row['seed']}: "
            f"evaluation mean {row['evaluation_mean']:5.1f}, "
            f"Q at start {row['q_at_start']:8.1f} ({row['seconds']:.0f} s)"
        )
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"settings": repr(DQNAgent()), "runs": rows}, file, separators=(",", ":"))


if __name__ == "__main__":
    main()
