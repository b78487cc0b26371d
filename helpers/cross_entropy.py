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

Like every agent of the series that explores, it has an ``explore`` attribute
(see `helpers.agents.exploration_off`). While it is True, candidates play and
learn. `evaluate` sets it to False: the agent then plays the centre of the
cloud, the policy it has learned (what ``policy()`` returns), and those episodes
never count towards a generation, so evaluating never changes training.

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

from helpers.support.agent_checks import (
    AGENT_ADVICE,
    POLICY_ADVICE,
    check_can_learn,
    check_cross_entropy_settings,
    play_linear,
    policy_weights,
)

__all__ = ["LinearPolicy", "CrossEntropyAgent", "linear_action"]


def linear_action(weights: np.ndarray, observation: Any) -> int:
    """The action with the highest score ``weights @ [observation, 1]``, counted from 0.

    >>> linear_action(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([-2.0]))
    1
    """
    features = np.append(np.asarray(observation, dtype=float).ravel(), 1.0)
    return int(np.argmax(weights @ features))


class LinearPolicy:
    """A fixed policy for discrete actions: ``argmax(weights @ [observation, 1])``.

    `weights` has one row per action and one column per number of the
    observation, plus one (the constant). The action is counted from the action
    space's ``start``, as the `CrossEntropyAgent` that learned the weights counts it.
    It never learns (``train`` and ``train_on_history`` do nothing): use it to
    evaluate or film what a `CrossEntropyAgent` has learned.

    >>> policy = LinearPolicy(np.array([[0.0, 0.0, 0.0, -1.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0]]))
    >>> policy.decision_function(np.array([0.0, 0.0, 0.0, 0.5]), gym.spaces.Discrete(2))
    1
    """

    def __init__(self, weights: np.ndarray) -> None:
        self.weights = policy_weights(weights)

    def decision_function(self, observation: Any, action_space: gym.Space) -> int:
        return play_linear(self.weights, observation, action_space, POLICY_ADVICE)

    def train(self, transition: dict[str, Any]) -> None:
        """A fixed policy learns nothing."""

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        """A fixed policy learns nothing."""

    def __repr__(self) -> str:
        return f"LinearPolicy({self.weights.shape[0]} actions x {self.weights.shape[1]} weights)"


class CrossEntropyAgent:
    """Learn a `LinearPolicy` with the cross-entropy method (discrete actions).

    Args:
        population: candidates per generation (each plays one episode), 2 or more.
        elite_fraction: the share of best candidates the next generation imitates
            (above 0, at most 1; at least 2 candidates are kept).
        initial_spread: the standard deviation of the first cloud of weights (> 0).
        extra_noise: added to the spread each generation, so the search does not
            stop too early on a lucky candidate (>= 0).

    ``explore`` is True while it learns. With ``explore`` False (inside `evaluate`)
    it plays ``policy()``, the centre of the cloud, and its search is left as it
    was: ``train``, ``train_on_history`` and ``seed`` do nothing.

    >>> agent = CrossEntropyAgent(population=4)
    >>> agent.seed(0)
    >>> space = gym.spaces.Discrete(3, start=-1)  # actions -1, 0 and 1
    >>> agent.decision_function(np.array([2.0, 0.0]), space)  # the first candidate
    1
    >>> agent.explore = False  # the centre of the cloud: all zeros so far, so the first action
    >>> agent.decision_function(np.array([2.0, 0.0]), space)
    -1
    """

    def __init__(
        self,
        population: int = 20,
        elite_fraction: float = 0.2,
        initial_spread: float = 1.0,
        extra_noise: float = 0.05,
    ) -> None:
        check_cross_entropy_settings(population, elite_fraction, initial_spread, extra_noise)
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
        self.explore = True  # False: play the policy learned so far, and learn nothing

    def seed(self, seed: int) -> None:
        """Make the search repeatable (`run_job` calls this with its seed).

        With ``explore`` False the agent plays its learned policy, which draws no
        random numbers: the seed is then ignored, so that `evaluate` (which seeds
        the agents it measures) leaves the search exactly where it was.
        """
        if self.explore:
            self.rng = np.random.default_rng(seed)

    def decision_function(self, observation: Any, action_space: gym.Space) -> int:
        if self.mean is None:  # the first call tells the sizes: actions x (observation + 1)
            if not self.explore:
                raise RuntimeError(
                    "The agent has not played yet, so it has learned nothing to play with "
                    "explore off (as evaluate plays): train it with run_job first."
                )
            check_can_learn(observation, action_space)
            shape = (int(action_space.n), np.asarray(observation).size + 1)
            self.mean, self.spread = np.zeros(shape), np.full(shape, self.initial_spread)
        if not self.explore:  # the policy learned so far: the centre of the cloud
            return play_linear(self.mean, observation, action_space, AGENT_ADVICE)
        while self._playing >= len(self.candidates):  # a new candidate from the cloud
            self.candidates.append(
                self.mean + self.spread * self.rng.standard_normal(self.mean.shape)
            )
        return play_linear(self.candidates[self._playing], observation, action_space, AGENT_ADVICE)

    def train(self, transition: dict[str, Any]) -> None:
        """After the last step of an episode, the next candidate takes over."""
        if self.explore and (transition["terminated"] or transition["truncated"]):
            self._playing += 1

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        """Score the candidates that just played; once all have, move the cloud to the elite."""
        if not self.explore:  # the learned policy played these episodes, not candidates
            return
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
