"""The shipped Space Invaders robot, and the training that made it.

The robot's test scores are computed here again and compared with those stored
next to its parameters (which notebook 9 shows); the training is checked on a
tiny budget: same seed, same result, with 1 process or 2.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from helpers import (
    RamPolicy,
    evaluate,
    load_trained_agent,
    make_env,
    run_job,
    train_robot,
    trained_agent_record,
)
from helpers.support import robot_workers
from helpers.support.robot_workers import CHECK_SEEDS, RECHECK_SEEDS, play_episodes, training_seeds
from helpers.support.shipped import NoTrainedAgentError

ENV_ID = "ALE/SpaceInvaders-v5"
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "train_space_invaders.py"


def test_load_trained_agent_gives_an_agent_of_the_series():
    agent = load_trained_agent(ENV_ID)
    assert callable(agent.decision_function)
    assert callable(agent.train) and callable(agent.train_on_history)
    assert agent.env_kwargs == {"obs_type": "ram"}
    assert agent.weights.shape == (6, 129)


def test_load_trained_agent_explains_an_id_without_a_robot():
    with pytest.raises(NoTrainedAgentError, match="No trained agent ships for 'CartPole-v1'"):
        load_trained_agent("CartPole-v1")
    with pytest.raises(NoTrainedAgentError, match="ALE/SpaceInvaders-v5"):
        trained_agent_record("ALE/Pong-v5")


@pytest.mark.parametrize("env_id", [["ALE/SpaceInvaders-v5"], None, 5])
def test_load_trained_agent_wants_an_id_as_text(env_id):
    with pytest.raises(TypeError, match="env_id must be an environment id"):
        load_trained_agent(env_id)


def test_the_robot_scores_on_the_test_seeds_what_was_stored_with_it():
    record = trained_agent_record(ENV_ID)
    agent = load_trained_agent(ENV_ID)
    env = make_env(ENV_ID, **agent.env_kwargs)
    # the first two and the last two of the 30 test seeds (notebook 13 replays three more)
    assert evaluate(env, agent, episodes=2, seed=0) == record["test"]["robot"][:2]
    assert evaluate(env, agent, episodes=2, seed=28) == record["test"]["robot"][28:]
    env.close()


def test_the_stored_result_meets_the_goal_on_seeds_never_used_in_training():
    record = trained_agent_record(ENV_ID)
    robot, fire = np.array(record["test"]["robot"]), np.array(record["test"]["always_fire"])
    assert len(robot) == len(fire) == 30
    assert set(fire) == {285.0}  # always-FIRE scores the same on every seed
    difference = robot - fire
    standard_error = difference.std(ddof=1) / np.sqrt(len(difference))
    assert robot.mean() >= 400
    assert difference.mean() > 2 * standard_error
    # seeds 0-29 are neither training seeds nor check seeds
    settings = record["settings"]
    played = {
        s
        for generation in range(1, settings["generations"] + 1)
        for s in training_seeds(settings["seed"], generation, settings["episodes_per_candidate"])
    }
    assert not played & set(range(30))
    assert not (set(CHECK_SEEDS) | set(RECHECK_SEEDS)) & set(range(30))


def test_the_record_names_the_command_and_the_settings_of_the_script():
    record = trained_agent_record(ENV_ID)
    assert (
        record["command"]
        == f"python scripts/train_space_invaders.py --seed {record['settings']['seed']}"
    )
    constants = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(SCRIPT.read_text()).body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    names = ["generations", "population", "elite", "episodes_per_candidate", "check_episodes"]
    for name in names + ["finalists", "recheck_episodes"]:
        assert record["settings"][name] == constants[name.upper()], name
    assert record["versions"]["gymnasium"] and record["versions"]["ale_py"]
    # the finalists are the best-checked centres and candidates; the chosen one rechecked best
    checked = sorted(
        [e["check_score"] for e in record["log"]] + [e["best_check"] for e in record["log"]]
    )[::-1]
    finalists = record["finalists"]
    assert [f["check_score"] for f in finalists] == checked[: len(finalists)]
    (chosen,) = [f for f in finalists if f["chosen"]]
    assert chosen["recheck_score"] == max(f["recheck_score"] for f in finalists)


@pytest.mark.parametrize("training_seed", [None, 1])
def test_each_training_seed_beats_always_fire_on_the_test_seeds(training_seed):
    record = trained_agent_record(ENV_ID, training_seed=training_seed)
    shipped = trained_agent_record(ENV_ID)
    assert {k: v for k, v in record["settings"].items() if k != "seed"} == {
        k: v for k, v in shipped["settings"].items() if k != "seed"
    }
    assert record["command"].endswith(f"--seed {record['settings']['seed']}")
    difference = np.array(record["test"]["robot"]) - np.array(record["test"]["always_fire"])
    assert len(difference) == 30
    assert difference.mean() > 2 * difference.std(ddof=1) / np.sqrt(30)


def test_a_training_seed_without_a_record_is_explained():
    with pytest.raises(NoTrainedAgentError, match="--seed 7"):
        trained_agent_record(ENV_ID, training_seed=7)


def test_the_robot_plays_through_run_job():
    agent = load_trained_agent(ENV_ID)
    result = run_job(make_env(ENV_ID, **agent.env_kwargs), agent, steps=200, seed=0,
                     record_video=False)  # fmt: skip
    assert len(result.history) == 200


def test_a_screen_observation_gets_a_clear_error():
    agent = load_trained_agent(ENV_ID)
    env = make_env(ENV_ID)
    observation, _ = env.reset(seed=0)
    with pytest.raises(ValueError, match="obs_type"):
        agent.decision_function(observation, env.action_space)
    env.close()


def test_the_fast_training_player_agrees_with_the_policy():
    rng = np.random.default_rng(0)
    policy = RamPolicy(rng.standard_normal((6, 129)), rng.uniform(0, 255, 128),
                       rng.uniform(1, 50, 128))  # fmt: skip
    env = make_env(ENV_ID, obs_type="ram")
    slow = evaluate(env, policy, episodes=2, seed=7, max_steps=300)
    env.close()
    fast, steps, _ = play_episodes(ENV_ID, [policy], [7, 8], max_steps=300)
    assert list(fast[0]) == slow and steps == 600


# Each game starts with a seeded reset, which reloads the game (about 0.1 s): few games, then.
TINY = dict(generations=2, population=4, elite=2, episodes_per_candidate=1,
            check_episodes=1, finalists=2, recheck_episodes=2, max_steps=150)  # fmt: skip


@pytest.fixture
def short_ram_statistics(monkeypatch):
    """The RAM's mean and spread from 300 random steps instead of 3000, still seeded."""
    original = robot_workers.ram_statistics
    monkeypatch.setattr(
        robot_workers, "ram_statistics", lambda env_id, seed: original(env_id, seed, steps=300)
    )


