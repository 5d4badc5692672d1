"""Optimizers over any list of parameters (Tensors or scalar Values).

``step()`` reads each parameter's ``.grad`` and updates ``.data``; a Tensor's array is
changed in place (the same array object, so views of it and other references see the
new values). A parameter whose ``.grad`` is None took no part in the loss and is skipped.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Value
from autograd.node import Node

from .module import Parameter, zero_grads
from .validation import real_number


class Optimizer:
    """Updates ``params`` (Tensors or Values that require grad) from their ``.grad``.

    Raises ValueError for an empty list or a learning rate that is not a positive number,
    TypeError for a parameter that is not a node requiring grad.
    """

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: the parameter list is empty")
        for i, p in enumerate(self.params):
            if not isinstance(p, Node) or not p.requires_grad:
                raise TypeError(f"{type(self).__name__}: parameter {i} is a "
                                f"{type(p).__name__} that does not require grad")
        self.lr = real_number(lr, "lr", 0, low_open=True)

    def zero_grad(self) -> None:
        """Forget the parameters' gradients before the next backward (which adds)."""
        zero_grads(self.params)

    def state(self) -> dict[str, Any]:
        """A copy of everything ``step`` changes besides the parameters (learning rate,
        momentum buffers, Adam's moments and step count), for ``load_state``."""
        return copy.deepcopy({k: v for k, v in vars(self).items() if k != "params"})

    def load_state(self, state: dict[str, Any]) -> None:
        """Put back a ``state()`` taken from this optimizer (fit does, when it fails)."""
        vars(self).update(copy.deepcopy(state))

    def step(self) -> None:
        """Update every parameter once from its current ``.grad``."""
        raise NotImplementedError

    def _state(self, p: Parameter) -> Any:
        """A zero of the parameter's shape: an array for a Tensor, a float for a Value."""
        return 0.0 if isinstance(p, Value) else np.zeros_like(p.data)


class SGD(Optimizer):
    """Gradient descent, ``p -= lr * grad``; with ``momentum`` μ > 0 a velocity
    ``v = μ v - lr grad`` is kept and ``p += v`` (cs231n's form)."""

    def __init__(self, params: Iterable[Parameter], lr: float = 0.1,
                 momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        real_number(momentum, "SGD: momentum", 0.0, 1.0, high_open=True)
        self.momentum = float(momentum)
        self.velocity = [self._state(p) for p in self.params] if momentum else []

    def step(self) -> None:
        lr, mu = self.lr, self.momentum
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            if isinstance(p, Value):
                if mu:
                    self.velocity[i] = mu * self.velocity[i] - lr * g
                    p.data += self.velocity[i]
                else:
                    p.data -= lr * g
            elif mu:
                v = self.velocity[i]
                v *= mu
                v -= lr * g
                p.data += v
            else:
                p.data -= lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba): moving averages of the gradient and its square, bias-corrected."""

    def __init__(self, params: Iterable[Parameter], lr: float = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r:.80}")
        for b in betas:
            real_number(b, f"Adam: betas {tuple(betas)!r}: each", 0.0, 1.0, high_open=True)
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = real_number(eps, "eps", 0, low_open=True)
        self.t = 0
        self.m = [self._state(p) for p in self.params]
        self.v = [self._state(p) for p in self.params]

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        # Folding both bias corrections into the step size saves two array passes.
        step = self.lr * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            if isinstance(p, Value):
                self.m[i] = b1 * self.m[i] + (1 - b1) * g
                self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
                p.data -= step * self.m[i] / (self.v[i] ** 0.5 + self.eps)
                continue
            m, v = self.m[i], self.v[i]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p.data -= step * m / (np.sqrt(v) + self.eps)


OPTIMIZERS = ("sgd", "momentum", "adam")


def make_optimizer(name: str, params: Iterable[Parameter], lr: float) -> Optimizer:
    """``"sgd"`` (alias ``"gd"``: plain gradient descent), ``"momentum"`` (SGD, μ = 0.9)
    or ``"adam"``."""
    if name in ("sgd", "gd"):
        return SGD(params, lr)
    if name == "momentum":
        return SGD(params, lr, momentum=0.9)
    if name == "adam":
        return Adam(params, lr)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {list(OPTIMIZERS)} "
                     "or pass an Optimizer object")
