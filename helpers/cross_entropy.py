"""Learning as search, small enough to read in one screen: the cross-entropy method.

The agent keeps a Gaussian "cloud" of candidate weights for a `LinearPolicy`
(``argmax(weights @ [observation, 1])``). Each candidate plays one episode; the best
fifth (the *elite*) become the centre and the spread of the next cloud. No gradients,
no network: it suits small problems, such as CartPole (2 actions x 5 weights). With
`run_job`, ``train`` sees where an episode ends (the next candidate takes over) and
``train_on_history`` scores the candidates; it needs ``episodes_per_train`` >= 1.
With ``explore`` False (inside `evaluate`) it plays the centre of the cloud,
``policy()``, and learns nothing.
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
    check_has_played,
    linear_action,
    play_linear,
    policy_weights,
)

__all__ = ["LinearPolicy", "CrossEntropyAgent", "linear_action"]


class LinearPolicy:
    """A fixed policy for discrete actions: ``argmax(weights @ [observation, 1])``.

    One row of `weights` per action, one column per observation number plus one (the
    constant); actions count from the space's ``start``. It never learns: use it to
    evaluate or film what a `CrossEntropyAgent` learned.

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

    `population`: candidates per generation (2 or more), each playing one episode;
    `elite_fraction`: the share of best candidates kept (at least 2); `initial_spread`:
    the first cloud's standard deviation; `extra_noise`: added to the spread each
    generation, so the search does not stop early on a lucky candidate.

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
        """Make the search repeatable; ignored with ``explore`` off (`evaluate` changes nothing)."""
        if self.explore:
            self.rng = np.random.default_rng(seed)

    def decision_function(self, observation: Any, action_space: gym.Space) -> int:
        if self.mean is None:  # the first call tells the sizes: actions x (observation + 1)
            check_has_played(self)
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
        check_has_played(self, for_policy=True)
        return LinearPolicy(self.mean.copy())

    def __repr__(self) -> str:
        return f"CrossEntropyAgent(population={self.population}, generation={self.generation})"
