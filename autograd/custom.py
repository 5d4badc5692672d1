"""Your own gates: a forward and one derivative rule per input, registered in the table.

    import numpy as np
    from autograd import gate, ops

    @gate(derivatives=[lambda g, out, x: g * ops.sigmoid(x)])
    def log1p_exp(x):
        return np.logaddexp(0, x)

``log1p_exp`` (softplus, which the table also has) then works on Values and Tensors,
draws as its own gate, and is checked by ``autograd.testing`` like the built-in ones.
Write rules with arithmetic and ``autograd.ops`` (not bare numpy) and second derivatives
work too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from . import gates as G
from . import tensor_gates as T
from .functions import apply_gate

BUILT_IN: frozenset[str] = frozenset(g.name for g in (*G.ROWS, *T.ROWS))
REGISTRY: dict[str, G.Gate] = {}  # the custom gates, by name


def gate(name: str | None = None, *, derivatives: Sequence[Callable[..., Any]],
         symbol: str | None = None,
         scalar: Callable[..., float] | None = None, cli: bool = False,
         safe: Callable[..., Any] | None = None, kinked: bool = False,
         words: str = "") -> Callable[[Callable], Callable]:
    """Register the decorated forward as a gate; returns the function that applies it.

    ``derivatives`` holds one rule per input, ``rule(g, out, *inputs) -> down_diff``. The
    forward gets numpy arrays (Tensor) or floats (Value); give ``scalar`` for a faster or
    different float version. The gate joins the table like a built-in row: ``cli=True``
    lets ``gategrad draw`` call it; ``safe`` (how a random graph applies it with operands
    kept in its domain; default: directly) and ``kinked`` tell ``autograd.testing``;
    ``words``, the rule in words for the explorer (default: the forward's docstring's first
    line).
    """
    rules = tuple(derivatives)
    if len(rules) not in (1, 2) or not all(callable(r) for r in rules):
        raise TypeError("derivatives must be a list of one or two callables, "
                        "rule(g, out, *inputs), one per input of the gate")

    def register(forward: Callable[..., Any]) -> Callable[..., Any]:
        gate_name = name or forward.__name__
        if gate_name in BUILT_IN:
            raise ValueError(f"{gate_name!r} is a built-in gate; give yours another name")
        # Redefining a custom gate replaces it, so a notebook cell can be run again.
        row = G.Gate(gate_name, symbol or gate_name,
                     scalar or (lambda *xs: float(forward(*xs))), forward, rules,
                     cli=(gate_name,) if cli else (),
                     safe=safe or (lambda *xs: apply_gate(row, *xs)), kinked=kinked,
                     words=words or (forward.__doc__ or "").strip().split("\n")[0])
        REGISTRY[gate_name] = row

        @functools.wraps(forward)
        def apply(*operands: Any) -> Any:
            return apply_gate(row, *operands)

        apply.gate = row  # type: ignore[attr-defined]
        return apply

    return register
