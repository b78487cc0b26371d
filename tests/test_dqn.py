"""DQNAgent: the learning step matches the formula, seeded runs repeat, errors are clear."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from helpers import DQNAgent, QLearningAgent, evaluate, exploration_off, run_job
from helpers.q_learning import UnsupportedSpaceError

SMALL = dict(hidden=(16,), learning_starts=100, batch_size=16, target_update_every=50)


def _weights(agent: DQNAgent) -> list[np.ndarray]:
    return agent.network.W + agent.network.b


def _step(s, a, r, next_s, terminated=False, truncated=False) -> dict:  # noqa: ANN001
    return {
        "observation": np.array(s, dtype=float),
        "action": a,
        "reward": r,
        "next_observation": np.array(next_s, dtype=float),
        "terminated": terminated,
        "truncated": truncated,
        "info": {},
    }


def test_same_seed_same_run_and_another_seed_another() -> None:
    runs = []
    for seed in (3, 3, 4):
        agent = DQNAgent(**SMALL)
        result = run_job("CartPole-v1", agent, 600, seed=seed, record_video=False)
        runs.append((result.returns, _weights(agent)))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1], strict=True))
    assert not np.array_equal(runs[0][1][0], runs[2][1][0])


@pytest.mark.parametrize("double", [True, False])
def test_the_learning_step_follows_the_formula(double: bool) -> None:
    agent = DQNAgent(hidden=(8,), gamma=0.9, learning_starts=10**6, double=double)
    agent.seed(0)
    agent.decision_function(np.zeros(3), gym.spaces.Discrete(2))
    agent.network.W[0] += 0.3  # the network and its target differ, so the two targets differ
    agent.train(_step([1, 2, 3], 1, 1.0, [0.5, 0, 1], terminated=True))
    agent.train(_step([1, 0, 3], 0, 2.0, [0.5, 1, 1], truncated=True))  # bootstraps
    s, a, r, next_s, terminated = (np.array(c[:2]) for c in agent.buffer.values())
    assert terminated.tolist() == [1.0, 0.0]  # a truncated step is not an end of the game
    seen = {}
    backward = agent.network.backward
    agent.network.backward = lambda grad: seen.setdefault("grad", grad) is grad and backward(grad)
    q, next_q = agent.network.forward(s), agent.target.forward(next_s)
    # Double DQN: the network picks the next action, the target network values it
    picked = agent.network.forward(next_s)[1].argmax() if double else next_q[1].argmax()
    agent.learn(s, a, r, next_s, terminated)
    target = np.array([1.0, 2.0 + 0.9 * next_q[1][picked]])  # r, then r + gamma Q_target(s', a*)
    error = q[[0, 1], [1, 0]] - target
    expected = np.zeros_like(q)
    expected[[0, 1], [1, 0]] = np.clip(error, -1, 1) / 2  # the Huber loss's gradient
    np.testing.assert_allclose(seen["grad"], expected)


def test_double_dqn_targets_are_lower_than_the_max_when_the_networks_disagree() -> None:
    agents = [DQNAgent(hidden=(8,), double=double) for double in (True, False)]
    for agent in agents:
        agent.seed(1)
        agent.decision_function(np.zeros(3), gym.spaces.Discrete(3))
        agent.network.W[1] = -agent.network.W[1]  # the network now picks other actions
    next_s = np.random.default_rng(0).normal(size=(50, 3))
    picks = [agent.network.forward(next_s).argmax(axis=1) for agent in agents]
    values = agents[1].target.forward(next_s)
    double_value, plain_value = values[np.arange(50), picks[0]], values.max(axis=1)
    assert (double_value <= plain_value).all() and (double_value < plain_value).any()


def test_the_gradient_is_clipped_to_its_largest_norm() -> None:
    agent = DQNAgent(hidden=(8,), max_grad_norm=0.5)
    agent.seed(0)
    agent.decision_function(np.zeros(3), gym.spaces.Discrete(2))
    seen = []
    step = agent.optimiser.step
    agent.optimiser.step = lambda grads: seen.append(grads) or step(grads)
    s = np.full((4, 3), 50.0)  # big inputs, big gradients
    agent.learn(s, np.array([0, 1, 0, 1]), np.full(4, 100.0), s, np.zeros(4))
    norm = np.sqrt(sum((gW**2).sum() + (gb**2).sum() for gW, gb in seen[0]))
    assert norm == pytest.approx(0.5)


def test_the_learning_rate_falls_in_a_straight_line_when_asked() -> None:
    agent = DQNAgent(learning_rate=1e-3, learning_rate_end=1e-4, learning_rate_steps=100)
    constant = DQNAgent(learning_rate=1e-3)  # the default: no schedule
    values = []
    for steps in (0, 50, 100, 1000):
        agent.steps = constant.steps = steps
        values.append(round(agent.current_learning_rate(), 9))
        assert constant.current_learning_rate() == 1e-3
    assert values == [1e-3, 5.5e-4, 1e-4, 1e-4]


def test_target_network_is_copied_every_n_steps_and_buffer_is_a_ring() -> None:
    agent = DQNAgent(
        hidden=(8,), buffer_size=3, batch_size=2, learning_starts=1, target_update_every=4
    )
    agent.seed(0)
    agent.decision_function(np.zeros(2), gym.spaces.Discrete(2))
    for i in range(5):
        agent.train(_step([i + 1, 1], 0, float(i), [i, 1]))
        copied = np.array_equal(agent.target.W[0], agent.network.W[0])
        assert copied == (i + 1 == 4), i
    assert sorted(agent.buffer["r"].tolist()) == [2.0, 3.0, 4.0]  # the oldest written over


def test_epsilon_falls_in_a_straight_line() -> None:
    agent = DQNAgent(epsilon_start=1.0, epsilon_end=0.1, exploration_steps=100)
    values = []
    for steps in (0, 50, 100, 1000):
        agent.steps = steps
        values.append(round(agent.epsilon(), 6))
    assert values == [1.0, 0.55, 0.1, 0.1]


def test_evaluation_plays_greedily_and_leaves_training_as_it_was() -> None:
    plain, evaluated = DQNAgent(**SMALL), DQNAgent(**SMALL)
    run_job("CartPole-v1", plain, 400, seed=1, record_video=False)
    run_job("CartPole-v1", evaluated, 400, seed=1, record_video=False)
    before = [w.copy() for w in _weights(evaluated)]
    evaluate("CartPole-v1", evaluated, 2, seed=50)
    assert evaluated.explore and evaluated.steps == 400
    assert all(np.array_equal(a, b) for a, b in zip(before, _weights(evaluated), strict=True))
    for agent in (plain, evaluated):  # training goes on the same way
        for i in range(30):
            agent.train(_step([0.1 * i, 0, 0, 0], i % 2, 1.0, [0, 0, 0, 0]))
    assert all(
        np.array_equal(a, b) for a, b in zip(_weights(plain), _weights(evaluated), strict=True)
    )
    assert np.array_equal(plain.rng.random(3), evaluated.rng.random(3))


def test_save_and_load_give_the_same_agent(tmp_path) -> None:  # noqa: ANN001
    agent = DQNAgent(**SMALL, keep_best=3)
    run_job("CartPole-v1", agent, 300, seed=2, record_video=False)
    assert agent.best is not None  # what is saved is the kept network, which evaluate plays
    agent.save(tmp_path / "cartpole.npz")
    loaded = DQNAgent.load(tmp_path / "cartpole.npz")
    assert loaded.settings == agent.settings and loaded.steps == 300
    observation = np.array([0.01, -0.2, 0.03, 0.1])
    with exploration_off(agent), exploration_off(loaded):
        np.testing.assert_array_equal(loaded.q_values(observation), agent.q_values(observation))
    assert evaluate("CartPole-v1", loaded, 3, seed=7) == evaluate("CartPole-v1", agent, 3, seed=7)


def _play_episode(agent: DQNAgent, episode: int, episode_return: float) -> list[np.ndarray]:
    """Two training steps that end an episode of this return, then its records, as run_job
    gives them; the network's weights after."""
    agent.train(_step([0.1, 0, 0, 0], 0, episode_return, [0.2, 0, 0, 0]))
    agent.train(_step([0.2, 0, 0, 0], 1, 0.0, [0.3, 0, 0, 0], terminated=True))
    agent.train_on_history(
        [{"episode": episode, "reward": episode_return}, {"episode": episode, "reward": 0.0}]
    )
    return [w.copy() for w in _weights(agent)]


