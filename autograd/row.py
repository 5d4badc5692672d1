"""Gate: one row of the gate table, holding every fact about a gate.

``gates.py`` and ``tensor_gates.py`` hold the rows; Value, Tensor, the drawing, the CLI
and the test strategies read them, so a gate is added by adding its row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Rule = Callable[..., Any]


@dataclass(frozen=True, slots=True, eq=False)
class Gate:
    """A gate: its forwards, one derivative rule per input, and how it is shown and tested.

    Every rule is called the same way by every backward loop::

        rule(g, out, *inputs, *ctx)            # plus ``saved`` last when ``saves``

    ``g`` is the upstream gradient, ``out`` the gate's output, ``inputs`` its one or two
    input values, ``ctx`` its constants (an exponent, an axis), and ``saved`` what the
    forward saved for backward (None once a backward released it). The values are floats
    (Value), arrays (Tensor) or the nodes themselves (``create_graph=True``).
    """

    name: str
    symbol: str  # how the gate is drawn
    scalar: Callable[..., Any] | None  # forward on floats (None: a Tensor-only gate)
    array: Callable[..., Any]  # forward on numpy arrays
    vjp: tuple[Rule, ...]  # one rule per input
    # A gate that saves: its array forward returns (out, saved), kept in the node's
    # ``_saved`` and passed to the rules last.
    saves: bool = False
    method: str | None = None  # the Value/Tensor method that applies it (``x.exp()``)
    doc: str = ""  # that method's docstring
    # The user-facing error for inputs outside the domain (the forwards never raise: see
    # forwards.py). Called with the inputs' data; it may raise only where the forward's
    # result is not finite, so a Value checks it only then (Tensors check first).
    domain: Callable[..., None] | None = None
    cli: tuple[str, ...] = ()  # the names under which ``gategrad draw`` may call it
    # How the drawing writes the gate, given its constants (None: the symbol alone).
    label: Callable[[tuple], str | None] | None = None
    # For the random graphs of autograd.testing: how a graph uses the gate with its
    # operands kept inside its domain (None: not drawn in random graphs), which other
    # gates that brings along, and whether it has kinks (graphs near them are rejected).
    safe: Callable[..., Any] | None = None
    helpers: frozenset[str] = frozenset()
    kinked: bool = False
    # The derivative rule in words, for people (the explorer's node panel); never used to
    # compute anything: the numbers always come from ``vjp``.
    words: str = ""

    @property
    def arity(self) -> int:
        return len(self.vjp)

    def __repr__(self) -> str:
        return f"Gate({self.name!r})"


def add_gate_methods(cls: type, rows: Iterable[Gate], make: Callable[[Gate], Callable[..., Any]],
                     returns: str) -> None:
    """Give ``cls`` (Value, Tensor) the method of every one-input row that names one:
    ``make(row)`` is its body; its name and its docstring (the row's ``doc``, then
    "The <name> gate" and ``returns``) come from the row."""
    for row in rows:
        if row.method is not None and row.arity == 1:
            method = make(row)
            method.__name__ = method.__qualname__ = row.method
            method.__doc__ = f"{row.doc}\n\nThe {row.name!r} gate{returns}"
            setattr(cls, row.method, method)
