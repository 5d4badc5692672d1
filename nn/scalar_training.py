"""Training the scalar MLP with the shared loop: micrograd's network, its hinge loss.

``fit`` (``nn/train.py``) drives any model that gives it inputs for a batch, scores,
a loss and labels. The Tensor models do that themselves; ``MLP`` works on lists of floats
and scalar ``Value``s, so ``ScalarMLPTraining`` speaks for it: a batch is a list of rows
of floats (live inputs for ``fit(compile=True)``), the scores are one Value per sample
(one per class and sample for more than two classes), the loss is micrograd's max-margin
hinge ``mean(relu(1 - y·s))`` with labels ±1 (cs231n's multiclass SVM for more classes),
plus ``reg * sum(w*w)`` over the weights (biases left out, as for the Tensor models).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import Value

if TYPE_CHECKING:
    from .scalar_mlp import MLP


class ScalarMLPTraining:
    """An ``MLP`` as the training loop sees a classifier (see the module docstring)."""

    loss = "svm"

    def __init__(self, mlp: MLP) -> None:
        self.mlp = mlp
        self.n_features = mlp.n_features
        self.n_outputs = mlp.nouts[-1]
        self.n_classes = mlp.n_classes

    def parameters(self) -> list[Value]:
        return self.mlp.parameters()

    def named_parameters(self) -> Any:
        return self.mlp.named_parameters()

    @staticmethod
    def inputs(X: np.ndarray) -> list[list[float]]:
        """A batch as rows of Python floats: numbers the scalar graph reads directly."""
        return np.asarray(X, dtype=np.float64).tolist()

    def forward(self, rows: list[list[float]]) -> list[Value]:
        """Every sample's scores, flat: one Value per sample (or per sample and class)."""
        mlp = self.mlp
        if self.n_outputs == 1:
            return [mlp(x) for x in rows]
        return [s for x in rows for s in mlp(x)]

    def targets(self, y: np.ndarray) -> list[float]:
        """The labels as the numbers the loss multiplies by: signs ±1 for one output,
        one-hot rows (flat) for more. Floats the graph reads directly, so that a compiled
        step takes each batch's as live inputs (a label steering Python code would be a
        new trace per batch)."""
        y = np.asarray(y)
        if self.n_outputs == 1:
            return (2.0 * y - 1.0).tolist()
        return np.eye(self.n_outputs)[y].ravel().tolist()

    def objective(self, scores: list[Value], targets: list[float], reg: float = 0.0) -> Value:
        """The mean hinge loss over the batch (``targets`` from ``targets(y)``), plus
        ``reg * sum(w*w)`` over the weights."""
        if self.n_outputs == 1:  # micrograd's: max(0, 1 - y s) with y in {-1, +1}
            hinge = [(1.0 - t * s).relu() for s, t in zip(scores, targets)]
            n = len(hinge)
        else:  # cs231n's multiclass SVM, sum over j != y of max(0, s_j - s_y + 1), as
            # sum over every j, less the j = y term (exactly 1, with zero gradient)
            c = self.n_outputs
            n = len(scores) // c
            hinge = []
            for i in range(n):
                row, hot = scores[i * c:(i + 1) * c], targets[i * c:(i + 1) * c]
                correct = sum((h * s for h, s in zip(hot[1:], row[1:])), hot[0] * row[0])
                hinge += [(s - correct + 1.0).relu() for s in row]
        total = sum(hinge[1:], hinge[0])
        loss = (total if self.n_outputs == 1 else total - float(n)) * (1.0 / n)
        if reg:
            weights = [w for layer in self.mlp.layers for neuron in layer.neurons
                       for w in neuron.w]
            loss = loss + reg * sum(w * w for w in weights)
        loss.label = "loss"
        return loss

    _objective_unchecked = objective  # the loop's later steps: nothing more to check here

    def scores_array(self, scores: list[Value]) -> np.ndarray:
        """The scores' numbers: (N,) for one output, (N, C) for more."""
        data = np.array([s.data for s in scores])
        return data if self.n_outputs == 1 else data.reshape(-1, self.n_outputs)

    def labels_from_scores(self, scores: np.ndarray) -> np.ndarray:
        """Score > 0 for one output, else the largest score."""
        if self.n_outputs == 1:
            return (scores > 0).astype(np.int64)
        return scores.argmax(axis=1)
