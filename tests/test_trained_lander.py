"""The shipped lunar lander: it loads, its record is complete, and it flies as recorded."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import gymnasium as gym
import pytest

from helpers import has_box2d, load_trained_agent, trained_agent_record
from helpers.dqn import DQNAgent

ENV_ID = "LunarLander-v3"
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "train_lander.py"

needs_box2d = pytest.mark.skipif(not has_box2d(), reason="LunarLander needs Box2D")


def training_script():
    """scripts/train_lander.py as a module (its outcome() and fly() measure the lander)."""
    spec = importlib.util.spec_from_file_location("train_lander", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_loads_as_a_greedy_dqn_agent():
    agent = load_trained_agent(ENV_ID)
    assert isinstance(agent, DQNAgent)
    assert agent.explore is False  # ready to play what it learned
    assert agent.network.sizes[0] == 8 and agent.network.sizes[-1] == 4


def test_record_says_how_it_was_made_and_meets_the_goal():
    record = trained_agent_record(ENV_ID)
    assert record["command"].startswith("python scripts/train_lander.py")
    assert record["agent"] == "helpers.dqn.DQNAgent"
    assert set(record["versions"]) == {"python", "numpy", "gymnasium"}
    assert record["wall_seconds"] > 0 and record["cpu_seconds"] > 0
    assert record["cpu_seconds"] <= 15 * 60 * 2  # at most 15 minutes of 2 cores
    assert not set(record["test_seeds"]) & set(record["validation_seeds"])
    assert len(record["test_seeds"]) == 30
    network, heuristic = record["test"]["network"], record["test"]["heuristic"]
    assert len(network["returns"]) == 30
    assert network["mean"] >= 200  # Gymnasium's "solved"
    assert network["outcomes"]["landed on pad"] >= heuristic["outcomes"]["landed on pad"]


@needs_box2d
def test_it_flies_as_recorded_on_the_first_test_seeds():
    script = training_script()
    record = trained_agent_record(ENV_ID)
    seeds = record["test_seeds"][:3]
    returns, outcomes = script.fly(load_trained_agent(ENV_ID), seeds)
    assert returns == pytest.approx(record["test"]["network"]["returns"][:3], abs=0.01)
    assert all(outcome in script.OUTCOMES for outcome in outcomes)


@needs_box2d
def test_outcome_reads_the_end_of_an_episode():
    script = training_script()
    returns, outcomes = script.fly(script.HeuristicPilot(), [1000, 1001])
    assert outcomes == ["landed on pad", "crashed"]  # the heuristic's body hits the ground in 1001
    env = gym.make(ENV_ID)
    observation, _ = env.reset(seed=0)
    with pytest.raises(ValueError, match="finished episode"):
        script.outcome(env, observation, terminated=False, truncated=False)
    env.close()
