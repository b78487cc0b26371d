"""Q-learning with a network: DQN (Mnih et al., 2015).

- `DQNAgent`: learns Q-values with a `helpers.network.Network` in ``train``,
  after every step, from a replay buffer and against a target network.

Tabular Q-learning keeps one number per state and action and moves it towards
the target ``r + gamma * max_a' Q[s'][a']``. When the state is four real numbers
(CartPole), no table can hold it: a network takes the observation and gives one
Q-value per action, and a gradient step moves its output towards the target::

    target = r + gamma * max_a' Q_target(s', a') * (1 - terminated)
    loss   = huber(Q(s, a) - target), averaged over a batch

With ``double=True`` the target is Double DQN's (van Hasselt et al., 2016),
``r + gamma * Q_target(s', a*) * (1 - terminated)`` with ``a* = argmax_a' Q(s', a')``:
the network picks the next action and the target network values it. The plain
``max`` lets one network both pick and value, so its errors upwards are picked
more often than its errors downwards and the Q-values drift too high. (Off by
default: on CartPole it did not make the runs more reliable; see
``benchmarks/check_cartpole_dqn.py``.)

Three things make this work where a naive version diverges or forgets:

- a *replay buffer*: the last ``buffer_size`` transitions; each learning step
  uses a random batch of them, not only the newest step (consecutive steps are
  nearly the same, and a network trained on them forgets the rest);
- a *target network*: a copy of the network, refreshed every
  ``target_update_every`` steps, that gives the targets (otherwise each step
  moves the very targets it learns towards);
- an *exploration schedule*: epsilon falls in a straight line from
  ``epsilon_start`` to ``epsilon_end`` over ``exploration_steps`` steps.

The loss is the *Huber loss*: squared for errors below 1, linear above. Its
gradient is the error clipped to [-1, 1], so the rare huge error (early on, when
the targets are wild) moves the weights no more than an error of 1 does.

Two more settings, off by default, are remedies often tried against a policy
that unlearns late in a run: the learning rate can fall in a straight line from
``learning_rate`` to ``learning_rate_end`` over ``learning_rate_steps`` steps,
and a batch's gradient can be scaled down when its length (norm) is above
``max_grad_norm``.

A *terminated* step ended the game: its target is the reward alone. A
*truncated* step (CartPole's limit of 500 steps) was only cut off: its target
still counts what the next state is worth.

DQN's latest network can be much worse than one it had a little earlier: a run
that balanced for 500 steps can fall back to 100 (*collapse*). So the agent keeps
a copy of its network whenever its last ``keep_best`` training episodes (20) have
the best mean return so far, and plays with that copy when evaluated
(``keep_best=None``: always the latest network).

>>> from helpers import run_job
>>> agent = DQNAgent()  # CartPole needs about 100,000 steps: here, the first 1,000
>>> result = run_job("CartPole-v1", agent, steps=1_000, seed=0, record_video=False)
>>> agent
DQNAgent(hidden=(64, 64), double=False, learning_rate=0.001, steps trained=1000, epsilon=0.9)
"""

from __future__ import annotations

import json
import os
from collections import deque
from typing import Any

import gymnasium as gym
import numpy as np

from helpers.agents import Transition
from helpers.network import Adam, Network
from helpers.support.network_checks import check_dqn_settings, check_dqn_spaces

__all__ = ["DQNAgent"]


