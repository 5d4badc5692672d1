"""Checks on the data given to a model, run before any work so errors name the problem."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from autograd import Tensor


class DataTypeError(TypeError, ValueError):
    """Data of the wrong type. A TypeError by nature, and a ValueError too, because the
    models promise ``ValueError`` when X and y do not match "in length or type"."""


def positive_int(n: Any, what: str, maximum: int | None = None) -> int:
    """``n`` as an int >= 1 (and <= ``maximum``), or a ValueError naming ``what`` and the
    value. A bool is refused: ``True`` is not a size."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r:.80}")
    if maximum is not None and n > maximum:
        raise ValueError(f"{what} is {n:,}, over the limit of {maximum:,}")
    return int(n)


def real_number(x: Any, what: str, low: float = -math.inf, high: float = math.inf,
                low_open: bool = False, high_open: bool = False) -> float:
    """``x`` as a finite float in the given range, or a ValueError naming ``what``. nan,
    infinities, bools and strings are refused."""
    value = float(x) if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)) \
        else math.nan
    inside = math.isfinite(value) and (value > low if low_open else value >= low) \
        and (value < high if high_open else value <= high)
    if not inside:
        raise ValueError(f"{what} must be {_range(low, high, low_open, high_open)}, "
                         f"got {x!r:.80}")
    return value


def _range(low: float, high: float, low_open: bool, high_open: bool) -> str:
    """How ``real_number``'s error names its range: "a finite number > 0" (no upper
    bound), or "a finite number in [0, 1)"."""
    if high == math.inf and math.isfinite(low):
        return f"a finite number {'>' if low_open else '>='} {low:g}"
    left, right = "(" if low_open else "[", ")" if high_open else "]"
    return f"a finite number in {left}{low:g}, {high:g}{right}"


def boolean(x: Any, what: str) -> bool:
    """``x`` if it is True or False (numpy's too), else a TypeError naming ``what``: a
    string such as "no" would otherwise count as true."""
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{what} must be True or False, got {x!r:.80}")
    return bool(x)


def _is_array_like(x: Any) -> bool:
    # lists, tuples, numpy arrays and whatever converts to one (pandas, Tensors' data)
    return isinstance(x, (list, tuple)) or hasattr(x, "__array__")


def check_features(X: Any, n_features: int, what: str = "X",
                   taker: str = "the model") -> np.ndarray:
    """``X`` as a float64 array of shape ``(n_samples, n_features)``, or a clear error
    (``taker``, what takes ``n_features`` features, is named when ``X`` has others)."""
    if isinstance(X, Tensor):
        X = X.data
    if not _is_array_like(X):
        raise DataTypeError(f"{what} must be a 2-d array (n_samples, n_features), got "
                        f"{type(X).__name__}")
    try:
        arr = np.asarray(X)
    except ValueError as e:  # ragged nested lists
        raise ValueError(f"{what} is not a rectangular array: {e}") from None
    if arr.dtype.kind not in "biuf":
        raise DataTypeError(f"{what} must hold numbers, got dtype {arr.dtype}")
    if arr.ndim != 2:
        hint = " (one feature per sample? use X.reshape(-1, 1))" if arr.ndim == 1 else ""
        raise ValueError(f"{what} must be 2-d (n_samples, n_features) with samples in rows; "
                         f"got shape {arr.shape}{hint}")
    if arr.shape[1] != n_features:
        hint = ""
        if arr.shape[0] == n_features:
            hint = f"; it looks transposed (samples in columns, as in the course): pass {what}.T"
        raise ValueError(f"{what} has shape {arr.shape}: {arr.shape[1]} features per sample, "
                         f"but {taker} takes {n_features}{hint}")
    if arr.shape[0] == 0:
        raise ValueError(f"{what} has no samples (shape {arr.shape})")
    arr = arr.astype(np.float64, copy=False)
    bad = ~np.isfinite(arr)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{what} holds a non-finite value {arr[i, j]} at [{i}, {j}] "
                         f"({int(bad.sum())} in all)")
    return arr


def check_labels(y: Any, n_samples: int, n_classes: int, what: str = "y",
                 x_name: str = "X") -> np.ndarray:
    """``y`` as int64 labels in ``0..n_classes-1``, one per sample, or a clear error.

    A column or row vector (the course keeps Y as (1, m)) is flattened; float labels are
    accepted when they are whole numbers.
    """
    if isinstance(y, Tensor):
        y = y.data
    if not _is_array_like(y):
        raise DataTypeError(f"{what} must be a 1-d array of integer labels, got "
                            f"{type(y).__name__}")
    arr = np.asarray(y)
    if arr.dtype.kind not in "biuf":
        raise DataTypeError(f"{what} must hold integer class labels, got dtype {arr.dtype}")
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be 1-d (one label per sample), got shape {arr.shape}")
    if len(arr) != n_samples:
        raise ValueError(f"{x_name} and {what} do not match in length: {x_name} has "
                         f"{n_samples} samples, "
                         f"{what} has {len(arr)} labels")
    if arr.dtype.kind == "f":
        whole = np.isfinite(arr) & (arr == np.round(arr))
        if not whole.all():
            i = int(np.argmin(whole))
            raise ValueError(f"{what} must hold whole-number class labels; {what}[{i}] = "
                             f"{arr[i].item()!r}")
    labels = arr.astype(np.int64, copy=False)  # y itself when it is already int64 labels
    bad = (labels < 0) | (labels >= n_classes)
    if bad.any():
        i = int(np.argmax(bad))
        allowed = "0 or 1" if n_classes == 2 else f"0..{n_classes - 1}"
        raise ValueError(f"{what}[{i}] = {arr[i].item()!r} is not a valid label: this model's "
                         f"labels are {allowed}")
    return labels
