"""Helpers for the reinforcement learning notebook series: what the notebooks teach.

`run_job` (the agent-environment loop), the agents (`RandomAgent`, `QLearningAgent`,
`CrossEntropyAgent`, `DQNAgent`, `ReinforceAgent`, the trained `RamPolicy`), `evaluate`
and `describe_returns` to measure them, and plots of what they learned.
`helpers.support` holds what a learner never needs to read; the names notebooks use
from it are importable from here too (`make_env`, `show_video`, `show_source`, ...).

>>> from helpers import run_job, RandomAgent
>>> run_job("CartPole-v1", RandomAgent(), steps=50, seed=0, record_video=False)
JobResult(env='CartPole-v1', steps=50, episodes=4 (3 finished), videos=0)
"""

from helpers.agents import Agent, RandomAgent, Transition, exploration_off
from helpers.cross_entropy import CrossEntropyAgent, LinearPolicy
from helpers.dqn import DQNAgent
from helpers.evaluation import describe_returns, evaluate
from helpers.loop import JobResult, run_job
from helpers.plots import plot_grid_policy, plot_grid_values, plot_learning_curve
from helpers.q_learning import QLearningAgent
from helpers.reinforce import ReinforceAgent
from helpers.robot_training import train_robot
from helpers.support.diagrams import agent_environment_loop
from helpers.support.environments import has_box2d, make_env, register_atari
from helpers.support.notebook import show_source, show_video
from helpers.support.skipping import require_box2d, skip_remaining_cells, stop_skipping
from helpers.trained_agents import RamPolicy, load_trained_agent, trained_agent_record

# The Atari ids ("ALE/SpaceInvaders-v5") known to gym.make, as soon as helpers is imported.
register_atari()

__all__ = [
    "Agent",
    "CrossEntropyAgent",
    "DQNAgent",
    "JobResult",
    "LinearPolicy",
    "QLearningAgent",
    "RamPolicy",
    "RandomAgent",
    "ReinforceAgent",
    "Transition",
    "agent_environment_loop",
    "describe_returns",
    "evaluate",
    "exploration_off",
    "has_box2d",
    "load_trained_agent",
    "make_env",
    "plot_grid_policy",
    "plot_grid_values",
    "plot_learning_curve",
    "require_box2d",
    "run_job",
    "show_source",
    "show_video",
    "skip_remaining_cells",
    "stop_skipping",
    "train_robot",
    "trained_agent_record",
]
