"""The chain rule a gate ran for one input: ``local_diff × up_diff = down_diff``.

The numbers come from the gate's own rule in the gate table (``gate.vjp[slot]``), called
exactly as the engine calls it, so the drawing can never disagree with the gradients: there
is no second copy of any derivative here. The local derivative of a scalar gate is the rule
called with ``up = 1`` (every rule is linear in ``up``), not ``down / up``: that quotient is
undefined where ``up`` is 0 and loses every digit where ``up`` is tiny (a subnormal ``up``
makes ``down`` underflow to 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd.engine import fit_gradient
from autograd.node import Node
from autograd.ops import values

from .labels import amount, num


def down_diff(node: Node, slot: int, up: Any) -> Any:
    """What the gate that made ``node`` sends to its input ``slot`` when ``up`` arrives.

    Scalars give a float; Tensors give an array of the input's shape (broadcasting undone
    as the engine does it).
    """
    if node._gate is None:
        raise ValueError(f"down_diff: {node!r} is a leaf; no gate sends it a gradient")
    parent = node._prev[slot]
    rule = node._gate.vjp[slot]
    args = [values(p) for p in node._prev]
    down = rule(values(up), node.data, *args, *node._rule_ctx())  # as the engine calls it
    if isinstance(parent.data, np.ndarray):
        return fit_gradient(down, parent.data)
    return float(values(down))


@dataclass(frozen=True)
class ChainRule:
    """``local × up = down`` for one edge; ``scalar`` says whether the numbers are plain."""

    local: Any
    up: Any
    down: Any
    scalar: bool

    def text(self, sep: str = "\n") -> str:
        """The rule in numbers; for Tensors in three lines joined by ``sep``."""
        if self.scalar:
            return f"{num(self.local)} × {num(self.up)} = {num(self.down)}"
        # A Tensor gate's local derivative is a Jacobian: the edge shows what went in and
        # out (shape and norm) rather than a wall of numbers.
        return sep.join(("local × up = down", f"up {amount(self.up)}",
                         f"down {amount(self.down)}"))


def chain_rule(node: Node, slot: int, up: Any = None) -> ChainRule | None:
    """The chain rule that ``node``'s gate ran for input ``slot``, with ``up = node.grad``
    unless given. None where no gradient flows: no gate, no upstream gradient yet, or a
    Tensor input that does not require grad (the engine skips those too).
    """
    if node._gate is None:
        return None
    up = node.grad if up is None else up
    parent = node._prev[slot]
    if up is None:
        return None
    if not isinstance(node.data, np.ndarray):
        up = float(values(up))
        down = down_diff(node, slot, up)
        return ChainRule(down_diff(node, slot, 1.0), up, down, True)
    if not parent.requires_grad:
        return None
    up = np.asarray(values(up))
    down = down_diff(node, slot, up)
    if up.size == 1 and down.size == 1:  # one number in, one out: as plain as a Value
        u, d = float(up.reshape(())), float(down.reshape(()))
        local = float(down_diff(node, slot, np.ones_like(up)).reshape(()))
        return ChainRule(local, u, d, True)
    return ChainRule(None, up, down, False)
