"""Value: a scalar node of the computation graph.

Every operator builds one node through ``_apply``, which runs the gate's forward from the
gate table and records the inputs; the derivative lives in the table, never here.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import engine
from . import gates as G
from .engine import _mode
from .node import Node


class Value(Node):
    """A scalar in the graph, with ``.data`` (float), ``.grad`` (float) and ``.label``."""

    __slots__ = ()
    _is_scalar = True
    _zero_grad = 0.0
    requires_grad = True

    def __init__(self, data: float, label: str = "") -> None:
        self.data = _to_float(data)
        self.grad = 0.0
        self.label = label
        self._gate = self._a = self._b = None
        self._ctx = ()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- arithmetic: numbers on either side ---------------------------------------------
    def __add__(self, other: Any) -> Value:
        return _apply(G.ADD, self, other)

    def __radd__(self, other: Any) -> Value:
        return _apply(G.ADD, other, self)

    def __sub__(self, other: Any) -> Value:
        return _apply(G.SUB, self, other)

    def __rsub__(self, other: Any) -> Value:
        return _apply(G.SUB, other, self)

    def __mul__(self, other: Any) -> Value:
        return _apply(G.MUL, self, other)

    def __rmul__(self, other: Any) -> Value:
        return _apply(G.MUL, other, self)

    def __truediv__(self, other: Any) -> Value:
        return _apply(G.DIV, self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return _apply(G.DIV, other, self)

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _apply(G.POW, self, other)
        return _apply1(G.POWC, self, (_to_float(other, "exponent"),))

    def __rpow__(self, other: Any) -> Value:
        return _apply(G.POW, other, self)

    def __neg__(self) -> Value:
        return _apply1(G.NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _apply1(G.ABS, self)

    # Comparisons compare data and give plain bools: a step has no gradient to record.
    def __lt__(self, other: Any) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data(other)

    def __float__(self) -> float:
        return self.data

    # -- gates ------------------------------------------------------------------------------
    def exp(self) -> Value:
        return _apply1(G.EXP, self)

    def log(self) -> Value:
        return _apply1(G.LOG, self)

    def sigmoid(self) -> Value:
        return _apply1(G.SIGMOID, self)

    def tanh(self) -> Value:
        return _apply1(G.TANH, self)

    def relu(self) -> Value:
        return _apply1(G.RELU, self)

    def sqrt(self) -> Value:
        return _apply1(G.SQRT, self)

    def item(self) -> float:
        return self.data

    def detach(self) -> Value:
        return Value(self.data, self.label)

    def _apply(self, gate: G.Gate, *ctx: Any) -> Value:
        """A one-input gate on this node (as ``Tensor._apply``)."""
        return _apply1(gate, self, ctx)

    # -- backward ---------------------------------------------------------------------------
    def backward(self, grad: float = 1.0, create_graph: bool = False) -> None:
        """Fill ``.grad`` of this node and of every node it depends on (chain rule)."""
        seed = self._check_seed(grad)
        if isinstance(seed, Value) and not create_graph:
            seed = seed.data  # .grad stays a float unless gradients are to be a graph
        engine.run_backward(self, seed, create_graph)

    @staticmethod
    def _check_seed(grad: Any) -> Any:
        if grad is None:
            return 1.0
        return grad if isinstance(grad, Value) else _to_float(grad, "grad")

    def _take_grad(self, down: Any) -> None:
        self.grad = self.grad + down

    @staticmethod
    def _zeros() -> float:
        return 0.0


_new = object.__new__


def _to_float(x: Any, what: str = "Value data") -> float:
    if type(x) is float:
        return x
    if isinstance(x, (numbers.Real, np.bool_)):
        return float(x)
    raise TypeError(f"{what} must be an int or float, got {type(x).__name__}: {x!r:.60}")


def _data(x: Any) -> float:
    return x.data if type(x) is Value else _to_float(x, "operand")


def _apply(gate: G.Gate, a: Any, b: Any) -> Value:
    if type(a) is not Value:
        a = _constant(a)
    if type(b) is not Value:
        b = _constant(b)
    # Written out rather than shared with _apply1: this runs once per node of every graph.
    out = _new(Value)
    out.data = gate.scalar(a.data, b.data)
    out.grad = 0.0
    out.label = ""
    out._ctx = ()
    if _mode.enabled:
        out._gate = gate
        out._a = a
        out._b = b
    else:
        out._gate = out._a = out._b = None
    return out


def _apply1(gate: G.Gate, a: Value, ctx: tuple = ()) -> Value:
    out = _new(Value)
    out.data = gate.scalar(a.data, *ctx)
    out.grad = 0.0
    out.label = ""
    out._b = None
    if _mode.enabled:
        out._gate = gate
        out._a = a
        out._ctx = ctx
    else:
        out._gate = out._a = None
        out._ctx = ()
    return out


def _constant(x: Any) -> Value:
    if isinstance(x, Value):  # a subclass
        return x
    c = _new(Value)
    c.data = _to_float(x, "operand")
    c.grad = 0.0
    c.label = ""
    c._gate = c._a = c._b = None
    c._ctx = ()
    return c
