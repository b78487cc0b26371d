"""The NumPy network's gradients agree with finite differences, and Adam learns."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.network import Adam, Network


def numerical_gradient(
    net: Network, x: np.ndarray, target: np.ndarray, p: np.ndarray
) -> np.ndarray:
    """d loss / d p by central differences, loss = sum((net(x) - target)^2) / 2."""
    grad = np.zeros_like(p)
    for index in np.ndindex(p.shape):
        saved = p[index]
        p[index] = saved + 1e-6
        plus = 0.5 * np.sum((net.forward(x) - target) ** 2)
        p[index] = saved - 1e-6
        minus = 0.5 * np.sum((net.forward(x) - target) ** 2)
        p[index] = saved
        grad[index] = (plus - minus) / 2e-6
    return grad


@pytest.mark.parametrize("sizes", [[3, 2], [3, 5, 2], [4, 6, 5, 3]])
def test_backward_matches_finite_differences(sizes):
    rng = np.random.default_rng(1)
    net = Network(sizes, seed=2)
    for b in net.b:  # non-zero biases, so that some ReLUs are off and some on
        b[:] = rng.normal(0, 0.5, b.shape)
    x = rng.normal(size=(7, sizes[0]))
    target = rng.normal(size=(7, sizes[-1]))
    grads = net.backward(net.forward(x) - target)
    for layer, (grad_W, grad_b) in enumerate(grads):
        np.testing.assert_allclose(
            grad_W, numerical_gradient(net, x, target, net.W[layer]), atol=1e-5
        )
        np.testing.assert_allclose(
            grad_b, numerical_gradient(net, x, target, net.b[layer]), atol=1e-5
        )


def test_a_wrong_backward_would_be_caught():
    """The check itself can fail: a gradient with the ReLU mask left out differs."""
    net = Network([3, 5, 2], seed=0)
    x = np.random.default_rng(0).normal(size=(4, 3))
    target = np.zeros((4, 2))
    error = net.forward(x) - target
    wrong_grad_W0 = x.T @ (error @ net.W[1].T)  # no ReLU mask
    assert not np.allclose(wrong_grad_W0, numerical_gradient(net, x, target, net.W[0]), atol=1e-5)


def test_copy_is_independent_and_same_seed_same_network():
    net = Network([2, 4, 1], seed=3)
    twin = net.copy()
    x = np.ones((1, 2))
    np.testing.assert_array_equal(net.forward(x), twin.forward(x))
    Adam(net, 0.1).step(net.backward(np.ones((1, 1))))
    assert not np.array_equal(net.forward(x), twin.forward(x))
    np.testing.assert_array_equal(Network([2, 4, 1], seed=3).W[0], twin.W[0])


def test_adam_fits_a_curve():
    net = Network([1, 32, 1], seed=0)
    x = np.linspace(-2, 2, 64).reshape(-1, 1)
    y = np.sin(2 * x)
    optimiser = Adam(net, learning_rate=0.01)
    for _ in range(2000):
        optimiser.step(net.backward(2 * (net.forward(x) - y) / len(x)))
    assert np.mean((net.forward(x) - y) ** 2) < 0.01
