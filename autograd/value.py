"""Value: a scalar node of the computation graph.

Every operator builds one node through ``_apply``, which runs the gate's forward from the
gate table and records the inputs; the derivative lives in the table, never here. The
element-wise methods (``exp``, ``log``, ``relu``, ...) are made from the table's rows.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from . import engine
from . import gates as G
from .engine import _mode
from .node import Node, _clock
from .row import Gate, add_gate_methods


class Value(Node):
    """A scalar in the graph, with ``.data`` (float), ``.grad`` (float) and ``.label``.

    Arithmetic (``+ - * / **``, unary ``-``, ``abs``) with Values or plain numbers on
    either side builds new Values; ``backward()`` fills every ``.grad``. Comparisons
    (``== != < <= > >=``) compare ``.data`` with a Value or a number and give bools, so
    ``Value(1.0) == 1.0``; hashing stays by identity (a node is a key in sets and dicts
    of the graph, and two nodes with equal data are still two nodes). numpy arrays are
    refused as operands (TypeError) rather than turned into arrays of Values.
    """

    __slots__ = ()
    __hash__ = Node.__hash__  # identity: ``__eq__`` compares the numbers
    __array_ufunc__ = None  # ``array + Value``: numpy hands over to our reflected operator
    _is_scalar = True
    _zero_grad = 0.0
    _saved = None
    requires_grad = True

    def __init__(self, data: float, label: str = "") -> None:
        """A leaf holding ``data`` (an int or float; TypeError otherwise, ValueError for an
        int past the float range), named ``label``."""
        self._data = _to_float(data)
        self._version = _clock[0]
        self.grad = 0.0
        self.label = label
        self._gate = self._a = self._b = None
        self._ctx = ()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __add__(self, other: Value | float) -> Value:
        """self + other (the add gate)."""
        return _apply(G.ADD, self, other)

    def __radd__(self, other: Value | float) -> Value:
        return _apply(G.ADD, other, self)

    def __sub__(self, other: Value | float) -> Value:
        """self - other (the sub gate)."""
        return _apply(G.SUB, self, other)

    def __rsub__(self, other: Value | float) -> Value:
        return _apply(G.SUB, other, self)

    def __mul__(self, other: Value | float) -> Value:
        """self * other (the mul gate)."""
        return _apply(G.MUL, self, other)

    def __rmul__(self, other: Value | float) -> Value:
        return _apply(G.MUL, other, self)

    def __truediv__(self, other: Value | float) -> Value:
        """self / other (the div gate); ZeroDivisionError when other is 0."""
        return _checked(G.DIV, self, other)

    def __rtruediv__(self, other: Value | float) -> Value:
        return _checked(G.DIV, other, self)

    def __pow__(self, other: Value | float) -> Value:
        """self ** other: the pow gate for a Value exponent, the powc gate for a number.

        Raises ValueError for a negative base to a non-integer power, ZeroDivisionError
        for 0 to a negative power; a result too large is inf.
        """
        if isinstance(other, Value):
            return _checked(G.POW, self, other)
        c = _to_float(other, "exponent")
        return _in_domain(_apply1(G.POWC, self, (c,)), G.POWC, self._data, c)

    def __rpow__(self, other: float) -> Value:
        return _checked(G.POW, other, self)

    def __neg__(self) -> Value:
        """-self (the neg gate)."""
        return _apply1(G.NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        """abs(self): the abs gate, as ``self.abs()``."""
        return _apply1(G.ABS, self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Value):
            return self.data == other.data
        if isinstance(other, (numbers.Real, np.bool_)):
            return self.data == float(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __lt__(self, other: Value | float) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Value | float) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Value | float) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Value | float) -> bool:
        return self.data >= _data(other)

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The number this Value holds (``.data``)."""
        return self.data

    def detach(self) -> Value:
        """A new leaf with this Value's data and label, cut off from the graph."""
        return Value(self.data, self.label)

    def _apply(self, gate: Gate, *ctx: Any) -> Value:
        """A one-input gate on this node, without its domain check (as ``Tensor._apply``)."""
        return _apply1(gate, self, ctx)

    _binary = staticmethod(lambda gate, a, b: _apply(gate, a, b))

    def backward(self, grad: float = 1.0, create_graph: bool = False) -> None:
        """Fill ``.grad`` of this node and of every node it depends on (the chain rule).

        Args:
            grad: the gradient of the final result with respect to this node (default 1).
            create_graph: build the gradients as Values of a graph of their own, so they
                can be differentiated again.

        Leaves add the new gradient into their ``.grad``; intermediate nodes start from 0.
        """
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


