"""The arguments of Tensor's constructor and methods, checked and normalised.

Each check names what was wrong (the argument, the shape, the value) before any work.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .node import Node

_FLOATS = (np.float16, np.float32, np.float64)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, Node) and not x._is_scalar


def as_array(data: Any, dtype: Any = None, copy: bool = False) -> np.ndarray:
    """``data`` as a float array: ints and bools become float64, float32 stays.

    With ``copy``, always a new array (the constructor's: a Tensor never shares the
    caller's array, so an optimizer step cannot change it)."""
    if _is_tensor(data):
        data = data.data
    if dtype is not None:
        dtype = numeric_dtype(dtype)
    try:
        arr = np.array(data, dtype=dtype) if copy else np.asarray(data, dtype=dtype)
    except (ValueError, TypeError, OverflowError) as e:
        raise ValueError(f"cannot make a Tensor from {type(data).__name__} {data!r:.60}: {e}"
                         ) from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Tensor data must be numeric (int, float or bool); got {arr.dtype} "
                        f"from {type(data).__name__} {data!r:.60}")
    if dtype is None and arr.dtype.type not in _FLOATS:
        arr = arr.astype(np.float64)
    return arr


def numeric_dtype(dtype: Any) -> np.dtype:
    """``dtype`` as a numpy dtype a Tensor may hold (bool, int or float: not complex, text,
    objects or dates); TypeError naming it otherwise."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype {dtype!r:.60} is not a numpy dtype") from None
    if dt.kind not in "biuf":
        raise TypeError(f"a Tensor holds bool, int or float numbers, not dtype {dt}")
    return dt


def check_requires_grad(requires_grad: Any, dtype: np.dtype) -> bool:
    """Only a float Tensor may require grad (as in PyTorch): an int or bool one would
    truncate its gradient."""
    if not isinstance(requires_grad, (bool, np.bool_)):
        raise TypeError(f"requires_grad must be a bool, got {type(requires_grad).__name__}")
    if requires_grad and dtype.kind != "f":
        raise TypeError(f"only float Tensors can require grad, not dtype {dtype} (its "
                        "gradient would be truncated): make it with a float dtype")
    return bool(requires_grad)


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _axis(axis: Any, shape: tuple, what: str = "axis", several: bool = True) -> Any:
    """An axis argument checked against ``shape`` and made non-negative: None, an int or
    (``several``) a tuple or list of distinct ints. TypeError or ValueError naming the
    argument otherwise: the one check of every axis argument of Tensor's methods."""
    if axis is None:
        return None
    single = _is_int(axis)
    if not single and not (several and isinstance(axis, (tuple, list))
                           and all(_is_int(a) for a in axis)):
        kinds = "an int or a tuple of ints" if several else "an int"
        raise TypeError(f"{what} must be {kinds}, got {type(axis).__name__} {axis!r:.60}")
    axes = (axis,) if single else tuple(axis)
    ndim = len(shape)
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{what} {a} is out of range for a Tensor of shape {shape} "
                             f"({ndim} dimensions)")
    normal = tuple(int(a) % max(ndim, 1) for a in axes)
    if len(set(normal)) != len(normal):
        raise ValueError(f"{what} {axis!r} repeats an axis")
    return normal[0] if single else normal


def _softmax_axis(axis: Any, shape: tuple) -> Any:
    """The softmax axis: a 0-d Tensor is one row of one (axis 0 or -1, as PyTorch)."""
    if shape == () and axis in (0, -1) and _is_int(axis):
        return None
    return _axis(axis, shape)


def clip_bounds(low: Any, high: Any, dtype: np.dtype) -> tuple:
    """clip's ``min`` and ``max``: numbers or None, in the Tensor's dtype."""
    for name, v in (("min", low), ("max", high)):
        if v is not None and not isinstance(v, (numbers.Real, np.bool_)):
            raise TypeError(f"clip: {name} must be a number or None, got "
                            f"{type(v).__name__} {v!r:.60}")
    return tuple(None if v is None else dtype.type(v) for v in (low, high))


def shape_arg(shape: tuple, what: str = "shape") -> tuple:
    """A shape argument: ints (one may be -1), TypeError naming it otherwise."""
    if not all(_is_int(n) for n in shape):
        raise TypeError(f"{what} must be ints, got {shape!r:.60}")
    return tuple(int(n) for n in shape)


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
    labels = np.array(labels, dtype=np.intp)  # our own copy: the caller may change theirs
    # Seen unsigned, a negative label is a huge one: one pass finds both kinds of bad label
    # (a compiled step checks its labels argument on every call).
    if labels.size and labels.view(np.uintp).max() >= shape[1]:
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
