"""gradcheck: the engine's gradients against central differences."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from .engine import grad, no_grad
from .node import Node


class GradcheckError(AssertionError):
    """The analytical and numerical gradients of some input disagree."""


def gradcheck(fn: Callable[..., Any], inputs: Sequence[Any], *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, fast: bool = False,
              directions: int = 4, localize: bool = False) -> bool:
    """Check ``grad(fn(*inputs), inputs)`` against central differences.

    A non-scalar output is reduced to a scalar with fixed random weights ``v`` (so the
    check compares ``vᵀJ``, every input element still checked). Each input is checked
    element by element, or with ``fast=True`` along a few random directions ``u``
    (``vᵀJu``: two evaluations per direction instead of two per element, for inputs too
    big to check element by element; it misses an error confined to a few elements
    that are small next to the whole gradient). A fast-mode failure is then localized
    element by element. Returns True, or raises
    GradcheckError naming the input, the worst element, both values and their errors;
    with ``localize=True`` the message also names the first gate whose own derivative is
    wrong (see ``autograd.localize.find_bad_gate``). Every setting is checked first:
    ``eps`` > 0, ``atol`` and ``rtol`` >= 0 (all finite), ``directions`` >= 1, ``fast``
    and ``localize`` True or False (ValueError naming it), and ``fn`` must return a Value
    or Tensor (TypeError), so no setting can pass a gradient without checking it.
    """
    if not callable(fn):
        raise TypeError(f"gradcheck: fn must be callable, got {type(fn).__name__}")
    _check_settings(eps=eps, atol=atol, rtol=rtol, fast=fast, directions=directions,
                    localize=localize)
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Iterable):
        raise TypeError(f"gradcheck: inputs must be a list of Values or Tensors, got "
                        f"{type(inputs).__name__}")
    inputs = list(inputs)
    _check_inputs(inputs)
    with no_grad():
        probe = fn(*inputs)
    if not isinstance(probe, Node):
        raise TypeError(f"gradcheck: fn must return a Value or Tensor computed from the "
                        f"inputs, got {type(probe).__name__} {probe!r:.60}")
    weights = _output_weights(probe)

    def scalar_out() -> Any:
        out = fn(*inputs)
        return out if weights is None else (out * weights).sum()

    try:
        _check_each(scalar_out, inputs, eps, atol, rtol, fast, directions)
    except GradcheckError as e:
        if localize:
            from .localize import find_bad_gate

            bad = find_bad_gate(scalar_out(), eps=eps, atol=atol, rtol=rtol)
            if bad is not None:
                raise GradcheckError(f"{e}\n{bad}") from None
        raise
    return True


def _check_each(scalar_out: Callable[[], Any], inputs: list, eps: float, atol: float,
                rtol: float, fast: bool, directions: int) -> None:
    analytical = grad(scalar_out(), inputs)
    for i, (node, ana) in enumerate(zip(inputs, analytical)):
        ana = np.asarray(ana, dtype=float)
        if fast and isinstance(node.data, np.ndarray):
            if _projections_agree(scalar_out, node, ana, eps, atol, rtol, directions):
                continue
        num = _numerical(scalar_out, node, eps)
        _compare(i, node, ana, num, atol, rtol)


def _projections_agree(f: Callable[[], Any], node: Any, ana: np.ndarray, eps: float,
                       atol: float, rtol: float, directions: int) -> bool:
    """Does ``ana · u`` match the directional difference of f along random unit ``u``?"""
    rng = np.random.default_rng(1)
    original = node.data
    try:
        with no_grad():
            for _ in range(directions):
                u = rng.standard_normal(original.shape)
                u /= np.linalg.norm(u) or 1.0
                node.data = original + eps * u
                hi = _number(f())
                node.data = original - eps * u
                lo = _number(f())
                num = (hi - lo) / (2 * eps)
                if not abs(float(np.sum(ana * u)) - num) <= atol + rtol * abs(num):
                    return False
    finally:
        node.data = original
    return True


def _check_settings(*, eps: Any, atol: Any, rtol: Any, fast: Any, directions: Any,
                    localize: Any) -> None:
    """Every setting in range, so that none can make the check pass without checking."""
    for name, value, positive in (("eps", eps, True), ("atol", atol, False),
                                  ("rtol", rtol, False)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                or not math.isfinite(value) or value < 0 or positive and value == 0:
            bound = "> 0" if positive else ">= 0"
            raise ValueError(f"gradcheck: {name} must be a finite number {bound}, got "
                             f"{value!r}")
    for name, value in (("fast", fast), ("localize", localize)):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"gradcheck: {name} must be True or False, got {value!r}")
    if isinstance(directions, bool) or not isinstance(directions, numbers.Integral) \
            or directions < 1:
        raise ValueError(f"gradcheck: directions must be an int >= 1, got {directions!r}")


def _check_inputs(inputs: list) -> None:
    if not inputs:
        raise ValueError("gradcheck needs at least one input")
    for i, node in enumerate(inputs):
        if not isinstance(node, Node):
            raise TypeError(f"gradcheck: inputs[{i}] is a {type(node).__name__}, "
                            "not a Value or Tensor")
        if isinstance(node.data, np.ndarray) and node.data.dtype != np.float64:
            raise TypeError(f"gradcheck: inputs[{i}] is {node.data.dtype}; central "
                            "differences need float64 (use dtype=np.float64)")


def _output_weights(out: Any) -> Any:
    data = out.data
    if not isinstance(data, np.ndarray) or data.size == 1:
        return None
    return np.random.default_rng(0).standard_normal(data.shape)


def _numerical(f: Callable[[], Any], node: Any, eps: float) -> np.ndarray:
    """Central differences of f's output with respect to each element of ``node.data``."""
    if not isinstance(node.data, np.ndarray):
        x = node.data
        try:
            with no_grad():
                node.data = x + eps
                hi = _number(f())
                node.data = x - eps
                lo = _number(f())
        finally:
            node.data = x
        return np.asarray((hi - lo) / (2 * eps))
    original = node.data
    work = original.copy()
    num = np.zeros(original.shape)
    try:
        node.data = work
        with no_grad():
            for idx in np.ndindex(original.shape):
                x = work[idx]
                work[idx] = x + eps
                hi = _number(f())
                work[idx] = x - eps
                lo = _number(f())
                work[idx] = x
                num[idx] = (hi - lo) / (2 * eps)
    finally:
        node.data = original  # the caller's array, untouched
    return num


def _number(out: Any) -> float:
    """A one-element output (0-d, (1,), (1, 1), ...) as a float."""
    return float(np.asarray(out.data).reshape(()))


def _compare(i: int, node: Any, ana: np.ndarray, num: np.ndarray, atol: float,
             rtol: float) -> None:
    err = np.abs(ana - num)
    excess = err - (atol + rtol * np.abs(num))
    bad = ~(excess <= 0)  # nan counts as a failure
    if not bad.any():
        return
    flat = int(np.argmax(np.where(np.isnan(excess), np.inf, excess)))
    idx = np.unravel_index(flat, ana.shape) if ana.ndim else ()
    a, n = float(ana[idx]), float(num[idx])
    rel = abs(a - n) / max(abs(n), 1e-300)
    label = f" ({node.label!r})" if getattr(node, "label", "") else ""
    where = f" at index {tuple(int(k) for k in idx)}" if ana.ndim else ""
    raise GradcheckError(
        f"gradcheck failed for input {i}{label}{where}: analytical {a!r} vs numerical "
        f"{n!r}, abs error {abs(a - n):.3g}, rel error {rel:.3g} (atol={atol}, rtol={rtol}; "
        f"{int(bad.sum())} of {bad.size} elements out of tolerance)"
    )
