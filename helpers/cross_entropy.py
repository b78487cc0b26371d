"""A learning agent small enough to read in one screen: the cross-entropy method.

- `LinearPolicy`: picks the action with the highest score ``weights @ [observation, 1]``.
- `CrossEntropyAgent`: learns a `LinearPolicy` by trial, selection and imitation.
- `linear_action`: the action a set of weights picks (shared by the two above).

The cross-entropy method treats learning as search. It keeps a Gaussian "cloud" of
candidate weights; each candidate plays one episode; the best fifth (the *elite*)
become the centre and the spread of the next cloud. No gradients, no neural
network: it works on small problems with few numbers to find, such as CartPole
(2 actions x 5 weights).

With `run_job`, every episode is played by the next candidate (``train`` sees where
an episode ends); ``train_on_history`` scores the candidates with the returns of
their episodes and, once a whole generation has played, moves the cloud. It needs
``episodes_per_train`` of 1 or more: with 0 it never learns.

>>> from helpers import run_job
>>> agent = CrossEntropyAgent(population=10)
>>> result = run_job("CartPole-v1", agent, steps=3000, seed=0, record_video=False)
>>> agent.generation > 0
True
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

__all__ = ["LinearPolicy", "CrossEntropyAgent", "linear_action"]


def linear_action(weights: np.ndarray, observation: Any) -> int:
    """The action with the highest score ``weights @ [observation, 1]``.

    >>> linear_action(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([-2.0]))
    1
    """
    features = np.append(np.asarray(observation, dtype=float).ravel(), 1.0)
    return int(np.argmax(weights @ features))


class LinearPolicy:
    """A fixed policy for discrete actions: ``argmax(weights @ [observation, 1])``.

    It never learns (``train`` and ``train_on_history`` do nothing): use it to
    evaluate or film what a `CrossEntropyAgent` has learned.

    >>> policy = LinearPolicy(np.array([[0.0, 0.0, 0.0, -1.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0]]))
    >>> policy.decision_function(np.array([0.0, 0.0, 0.0, 0.5]), gym.spaces.Discrete(2))
    1
    """

    def __init__(self, weights: np.ndarray) -> None:
        self.weights = np.asarray(weights, dtype=float)

    def decision_function(self, observation: Any, action_space: gym.Space) -> int:
        return linear_action(self.weights, observation)

    def train(self, transition: dict[str, Any]) -> None:
        """A fixed policy learns nothing."""

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        """A fixed policy learns nothing."""

    def __repr__(self) -> str:
        return f"LinearPolicy({self.weights.shape[0]} actions x {self.weights.shape[1]} weights)"


def _check_can_learn(observation: Any, action_space: gym.Space) -> None:
    """A clear error for an environment a linear policy over discrete actions cannot play."""
    if not isinstance(action_space, gym.spaces.Discrete):
        raise TypeError(
            f"CrossEntropyAgent picks one of a few discrete actions, but this environment's "
            f"action space is {action_space}. Use an environment with discrete actions, "
            f"such as CartPole-v1 or LunarLander-v3 (not LunarLander-v3 with continuous=True)."
        )
    array = np.asarray(observation) if not isinstance(observation, (dict, tuple)) else None
    if array is None or array.dtype.kind not in "biuf":
        raise TypeError(
            f"CrossEntropyAgent weighs an observation made of numbers (an array), but this "
            f"environment gives {type(observation).__name__} observations. Flatten them first, "
            f"e.g. with gymnasium.wrappers.FlattenObservation."
        )


class CrossEntropyAgent:
    """Learn a `LinearPolicy` with the cross-entropy method (discrete actions).

    Args:
        population: candidates per generation (each plays one episode).
        elite_fraction: the share of best candidates the next generation imitates.
        initial_spread: the standard deviation of the first cloud of weights.
        extra_noise: added to the spread each generation, so the search does not
            stop too early on a lucky candidate.
    """

    def __init__(
        self,
        population: int = 20,
        elite_fraction: float = 0.2,
        initial_spread: float = 1.0,
        extra_noise: float = 0.05,
    ) -> None:
        self.population, self.elite_fraction = population, elite_fraction
        self.initial_spread, self.extra_noise = initial_spread, extra_noise
        self.rng = np.random.default_rng()
        self.mean: np.ndarray | None = None  # the centre of the cloud: the policy learned so far
        self.spread: np.ndarray | None = None
        self.candidates: list[np.ndarray] = []  # this generation's weights, in playing order
        self.scores: list[float] = []  # the returns of those that have played
        self._playing = 0  # the candidate playing the current episode
        self.generation = 0
        self.generation_means: list[float] = []  # the mean return of each finished generation

    def seed(self, seed: int) -> None:
        """Make the search repeatable (`run_job` calls this with its seed)."""
        self.rng = np.random.default_rng(seed)

    def decision_function(self, observation: Any, action_space: gym.Space) -> int:
        if self.mean is None:  # the first call tells the sizes: actions x (observation + 1)
            _check_can_learn(observation, action_space)
            shape = (int(action_space.n), np.asarray(observation).size + 1)
            self.mean, self.spread = np.zeros(shape), np.full(shape, self.initial_spread)
        while self._playing >= len(self.candidates):  # a new candidate from the cloud
            self.candidates.append(
                self.mean + self.spread * self.rng.standard_normal(self.mean.shape)
            )
        return int(action_space.start) + linear_action(self.candidates[self._playing], observation)

    def train(self, transition: dict[str, Any]) -> None:
        """After the last step of an episode, the next candidate takes over."""
        if transition["terminated"] or transition["truncated"]:
            self._playing += 1

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        """Score the candidates that just played; once all have, move the cloud to the elite."""
        returns: dict[int, float] = {}
        for record in history:  # the episodes in the order they were played
            returns[record["episode"]] = returns.get(record["episode"], 0.0) + record["reward"]
        self.scores.extend(returns.values())
        if len(self.scores) < self.population:
            return
        elite_count = max(2, int(self.elite_fraction * len(self.scores)))
        best_first = np.argsort(self.scores)[::-1][:elite_count]
        elite = np.array([self.candidates[i] for i in best_first])
        self.mean = elite.mean(axis=0)
        self.spread = elite.std(axis=0) + self.extra_noise
        self.generation_means.append(float(np.mean(self.scores)))
        self.generation += 1
        self.candidates, self.scores, self._playing = [], [], 0

    def policy(self) -> LinearPolicy:
        """The policy learned so far (the centre of the cloud), to evaluate or film."""
        if self.mean is None:
            raise RuntimeError("The agent has not played yet: train it with run_job first.")
        return LinearPolicy(self.mean.copy())

    def __repr__(self) -> str:
        return f"CrossEntropyAgent(population={self.population}, generation={self.generation})"
