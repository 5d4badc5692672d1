"""Gates called as functions: ``maximum(a, b)``, ``minimum(a, b)``, and any gate by row."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import gates as G
from . import tensor, value
from .row import Gate


def apply_gate(gate: Gate, *operands: Any) -> Any:
    """Run ``gate`` on one or two operands: Tensors when any operand is array-like."""
    if len(operands) != len(gate.vjp):
        raise TypeError(f"gate {gate.name!r} takes {len(gate.vjp)} operand(s), "
                        f"got {len(operands)}")
    if gate.domain is not None:  # the user-facing error, before the gate runs
        gate.domain(*(np.asarray(x.data) if isinstance(x, tensor.Tensor) else
                      np.asarray(x) if isinstance(x, (list, tuple)) else
                      x.data if isinstance(x, value.Value) else x for x in operands))
    if any(isinstance(x, (tensor.Tensor, np.ndarray, list, tuple)) for x in operands):
        if len(operands) == 2:
            return tensor.apply(gate, *operands)
        x = operands[0]
        return (x if isinstance(x, tensor.Tensor) else tensor.Tensor(x))._apply(gate)
    if len(operands) == 2:
        return value._apply(gate, *operands)
    return value._apply1(gate, value._constant(operands[0]))


def maximum(a: Any, b: Any) -> Any:
    """The max gate: routes the gradient to the larger input, half to each at a tie."""
    return apply_gate(G.MAX, a, b)


def minimum(a: Any, b: Any) -> Any:
    """The min gate: routes the gradient to the smaller input, half to each at a tie."""
    return apply_gate(G.MIN, a, b)
