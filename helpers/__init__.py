"""Helpers for the reinforcement learning notebook series.

- `run_job`: the agent-environment loop (history, episodes, training hooks, videos).
- `show_video`: an mp4 shown inline in a notebook.
- `make_env`: `gymnasium.make` with the Atari games registered and clear errors.
- `RandomAgent` (alias `RandomAgentContainer`): the agent that never learns.
- `CrossEntropyAgent`: an agent that learns (the cross-entropy method), `LinearPolicy` its result.
- `QLearningAgent`: an agent that learns from every step (tabular Q-learning).
- `evaluate`, `describe_returns`: measure agents fairly over seeded episodes;
  `exploration_off`: how `evaluate` switches an agent's exploration off.
- `agent_environment_loop`: the picture of the agent-environment loop (matplotlib).
- `plot_grid_values`, `plot_grid_policy`, `plot_learning_curve`: pictures of what an agent learned.
- `require_box2d`, `skip_remaining_cells`, `stop_skipping`: a notebook that needs what is
  not installed (Box2D) explains why and skips its remaining cells.
- `load_trained_agent`, `RamPolicy`: the shipped Space Invaders robot and its kind of policy.
- `train_robot`: how that robot was trained (the cross-entropy method on RAM bytes).

Importing it also registers ale-py's Atari games with Gymnasium.

>>> from helpers import run_job, RandomAgent
>>> run_job("CartPole-v1", RandomAgent(), steps=50, seed=0, record_video=False)
JobResult(env='CartPole-v1', steps=50, episodes=4 (3 finished), videos=0)
"""

from __future__ import annotations

from helpers.agents import Agent, RandomAgent, RandomAgentContainer, Transition, exploration_off
from helpers.cross_entropy import CrossEntropyAgent, LinearPolicy
from helpers.diagrams import agent_environment_loop
from helpers.dqn import DQNAgent
from helpers.environments import (
    UnknownEnvironmentError,
    has_box2d,
    make_env,
    quiet_headless_rendering,
    register_atari,
)
from helpers.evaluation import describe_returns, evaluate
from helpers.loop import InvalidActionError, JobResult, capped_cubic_video_schedule, run_job
from helpers.plots import plot_grid_policy, plot_grid_values, plot_learning_curve
from helpers.q_learning import QLearningAgent, UnsupportedSpaceError
from helpers.reinforce import ReinforceAgent
from helpers.robot_training import train_robot
from helpers.skipping import require_box2d, skip_remaining_cells, stop_skipping
from helpers.trained_agents import (
    NoTrainedAgentError,
    RamPolicy,
    load_trained_agent,
    trained_agent_record,
)
from helpers.video import EpisodeRecorder, VideoEncodingError, VideoTooLargeError, show_video

# Importing helpers makes the Atari ids ("ALE/SpaceInvaders-v5") known to gym.make,
# and keeps pygame quiet where there is no screen.
register_atari()
quiet_headless_rendering()

__all__ = [
    "Agent",
    "CrossEntropyAgent",
    "DQNAgent",
    "EpisodeRecorder",
    "InvalidActionError",
    "JobResult",
    "LinearPolicy",
    "NoTrainedAgentError",
    "QLearningAgent",
    "RamPolicy",
    "RandomAgent",
    "RandomAgentContainer",
    "ReinforceAgent",
    "Transition",
    "UnknownEnvironmentError",
    "UnsupportedSpaceError",
    "VideoEncodingError",
    "VideoTooLargeError",
    "agent_environment_loop",
    "capped_cubic_video_schedule",
    "describe_returns",
    "evaluate",
    "exploration_off",
    "has_box2d",
    "load_trained_agent",
    "make_env",
    "plot_grid_policy",
    "plot_grid_values",
    "plot_learning_curve",
    "quiet_headless_rendering",
    "register_atari",
    "require_box2d",
    "run_job",
    "show_video",
    "skip_remaining_cells",
    "stop_skipping",
    "train_robot",
    "trained_agent_record",
]