def _method(row: Gate) -> Callable[[Value], Value]:
    """The body of the Value method of a one-input row, with the row's domain check."""
    if row.domain is None:
        def method(self: Value) -> Value:
            return _apply1(row, self)
    else:
        def method(self: Value) -> Value:
            return _in_domain(_apply1(row, self), row, self._data)
    return method


add_gate_methods(Value, G.ROWS, _method, "; returns a new Value.")

_new = object.__new__


def _make(data: float, gate: Gate | None = None, a: Value | None = None, b: Value | None = None,
          ctx: tuple = ()) -> Value:
    """The one place Values are made, apart from ``Value(...)`` (which checks its data)."""
    out = _new(Value)
    out._data = data
    out.grad = 0.0
    out.label = ""
    out._gate = gate
    out._a = a
    out._b = b
    out._ctx = ctx
    out._version = _clock[0]
    return out


def _to_float(x: Any, what: str = "Value data") -> float:
    if type(x) is float:
        return x
    if isinstance(x, (numbers.Real, np.bool_)):
        try:
            return float(x)
        except OverflowError:  # an int past the float range: say so, rather than inf
            digits = int(math.log10(abs(x)))  # str() of it may itself refuse
            raise ValueError(f"{what} is an int of about 10**{digits}: too large for a "
                             "float (|x| <= 1.8e308)") from None
    raise TypeError(f"{what} must be an int or float, got {type(x).__name__}: {x!r:.60}")


def _data(x: Any) -> float:
    return x.data if type(x) is Value else _to_float(x, "operand")


def _in_domain(out: Value, gate: Gate, *xs: float) -> Value:
    """``out``, unless its inputs ``xs`` lie outside the gate's domain (its user error).

    The forwards never raise: outside a domain they give inf or nan. So only a result
    that is not finite can come from such inputs, and the check, which costs as much as
    the gate, runs only then.
    """
    if gate.domain is not None and not math.isfinite(out._data):
        gate.domain(*xs)
    return out


def _checked(gate: Gate, a: Any, b: Any) -> Value:
    """A two-input gate as a user applies it, with the row's domain check."""
    if type(a) is not Value:
        a = _constant(a)
    if type(b) is not Value:
        b = _constant(b)
    return _in_domain(_apply(gate, a, b), gate, a._data, b._data)


def _apply(gate: Gate, a: Any, b: Any) -> Value:
    if type(a) is not Value:
        a = _constant(a)
    if type(b) is not Value:
        b = _constant(b)
    # _make written out (one call fewer): this runs once per node of every graph.
    out = _new(Value)
    out._data = gate.scalar(a._data, b._data)  # type: ignore[misc]
    out.grad = 0.0
    out.label = ""
    out._ctx = ()
    out._version = _clock[0]
    if _mode.enabled:
        out._gate = gate
        out._a = a
        out._b = b
    else:
        out._gate = out._a = out._b = None
    return out


def _apply1(gate: Gate, a: Value, ctx: tuple = ()) -> Value:
    if _mode.enabled:
        return _make(gate.scalar(a._data, *ctx), gate, a, None, ctx)  # type: ignore[misc]
    return _make(gate.scalar(a._data, *ctx))  # type: ignore[misc]


def _constant(x: Any) -> Value:
    if isinstance(x, Value):  # a subclass
        return x
    return _make(_to_float(x, "operand"))