class DQNAgent:
    """Deep Q-learning: a network of Q-values, a replay buffer and a target network.

    Args:
        hidden: sizes of the hidden layers.
        learning_rate: Adam's step size at first.
        learning_rate_end: Adam's step size after ``learning_rate_steps`` steps; None
            keeps ``learning_rate`` all along.
        learning_rate_steps: the steps over which the step size falls from start to end.
        double: Double DQN targets (the network picks the next action, the target
            network values it) instead of the plain ``max`` of the target network.
        max_grad_norm: scale a gradient down to this length (norm) when it is longer;
            None never does.
        gamma: the discount, what a reward one step later is worth now.
        buffer_size: how many of the latest transitions the replay buffer keeps.
        batch_size: transitions per learning step.
        learning_starts: steps played (at random) before the first learning step.
        train_every: one learning step every that many steps.
        target_update_every: copy the network into the target network every that many steps.
        epsilon_start, epsilon_end: the chance of a random action, at first and at the end.
        exploration_steps: the steps over which epsilon falls from start to end.
        keep_best: judge the network by the mean return of this many training episodes
            and keep the best one for evaluation; None plays with the latest network.

    The defaults learn CartPole-v1 in 100,000 steps (``benchmarks/check_cartpole_dqn.py``
    checks it on training seeds nobody tuned on). The replay buffer holds every step of
    such a run, so the early falls stay in memory beside the long balanced episodes that
    come later. What is evaluated is the kept network (`keep_if_best`), chosen from the
    training episodes alone: the evaluation episodes are never used to choose it.

    ``explore`` is True while it learns; `evaluate` switches it off, and the agent
    then takes the action of highest Q-value (of the kept network) and learns nothing
    (``seed`` too is ignored, so an evaluation leaves the training exactly where it
    was). ``seed`` seeds the network's first weights, the batches and the
    exploration: same seed, same run. The network is made at the first decision, sized from the
    observation and the action space. ``save`` and `DQNAgent.load` ship a
    trained agent.
    """

    def __init__(
        self,
        hidden: tuple[int, ...] = (64, 64),
        learning_rate: float = 1e-3,
        learning_rate_end: float | None = None,
        learning_rate_steps: int = 100_000,
        double: bool = False,
        max_grad_norm: float | None = None,
        gamma: float = 0.99,
        buffer_size: int = 100_000,
        batch_size: int = 128,
        learning_starts: int = 1_000,
        train_every: int = 1,
        target_update_every: int = 500,
        epsilon_start: float = 1.0,
        epsilon_end: float = 0.01,
        exploration_steps: int = 10_000,
        keep_best: int | None = 20,
    ) -> None:
        self.settings = check_dqn_settings(dict(locals()))
        for name, value in self.settings.items():
            setattr(self, name, value)
        self.explore = True
        self.steps = 0  # transitions trained on
        self.network: Network | None = None
        self.rng = np.random.default_rng()
        self.best: Network | None = None  # the kept network (see `keep_if_best`)
        self.best_mean = -np.inf
        self.recent: deque[float] = deque(maxlen=self.keep_best or 1)  # episodes' returns

    def seed(self, seed: int | None) -> None:
        """Seed the first weights, the batches and the exploration (not while evaluated)."""
        if self.explore:
            self.rng = np.random.default_rng(seed)

    def epsilon(self) -> float:
        """The chance of a random action now: a straight line from start to end."""
        return _line(self.epsilon_start, self.epsilon_end, self.steps / self.exploration_steps)

    def current_learning_rate(self) -> float:
        """Adam's step size now: a straight line from start to end."""
        if self.learning_rate_end is None:
            return self.learning_rate
        progress = self.steps / self.learning_rate_steps
        return _line(self.learning_rate, self.learning_rate_end, progress)

    def decision_function(self, observation: Any, action_space: gym.Space) -> int:
        """Epsilon-greedy: a random action with chance epsilon (when exploring), else the best."""
        if self.network is None:
            self._build(observation, action_space)
        if self.explore and self.rng.random() < self.epsilon():
            return int(self.rng.integers(self.n_actions))
        return int(np.argmax(self.q_values(observation)))

    def q_values(self, observation: Any) -> np.ndarray:
        """The Q-value of every action in `observation`: the network's while exploring,
        the kept one's (if any) while evaluated."""
        network = self.network if self.explore or self.best is None else self.best
        return network.forward(np.asarray(observation, dtype=float)[None])[0]

    def train(self, transition: Transition) -> None:
        """Store the step in the replay buffer; now and then, learn from a batch of old steps."""
        if not self.explore:
            return
        self._remember(transition)
        self.steps += 1
        if self.steps >= self.learning_starts and self.steps % self.train_every == 0:
            self.optimiser.learning_rate = self.current_learning_rate()
            self.learn(*self._sample())
        if self.steps % self.target_update_every == 0:
            self.target = self.network.copy()

    def keep_if_best(self, episode_return: float) -> None:
        """Keep a copy of the network when the last `keep_best` training episodes have a
        better mean return than ever before (a tie keeps the earlier copy)."""
        self.recent.append(episode_return)
        if self.keep_best and len(self.recent) == self.keep_best:
            mean = float(np.mean(self.recent))
            if mean > self.best_mean:
                self.best, self.best_mean = self.network.copy(), mean

    def learn(self, s, a, r, next_s, terminated) -> None:  # noqa: ANN001 - arrays, one row each
        """One gradient step of the Huber loss between Q(s, a) and the target."""
        rows = np.arange(len(a))
        next_q = self.target.forward(next_s)  # (batch, actions)
        picker_q = self.network.forward(next_s) if self.double else next_q  # who picks a*
        best = picker_q.argmax(axis=1)
        target = r + self.gamma * next_q[rows, best] * (1 - terminated)
        q = self.network.forward(s)  # (batch, actions)
        error = q[rows, a] - target  # (batch,)
        grad_q = np.zeros_like(q)  # the loss depends only on the actions taken
        grad_q[rows, a] = np.clip(error, -1, 1) / len(a)  # the Huber loss's gradient
        grads = _clip_norm(self.network.backward(grad_q), self.max_grad_norm)
        self.optimiser.step(grads)

    def train_on_history(self, history: list[dict[str, Any]]) -> None:
        """After finished training episodes (DQN has learned from their steps already in
        ``train``): judge the network by each episode's return, in `keep_if_best`."""
        if not self.explore:
            return
        returns: dict[int, float] = {}  # episode number -> its return
        for record in history:
            returns[record["episode"]] = returns.get(record["episode"], 0.0) + record["reward"]
        for episode_return in returns.values():
            self.keep_if_best(episode_return)

    def _build(self, observation: Any, action_space: gym.Space) -> None:
        """The network, its target copy, Adam and an empty replay buffer, sized for the env."""
        size, self.n_actions = check_dqn_spaces(observation, action_space)
        sizes = [size, *self.hidden, self.n_actions]
        self.network = Network(sizes, seed=int(self.rng.integers(2**31)))
        self.target = self.network.copy()
        self.optimiser = FlatAdam(self.network, self.learning_rate)
        n = self.buffer_size
        self.buffer = {
            "s": np.zeros((n, size)),
            "a": np.zeros(n, dtype=int),
            "r": np.zeros(n),
            "next_s": np.zeros((n, size)),
            "terminated": np.zeros(n),
        }

    def _remember(self, transition: Transition) -> None:
        """Write the step over the oldest one once the buffer is full (a ring)."""
        i = self.steps % self.buffer_size
        self.buffer["s"][i] = transition["observation"]
        self.buffer["a"][i] = transition["action"]
        self.buffer["r"][i] = transition["reward"]
        self.buffer["next_s"][i] = transition["next_observation"]
        self.buffer["terminated"][i] = transition["terminated"]

    def _sample(self) -> list[np.ndarray]:
        """A random batch of stored steps (with replacement)."""
        index = self.rng.integers(min(self.steps, self.buffer_size), size=self.batch_size)
        return [column[index] for column in self.buffer.values()]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the weights it plays with when evaluated (the kept network, if any) and the
        settings to an ``.npz`` file."""
        if self.network is None:
            raise RuntimeError("The agent has no network yet: train it first (with run_job).")
        network = self.best or self.network
        arrays = {f"W{i}": W for i, W in enumerate(network.W)}
        arrays |= {f"b{i}": b for i, b in enumerate(network.b)}
        settings = self.settings | {"sizes": network.sizes, "steps": self.steps}
        np.savez(path, settings=json.dumps(settings), **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> DQNAgent:
        """An agent with the saved weights, ready to play (its replay buffer starts empty)."""
        with np.load(path) as data:
            settings = json.loads(str(data["settings"]))
            sizes, steps = settings.pop("sizes"), settings.pop("steps")
            agent = cls(**settings)
            agent._build(np.zeros(sizes[0]), gym.spaces.Discrete(sizes[-1]))
            agent.network.W = [data[f"W{i}"] for i in range(len(sizes) - 1)]
            agent.network.b = [data[f"b{i}"] for i in range(len(sizes) - 1)]
        agent.target, agent.steps = agent.network.copy(), steps
        agent.optimiser = FlatAdam(agent.network, agent.learning_rate)
        return agent

    def __repr__(self) -> str:
        return (
            f"DQNAgent(hidden={self.hidden}, double={self.double}, "
            f"learning_rate={self.current_learning_rate():.2g}, "
            f"steps trained={self.steps}, epsilon={self.epsilon():.2g})"
        )


class FlatAdam(Adam):
    """`helpers.network.Adam`, the same numbers, about twice as fast for small networks.

    It moves every weight into one flat array (``W`` and ``b`` become views of it),
    so that one update is a few NumPy calls on that array instead of a few per layer.
    """

    def __init__(self, network: Network, learning_rate: float = 1e-3) -> None:
        super().__init__(network, learning_rate)
        parameters = network.W + network.b
        self.flat = np.concatenate([p.ravel() for p in parameters])
        self.m, self.v = np.zeros_like(self.flat), np.zeros_like(self.flat)
        start = 0
        for group in (network.W, network.b):
            for i, p in enumerate(group):
                group[i] = self.flat[start : start + p.size].reshape(p.shape)
                start += p.size

    def step(self, grads: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.steps += 1
        g = np.concatenate([g.ravel() for g, _ in grads] + [g for _, g in grads])
        self.m += (1 - self.beta1) * (g - self.m)
        self.v += (1 - self.beta2) * (g * g - self.v)
        m_hat = self.m / (1 - self.beta1**self.steps)
        v_hat = self.v / (1 - self.beta2**self.steps)
        self.flat -= self.learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8)


def _line(start: float, end: float, progress: float) -> float:
    """A straight line from start (progress 0) to end (progress 1 and after)."""
    return start + min(1.0, progress) * (end - start)


def _clip_norm(grads: list[tuple[np.ndarray, np.ndarray]], max_norm: float | None) -> list:
    """The gradients, scaled down together so that their norm is at most max_norm."""
    if max_norm is None:
        return grads
    norm = np.sqrt(sum((gW * gW).sum() + (gb * gb).sum() for gW, gb in grads))
    if norm <= max_norm:
        return grads
    return [(gW * (max_norm / norm), gb * (max_norm / norm)) for gW, gb in grads]
