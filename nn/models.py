"""The classifiers: LogisticRegression and TwoLayerNet, with fit/predict/predict_proba/score.

Both are a Tensor graph from samples-in-rows input ``X`` (N, D) to scores, plus a loss
from ``losses.py``. Andrew Ng's planar-data net is ``TwoLayerNet(2, 4, 1, "tanh", "bce")``
and cs231n's spiral net is ``TwoLayerNet(2, 100, 3, "relu", "softmax")``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, no_grad

from . import train
from .init import Initializer, as_generator
from .layers import Linear, get_activation
from .losses import LOSS_CORES, LOSSES, l2_core, l2_regularization
from .module import Module
from .optim import Optimizer
from .validation import check_features, check_labels, positive_int


class Classifier(Module):
    """What the training loop needs: ``forward`` to scores, a loss, and the weights to
    regularize. ``n_features`` inputs; labels ``0..n_classes-1``."""

    n_features: int
    n_classes: int
    loss: str

    def forward(self, X: Tensor) -> Tensor:
        """The scores for a batch ``X`` (N, n_features): logits (N,) for a binary (bce)
        model, class scores (N, n_classes) otherwise. A graph: backward works through it."""
        raise NotImplementedError

    def weights(self) -> list[Tensor]:
        """The weight matrices that L2 regularization applies to (biases are not)."""
        raise NotImplementedError

    def objective(self, scores: Tensor, y: np.ndarray, reg: float = 0.0) -> Tensor:
        """The mean loss over the batch plus ``reg * sum(W*W)`` over the weights.

        ``y`` is checked against the scores and ``reg`` must be a finite number >= 0
        (ValueError naming what is wrong)."""
        return self._with_penalty(LOSSES[self.loss](scores, y), reg, l2_regularization)

    def _objective_unchecked(self, scores: Tensor, y: np.ndarray, reg: float) -> Tensor:
        """``objective`` for labels and ``reg`` that are already checked: what fit's
        steps call, having checked both once before training."""
        if type(self).objective is not Classifier.objective:  # a subclass's own wins
            return self.objective(scores, y, reg)
        return self._with_penalty(LOSS_CORES[self.loss](scores, y), reg, l2_core)

    def _with_penalty(self, loss: Tensor, reg: float,
                      l2: Callable[[list[Tensor], float], Tensor | float]) -> Tensor:
        if reg:  # adding 0.0 would put a useless constant node in every graph
            loss = loss + l2(self.weights(), reg)
        loss.label = "loss"
        return loss

    # What the training loop asks of a model besides the above (nn/train.py); the scalar
    # MLP's answers are in nn/scalar_training.py.
    @staticmethod
    def inputs(X: np.ndarray) -> Tensor:
        """A batch of samples as the input ``forward`` takes."""
        return Tensor(X, label="X")

    @staticmethod
    def targets(y: np.ndarray) -> np.ndarray:
        """The labels as ``objective`` takes them (the labels themselves)."""
        return y

    @staticmethod
    def scores_array(scores: list[Tensor]) -> np.ndarray:
        """The numbers of ``[forward(...)]``, for ``labels_from_scores``."""
        return scores[0].data

    def labels_from_scores(self, scores: np.ndarray) -> np.ndarray:
        """Predicted labels from ``forward``'s scores: logit > 0, or the largest score."""
        if self.loss == "bce":
            return (scores > 0).astype(np.int64)  # σ(z) > 0.5 exactly when z > 0
        return scores.argmax(axis=1)

    # -- the scikit-learn-style interface --------------------------------------------------
    def fit(self, X: Any, y: Any, epochs: int = 100, lr: float | None = None,
            batch_size: int | None = None, reg: float = 0.0,
            optimizer: str | Optimizer = "sgd", seed: int | np.random.Generator | None = None,
            verbose: bool = True, validation_data: tuple[Any, Any] | None = None,
            compile: bool = False, report: Any = None) -> train.History:  # noqa: A002
        """Train on ``X`` (n_samples, n_features), samples in rows, and integer labels ``y``.

        The defaults are the courses': plain gradient descent (``optimizer="sgd"``, no
        momentum) on the mean loss over the batch, the whole training set per step when
        ``batch_size`` is None (so an epoch is one step), no regularization. ``lr`` is the
        step size (default 0.1; 0.001 for Adam). ``optimizer`` may be ``"momentum"``
        (μ = 0.9), ``"adam"``, or an ``nn.SGD``/``nn.Adam`` made over this model's
        parameters. ``seed`` fixes the order of mini-batches. Training continues from the
        current weights, so calling fit again trains further.

        Returns a ``History``: lists ``loss`` and ``accuracy`` per epoch (and ``val_loss``,
        ``val_accuracy`` with ``validation_data=(X_val, y_val)``). Raises ``ValueError`` or
        ``TypeError`` for bad data before training starts, and ``NonFiniteLossError``
        naming the epoch and step if the loss becomes nan or inf. A fit that fails in any
        way (that error, any other exception, Ctrl-C) leaves the model, its gradients and
        a given optimizer's state exactly as they were before the call. ``compile=True``
        traces the training step once and replays it (``autograd.compile``): the same
        numbers, faster.

        ``report`` (a path ending in .html) records the run and writes it as one offline
        page: loss and accuracy per epoch, the decision boundary over the epochs (2-D
        data), per-layer gradient norms and the graph's gradient health (``nn.report``).
        """
        return train.fit(self, X, y, epochs=epochs, lr=lr, batch_size=batch_size, reg=reg,
                         optimizer=optimizer, seed=seed, verbose=verbose,
                         validation_data=validation_data, compile=compile,
                         report=report)

    def decision_function(self, X: Any) -> np.ndarray:
        """The raw scores: logits (N,) for a binary model, (N, C) class scores otherwise."""
        X = check_features(X, self.n_features)
        self.check_finite()
        with no_grad():
            return self.forward(Tensor(X, label="X")).data

    def check_finite(self) -> None:
        """Raise ValueError naming the first parameter that holds nan or inf: predictions
        from such weights would be nan, silently."""
        for name, p in self.named_parameters():
            if not np.all(np.isfinite(p.data)):
                raise ValueError(f"{type(self).__name__}: the weights {name!r} hold non-finite "
                                 "values (nan or inf), so every prediction would be nan; "
                                 "retrain the model or load good weights")

    def predict(self, X: Any) -> np.ndarray:
        """The predicted labels (N,), int64."""
        return self.labels_from_scores(self.decision_function(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(y=1) of shape (N,) for a binary (bce) model; (N, C) rows summing to 1 for
        softmax. A hinge-loss (svm) model has no probabilities: use decision_function."""
        scores = self.decision_function(X)
        if self.loss == "bce":
            return Tensor(scores).sigmoid().data  # the engine's stable sigmoid
        if self.loss == "softmax":
            return Tensor(scores).softmax(axis=1).data
        raise ValueError(f"predict_proba: a {type(self).__name__} trained with the "
                         f"{self.loss!r} loss gives class scores, not probabilities; use "
                         "decision_function(X) or predict(X)")

    def score(self, X: Any, y: Any) -> float:
        """Accuracy: the fraction of samples whose predicted label equals ``y``."""
        pred = self.predict(X)
        return float((pred == check_labels(y, len(pred), self.n_classes)).mean())

    def to_torch(self) -> Any:
        """An equivalent ``torch.nn.Module`` with copies of the weights (see nn.torch_export)."""
        from .torch_export import to_torch

        return to_torch(self)


class LogisticRegression(Classifier):
    """``P(y=1 | x) = σ(x·w + b)`` trained on binary cross-entropy; labels 0 and 1.

    Weights start at zero as in the course (a single unit has no symmetry to break).
    """

    loss = "bce"
    n_classes = 2

    def __init__(self, n_features: int, init: str | Initializer = "zeros",
                 seed: int | np.random.Generator | None = None) -> None:
        self.n_features = positive_int(n_features, "n_features")
        self.linear = Linear(self.n_features, 1, init=init, seed=seed)
        self.linear.weight.label, self.linear.bias.label = "w", "b"

    def architecture(self) -> dict[str, Any]:
        return {"class": type(self).__name__, "args": {"n_features": self.n_features}}

    @staticmethod
    def parameter_shapes(n_features: int) -> Counter:
        """How many parameters of each shape the model with these arguments has."""
        n = positive_int(n_features, "n_features")
        return Counter([(n, 1), (1,)])

    def forward(self, X: Tensor) -> Tensor:
        z = self.linear(X).reshape(-1)
        z.label = "z = Xw + b"
        return z

    def weights(self) -> list[Tensor]:
        return [self.linear.weight]


class LinearClassifier(Classifier):
    """cs231n's linear classifier: class scores ``X @ W + b``, ``W`` (n_features, n_classes).

    With ``loss="softmax"`` it is multinomial logistic regression (softmax regression);
    with ``loss="svm"`` the multiclass linear SVM. Labels ``0..n_classes-1``.
    """

    def __init__(self, n_features: int, n_classes: int, loss: str = "softmax",
                 init: str | Initializer = "small",
                 seed: int | np.random.Generator | None = None) -> None:
        self.n_features = positive_int(n_features, "n_features")
        self.n_classes = positive_int(n_classes, "n_classes")
        if loss not in ("softmax", "svm"):
            raise ValueError(f"LinearClassifier: loss must be 'softmax' or 'svm', got "
                             f"{loss!r} (for two classes with one logit: LogisticRegression)")
        if self.n_classes < 2:
            raise ValueError(f"LinearClassifier: n_classes must be >= 2, got {n_classes!r}")
        self.loss = loss
        self.linear = Linear(self.n_features, self.n_classes, init=init, seed=seed)

    def architecture(self) -> dict[str, Any]:
        return {"class": type(self).__name__, "args": {
            "n_features": self.n_features, "n_classes": self.n_classes, "loss": self.loss}}

    @staticmethod
    def parameter_shapes(n_features: int, n_classes: int, loss: str = "softmax") -> Counter:
        """How many parameters of each shape the model with these arguments has."""
        n, c = positive_int(n_features, "n_features"), positive_int(n_classes, "n_classes")
        return Counter([(n, c), (c,)])

    def forward(self, X: Tensor) -> Tensor:
        scores = self.linear(X)
        scores.label = "scores = X W + b"
        return scores

    def weights(self) -> list[Tensor]:
        return [self.linear.weight]


class TwoLayerNet(Classifier):
    """``X → Linear(n_in, n_hidden) → activation → Linear(n_hidden, n_out) → loss``.

    ``activation``: "relu", "tanh" or "sigmoid". ``loss``: "softmax" (cross-entropy) or
    "svm" (multiclass hinge, Δ = 1) for labels ``0..n_out-1``, or "bce" (binary
    cross-entropy on a sigmoid output) with ``n_out == 1`` and labels 0/1. ``init`` names
    the weight initializer ("small" = randn * 0.01 as in both courses, "xavier", "he",
    "zeros") and ``seed`` makes it reproducible.
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int, activation: str = "relu",
                 loss: str = "softmax", init: str | Initializer = "small",
                 seed: int | np.random.Generator | None = None) -> None:
        n_in = positive_int(n_in, "n_in")
        n_hidden = positive_int(n_hidden, "n_hidden")
        n_out = positive_int(n_out, "n_out")
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)}")
        if loss == "bce" and n_out != 1:
            raise ValueError(f"loss='bce' needs n_out == 1 (one logit for P(y=1)), got "
                             f"n_out={n_out}; use loss='softmax' for {n_out} classes")
        if loss != "bce" and n_out < 2:
            raise ValueError(f"loss={loss!r} needs n_out >= 2 classes, got n_out={n_out}; "
                             "for a single output use loss='bce'")
        self.n_features, self.n_hidden, self.n_out = n_in, n_hidden, n_out
        self.n_classes = 2 if loss == "bce" else n_out
        self.loss, self.activation = loss, activation
        self.act = get_activation(activation)
        rng = as_generator(seed)
        self.fc1 = Linear(n_in, n_hidden, init=init, seed=rng, name="1")
        self.fc2 = Linear(n_hidden, n_out, init=init, seed=rng, name="2")

    def architecture(self) -> dict[str, Any]:
        return {"class": type(self).__name__, "args": {
            "n_in": self.n_features, "n_hidden": self.n_hidden, "n_out": self.n_out,
            "activation": self.activation, "loss": self.loss}}

    @staticmethod
    def parameter_shapes(n_in: int, n_hidden: int, n_out: int, activation: str = "relu",
                         loss: str = "softmax") -> Counter:
        """How many parameters of each shape the model with these arguments has."""
        n_in, n_hidden, n_out = (positive_int(n, what) for n, what in (
            (n_in, "n_in"), (n_hidden, "n_hidden"), (n_out, "n_out")))
        return Counter([(n_in, n_hidden), (n_hidden,), (n_hidden, n_out), (n_out,)])

    def forward(self, X: Tensor) -> Tensor:
        z1 = self.fc1(X)
        z1.label = "Z1 = X W1 + b1"
        a1 = self.act(z1)
        a1.label = f"A1 = {self.activation}(Z1)"
        z2 = self.fc2(a1)
        z2.label = "Z2 = A1 W2 + b2"
        if self.loss == "bce":
            z2 = z2.reshape(-1)  # (N, 1) -> (N,): one logit per sample
            z2.label = "z (logits)"
        return z2

    def weights(self) -> list[Tensor]:
        return [self.fc1.weight, self.fc2.weight]
