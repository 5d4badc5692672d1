"""The training loop shared by every classifier: batches, optimizer, history, progress bar."""

from __future__ import annotations

import copy
import math
import sys
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from tqdm import tqdm

import autograd
from autograd import no_grad

from .init import as_generator
from .module import assign_in_place
from .optim import Optimizer, make_optimizer
from .validation import boolean, check_features, check_labels, positive_int, real_number

if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_LR = {"sgd": 0.1, "gd": 0.1, "momentum": 0.1, "adam": 0.001}


class Trainable(Protocol):
    """What the loop asks of a model: a ``Classifier`` (Tensors), or the scalar MLP's
    ``ScalarMLPTraining`` (lists of Values)."""

    n_features: int
    n_classes: int

    def parameters(self) -> Sequence[Any]: ...
    def inputs(self, X: np.ndarray) -> Any: ...
    def targets(self, y: np.ndarray) -> Any: ...
    def forward(self, x: Any) -> Any: ...
    def objective(self, scores: Any, targets: Any, reg: float = 0.0) -> Any: ...
    def _objective_unchecked(self, scores: Any, targets: Any, reg: float) -> Any: ...
    def scores_array(self, scores: list) -> np.ndarray: ...
    def labels_from_scores(self, scores: np.ndarray) -> np.ndarray: ...


class NonFiniteLossError(FloatingPointError):
    """The training loss became nan or inf (usually: the learning rate is too large)."""


class History(dict):
    """Per-epoch lists, read as ``history["loss"]`` or ``history.loss``.

    ``loss`` is the mean training objective (data loss plus regularization) over the
    epoch's batches and ``accuracy`` the fraction of training samples classified right,
    both measured on each batch as it was trained on (before that batch's update), as
    Keras does. With validation data, ``val_loss`` and ``val_accuracy`` are measured at
    the end of each epoch.
    """

    def __getattr__(self, name: str) -> list[float]:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"History has no {name!r}; it has {list(self)}") from None


def fit(model: Trainable, X: Any, y: Any, *, epochs: int = 100, lr: float | None = None,
        batch_size: int | None = None, reg: float = 0.0,
        optimizer: str | Optimizer = "sgd", seed: int | np.random.Generator | None = None,
        verbose: bool = True, validation_data: tuple[Any, Any] | None = None,
        compile: bool = False, report: Any = None) -> History:  # noqa: A002
    """Train ``model`` on ``X`` (n_samples, n_features) and labels ``y``; see Classifier.fit."""
    X = check_features(X, model.n_features)
    y = check_labels(y, len(X), model.n_classes)
    epochs = positive_int(epochs, "epochs")
    n = len(X)
    boolean(verbose, "verbose")
    batch = n if batch_size is None else min(positive_int(batch_size, "batch_size"), n)
    real_number(reg, "reg", 0)
    val = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError("validation_data must be a pair (X_val, y_val)")
        X_val = check_features(validation_data[0], model.n_features, "X_val")
        val = (X_val, check_labels(validation_data[1], len(X_val), model.n_classes, "y_val",
                                         "X_val"))
    opt = _optimizer(optimizer, model, lr)
    rng = as_generator(seed)
    recorder = None
    if report is not None:  # the path is checked here, before any training
        from .models import Classifier
        from .report import Recorder

        if not isinstance(model, Classifier):
            raise TypeError(f"report= records the Tensor models only, not "
                            f"{type(model).__name__}")
        recorder = Recorder(report, model, X, y, epochs, reg)
    before = _Snapshot(model, opt)
    try:
        return _train(model, X, y, opt, rng, epochs, batch, reg, verbose, val, compile,
                      recorder)
    except BaseException as e:  # KeyboardInterrupt too: a failed fit changes nothing
        before.restore()
        if isinstance(e, NonFiniteLossError):
            raise NonFiniteLossError(f"{e}; the model's weights are as they were before "
                                     "this fit call") from None
        raise


