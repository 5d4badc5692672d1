"""Tensor-only rows of the gate table: matmul, reductions, reshaping, indexing, softmax.

Same form as ``gates.py``: a forward on numpy arrays and one rule per input. The rules
use methods numpy arrays and Tensors share (``reshape``, ``swapaxes``, ``sum``, ``@``)
or the dual helpers below, so they also run on nodes when ``create_graph=True``.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from .engine import unbroadcast
from .gates import Gate
from .ops import exp, is_node, select, values


def broadcast_to(g: Any, shape: tuple) -> Any:
    """``g`` repeated to ``shape``, as a new array (numpy's broadcast_to gives a view)."""
    if is_node(g):
        return g._apply(BROADCAST_TO, shape)
    out = np.empty(shape, dtype=g.dtype)
    out[...] = g
    return out


def scatter(g: Any, index: Any, shape: tuple) -> Any:
    """Zeros of ``shape`` with ``g`` added at ``index``; repeated indices add up."""
    if is_node(g):
        return g._apply(SCATTER, index, shape)
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic_index(index):
        out[index] = g  # a view: no index repeats, so plain assignment is exact
    else:
        np.add.at(out, index, g)
    return out


def _is_basic_index(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis
               for i in items)


def _expand(g: Any, shape: tuple, axis: Any, keepdims: bool) -> Any:
    """``g`` (a reduction's upstream gradient) broadcast back to the input's ``shape``."""
    if not keepdims and axis is not None:
        axes = (axis,) if isinstance(axis, int) else axis
        axes = {a % len(shape) for a in axes}
        g = g.reshape(tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return broadcast_to(g, shape)


def _count(shape: tuple, axis: Any) -> int:
    if axis is None:
        return int(np.prod(shape))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes]))


