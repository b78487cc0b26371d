"""The series' agent interface and the random agent.

- `Agent`: the interface every agent of the series follows (a `typing.Protocol`).
- `Transition`: what `Agent.train` receives after every step.
- `RandomAgent`: picks a random action and never learns.
- `exploration_off`: a ``with`` block in which an agent acts on what it learned, without exploring.

An agent is any object with these three methods (`run_job` calls them):

``decision_function(observation, action_space) -> action``
    Called before every step with what the agent can see: the current
    observation and the environment's action space. Returns an action.
``train(transition)``
    Called after every step with a `Transition` (a dict). Learn from one step
    here, as Q-learning does, or do nothing.
``train_on_history(history)``
    Called after every ``episodes_per_train`` finished episodes with the history
    records of the episodes finished since the last call. Learn from whole
    episodes here, as the cross-entropy method does, or do nothing.

An agent may also have ``seed(seed)``: `run_job` calls it with its own seed so
that an agent with randomness of its own repeats itself under the same seed.

An agent that explores (tries random actions now and then to learn about them)
has a boolean attribute ``explore``: True while it learns, False to act on what
it has learned. `evaluate` measures an agent inside `exploration_off`, which sets
``explore`` to False and puts it back afterwards; agents without it are unchanged.
`QLearningAgent` then acts greedily; `CrossEntropyAgent` plays its learned policy
instead of a candidate, and leaves its search as it was.

>>> import gymnasium as gym
>>> space = gym.spaces.Discrete(6, seed=0)
>>> RandomAgent().decision_function(None, space) in range(6)
True
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
    """Inside this block, `model` acts on what it learned: ``model.explore`` is False.

    The attribute is restored when the block ends, also on an error. A model
    without an ``explore`` attribute is left as it is.

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