def test_training_repeats_itself_with_the_same_seed_on_1_or_2_processes(short_ram_statistics):
    one = train_robot(ENV_ID, seed=3, processes=1, **TINY)
    two = train_robot(ENV_ID, seed=3, processes=2, **TINY)
    assert one.log == two.log
    assert np.array_equal(one.policy.weights, two.policy.weights)
    other = train_robot(ENV_ID, seed=4, processes=1, **TINY)
    assert not np.array_equal(one.policy.weights, other.policy.weights)


def test_training_logs_each_generation_and_keeps_the_best_rechecked_finalist(
    tmp_path, short_ram_statistics
):
    reports = []
    run = train_robot(ENV_ID, seed=0, report=reports.append, **TINY)
    assert reports == run.log and [e["generation"] for e in run.log] == [1, 2]
    # the last generation's count, plus 2 finalists x 2 recheck games of 150 steps
    assert run.steps == run.log[-1]["steps"] + 2 * 2 * 150 and run.cpu_seconds > 0
    # the kept policy is the finalist that did best on the recheck seeds
    assert len(run.finalists) == 2 and sum(f["chosen"] for f in run.finalists) == 1
    scores, _, _ = play_episodes(ENV_ID, [run.policy], RECHECK_SEEDS[:2], max_steps=150)
    assert scores.mean() == max(f["recheck_score"] for f in run.finalists)
    path = run.save(tmp_path, "robot", command="test")
    saved = np.load(tmp_path / "robot.npz")
    assert np.array_equal(saved["weights"], run.policy.weights)
    assert '"command": "test"' in path.read_text()


def test_training_settings_are_checked(short_ram_statistics):
    with pytest.raises(ValueError, match="elite"):
        train_robot(ENV_ID, population=4, elite=5)
    with pytest.raises(ValueError, match="processes"):
        train_robot(ENV_ID, processes=0, **TINY)
