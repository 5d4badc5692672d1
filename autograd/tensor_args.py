"""The arguments of Tensor's constructor and methods, checked and normalised.

Each check names what was wrong (the argument, the shape, the value) before any work.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .node import Node

_FLOATS = (np.float16, np.float32, np.float64)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, Node) and not x._is_scalar


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """``data`` as a float array: ints and bools become float64, float32 stays."""
    if _is_tensor(data):
        data = data.data
    try:
        arr = np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype)
    except (ValueError, TypeError) as e:
        raise ValueError(f"cannot make a Tensor from {type(data).__name__} {data!r:.60}: {e}"
                         ) from None
    if arr.dtype.kind in "OSUVMm" or arr.dtype.kind == "c":
        raise TypeError(f"Tensor data must be numeric (int, float or bool); got {arr.dtype} "
                        f"from {type(data).__name__} {data!r:.60}")
    if dtype is None and arr.dtype.type not in _FLOATS:
        arr = arr.astype(np.float64)
    return arr


def _axis(axis: Any, ndim: int) -> Any:
    """A reduction axis checked against ``ndim``: None, an int or a tuple of ints."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if not -ndim <= int(a) < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a Tensor with {ndim} dimensions")
    normal = tuple(int(a) % max(ndim, 1) for a in axes)
    return normal[0] if isinstance(axis, (int, np.integer)) else normal


def _labels(labels: Any, shape: tuple) -> np.ndarray:
    labels = np.asarray(labels.data if _is_tensor(labels) else labels)
    if len(shape) != 2:
        raise ValueError(f"cross_entropy needs (N, C) scores, got shape {shape}")
    if labels.shape != shape[:1]:
        raise ValueError(f"cross_entropy: labels of shape {labels.shape} do not match "
                         f"scores of shape {shape} (need ({shape[0]},))")
    if labels.dtype.kind not in "iu" and not (
            labels.dtype.kind == "f" and np.all(labels == np.round(labels))):
        raise TypeError(f"cross_entropy: labels must be integers, got {labels.dtype}")
    labels = labels.astype(np.intp)
    if labels.size and (labels.min() < 0 or labels.max() >= shape[1]):
        bad = labels[(labels < 0) | (labels >= shape[1])][0]
        raise ValueError(f"cross_entropy: label {bad} is out of range for {shape[1]} classes")
    return labels


def _index(index: Any) -> Any:
    """An index with Tensors and lists turned into arrays (numpy's own rules after that)."""
    items = index if isinstance(index, tuple) else (index,)
    fixed = []
    for i in items:
        if _is_tensor(i):
            i = i.data
        if isinstance(i, list):
            i = np.asarray(i, dtype=np.intp) if len(i) == 0 else np.asarray(i)
        if isinstance(i, np.ndarray) and i.dtype.kind == "f":
            raise IndexError(f"Tensor indices must be integers or booleans, got {i.dtype}")
        fixed.append(i)
    return tuple(fixed) if isinstance(index, tuple) else fixed[0]
