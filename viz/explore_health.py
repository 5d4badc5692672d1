"""Gradient health: where learning stalls or breaks, each finding naming its node.

- **saturated** σ / tanh: the local derivative is below ``SATURATED`` for most elements,
  so almost nothing flows back through the gate;
- **dead** ReLU: the local derivative is 0 everywhere;
- **exploding**: some |grad| is above ``explode_above``;
- **NaN/inf**: the first gate whose output is not finite although its inputs are (the
  forward), and the first gate that sends a non-finite share from a finite up_diff (the
  backward): where the trouble started, not every node it spread to.

Local derivatives come from the gate's own rule, called with up_diff = 1
(``explain.down_diff``), as everywhere in viz.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops import values

from .explain import down_diff
from .explore_stats import finite
from .labels import who

SATURATED = 1e-3
EXPLODE_ABOVE = 1e3


def health_flags(nodes: list, inputs_of: dict, name: dict, shares: dict,
                 explode_above: float = EXPLODE_ABOVE) -> list[dict]:
    """The findings over the drawn ``nodes`` (inputs first).

    ``inputs_of`` maps a node to its drawn ``(input, owner, slot)``; ``shares`` maps a
    node to the chain rules its gate ran (None where no gradient flows).
    """
    flags: list[dict] = []
    for node in nodes:
        if node._gate is not None and node._gate.name in ("sigmoid", "tanh", "relu"):
            flags.extend(_activation(node, name[node]))
        if node.grad is not None and finite(node.grad) and _largest(node.grad) > explode_above:
            flags.append(_flag(node, name, "exploding",
                               f"exploding gradient at {who(node)}: |grad| reaches "
                               f"{_largest(node.grad):.3g} (above {explode_above:g})"))
    origin = next((n for n in nodes if not finite(n.data)
                   and all(finite(p.data) for p, _, _ in inputs_of.get(n, ()))), None)
    if origin is not None:
        what = "holds" if origin._gate is None else f"is where the {origin._gate.symbol} gate made"
        flags.append(_flag(origin, name, "nan", f"{who(origin)} {what} the first NaN/inf "
                                                "of the forward pass"))
    for node in reversed(nodes):
        rules = [r for r in shares.get(node, ()) if r is not None]
        if finite(node.grad) and any(not finite(r.down) for r in rules):
            flags.append(_flag(node, name, "nan", f"the {node._gate.symbol} gate that made "
                               f"{who(node)} sends the first NaN/inf of the backward pass"))
            break
    return flags


def _activation(node: Any, node_id: str) -> list[dict]:
    out = node.data
    local = np.abs(np.asarray(values(down_diff(node, 0, np.ones_like(out) if isinstance(
        out, np.ndarray) else 1.0)), dtype=np.float64))
    if local.size == 0 or not np.isfinite(local).all():
        return []
    symbol = node._gate.symbol
    if node._gate.name == "relu":
        if not local.any():
            return [{"node": node_id, "kind": "dead",
                     "text": f"dead ReLU at {who(node)}: its local derivative is 0 for "
                             "every element, so no gradient flows back through it"}]
        return []
    small = float((local < SATURATED).mean())
    if small > 0.5:
        return [{"node": node_id, "kind": "saturated",
                 "text": f"saturated {symbol} at {who(node)}: local derivative below "
                         f"{SATURATED:g} for {small:.0%} of elements"}]
    return []


def _largest(a: Any) -> float:
    x = np.asarray(values(a), dtype=np.float64)
    return float(np.abs(x).max()) if x.size else 0.0


def _flag(node: Any, name: dict, kind: str, text: str) -> dict:
    return {"node": name[node], "kind": kind, "text": text}
