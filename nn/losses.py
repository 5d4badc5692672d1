"""Losses built from Tensor gates, each the mean over the batch, and L2 regularization.

Every loss takes the raw scores (logits) and integer labels, and is written so that no
intermediate overflows: the gradients come from the gate table like any other graph.

Each public loss checks its arguments, then calls its unchecked core (``LOSS_CORES``,
``l2_core``). ``fit`` checks the labels and ``reg`` once, before training, and calls the
cores on every step, so a step does not repeat those checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Tensor, maximum

from .validation import check_labels, real_number


def binary_cross_entropy_with_logits(z: Tensor, y: np.ndarray) -> Tensor:
    """Mean of ``-y log σ(z) - (1-y) log(1-σ(z))`` for logits ``z`` and labels y in {0, 1}.

    Computed as ``y * softplus(-z) + (1 - y) * softplus(z)``, the same number, with no
    term that cancels another: softplus never overflows and keeps a tiny loss through
    log1p (z = 40, y = 1: 4.25e-18, not 0), and the gradient is exactly
    ``σ(z) - y`` written as ``(1 - y) σ(z) - y σ(-z)`` (z = 20, y = 1: -2.06e-9 in float32,
    not 1 - 1 = 0); 0.5 - y at z = 0, where a zero-initialized model starts.
    """
    labels = np.asarray(y.data if isinstance(y, Tensor) else y)
    if labels.shape != z.shape or labels.dtype.kind not in "biuf":
        raise ValueError(f"binary_cross_entropy_with_logits: y must be numbers of the logits' "
                         f"shape {z.shape}, got {labels.dtype} of shape {labels.shape}")
    if not ((labels >= 0) & (labels <= 1)).all():
        raise ValueError("binary_cross_entropy_with_logits: y must be in [0, 1] (labels or "
                         "probabilities)")
    return bce_core(z, y)


def bce_core(z: Tensor, y: Any) -> Tensor:
    """``binary_cross_entropy_with_logits`` without its checks: ``y`` must already be
    numbers in [0, 1] of the logits' shape."""
    target = Tensor(y, dtype=z.dtype, label="y")  # from y itself: a compiled step sees it
    return (target * (-z).softplus() + (1.0 - target) * z.softplus()).mean()


def softmax_cross_entropy(scores: Tensor, y: np.ndarray) -> Tensor:
    """Mean of ``-log softmax(scores)[i, y_i]``, the row max subtracted first.

    One gate (``Tensor.cross_entropy``) whose backward is the course's
    ``dScores = (softmax - one_hot) / N``, as fast as the hand-written version; the same
    number as ``-scores.log_softmax(axis=1)[np.arange(N), y].mean()``.
    """
    # No check of its own to skip: the gate turns the labels into indices (and refuses
    # bad ones) on every call, the conversion a compiled step replays for each batch.
    return scores.cross_entropy(y)


def multiclass_svm(scores: Tensor, y: np.ndarray, delta: float = 1.0) -> Tensor:
    """cs231n's hinge loss: mean over samples of ``sum_{j != y} max(0, s_j - s_y + delta)``."""
    real_number(delta, "multiclass_svm: delta", 0, low_open=True)
    if scores.ndim != 2:
        raise ValueError(f"multiclass_svm: scores must be (N, C), got shape {scores.shape}")
    n, c = scores.shape
    return svm_core(scores, check_labels(y, n, c, "multiclass_svm: y", "scores"), delta)


def svm_core(scores: Tensor, y: np.ndarray, delta: float = 1.0) -> Tensor:
    """``multiclass_svm`` without its checks: ``scores`` must be (N, C), ``y`` N integer
    labels in 0..C-1 and ``delta`` a positive number."""
    n = scores.shape[0]
    correct = scores[np.arange(n), y].reshape(n, 1)
    margins = maximum(scores - correct + delta, 0.0)
    # The correct class's own margin is exactly delta (and its gradient cancels): take it
    # off the row's sum rather than masking with an array made from y, which a compiled
    # step could not see change from batch to batch.
    return (margins.sum(axis=1) - delta).mean()


def l2_regularization(weights: Iterable[Tensor], reg: float) -> Tensor | float:
    """``reg * sum(W * W)`` over the weight matrices (cs231n's assignment convention, no ½).

    Biases are left out, as in both courses. Returns 0.0 when ``reg`` is 0, so that no
    graph is built for nothing.
    """
    real_number(reg, "reg", 0)
    return l2_core(weights, reg)


def l2_core(weights: Iterable[Tensor], reg: float) -> Tensor | float:
    """``l2_regularization`` without the check of ``reg`` (a finite number >= 0)."""
    if reg == 0:
        return 0.0
    total: Tensor | float = 0.0
    for w in weights:
        total = total + (w * w).sum()
    return reg * total


LOSSES: dict[str, Callable[..., Tensor]] = {
    "bce": binary_cross_entropy_with_logits,
    "softmax": softmax_cross_entropy,
    "svm": multiclass_svm,
}
# The same losses without their checks, for labels already checked (fit's steps).
LOSS_CORES: dict[str, Callable[..., Tensor]] = {
    "bce": bce_core,
    "softmax": softmax_cross_entropy,
    "svm": svm_core,
}
