"""Node: what Value and Tensor share, the fields the engine reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .row import Gate

_N = TypeVar("_N", bound="Node")

# The write clock: its time moves on at every write to a leaf's ``.data`` (see Node).
_clock = [0]


class Node:
    """A vertex of the computation graph.

    ``_gate`` is the row of the gate table that made the node (None for a leaf), ``_a`` and
    ``_b`` its one or two input nodes (None where absent), ``_ctx`` the gate's constant
    arguments (an exponent, a reduction axis) and ``_saved`` what its forward saved for
    backward (Tensor only; None when nothing is). Inputs sit in two slots rather than a
    tuple: one object per node instead of two halves the garbage collector's work.

    ``_version`` is a stamp of the write clock ``_clock``: the clock's time when the node
    was made, or when its ``.data`` was last set (the setter below; the optimizers write
    through it). A node made by a gate whose ``.data`` is set gets -1 instead. So an
    input stamped later than the node that used it, or a node stamped -1, was written
    after the forward pass read it: backward refuses to mix old and new values
    (RuntimeError). One int per node, stored once, so recording costs almost nothing. A
    write into the array itself (``t.data[...] = x``, or a numpy view of it) cannot be
    seen: do not.
    """

    __slots__ = ("_data", "grad", "label", "_gate", "_a", "_b", "_ctx", "_version")

    _data: Any  # float (Value) or np.ndarray (Tensor)
    _version: int
    grad: Any  # like data; a Tensor's is None until a backward reaches it
    label: str
    _gate: Gate | None
    _a: Node | None
    _b: Node | None
    _ctx: tuple[Any, ...]
    _saved: Any
    requires_grad: bool
    _is_scalar: bool

    @property
    def data(self) -> Any:
        """The number (Value) or array (Tensor) this node holds. Setting it counts as a
        write: a backward through a graph that used the old value raises RuntimeError."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value
        if self._gate is None:
            _clock[0] += 1
            self._version = _clock[0]
        else:
            self._version = -1

    def _rule_ctx(self) -> tuple[Any, ...]:
        """What every rule gets after the inputs: the gate's constants, then what the
        gate saved (for a gate that saves; None once a backward released it)."""
        gate = self._gate
        return (*self._ctx, self._saved) if gate is not None and gate.saves else self._ctx

    @property
    def _prev(self) -> tuple[Node, ...]:
        """The input nodes, in the gate's argument order."""
        a, b = self._a, self._b
        if b is not None:
            return (a, b)  # type: ignore[return-value]
        return () if a is None else (a,)

    # What each node kind provides to the engine and to the dual helpers of the rules.
    def _take_grad(self, down: Any) -> None:
        raise NotImplementedError

    def _zeros(self) -> Any:
        raise NotImplementedError

    def _apply(self, gate: Gate, *ctx: Any) -> Node:
        raise NotImplementedError

    @staticmethod
    def _binary(gate: Gate, a: Any, b: Any) -> Node:
        raise NotImplementedError

    if TYPE_CHECKING:
        # The element-wise methods Value and Tensor make from the gate table's rows (see
        # ``Gate.method``), declared for type checkers; a test holds this list to the table.
        def exp(self: _N) -> _N: ...
        def log(self: _N) -> _N: ...
        def sqrt(self: _N) -> _N: ...
        def tanh(self: _N) -> _N: ...
        def sigmoid(self: _N) -> _N: ...
        def softplus(self: _N) -> _N: ...
        def relu(self: _N) -> _N: ...
        def leaky_relu(self: _N) -> _N: ...
        def abs(self: _N) -> _N: ...

    # Notebook display: the graph drawn as SVG. viz is imported here, late, so that
    # ``import autograd`` never loads viz or graphviz.
    def _repr_svg_(self) -> str | None:
        from viz.notebook import repr_svg

        return repr_svg(self)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> object:
        from viz.notebook import repr_mimebundle

        return repr_mimebundle(self, include, exclude)
