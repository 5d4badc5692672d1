"""The micrograd-style network on scalar ``Value``s: every neuron and weight is a node.

For teaching and drawing, not for speed: ``MLP(2, [16, 16, 1])`` on one sample builds a
few hundred nodes that ``viz.draw`` shows one by one. Kept as lean as micrograd's (the
Value benchmark times it against micrograd): the forward is one ``sum`` per neuron.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Value

from .module import Module
from .validation import boolean, check_features, check_labels, positive_int

MAX_PARAMETERS = 10_000_000  # scalar Values, ~100 bytes each: refused before building


class Neuron(Module):
    """``relu(w · x + b)``, or ``w · x + b`` when ``nonlin`` is False (an output unit).

    Weights start uniform in [-1, 1] (micrograd's choice), from ``rng`` when given.
    """

    def __init__(self, nin: int, nonlin: bool = True, rng: random.Random | None = None) -> None:
        nin = positive_int(nin, "Neuron: nin", MAX_PARAMETERS)
        nonlin = boolean(nonlin, "Neuron: nonlin")
        if rng is not None and not isinstance(rng, random.Random):
            raise TypeError(f"Neuron: rng must be a random.Random, got {type(rng).__name__}")
        uniform = (rng or random).uniform
        self.w = [Value(uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def forward(self, x: Sequence[Value | float]) -> Value:
        """``relu(w · x + b)`` (or without relu for an output unit) for ``nin`` inputs."""
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    __call__ = forward  # skip Module.__call__'s extra call: this runs once per neuron

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, {'relu' if self.nonlin else 'linear'})"

    def parameters(self) -> list[Value]:  # faster than the attribute walk, same order
        """The weights, then the bias."""
        return self.w + [self.b]


class Layer(Module):
    """``nout`` neurons on the same ``nin`` inputs; relu neurons unless ``nonlin=False``."""

    def __init__(self, nin: int, nout: int, nonlin: bool = True,
                 rng: random.Random | None = None) -> None:
        nout = positive_int(nout, "Layer: nout")
        positive_int(nout * (positive_int(nin, "Layer: nin") + 1), "Layer: its parameters",
                     MAX_PARAMETERS)
        self.neurons = [Neuron(nin, nonlin, rng) for _ in range(nout)]

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        """Each neuron's output: a list of ``nout`` Values."""
        return [n(x) for n in self.neurons]

    __call__ = forward

    def __repr__(self) -> str:
        first = self.neurons[0]
        return (f"Layer({len(first.w)}, {len(self.neurons)}, "
                f"{'relu' if first.nonlin else 'linear'})")

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
        positive_int(sum(MLP.parameter_shapes(nin, nouts).values()), "MLP: its parameters",
                     MAX_PARAMETERS)
        nin, nouts = int(nin), _layer_sizes(nouts)
        if seed is not None and (isinstance(seed, bool)
                                 or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"MLP: seed must be an int or None, got {type(seed).__name__}")
        rng = random.Random(int(seed)) if seed is not None else None
        sizes = [nin, *nouts]
        self.nin, self.nouts = nin, nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1, rng=rng)
                       for i in range(len(nouts))]

    def architecture(self) -> dict[str, Any]:
        return {"class": type(self).__name__,
                "args": {"nin": self.nin, "nouts": self.nouts}}

    @staticmethod
    def parameter_shapes(nin: int, nouts: Sequence[int]) -> Counter:
        """How many parameters of each shape (all scalars) the MLP with these sizes has."""
        sizes = [positive_int(nin, "MLP: nin"), *_layer_sizes(nouts)]
        return Counter({(): sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))})

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """One sample (``nin`` floats or Values) through every layer; raises ValueError
        for the wrong number of inputs. Example: ``MLP(2, [16, 1])([0.5, -1.0])``."""
        if len(x) != self.nin:
            raise ValueError(f"MLP: expected {self.nin} inputs, got {len(x)}")
        outs = self.layers[0](x)  # nouts is never empty
        for layer in self.layers[1:]:
            outs = layer(outs)
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list[Value]:
        """Every weight and bias, layer by layer (micrograd's order)."""
        return [p for layer in self.layers for p in layer.parameters()]

    def to_torch(self) -> Any:
        """An equivalent ``torch.nn.Module`` with copies of the weights (see nn.torch_export)."""
        from .torch_export import to_torch

        return to_torch(self)

    # -- as a classifier: micrograd's training, and the scikit-learn-style interface ------
    @property
    def n_features(self) -> int:
        return self.nin

    @property
    def n_classes(self) -> int:
        """2 for one output (its sign is the class), else one class per output."""
        return 2 if self.nouts[-1] == 1 else self.nouts[-1]

    def fit(self, X: Any, y: Any, epochs: int = 100, lr: float | None = None,
            batch_size: int | None = None, reg: float = 0.0, optimizer: Any = "sgd",
            seed: int | np.random.Generator | None = None, verbose: bool = True,
            validation_data: tuple[Any, Any] | None = None,
            compile: bool = False) -> Any:  # noqa: A002
        """Train on ``X`` (n_samples, nin) and integer labels ``y`` with micrograd's loss:
        the hinge ``mean(relu(1 - y·s))`` on labels ±1 for one output (cs231n's multiclass
        SVM for more), plus ``reg * sum(w*w)`` over the weights.

        The same loop and arguments as ``TwoLayerNet.fit`` (see ``nn.train.fit``): a step
        builds one graph of Values over the whole batch (micrograd's MLP(2, [16, 16, 1])
        on 100 points: ~68,000 nodes), which ``compile=True`` traces once and replays as
        a few dozen numpy statements, with the same numbers. Returns the ``History``.
        """
        from . import train
        from .scalar_training import ScalarMLPTraining

        return train.fit(ScalarMLPTraining(self), X, y, epochs=epochs, lr=lr,
                         batch_size=batch_size, reg=reg, optimizer=optimizer, seed=seed,
                         verbose=verbose, validation_data=validation_data, compile=compile)

    def decision_function(self, X: Any) -> np.ndarray:
        """The scores of every row of ``X``: (N,) for one output, (N, C) for more.

        Computed with numpy on the weight matrices (the same products and sums as the
        graph, summed in numpy's order), so that a plot's 90,000 grid points take
        milliseconds rather than minutes of scalar nodes.
        """
        h = check_features(X, self.nin)
        for i, layer in enumerate(self.layers):
            W = np.array([[w.data for w in n.w] for n in layer.neurons])
            b = np.array([n.b.data for n in layer.neurons])
            h = h @ W.T + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return h[:, 0] if self.nouts[-1] == 1 else h

    def predict(self, X: Any) -> np.ndarray:
        """The predicted labels (N,), int64: score > 0, or the largest score."""
        scores = self.decision_function(X)
        return (scores > 0).astype(np.int64) if scores.ndim == 1 else scores.argmax(axis=1)

    def score(self, X: Any, y: Any) -> float:
        """Accuracy: the fraction of samples whose predicted label equals ``y``."""
        pred = self.predict(X)
        return float((pred == check_labels(y, len(pred), self.n_classes)).mean())


def _layer_sizes(nouts: Any) -> list[int]:
    """``nouts`` as a non-empty list of positive ints (any sequence: list, tuple, array)."""
    if isinstance(nouts, (str, bytes)) or not isinstance(nouts, (Sequence, np.ndarray)) \
            or len(nouts) == 0 or np.ndim(nouts) != 1:
        raise ValueError(f"MLP: nouts must be a non-empty list of positive ints, "
                         f"got {nouts!r:.80}")
    return [positive_int(n, "MLP: each of nouts") for n in nouts]
