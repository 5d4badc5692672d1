"""The explorer's boxes and edges as JSON entries: what each shows and how big it is.

Sizes are in points at the page's font (``FONT`` px monospace), so Graphviz can lay the
boxes out before the browser draws them. Used for the graph a plan draws
(``explore_data``) and for the inputs the page can open behind a cut (``explore_more``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .explore_rules import rule_text
from .explore_stats import describe, magnitude
from .labels import SMALL, amount, array_summary, gate_text, num
from .steps import _final

FONT = 13  # px: the page's text size at zoom 1; the layout is sized for it
CHAR = 0.61 * FONT  # the advance of one character of the page's monospace font
LINE = 17
PAD_X, PAD_Y = 10, 6


def text_box(rows: list[str], least: float = 60.0) -> tuple[float, float]:
    """The size of a box of ``rows`` of text, one per line."""
    width = max(len(r) for r in rows) * CHAR + 2 * PAD_X
    return round(max(width, least), 1), float(len(rows) * LINE + 2 * PAD_Y)


def title_width(title: str) -> float:
    """How wide an open group's frame must be for its title bar: "▾ " and ``title``."""
    return round((len(title) + 2) * CHAR * 0.96 + 20, 1)


def gate_entry(node: Any, gid: str, of: str, terms: int) -> dict:
    """The ellipse of ``node``'s gate; ``terms``: its inputs, drawn or not (a folded sum
    says how many)."""
    symbol = gate_text(node)
    gate = {"id": gid, "kind": "gate", "of": of, "symbol": symbol,
            "terms": terms if terms > 2 else 0}
    gate["w"] = max(30.0, len(symbol) * CHAR + 14,
                    len(f"{terms} terms") * CHAR * 0.95 + 12 if gate["terms"] else 0)
    gate["h"] = 30.0 if not gate["terms"] else 46.0
    return gate


def stub_entry(sid: str, of: str, missing: int) -> dict:
    """A "… k more" stub: ``missing`` inputs of ``of``'s gate that are not drawn."""
    text = f"… {missing:,} more"
    return {"id": sid, "kind": "stub", "text": text, "of": of, "missing": missing,
            "w": len(text) * CHAR + 12, "h": 24.0}


def in_edge(src: str, gid: str, rule: Any) -> dict:
    """An edge into a gate, with the chain rule that ran there (``explain.chain_rule``;
    None: no backward yet, or no gradient flows)."""
    edge: dict[str, Any] = {"from": src, "to": gid, "kind": "in"}
    if rule is not None:
        edge.update(rule=rule_line(rule), local=text_of(rule.local), up=text_of(rule.up),
                    down=text_of(rule.down), mag=magnitude(rule.down))
    return edge


def value_entry(node: Any, node_id: str, is_root: bool, backward: bool, fed: int) -> dict:
    """The box of a value: label, data, grad, the rule of its gate, its size (wide enough
    for the running sum it shows while ``fed`` > 1 shares arrive)."""
    is_tensor = isinstance(node.data, np.ndarray)
    needs_grad = node.requires_grad
    role = ("root" if is_root else "leaf" if node._gate is None and needs_grad
            else "const" if node._gate is None else "op")
    grad = node.grad if backward and needs_grad else None
    entry: dict = {"id": node_id, "kind": "value", "role": role, "label": node.label or "",
                   "tensor": is_tensor, "data": summary(node.data),
                   "grad": None if grad is None else summary(grad),
                   "needs_grad": needs_grad,
                   "gate": "" if node._gate is None else gate_text(node),
                   "rule": rule_text(node), "mag": magnitude(grad)}
    if is_tensor:
        entry["info"] = {"data": describe(node.data)}
        if grad is not None:
            entry["info"]["grad"] = describe(grad)
        entry["shape"] = entry["info"]["data"]["shape"]
    else:
        entry["value"] = num(node.data)
    rows = [entry["label"], entry.get("shape", ""), "data " + entry["data"],
            "grad " + (entry["grad"] or "?")]
    if fed > 1:  # a running sum is shown while the shares arrive
        widest = text_of(_final(node))  # as wide as any running sum prints
        rows.append(f"grad Σ {widest} ({fed}/{fed})")
    lines = 1 + (1 if entry["label"] else 0) + (1 if is_tensor else 0) + (1 if needs_grad else 0)
    entry["w"], entry["h"] = text_box(rows)[0], float(lines * LINE + 2 * PAD_Y)
    return entry


def name_box(entry: dict, label: str) -> None:
    """Give an unlabelled value's box the name ``label`` (a model's name for a parameter),
    one line taller and as wide as the name needs."""
    entry["label"] = label
    entry["w"] = round(max(entry["w"], len(label) * CHAR + 2 * PAD_X), 1)
    entry["h"] += LINE


def summary(a: Any) -> str:
    """What a box shows: a number, a small array in full, or a bigger one's range (its
    mean and histogram are in the node's panel)."""
    if not isinstance(a, np.ndarray):
        return num(a)
    if a.size <= SMALL or a.dtype.kind not in "fiu":
        return array_summary(a)
    x = a.astype(np.float64, copy=False)
    good = x[np.isfinite(x)]
    bad = x.size - good.size
    text = f"[{num(good.min())} … {num(good.max())}]" if good.size else ""
    return (text + (f" {bad} nan/inf" if bad else "")).strip()


def text_of(x: Any) -> str | None:
    """A number or an array's amount, as the page prints it (None stays None)."""
    if x is None:
        return None
    return amount(x) if isinstance(x, np.ndarray) else num(x)


def rule_line(rule: Any) -> str:
    """The chain rule in one line: numbers for scalars; for arrays (whose local derivative
    is a Jacobian) what went in and what came out."""
    if rule.scalar:
        return rule.text()
    return f"up_diff {amount(rule.up)} → down_diff {amount(rule.down)}"


