"""Does DQNAgent() with its default settings learn CartPole? The series' goal, checked.

    python benchmarks/check_cartpole_dqn.py                 # training seeds 0 1 2 (~5 min)
    python benchmarks/check_cartpole_dqn.py --seeds 0 1 2 3 4 --processes 2
    python benchmarks/check_cartpole_dqn.py --seeds 100 101 --settings '{"double": true}'

Notebook 09's data (the agents of seeds 3 to 11 are saved too, and not kept):

    python benchmarks/check_cartpole_dqn.py --seeds 0 1 2 3 4 5 6 7 8 9 10 11 --processes 2 \
        --save-agents notebooks/data --json notebooks/data/dqn_cartpole_runs.json

For each training seed s: ``run_job("CartPole-v1", DQNAgent(), 100_000, seed=s)``,
then the agent as it plays when evaluated (its kept network, `DQNAgent.keep_if_best`)
plays 30 evaluation episodes with exploration off,
``evaluate("CartPole-v1", agent, 30, seed=10_000)`` (seeds 10,000 to 10,029,
never met in training). A seed's score is the median of those 30 returns.
Goal: the median of the seeds' scores is at least 400, and no seed scores below
200. The script also says whether the stricter reading holds: every seed's
median at least 400 and not one of the returns below 200. For comparison it
scores the final network too (the network after the last step).

Results with the defaults (medians of 30 evaluation returns, seed by seed):

    training seeds             0    1    2      3    4      5    6    7    8    9      10   11
    kept network (default)     494  500  500    500  371.5  500  500  500  500  488.5  225  500
    final network              500  500  119    81.5 461    96   500  93   51   500    161  171.5

Seeds 0, 1 and 2 were fixed beforehand for the report. The goal is met: a
median of 500, the lowest seed 494 (225 over all twelve seeds, where 7 of the
12 final networks score below 200).

How the settings were chosen. The learning settings were chosen on training
seeds 100, 101 and 102. Their final networks gave 500, 500 and 119 on seeds 0,
1 and 2 (the final network of seed 2 collapses late in training) and 500, 18,
164.5, 248, 500 and 85 on seeds 100 to 105. Remedies tried with ``--settings``
on seeds 100 to 105 (final networks; a dash: not run, the setting was already out):

    double, max_grad_norm 10, learning_rate_end 1e-4       215, 216, -, -, -, -
    the same with double=False                             500, 500, 57, 53, -, -
    double, max_grad_norm 10 (learning rate constant)      130, 500, -, -, -, -
    max_grad_norm 10, learning_rate_end 1e-4, train_every 4  114, 433, 180, 261, 500, 108
    the same with double                                   106, 78, 500, 500, 456, 130
    the same with learning_rate 5e-4 to 5e-5               9, 10, 11, 10, -, -
      (without double: 10, 9, 10, 10, 238, 10; in seed 100 the Q-values ran away to 4,000-5,000)
    double, max_grad_norm 10, learning_rate_end 1e-4,
      target_update_every 1000, epsilon_end 0.05           377, 232, 187, 500, 278, 136
    double, max_grad_norm 10, learning_rate 2e-3 to 1e-4   165, 340, -, -, -, -
    max_grad_norm 10, learning_rate_end 1e-4,
      target_update_every 1000, epsilon_end 0.05           262, 123, -, -, -, -
    Stable-Baselines3 zoo's CartPole settings (256 x 256, learning rate 2.3e-3,
      batch 64, 128 learning steps every 256 steps, target refreshed before each,
      epsilon to 0.04 over 8,000 steps), for 100,000 steps   111, 500, 389, 119, 500, 500
    the target network following after every step (Polyak, 0.5% a step) 15, 86, 34, 18.5, 17, 20
    the same with learning rate 5e-4                       84.5, 500, 500, 500, 500, 69
    the same with learning rate 2.5e-4                     9, 9, 159.5, 9.5, 71.5, 26.5
    the same with learning rate 5e-4 falling to 5e-5       54, 500, 222.5, 216.5, 500, 17.5

(The zoo and Polyak settings were tried with code that is not kept.) With each,
some seed's median is below 200. Keeping the network of the best training
episodes did better on those six seeds (the window of episodes was tried at 5,
10, 20, 50 and 100, on the same evaluation episodes 10,000 to 10,029):
20 episodes gave 500, 500, 500, 200, 500, 500; 10 gave 500, 500, 500, 256, 500,
500; 50 and 100 did worse (as low as 20 and 22), their copies older. Twenty was
kept: no median below 200 (seed 103 at exactly 200). At first a tie kept the
later copy; on seeds 3, 4 and 5 that gave 500,
371.5 and 16: seed 5's training episodes reached a mean of 500 over 20 episodes
more than once, and the last copy with that mean was already collapsing. A tie now
keeps the earlier copy (the scores of seeds 0 to 4 are unchanged; seed 5 became
500), and seeds 6 to 11
were run only after that. Each 100,000-step run took 35 s to 220 s on a shared
2-core machine, two at a time.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy: one thread is fastest here

import argparse
import json
import time
from functools import partial
from multiprocessing import Pool

import numpy as np

from helpers import DQNAgent, evaluate, run_job

STEPS, EPISODES, EVALUATION_SEED = 100_000, 30, 10_000


def train_and_evaluate(
    seed: int, save_folder: str | None = None, settings: dict | None = None
) -> dict:
    start = time.perf_counter()
    agent = DQNAgent(**(settings or {}))
    result = run_job("CartPole-v1", agent, STEPS, seed=seed, record_video=False)
    seconds = time.perf_counter() - start
    returns = evaluate("CartPole-v1", agent, EPISODES, seed=EVALUATION_SEED)  # as it plays
    kept, agent.best = agent.best, None  # the final network, for comparison
    final = evaluate("CartPole-v1", agent, EPISODES, seed=EVALUATION_SEED)
    agent.best = kept
    if save_folder:
        agent.save(f"{save_folder}/dqn_cartpole_seed{seed}.npz")
    return {
        "seed": seed,
        "seconds": round(seconds, 1),
        "episodes": len(result.episodes),
        "kept_mean": agent.best_mean,  # the training episodes' mean that kept it
        "final_returns": final,
        "median": float(np.median(returns)),
        "min": float(min(returns)),
        "mean": float(np.mean(returns)),
        "se": float(np.std(returns, ddof=1) / np.sqrt(len(returns))),
        "returns": returns,
        "episode_ends": np.cumsum([e["steps"] for e in result.episodes])[
            : len(result.returns)
        ].tolist(),
        "episode_returns": result.returns,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--processes", type=int, default=1, help="runs side by side")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--save-agents", help="save each trained agent in this folder (.npz)")
    parser.add_argument("--settings", type=json.loads, default={}, help="JSON: DQNAgent(**it)")
    args = parser.parse_args()
    print(f"{DQNAgent(**args.settings)}, {args.settings or 'the defaults'}")
    print(f"{STEPS} steps per training seed, {EPISODES} evaluation episodes")
    job = partial(train_and_evaluate, save_folder=args.save_agents, settings=args.settings)
    with Pool(args.processes) as pool:
        rows = pool.map(job, args.seeds, chunksize=1)
    for row in rows:
        print(
            f"seed {row['seed']}: median {row['median']:5.1f}, min {row['min']:5.1f}, "
            f"mean {row['mean']:5.1f} +- {row['se']:4.1f} (SE), trained in {row['seconds']:.0f} s "
            f"(the final network: median {np.median(row['final_returns']):5.1f})"
        )
    scores = [row["median"] for row in rows]
    met = np.median(scores) >= 400 and min(scores) >= 200
    print(f"median of the seeds' medians: {np.median(scores):.1f}, lowest seed: {min(scores):.1f}")
    print("goal (median >= 400, no seed below 200):", "met" if met else "NOT met")
    strict = min(scores) >= 400 and min(row["min"] for row in rows) >= 200
    print("stricter (every seed >= 400, no return below 200):", "met" if strict else "not met")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(
                {"settings": DQNAgent(**args.settings).settings, "runs": rows},
                file,
                separators=(",", ":"),
            )


if __name__ == "__main__":
    main()