def test_keeps_the_network_of_its_best_training_episodes_and_plays_it_when_evaluated() -> None:
    agent = DQNAgent(hidden=(8,), learning_starts=1, batch_size=2, keep_best=3)
    agent.seed(0)
    agent.decision_function(np.zeros(4), gym.spaces.Discrete(2))
    kept_after = {}
    for episode, episode_return in enumerate([1, 1, 1, 5, 0, 10, 0, 0, 4, 9, 2, 0]):
        kept_after[episode] = _play_episode(agent, episode, episode_return)
    # windows of 3: means 1, 2.33, 2, 5, 3.33, 3.33, 1.33, 4.33, 5, 3.67: the best, 5, comes
    # twice (episodes 5 and 10): the earlier copy stays
    assert agent.best_mean == 5.0
    assert all(
        np.array_equal(a, b)
        for a, b in zip(agent.best.W + agent.best.b, kept_after[5], strict=True)
    )
    assert not np.array_equal(agent.best.W[0], agent.network.W[0])  # it learned since
    observation = np.array([0.05, 0.1, -0.02, 0.3])
    latest = agent.network.forward(observation[None])[0]
    np.testing.assert_array_equal(agent.q_values(observation), latest)  # while it learns
    with exploration_off(agent):
        np.testing.assert_array_equal(
            agent.q_values(observation), agent.best.forward(observation[None])[0]
        )


