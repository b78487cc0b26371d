"""The series' agent interface (`Agent`, `Transition`), `RandomAgent` and `exploration_off`.

An agent is any object with the three methods that `run_job` calls:

- ``decision_function(observation, action_space)``: the action to take, before every step.
- ``train(transition)``: each step, a `Transition`; learn from it (Q-learning) or do nothing.
- ``train_on_history(history)``: the records of every ``episodes_per_train`` finished
  episodes; learn from whole episodes (the cross-entropy method) or do nothing.

Optional: ``seed(seed)`` gets the job's seed; ``explore``, a bool, is True while the agent
explores (tries random actions to learn about them), and `evaluate` sets it to False.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypedDict, runtime_checkable

import gymnasium as gym

__all__ = ["Agent", "Transition", "RandomAgent", "exploration_off"]


class Transition(TypedDict):
    """One step, as `Agent.train` receives it."""

    observation: Any
    action: Any
    reward: float
    next_observation: Any
    terminated: bool
    truncated: bool
    info: dict[str, Any]


@runtime_checkable
class Agent(Protocol):
    """The interface of the series' agents: see this module's docstring."""

    def decision_function(self, observation: Any, action_space: gym.Space) -> Any: ...

    def train(self, transition: Transition) -> None: ...

    def train_on_history(self, history: list[dict[str, Any]]) -> None: ...


class RandomAgent:
    """An agent that presses random buttons and never learns.

    It samples the action space it is given, so seeding that space (which
    `run_job(..., seed=...)` does) makes its choices repeatable.

    >>> space = gym.spaces.Discrete(6, seed=42)
    >>> agent = RandomAgent()
    >>> [int(agent.decision_function(None, space)) for _ in range(5)]
    [0, 4, 3, 2, 2]
    """

    def decision_function(self, observation: Any, action_space: gym.Space) -> Any:
        return action_space.sample()

    def train(self, transition: Transition) -> None:
        """A random agent learns nothing from a step."""

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        """A random agent learns nothing from whole episodes either."""

    def __repr__(self) -> str:
        return "RandomAgent()"


@contextmanager
def exploration_off(model: Any) -> Iterator[Any]:
    """Inside this block ``model.explore`` is False (restored after, also on an error).

    >>> class Curious(RandomAgent):
    ...     explore = True
    >>> agent = Curious()
    >>> with exploration_off(agent):
    ...     print(agent.explore)
    False
    >>> agent.explore
    True
    """
    if not hasattr(model, "explore"):
        yield model
        return
    before = model.explore
    model.explore = False
    try:
        yield model
    finally:
        model.explore = before
