"""The runs notebook 10 loads: REINFORCE with and without a baseline, and the cross-entropy method.

    python benchmarks/policy_gradient_runs.py     # about 11 minutes on 2 cores (18 of training)

Each method trains on CartPole-v1 for 200,000 steps with training seeds 0 to 9:
``ReinforceAgent()``, ``ReinforceAgent(baseline=False)`` and ``CrossEntropyAgent()``
(their defaults), each with ``run_job(..., seed=s, record_video=False)``. For every
run it keeps the learning curve (the mean return of the training episodes that
ended in each window of 5,000 steps, exploration included), the returns of the
trained agent over 30 evaluation episodes with exploration off (seeds 1000-1029),
and its training time. They are written, small, to
notebooks/data/policy_gradient_runs.json, which the notebook loads: these 30 runs
take too long for a notebook, which trains one run itself.
"""

from __future__ import annotations

import json
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from helpers import CrossEntropyAgent, ReinforceAgent, evaluate, run_job

STEPS, WINDOW, SEEDS = 200_000, 5_000, range(10)
METHODS = {
    "REINFORCE with a baseline": lambda: ReinforceAgent(),
    "REINFORCE without a baseline": lambda: ReinforceAgent(baseline=False),
    "cross-entropy method": lambda: CrossEntropyAgent(),
}
OUTPUT = Path(__file__).resolve().parent.parent / "notebooks" / "data" / "policy_gradient_runs.json"


def one_run(job: tuple[str, int]) -> dict:
    method, seed = job
    agent = METHODS[method]()
    start = time.perf_counter()
    result = run_job("CartPole-v1", agent, STEPS, seed=seed, record_video=False)
    seconds = time.perf_counter() - start
    ends = np.cumsum([episode["steps"] for episode in result.episodes])
    returns = np.array([episode["return"] for episode in result.episodes])
    finished = [episode["outcome"] != "unfinished" for episode in result.episodes]
    window = ends[finished] // WINDOW  # the window in which each finished episode ended
    curve = [
        round(float(returns[finished][window == w].mean()), 1) if (window == w).any() else None
        for w in range(STEPS // WINDOW)
    ]
    evaluation = evaluate("CartPole-v1", agent, episodes=30, seed=1000)
    return {
        "method": method,
        "seed": seed,
        "curve": curve,
        "evaluation": [float(value) for value in evaluation],
        "training_episodes": int(sum(finished)),
        "training_seconds": round(seconds, 1),
    }


def main() -> None:
    jobs = [(method, seed) for method in METHODS for seed in SEEDS]
    with Pool(2) as pool:
        runs = []
        for run in pool.imap(one_run, jobs):
            print(
                f"{run['method']:>30}, seed {run['seed']}: evaluation mean "
                f"{np.mean(run['evaluation']):5.1f}, trained in {run['training_seconds']:.0f} s",
                flush=True,
            )
            runs.append(run)
    data = {
        "made_by": "python benchmarks/policy_gradient_runs.py",
        "steps": STEPS,
        "window": WINDOW,
        "evaluation_seed": 1000,
        "runs": runs,
    }
    OUTPUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