def _mean(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    if x.size:
        return x.mean(axis=axis, keepdims=keepdims)
    # Over an empty axis the mean is 0 / 0 = nan, as in numpy and PyTorch; numpy also
    # warns, which would only repeat what the nan says.
    with np.errstate(invalid="ignore", divide="ignore"):
        return x.sum(axis=axis, keepdims=keepdims) / _count(x.shape, axis)


def _max_share(g: Any, out: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    # The gradient goes to the elements equal to the max, split evenly at a tie.
    xv = values(x)
    top = np.max(xv, axis=axis, keepdims=True)
    mask = xv == top
    share = mask / np.sum(mask, axis=axis, keepdims=True)
    return _expand(g, xv.shape, axis, keepdims) * share.astype(xv.dtype, copy=False)


def _matmul_forward(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    try:
        return np.matmul(a, b)
    except ValueError:
        if a.ndim == 0 or b.ndim == 0:
            why = "matmul needs operands of at least one dimension"
        elif a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            why = f"inner dimensions {a.shape[-1]} and {b.shape[-2 if b.ndim > 1 else 0]} differ"
        else:
            why = f"batch dimensions {a.shape[:-2]} and {b.shape[:-2]} do not broadcast"
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not match: {why}") from None


def _matmul_a(g: Any, out: Any, a: Any, b: Any) -> Any:
    if a.ndim == 2 and b.ndim == 2:
        return g @ b.T
    a2, b2, g2 = _as_matrices(g, a, b)
    return unbroadcast(g2 @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)


def _matmul_b(g: Any, out: Any, a: Any, b: Any) -> Any:
    if a.ndim == 2 and b.ndim == 2:
        return a.T @ g
    a2, b2, g2 = _as_matrices(g, a, b)
    return unbroadcast(a2.swapaxes(-1, -2) @ g2, b2.shape).reshape(b.shape)


def _as_matrices(g: Any, a: Any, b: Any) -> tuple:
    """1-d operands as matrices (a row, b a column), and g with the dims matmul dropped."""
    gshape = tuple(g.shape)
    if a.ndim == 1:
        a = a.reshape((1,) + tuple(a.shape))
        gshape = gshape[:-1] + (1,) + gshape[-1:] if b.ndim > 1 else gshape + (1,)
    if b.ndim == 1:
        b = b.reshape(tuple(b.shape) + (1,))
        gshape = gshape + (1,)
    return a, b, g.reshape(gshape)


def _inverse(axes: tuple | None) -> tuple | None:
    """The permutation that undoes ``axes`` (None, the full reversal, undoes itself)."""
    return None if axes is None else tuple(int(i) for i in np.argsort(axes))


def _row_max(x: np.ndarray, axis: Any) -> tuple[np.ndarray, Any]:
    """The max along ``axis`` (the shift that keeps exp from overflowing), and a context
    for the arithmetic after it: quiet where a max is ±inf or nan (or the axis empty),
    whose rows are nan as in PyTorch; a plain no-op otherwise (np.errstate costs 3 µs).

    Subtracting the max first is what keeps log_softmax exact at huge logits: ``(x -
    max) - log Σ exp(x - max)`` never adds a small term to a large one.
    """
    top = x.max(axis=axis, keepdims=True, initial=-np.inf)
    if np.isfinite(top).all():
        return top, contextlib.nullcontext()
    return top, np.errstate(divide="ignore", invalid="ignore")


def _log_softmax(x: np.ndarray, axis: Any) -> np.ndarray:
    top, quiet = _row_max(x, axis)
    with quiet:
        shifted = x - top
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax(x: np.ndarray, axis: Any) -> np.ndarray:
    top, quiet = _row_max(x, axis)
    with quiet:
        e = np.exp(x - top)
        return e / e.sum(axis=axis, keepdims=True)


def _cross_entropy(scores: np.ndarray, labels: np.ndarray) -> tuple:
    """The mean loss, and the softmax saved for backward (it would cost as much again)."""
    top, quiet = _row_max(scores, 1)
    with quiet:
        shifted = scores - top
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        loss = (np.log(total[:, 0]) - shifted[np.arange(len(labels)), labels]).mean()
        return loss, e / total


def _cross_entropy_grad(g: Any, out: Any, scores: Any, labels: np.ndarray,
                        probs: np.ndarray | None) -> Any:
    # The course's dScores: (softmax - one_hot) / N, times the upstream gradient. Under
    # create_graph the scores are a node, and so is their softmax: second derivatives flow.
    if is_node(scores):
        probs = scores.softmax(1)
    elif probs is None:  # released by an earlier backward: recompute it
        probs = _softmax(scores, 1)
    one_hot = np.zeros(scores.shape, dtype=scores.dtype)
    one_hot[np.arange(len(labels)), labels] = 1
    return (probs - one_hot) * (g / len(labels))  # new arrays: the saved softmax is kept


def _clip_mask(x: Any, lo: Any, hi: Any) -> Any:
    xv = values(x)
    inside = np.ones(xv.shape, dtype=bool)
    if lo is not None:
        inside &= xv >= lo
    if hi is not None:
        inside &= xv <= hi
    return inside


def _axis_label(symbol: str) -> Any:
    return lambda ctx: symbol if ctx[0] is None else f"{symbol} axis={ctx[0]}"


def _clip_label(ctx: tuple) -> str:
    lo, hi = ("" if v is None else ("0" if v == 0 else f"{float(v):.4g}") for v in ctx)
    return f"clip [{lo}, {hi}]"


G = Gate
MATMUL = G("matmul", "@", None, _matmul_forward, (_matmul_a, _matmul_b),
           words="C = A @ B: ∂L/∂A = ∂L/∂C @ Bᵀ, ∂L/∂B = Aᵀ @ ∂L/∂C")
SUM = G("sum", "sum", None, lambda x, axis, keepdims: x.sum(axis=axis, keepdims=keepdims),
        (lambda g, out, x, axis, keepdims: _expand(g, x.shape, axis, keepdims),),
        label=_axis_label("sum"),
        words="every summed element gets up_diff (spread back over the summed axes)")
MEAN = G("mean", "mean", None, _mean,
         (lambda g, out, x, axis, keepdims:
          _expand(g, x.shape, axis, keepdims) * (1.0 / max(_count(x.shape, axis), 1)),),
         label=_axis_label("mean"),
         words="every element gets up_diff / n, n the number of elements averaged")
AMAX = G("amax", "max", None, lambda x, axis, keepdims: x.max(axis=axis, keepdims=keepdims),
         (_max_share,), label=_axis_label("max"),
         words="the largest element gets up_diff (shared at ties), the others 0")
RESHAPE = G("reshape", "reshape", None, np.reshape,
            (lambda g, out, x, shape: g.reshape(x.shape),),
            label=lambda ctx: f"reshape {tuple(ctx[0])}".replace(",)", ")"),
            words="up_diff reshaped back to the input's shape")
TRANSPOSE = G("transpose", "T", None, np.transpose,
              (lambda g, out, x, axes: g.transpose(_inverse(axes)),),
              words="up_diff transposed back")
GETITEM = G("getitem", "[]", None, lambda x, index: x[index],
            (lambda g, out, x, index: scatter(g, index, x.shape),),
            words="up_diff goes back to the picked positions, 0 everywhere else")
SCATTER = G("scatter", "scatter", None, lambda g, index, shape: scatter(g, index, shape),
            (lambda g, out, x, index, shape: g[index],),
            words="each position gets the up_diff of the place it was written to")
BROADCAST_TO = G("broadcast_to", "broadcast", None, np.broadcast_to,
                 (lambda g, out, x, shape: unbroadcast(g, x.shape),),
                 words="up_diff summed over the axes that broadcasting stretched")
LOG_SOFTMAX = G("log_softmax", "log_softmax", None, _log_softmax,
                (lambda g, out, x, axis: g - exp(out) * g.sum(axis=axis, keepdims=True),),
                label=_axis_label("log_softmax"),
                words="∂/∂x = up − softmax(x)·Σ up (the sum along the axis)")
SOFTMAX = G("softmax", "softmax", None, _softmax,
            (lambda g, out, x, axis: out * (g - (g * out).sum(axis=axis, keepdims=True)),),
            label=_axis_label("softmax"),
            words="∂/∂x = s·(up − Σ up·s), s = softmax(x)")
# Softmax + negative log-likelihood + mean in one gate: the hand-written backward's cost.
CROSS_ENTROPY = G("cross_entropy", "CE", None, _cross_entropy, (_cross_entropy_grad,),
                  saves=True,
                  words="∂CE/∂logits = (softmax(logits) − one_hot(target)) / n")
CAST = G("cast", "cast", None, lambda x, dtype: x.astype(dtype),
         (lambda g, out, x, dtype: g.astype(x.dtype),),
         words="up_diff cast back to the input's dtype")
CLIP = G("clip", "clip", None, lambda x, lo, hi: np.clip(x, lo, hi),
         (lambda g, out, x, lo, hi: select(_clip_mask(x, lo, hi), g),), label=_clip_label,
         words="up_diff passes where the input is inside [lo, hi], 0 outside")
del G

ROWS: tuple[Gate, ...] = tuple(g for g in list(globals().values()) if isinstance(g, Gate))
