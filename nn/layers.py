"""Layers on Tensors: Linear, the activations, and Sequential to chain them.

Samples are rows, as in cs231n: a batch ``X`` is ``(N, n_in)`` and ``Linear`` computes
``X @ W + b`` with ``W`` of shape ``(n_in, n_out)``. (The deeplearning.ai course writes
``W X + b`` with samples in columns; it is the same layer transposed.)
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from autograd import Tensor

from .init import Initializer, as_generator, get_initializer
from .module import Module
from .validation import positive_int

MAX_WEIGHTS = 2**28  # numbers in one weight matrix (2 GiB): refused before allocating


class Linear(Module):
    """``X @ weight + bias``: weight ``(n_in, n_out)`` from ``init``, bias zeros ``(n_out,)``."""

    def __init__(self, n_in: int, n_out: int, init: str | Initializer = "small",
                 seed: int | np.random.Generator | None = None, name: str = "") -> None:
        self.n_in = positive_int(n_in, "Linear: n_in")
        self.n_out = positive_int(n_out, "Linear: n_out")
        positive_int(self.n_in * self.n_out, f"Linear({self.n_in}, {self.n_out}): the weight's "
                     "size", MAX_WEIGHTS)
        if not isinstance(name, str):
            raise TypeError(f"Linear: name must be a str, got {type(name).__name__}")
        shape = (self.n_in, self.n_out)
        # A copy: training updates it in place, and must not change the caller's array.
        weight = np.array(get_initializer(init)(shape, as_generator(seed)), dtype=np.float64)
        if weight.shape != shape:
            raise ValueError(f"Linear: the initializer gave weights of shape {weight.shape}, "
                             f"expected {shape}")
        # Labels are what the graph drawing shows: W1/b1 as in the course.
        self.weight = Tensor(weight, requires_grad=True, label=f"W{name}")
        self.bias = Tensor(np.zeros(self.n_out), requires_grad=True, label=f"b{name}")

    def architecture(self) -> dict[str, Any]:
        return {"class": type(self).__name__,
                "args": {"n_in": self.n_in, "n_out": self.n_out}}

    @staticmethod
    def parameter_shapes(n_in: int, n_out: int) -> Counter:
        """How many parameters of each shape the layer with these sizes has."""
        n_in, n_out = positive_int(n_in, "Linear: n_in"), positive_int(n_out, "Linear: n_out")
        return Counter([(n_in, n_out), (n_out,)])

    def forward(self, x: Tensor) -> Tensor:
        """``x @ weight + bias`` for a batch ``x`` of shape ``(N, n_in)``: ``(N, n_out)``."""
        return x @ self.weight + self.bias


class ReLU(Module):
    """``max(0, x)`` elementwise, the relu gate."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Tanh(Module):
    """``tanh(x)`` elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Sigmoid(Module):
    """``σ(x) = 1 / (1 + e⁻ˣ)`` elementwise (computed stably)."""

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

    def __repr__(self) -> str:
        return f"Sequential({', '.join(repr(layer) for layer in self.layers)})"

    def forward(self, x: Any) -> Any:
        """``x`` through every layer in order."""
        for layer in self.layers:
            x = layer(x)
        return x