def _train(model: Trainable, X: np.ndarray, y: np.ndarray, opt: Optimizer,
           rng: np.random.Generator, epochs: int, batch: int, reg: float, verbose: bool,
           val: tuple[np.ndarray, np.ndarray] | None, compile: bool,  # noqa: A002
           recorder: Any) -> History:
    n = len(X)

    history = History(loss=[], accuracy=[])
    if val is not None:
        history.update(val_loss=[], val_accuracy=[])
    steps = math.ceil(n / batch)
    whole = model.inputs(X)  # full batch: one input for every step
    quiet = not verbose or not sys.stderr.isatty()
    bar = tqdm(range(epochs), desc=f"training {type(model).__name__}", unit="epoch",
               disable=quiet, dynamic_ncols=True)
    every = max(1, epochs // 200)  # refreshing the bar's numbers costs more than a step

    # y and reg were checked before training; the first step's loss checks the model's
    # scores against the labels too (a Classifier of one's own may give the wrong shape),
    # and the later steps skip those checks.
    checked = False

    def objective(xb: Any, tb: Any) -> tuple:
        """(loss, scores) for a Tensor model; (loss, *scores) for the scalar MLP, whose
        scores are a Value per sample (a compiled step returns nodes)."""
        nonlocal checked
        scores = model.forward(xb)
        loss = (model._objective_unchecked if checked else model.objective)(scores, tb, reg)
        checked = True
        return (loss, *scores) if isinstance(scores, list) else (loss, scores)

    if compile:  # traced on the first step, replayed after (a last, smaller batch retraces)
        objective = autograd.compile(objective)
    for epoch in bar:
        order = rng.permutation(n) if batch < n else None
        total, correct = 0.0, 0
        for step in range(steps):
            if order is None:
                xb, yb = whole, y
            else:
                idx = order[step * batch:(step + 1) * batch]
                xb, yb = model.inputs(X[idx]), y[idx]
            loss, *scores = objective(xb, model.targets(yb))
            value = loss.item()
            if not math.isfinite(value):
                raise NonFiniteLossError(
                    f"the training loss became {value} at epoch {epoch + 1}, step {step + 1} "
                    f"(lr={opt.lr:g}): lower the learning rate, or standardize X")
            opt.zero_grad()
            loss.backward()
            # An update that overflows is reported as NonFiniteLossError, naming the epoch,
            # by the next loss or the check after the last epoch: numpy's warning would only
            # repeat that, less clearly.
            with np.errstate(over="ignore", invalid="ignore"):
                opt.step()
            total += value * len(yb)
            correct += int((model.labels_from_scores(model.scores_array(scores)) == yb).sum())
        history["loss"].append(total / n)
        history["accuracy"].append(correct / n)
        if val is not None:
            with no_grad():
                scores = model.forward(model.inputs(val[0]))
                history["val_loss"].append(
                    model._objective_unchecked(scores, model.targets(val[1]), reg).item())
            listed = scores if isinstance(scores, list) else [scores]
            history["val_accuracy"].append(
                float((model.labels_from_scores(model.scores_array(listed)) == val[1]).mean()))
        if recorder is not None:
            recorder.after_epoch(epoch)
        if not quiet and (epoch % every == 0 or epoch == epochs - 1):
            bar.set_postfix({k: f"{v[-1]:.4f}" for k, v in history.items()}, refresh=False)
    bar.close()
    for p in model.parameters():  # the last update is checked by no later loss
        if not np.all(np.isfinite(p.data)):
            raise NonFiniteLossError(
                f"the weights {p.label or ''} became non-finite in the last step of epoch "
                f"{epochs} (lr={opt.lr:g}): lower the learning rate, or standardize X")
    if recorder is not None:
        recorder.write(history, f"{model!r}; {type(opt).__name__} lr={opt.lr:g}; "
                                f"{epochs} epochs")
    return history


def _optimizer(optimizer: str | Optimizer, model: Trainable, lr: float | None) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        if lr is not None:
            raise ValueError("fit: lr is given but so is an optimizer object; set the "
                             "learning rate on the optimizer instead")
        own = {id(p) for p in model.parameters()}
        if any(id(p) not in own for p in optimizer.params):
            raise ValueError("fit: the optimizer holds parameters that are not this model's "
                             "(was it made for another model?)")
        return optimizer
    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer must be 'sgd', 'momentum', 'adam' or an Optimizer, got "
                        f"{type(optimizer).__name__}")
    return make_optimizer(optimizer, model.parameters(),
                          DEFAULT_LR.get(optimizer, 0.1) if lr is None else lr)


class _Snapshot:
    """Copies of everything fit changes: the weights, their gradients and the optimizer's
    state (momentum, Adam's moments and step count), put back by ``restore``."""

    def __init__(self, model: Trainable, opt: Optimizer) -> None:
        self.params = model.parameters()
        self.data = [copy.copy(p.data) for p in self.params]  # arrays copied, floats kept
        self.grads = [copy.copy(p.grad) for p in self.params]
        self.opt = opt
        self.opt_state = opt.state()

    def restore(self) -> None:
        for p, data, grad in zip(self.params, self.data, self.grads):
            if isinstance(p.data, np.ndarray) and p.data.shape == data.shape:
                assign_in_place(p, data)  # views of the weights see the old values again
            else:
                p.data = data
            p.grad = grad
        self.opt.load_state(self.opt_state)