def test_only_finished_training_episodes_are_judged_even_across_jobs() -> None:
    agent = DQNAgent(**SMALL, keep_best=4)
    first = run_job("CartPole-v1", agent, 150, seed=5, record_video=False)  # ends mid-episode
    second = run_job("CartPole-v1", agent, 150, seed=6, record_video=False)
    assert first.episodes[-1]["outcome"] == "unfinished"
    assert list(agent.recent) == (first.returns + second.returns)[-4:]
    evaluate("CartPole-v1", agent, 3, seed=7)  # evaluation episodes are not judged
    assert list(agent.recent) == (first.returns + second.returns)[-4:]


def test_keep_best_none_plays_the_latest_network() -> None:
    agent = DQNAgent(**SMALL, keep_best=None)
    run_job("CartPole-v1", agent, 400, seed=3, record_video=False)
    observation = np.array([0.05, 0.1, -0.02, 0.3])
    with exploration_off(agent):
        assert agent.best is None
        np.testing.assert_array_equal(
            agent.q_values(observation), agent.network.forward(observation[None])[0]
        )


def test_learns_cartpole_a_little() -> None:
    # a small, quick variant (the defaults need far more steps: benchmarks/check_cartpole_dqn.py)
    agent = DQNAgent(
        hidden=(32, 32),
        batch_size=32,
        learning_rate=2e-3,
        learning_starts=500,
        exploration_steps=2000,
        target_update_every=200,
    )
    run_job("CartPole-v1", agent, 4000, seed=0, record_video=False)
    random_mean = 22  # a random agent's mean return on CartPole
    assert np.mean(evaluate("CartPole-v1", agent, 10, seed=1000)) > 3 * random_mean


def test_spaces_it_cannot_handle_get_clear_errors() -> None:
    with pytest.raises(UnsupportedSpaceError, match="QLearningAgent"):
        run_job("FrozenLake-v1", DQNAgent(), 5, seed=0, record_video=False)
    with pytest.raises(UnsupportedSpaceError, match="Discrete action space"):
        run_job("Pendulum-v1", DQNAgent(), 5, seed=0, record_video=False)
    assert QLearningAgent  # the agent the message points to exists


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("hidden", (64, 0), "hidden must be"),
        ("learning_rate", 0, "learning_rate must be"),
        ("gamma", 1.5, "gamma must be"),
        ("batch_size", 0, "batch_size must be"),
        ("buffer_size", 2.5, "buffer_size must be"),
        ("epsilon_end", -0.1, "epsilon_end must be"),
        ("learning_rate_end", 0, "learning_rate_end must be"),
        ("learning_rate_steps", -5, "learning_rate_steps must be"),
        ("double", "yes", "double must be"),
        ("max_grad_norm", -1, "max_grad_norm must be"),
        ("keep_best", 0, "keep_best must be"),
        ("keep_best", True, "keep_best must be"),
        ("keep_best", 2.5, "keep_best must be"),
    ],
)
def test_bad_settings_are_named(setting: str, value: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        DQNAgent(**{setting: value})


def test_save_before_training_says_what_to_do(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(RuntimeError, match="train it first"):
        DQNAgent().save(tmp_path / "x.npz")
