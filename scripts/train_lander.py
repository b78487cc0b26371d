"""Train the lunar lander shipped in helpers/trained/: DQN with a small network.

Run from the repository root (one command)::

    python scripts/train_lander.py

Measured for seed 0, twice, with the same weights both times: 607 s of wall time and
265 s of CPU time on a 2-core machine that other work kept busy (load average 8.0 at the
start, 4.5 at the end); 31 minutes of wall time and 286 s of CPU time when the load
was 8 to 13. The network code runs in one thread.

It writes ``helpers/trained/LunarLander-v3.npz`` (the network's weights and the
agent's settings, through ``DQNAgent.save``) and ``helpers/trained/LunarLander-v3.json``
(the command, the seed, the versions, the time it took, and the scores).

How: a `DQNAgent` plays ``STEPS`` steps of LunarLander-v3 and learns after every
step. Every ``CHECK_EVERY`` steps, the network as it stands plays the
``VALIDATION_SEEDS`` episodes with its exploration off; the best of these
checkpoints is kept (DQN's policy rises and falls during training). The kept
agent is then measured on ``TEST_SEEDS``, which neither training nor the choice
of checkpoint ever saw, beside Gymnasium's hand-written heuristic on the same
episodes.

How an episode ended is read from the environment's state (`outcome`): the lander
*landed on the pad* when the episode terminated with the lander at rest (Box2D put
its body to sleep: ``not lander.awake``), its body never touched the ground (not
``game_over``, a crash), and its centre between the flags (``|x| < 0.2``). The
legs' ``ground_contact`` flags are not used: a leg resting on two pieces of ground
loses its flag when it leaves one of them, and landers standing still on both legs
can show one flag or none.
"""

from __future__ import annotations

import os

# One thread for NumPy's matrix products: the matrices are small, and extra threads
# only fight over the cores (on a shared 2-core machine they made training 10x slower).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
from pathlib import Path  # noqa: E402

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
from gymnasium.envs.box2d.lunar_lander import heuristic  # noqa: E402

from helpers.agents import exploration_off  # noqa: E402
from helpers.dqn import DQNAgent  # noqa: E402

# ---- The settings (everything the result depends on) -------------------------------------
ENV_ID = "LunarLander-v3"
SEED = 0  # seeds the first reset, the network's first weights, the batches, the exploration
STEPS = 200_000  # environment steps of training
SETTINGS = {  # DQNAgent's settings (close to Stable-Baselines3 zoo's for this task)
    "hidden": (128, 128),
    "learning_rate": 6.3e-4,
    "learning_rate_end": 6.3e-4,  # the same step size all along
    "double": False,  # the plain DQN target, max_a' Q_target(s', a')
    "max_grad_norm": None,  # no gradient clipping
    "gamma": 0.99,
    "buffer_size": 50_000,
    "batch_size": 128,
    "learning_starts": 0,
    "train_every": 1,
    "target_update_every": 250,
    "epsilon_start": 1.0,
    "epsilon_end": 0.1,
    "exploration_steps": 20_000,  # the first 10% of the steps
    "keep_best": None,  # plays with the latest network: the checkpoints below choose
}
CHECK_EVERY = 10_000  # steps between two checkpoints
VALIDATION_SEEDS = list(range(5000, 5020))  # choose the checkpoint
TEST_SEEDS = list(range(1000, 1030))  # report the scores; never seen before
OUTCOMES = ["landed on pad", "landed off pad", "crashed", "flew off", "still flying"]
FOLDER = Path(__file__).resolve().parent.parent / "helpers" / "trained"
COMMAND = "python scripts/train_lander.py"


def outcome(env: gym.Env, observation: np.ndarray, terminated: bool, truncated: bool) -> str:
    """How a LunarLander episode ended, read from the environment's state at its end."""
    lander = env.unwrapped
    if truncated:
        return "still flying"  # the time limit, 1000 steps
    if not terminated:
        raise ValueError("outcome() reads a finished episode: terminated or truncated.")
    if lander.game_over:
        return "crashed"  # the lander's body touched the ground
    if abs(observation[0]) >= 1:
        return "flew off"
    if not lander.lander.awake and abs(observation[0]) < 0.2:
        return "landed on pad"  # at rest, centre between the flags (x = -0.2 and 0.2)
    return "landed off pad"


