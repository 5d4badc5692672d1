"""The micrograd-style network on scalar ``Value``s: every neuron and weight is a node.

For teaching and drawing, not for speed: ``MLP(2, [16, 16, 1])`` on one sample builds a
few hundred nodes that ``viz.draw`` shows one by one. Kept as lean as micrograd's (the
Value benchmark times it against micrograd): the forward is one ``sum`` per neuron.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from autograd import Value

from .module import Module
from .validation import positive_int


class Neuron(Module):
    """``relu(w · x + b)``, or ``w · x + b`` when ``nonlin`` is False (an output unit).

    Weights start uniform in [-1, 1] (micrograd's choice), from ``rng`` when given.
    """

    def __init__(self, nin: int, nonlin: bool = True, rng: random.Random | None = None) -> None:
        uniform = (rng or random).uniform
        self.w = [Value(uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def forward(self, x: Sequence[Value | float]) -> Value:
        """``relu(w · x + b)`` (or without relu for an output unit) for ``nin`` inputs."""
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    __call__ = forward  # skip Module.__call__'s extra call: this runs once per neuron

    def parameters(self) -> list[Value]:  # faster than the attribute walk, same order
        """The weights, then the bias."""
        return self.w + [self.b]


class Layer(Module):
    """``nout`` neurons on the same ``nin`` inputs; relu neurons unless ``nonlin=False``."""

    def __init__(self, nin: int, nout: int, nonlin: bool = True,
                 rng: random.Random | None = None) -> None:
        self.neurons = [Neuron(nin, nonlin, rng) for _ in range(nout)]

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        """Each neuron's output: a list of ``nout`` Values."""
        return [n(x) for n in self.neurons]

    __call__ = forward

    def parameters(self) -> list[Value]:
        """Every neuron's weights and bias, neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    """Layers of sizes ``nouts`` on ``nin`` inputs; relu everywhere but the last layer.

    ``MLP(2, [16, 16, 1])(x)`` takes ``x`` as a list of floats or Values (length
    ``nin``) and returns a Value when the last layer has one neuron, else a list.
    ``seed`` makes the initial weights reproducible.
    """

    def __init__(self, nin: int, nouts: Sequence[int], seed: int | None = None) -> None:
        nin = positive_int(nin, "MLP: nin")
        if isinstance(nouts, (str, bytes)) or not nouts:
            raise ValueError(f"MLP: nouts must be a non-empty list of positive ints, "
                             f"got {nouts!r}")
        nouts = [positive_int(n, "MLP: each of nouts") for n in nouts]
        rng = random.Random(seed) if seed is not None else None
        sizes = [nin, *nouts]
        self.nin = nin
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1, rng=rng)
                       for i in range(len(nouts))]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """One sample (``nin`` floats or Values) through every layer; raises ValueError
        for the wrong number of inputs. Example: ``MLP(2, [16, 1])([0.5, -1.0])``."""
        if len(x) != self.nin:
            raise ValueError(f"MLP: expected {self.nin} inputs, got {len(x)}")
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        """Every weight and bias, layer by layer (micrograd's order)."""
        return [p for layer in self.layers for p in layer.parameters()]

    def to_torch(self) -> Any:
        """An equivalent ``torch.nn.Module`` with copies of the weights (see nn.torch_export)."""
        from .torch_export import to_torch

        return to_torch(self)
