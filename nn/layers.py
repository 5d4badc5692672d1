"""Layers on Tensors: Linear, the activations, and Sequential to chain them.

Samples are rows, as in cs231n: a batch ``X`` is ``(N, n_in)`` and ``Linear`` computes
``X @ W + b`` with ``W`` of shape ``(n_in, n_out)``. (The deeplearning.ai course writes
``W X + b`` with samples in columns; it is the same layer transposed.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .init import Initializer, as_generator, get_initializer
from .module import Module


class Linear(Module):
    """``X @ weight + bias``: weight ``(n_in, n_out)`` from ``init``, bias zeros ``(n_out,)``."""

    def __init__(self, n_in: int, n_out: int, init: str | Initializer = "small",
                 seed: int | np.random.Generator | None = None, name: str = "") -> None:
        for what, n in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Linear: {what} must be a positive int, got {n!r}")
        self.n_in, self.n_out = int(n_in), int(n_out)
        weight = get_initializer(init)((self.n_in, self.n_out), as_generator(seed))
        # Labels are what the graph drawing shows: W1/b1 as in the course.
        self.weight = Tensor(np.asarray(weight, dtype=np.float64), requires_grad=True,
                             label=f"W{name}")
        self.bias = Tensor(np.zeros(self.n_out), requires_grad=True, label=f"b{name}")

    def forward(self, x: Tensor) -> Tensor:
        return x @ self.weight + self.bias


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


ACTIVATIONS: dict[str, type[Module]] = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


def get_activation(name: str) -> Module:
    """A new activation module by name: ``"relu"``, ``"tanh"`` or ``"sigmoid"``."""
    try:
        return ACTIVATIONS[name]()
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; choose one of "
                         f"{sorted(ACTIVATIONS)}") from None


class Sequential(Module):
    """Modules applied one after another: ``Sequential(Linear(2, 16), ReLU(), Linear(16, 1))``."""

    def __init__(self, *layers: Module) -> None:
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: layer {i} is a {type(layer).__name__}, "
                                "not a Module")
        self.layers = list(layers)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x
