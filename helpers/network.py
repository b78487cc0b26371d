"""A small neural network in NumPy, readable whole.

- `Network`: dense layers with ReLU between them: ``forward``, ``backward``, ``copy``.
- `Adam`: the optimiser that turns gradients into small changes of the weights.

A dense layer computes ``x @ W + b``: every output is a weighted sum of every
input. ReLU (``max(0, x)``) between layers lets the network bend: without it,
layers stacked would still be one straight-line (linear) function.

``forward`` computes the outputs for a batch of inputs and keeps what each layer
saw; ``backward`` gets the gradient of the loss with respect to the outputs and
walks back through the layers with the chain rule (backpropagation), returning
the gradient of the loss for every weight. PyTorch and JAX compute these
gradients for you (automatic differentiation) and run on GPUs; here they are
written out, so that every number can be followed.

>>> net = Network([1, 16, 1], seed=0)
>>> x = np.linspace(-1, 1, 32).reshape(-1, 1)
>>> y = x**2
>>> optimiser = Adam(net, learning_rate=0.01)
>>> def loss():
...     return float(np.mean((net.forward(x) - y) ** 2))
>>> before = loss()
>>> for _ in range(300):
...     error = net.forward(x) - y                     # (32, 1)
...     optimiser.step(net.backward(2 * error / len(x)))  # gradient of the mean square
>>> loss() < before / 10
True
"""

from __future__ import annotations

import numpy as np

__all__ = ["Network", "Adam"]


class Network:
    """Dense layers of the given sizes, ReLU between them, none after the last.

    ``Network([4, 64, 64, 2])`` takes 4 numbers and gives 2, through two hidden
    layers of 64. Weights start small and random (He initialisation: a spread of
    ``sqrt(2 / inputs)``, which keeps signals from growing or fading layer by
    layer); biases start at zero.

    >>> Network([4, 8, 2], seed=0).forward(np.zeros((3, 4))).shape
    (3, 2)
    """

    def __init__(self, sizes: list[int], seed: int | None = None) -> None:
        rng = np.random.default_rng(seed)
        self.sizes = list(sizes)
        self.W = [
            rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out))
            for n_in, n_out in zip(sizes, sizes[1:], strict=False)
        ]
        self.b = [np.zeros(n_out) for n_out in sizes[1:]]
        self.inputs: list[np.ndarray] = []  # what each layer saw in the last forward

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The outputs for a batch of inputs: (batch, sizes[0]) -> (batch, sizes[-1])."""
        self.inputs = []
        for layer, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            self.inputs.append(x)
            x = x @ W + b
            if layer < len(self.W) - 1:
                x = np.maximum(x, 0)  # ReLU
        return x

    def backward(self, grad_output: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """The gradient of the loss for every ``(W, b)``, given ``d loss / d outputs``.

        It uses what the last ``forward`` saw, layer by layer from the end.
        """
        grads = []
        grad = grad_output  # (batch, outputs of this layer)
        for layer in reversed(range(len(self.W))):
            x = self.inputs[layer]  # (batch, inputs of this layer)
            grads.append((x.T @ grad, grad.sum(axis=0)))  # grad_W, grad_b
            if layer > 0:
                grad = grad @ self.W[layer].T  # to this layer's inputs...
                grad = grad * (x > 0)  # ...through the ReLU before it
        return grads[::-1]

    def copy(self) -> Network:
        """An independent copy (DQN's target network is one)."""
        twin = Network.__new__(Network)
        twin.sizes, twin.inputs = list(self.sizes), []
        twin.W = [W.copy() for W in self.W]
        twin.b = [b.copy() for b in self.b]
        return twin

    def __repr__(self) -> str:
        return f"Network({self.sizes})"


class Adam:
    """Adam (Kingma and Ba, 2015): gradient descent with momentum and a per-weight step size.

    Plain gradient descent moves every weight by ``-learning_rate * gradient``.
    Adam keeps running averages of each weight's gradient (``m``) and of its
    square (``v``) and moves by ``-learning_rate * m / sqrt(v)``: steady
    gradients give steady steps, noisy ones smaller steps.

    >>> net = Network([2, 1], seed=0)
    >>> before = net.W[0].copy()
    >>> Adam(net, learning_rate=0.1).step([(np.ones((2, 1)), np.ones(1))])
    >>> np.round(net.W[0] - before, 3).ravel().tolist()
    [-0.1, -0.1]
    """

    def __init__(
        self,
        network: Network,
        learning_rate: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
    ) -> None:
        self.network, self.learning_rate = network, learning_rate
        self.beta1, self.beta2, self.steps = beta1, beta2, 0
        parameters = network.W + network.b
        self.m = [np.zeros_like(p) for p in parameters]
        self.v = [np.zeros_like(p) for p in parameters]

    def step(self, grads: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Move every weight a small step against its gradient."""
        self.steps += 1
        parameters = self.network.W + self.network.b
        gradients = [g for g, _ in grads] + [g for _, g in grads]
        for p, g, m, v in zip(parameters, gradients, self.m, self.v, strict=True):
            m += (1 - self.beta1) * (g - m)  # running average of the gradient
            v += (1 - self.beta2) * (g * g - v)  # and of its square
            m_hat = m / (1 - self.beta1**self.steps)  # corrected for starting at zero
            v_hat = v / (1 - self.beta2**self.steps)
            p -= self.learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8)