def fly(agent, seeds: list[int]) -> tuple[list[float], list[str]]:
    """Returns and outcomes of one episode per seed (reset(seed=s)), exploration off."""
    env = gym.make(ENV_ID)
    returns, outcomes = [], []
    with exploration_off(agent):
        for seed in seeds:
            observation, _ = env.reset(seed=seed)
            total, terminated, truncated = 0.0, False, False
            while not (terminated or truncated):
                action = agent.decision_function(observation, env.action_space)
                observation, reward, terminated, truncated, _ = env.step(action)
                total += float(reward)
            returns.append(total)
            outcomes.append(outcome(env, observation, terminated, truncated))
    env.close()
    return returns, outcomes


class HeuristicPilot:
    """Gymnasium's hand-written controller, `heuristic`, as an agent of the series."""

    discrete = types.SimpleNamespace(continuous=False)  # heuristic() only asks this
    discrete.unwrapped = discrete

    def decision_function(self, observation, action_space) -> int:  # noqa: ANN001
        return int(heuristic(self.discrete, observation))


def train(steps: int, seed: int, out: Path) -> dict:
    """Train, keep the best checkpoint in ``out`` (.npz), and return what happened."""
    wall, cpu = time.perf_counter(), time.process_time()
    agent = DQNAgent(**SETTINGS)
    agent.seed(seed)
    env = gym.make(ENV_ID)
    env.action_space.seed(seed)
    observation, _ = env.reset(seed=seed)
    best, checks, episode_returns, total = -np.inf, [], [], 0.0
    for step in range(1, steps + 1):
        action = agent.decision_function(observation, env.action_space)
        next_observation, reward, terminated, truncated, info = env.step(action)
        agent.train(
            {
                "observation": observation,
                "action": action,
                "reward": reward,
                "next_observation": next_observation,
                "terminated": terminated,
                "truncated": truncated,
                "info": info,
            }
        )
        observation, total = next_observation, total + float(reward)
        if terminated or truncated:
            episode_returns.append(total)
            observation, total = env.reset()[0], 0.0
        if step % CHECK_EVERY == 0:
            returns, outcomes = fly(agent, VALIDATION_SEEDS)
            score = float(np.mean(returns))
            checks.append({"step": step, "validation_mean": round(score, 2)})
            checks[-1]["validation_on_pad"] = outcomes.count("landed on pad")
            print(checks[-1], f"{time.perf_counter() - wall:.0f} s", flush=True)
            if score > best:
                best = score
                agent.save(out)
    env.close()
    kept = max(checks, key=lambda check: check["validation_mean"])
    return {
        "wall_seconds": round(time.perf_counter() - wall, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "training_episodes": len(episode_returns),
        "checkpoints": checks,
        "kept_checkpoint": kept["step"],
    }


def scores(returns: list[float], outcomes: list[str]) -> dict:
    """Mean, standard error (ddof=1) and the count of each outcome."""
    returns_array = np.asarray(returns)
    return {
        "mean": round(float(returns_array.mean()), 2),
        "standard_error": round(float(returns_array.std(ddof=1) / np.sqrt(len(returns))), 2),
        "returns": [round(r, 2) for r in returns],
        "outcomes": {name: outcomes.count(name) for name in OUTCOMES},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--out", type=Path, default=FOLDER, help="folder for the two files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    weights = args.out / f"{ENV_ID}.npz"
    load = os.getloadavg()[0]
    training = train(args.steps, args.seed, weights)
    agent = DQNAgent.load(weights)
    test = {"network": scores(*fly(agent, TEST_SEEDS))}
    test["heuristic"] = scores(*fly(HeuristicPilot(), TEST_SEEDS))
    command = COMMAND + (f" --seed {args.seed}" if args.seed != SEED else "")
    command += f" --steps {args.steps}" if args.steps != STEPS else ""
    record = {
        "env_id": ENV_ID,
        "command": command,
        "agent": "helpers.dqn.DQNAgent",
        "seed": args.seed,
        "steps": args.steps,
        "settings": {**SETTINGS, "hidden": list(SETTINGS["hidden"])},
        "check_every": CHECK_EVERY,
        "validation_seeds": VALIDATION_SEEDS,
        "test_seeds": TEST_SEEDS,
        "landed_on_pad": "terminated, at rest (not lander.awake), not game_over, |x| < 0.2",
        **training,
        "load_average_at_start": round(load, 2),
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "gymnasium": gym.__version__,
        },
        "test": test,
    }
    (args.out / f"{ENV_ID}.json").write_text(json.dumps(record, indent=1) + "\n")
    for name, result in test.items():
        print(f"{name:10} mean {result['mean']:7.2f} +- {result['standard_error']:.2f}", end=" ")
        print(result["outcomes"])
    print(f"wall {training['wall_seconds']} s, cpu {training['cpu_seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
