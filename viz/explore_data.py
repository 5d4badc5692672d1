"""Everything the explorer page shows, as one JSON-ready dict: boxes, edges, steps, health.

The page only replays what is computed here, so every number it shows is the engine's:
data and gradients are the nodes' own, and each ``local_diff × up_diff = down_diff`` is
the gate's own rule called by ``explain.chain_rule``, as in explain mode. The plan (which
nodes, sum chains folded, the cut at ``max_nodes``) is ``draw.plan``'s, so the explorer
shows what ``viz.draw`` would draw.

Steps: the start (inputs shown), one forward step per gate (inputs first: values appear
gate by gate), the seed, then one backward step per gate in the engine's order, each
sending its shares; a node fed by several gates shows a running sum until its last
share arrives.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops import values

from .collapse import gate_inputs
from .draw import Plan
from .explain import chain_rule
from .explore_health import EXPLODE_ABOVE, health_flags
from .explore_layout import Box, layout
from .explore_rules import rule_text
from .explore_stats import describe, magnitude
from .labels import SMALL, amount, array_summary, gate_text, num
from .steps import _final, _value, _who

FONT = 13  # px: the page's text size at zoom 1; the layout is sized for it
CHAR = 0.61 * FONT  # the advance of one character of the page's monospace font
LINE = 17
PAD_X, PAD_Y = 10, 6
LISTED = 12  # inputs not drawn, listed per "… k more" stub


def has_backward(root: Any) -> bool:
    """Whether ``backward()`` has run from ``root``: its seed is there."""
    if root._gate is None:
        return False
    grad = root.grad
    if grad is None:
        return False
    return bool(np.any(np.asarray(values(grad)) != 0))


def build_model(p: Plan, explode_above: float = EXPLODE_ABOVE) -> dict:
    """The explorer's data for a plan of one root."""
    root = p.roots[0]
    backward = has_backward(root)
    names = {node: p.names[node] for node in p.nodes}
    shares = _shares(p, backward)
    fed = _fed_by(p, shares)
    boxes: list[Any] = []
    edges: list[Any] = []
    nodes_json: list[dict[str, Any]] = []
    edges_json: list[dict[str, Any]] = []
    for node in p.nodes:
        entry = _value_node(node, names[node], node is root, backward, fed.get(node, 0))
        nodes_json.append(entry)
        boxes.append(Box(entry["id"], entry["w"], entry["h"]))
        if node._gate is None:
            continue
        gid = "g" + names[node][1:]
        inputs = p.inputs_of[node]
        terms = len(inputs) + p.missing.get(node, 0)
        symbol = gate_text(node)
        gate = {"id": gid, "kind": "gate", "of": names[node], "symbol": symbol,
                "terms": terms if terms > 2 else 0}
        gate["w"] = max(30.0, len(symbol) * CHAR + 14,
                        len(f"{terms} terms") * CHAR * 0.95 + 12 if gate["terms"] else 0)
        gate["h"] = 30.0 if not gate["terms"] else 46.0
        nodes_json.append(gate)
        boxes.append(Box(gid, gate["w"], gate["h"], "ellipse"))
        edges_json.append({"id": f"e{len(edges)}", "from": gid, "to": names[node],
                           "kind": "out"})
        edges.append((gid, names[node]))
        for (parent, _owner, _slot), rule in zip(inputs, shares[node]):
            edge = {"id": f"e{len(edges)}", "from": names[parent], "to": gid, "kind": "in"}
            if rule is not None:
                edge.update(rule=rule_line(rule), local=_text(rule.local),
                            up=_text(rule.up), down=_text(rule.down), mag=magnitude(rule.down))
            edges_json.append(edge)
            edges.append((names[parent], gid))
        if node in p.missing:
            sid = "m" + names[node][1:]
            text = f"… {p.missing[node]:,} more"
            nodes_json.append({"id": sid, "kind": "stub", "text": text, "of": names[node],
                               "missing": p.missing[node], "w": len(text) * CHAR + 12,
                               "h": 24.0, "inputs": _not_drawn(p, node, backward)})
            boxes.append(Box(sid, len(text) * CHAR + 12, 24.0, "plaintext"))
            edges_json.append({"id": f"e{len(edges)}", "from": sid, "to": gid, "kind": "stub"})
            edges.append((sid, gid))
    placed = layout(boxes, edges)
    for entry in nodes_json:
        entry["x"], entry["y"] = placed.centre[entry["id"]]
    for edge, points in zip(edges_json, placed.edge_points):
        edge["pts"] = points
    steps = _forward_steps(p, names) + (_backward_steps(p, names, shares, edges_json, fed)
                                        if backward else [])
    return {"nodes": nodes_json, "edges": edges_json, "steps": steps,
            "forward_steps": sum(1 for s in steps if s["phase"] in ("start", "forward")),
            "has_backward": backward,
            "flags": health_flags(p.nodes, p.inputs_of, names, shares, explode_above)
            if backward else [],
            "width": placed.width, "height": placed.height, "font": FONT, "line": LINE,
            "pad_x": PAD_X, "pad_y": PAD_Y,
            "total": p.total, "hidden": p.hidden, "max_nodes": p.max_nodes,
            "root": names[root]}


def _not_drawn(p: Plan, node: Any, backward: bool) -> list[dict]:
    """The first ``LISTED`` inputs of ``node``'s gate that the cut left out: who they are,
    their numbers and the chain rule of their edge, for the stub's panel."""
    drawn = {(id(q), id(owner), slot) for q, owner, slot in p.inputs_of[node]}
    out = []
    for parent, owner, slot in gate_inputs(node, p.folded):
        if (id(parent), id(owner), slot) in drawn:
            continue
        rule = chain_rule(owner, slot) if backward else None
        out.append({"who": _who(parent), "data": _summary(parent.data),
                    "grad": _summary(parent.grad) if backward and parent.grad is not None
                    else None, "rule": None if rule is None else rule_line(rule)})
        if len(out) == LISTED:
            break
    return out


def _shares(p: Plan, backward: bool) -> dict:
    """For each drawn gate, the chain rule of each drawn input (None: no gradient)."""
    if not backward:
        return {node: [None] * len(p.inputs_of.get(node, ())) for node in p.nodes}
    return {node: [chain_rule(owner, slot) for _, owner, slot in p.inputs_of.get(node, ())]
            for node in p.nodes}


def _fed_by(p: Plan, shares: dict) -> dict:
    """How many drawn gates send each node a share of its gradient."""
    fed: dict = {}
    for node in p.nodes:
        for (parent, _, _), rule in zip(p.inputs_of.get(node, ()), shares[node]):
            if rule is not None:
                fed[parent] = fed.get(parent, 0) + 1
    return fed


def _value_node(node: Any, node_id: str, is_root: bool, backward: bool, fed: int) -> dict:
    is_tensor = isinstance(node.data, np.ndarray)
    needs_grad = node.requires_grad
    role = ("root" if is_root else "leaf" if node._gate is None and needs_grad
            else "const" if node._gate is None else "op")
    grad = node.grad if backward and needs_grad else None
    entry: dict = {"id": node_id, "kind": "value", "role": role, "label": node.label or "",
                   "tensor": is_tensor, "data": _summary(node.data),
                   "grad": None if grad is None else _summary(grad),
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
        widest = _text(_final(node))  # as wide as any running sum prints
        rows.append(f"grad Σ {widest} ({fed}/{fed})")
    width = max(len(r) for r in rows) * CHAR + 2 * PAD_X
    lines = 1 + (1 if entry["label"] else 0) + (1 if is_tensor else 0) + (1 if needs_grad else 0)
    entry["w"], entry["h"] = round(max(width, 60.0), 1), float(lines * LINE + 2 * PAD_Y)
    return entry


def _summary(a: Any) -> str:
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


def _text(x: Any) -> str | None:
    if x is None:
        return None
    return amount(x) if isinstance(x, np.ndarray) else num(x)


def _forward_steps(p: Plan, names: dict) -> list[dict]:
    leaves = [names[n] for n in p.nodes if n._gate is None]
    steps = [{"phase": "start", "gate": None, "node": None, "shows": leaves,
              "caption": f"Forward: {len(leaves)} input{'s' if len(leaves) != 1 else ''} "
                         "hold their values; the gates have not run yet."}]
    gates = [n for n in p.nodes if n._gate is not None]
    for i, node in enumerate(gates, 1):
        ins = ", ".join(f"{_who(q)} = {_value(values(q.data))}" for q, _, _ in p.inputs_of[node])
        steps.append({"phase": "forward", "gate": "g" + names[node][1:], "node": names[node],
                      "shows": [names[node]],
                      "caption": f"Forward {i} of {len(gates)}: the {gate_text(node)} gate "
                                 f"takes {ins or 'its inputs'} and makes {_who(node)} = "
                                 f"{_value(values(node.data))}."})
    return steps


def _backward_steps(p: Plan, names: dict, shares: dict, edges_json: list,
                    expected: dict) -> list[dict]:
    """The backward pass, gate by gate; ``expected`` is how many drawn shares each node
    will get (``_fed_by``)."""
    root = p.roots[0]
    rid = names[root]
    steps = [{"phase": "seed", "gate": None, "node": rid,
              "sets": [{"node": rid, "grad": _summary(values(root.grad)), "done": True}],
              "caption": f"Backward starts: {_who(root)}.grad = {_value(values(root.grad))}, "
                         "the seed (d out / d out)."}]
    edge_of: dict[Any, Any] = {}
    for edge in edges_json:
        if edge["kind"] == "in":
            edge_of.setdefault((edge["from"], edge["to"]), []).append(edge["id"])
    got: dict = {}
    running: dict = {}
    gates = [n for n in reversed(p.nodes) if n._gate is not None]
    for i, node in enumerate(gates, 1):
        gid = "g" + names[node][1:]
        used: dict = {}
        sets = []
        for (parent, _, _), rule in zip(p.inputs_of[node], shares[node]):
            key = (names[parent], gid)
            eid = edge_of[key][used.get(key, 0)]
            used[key] = used.get(key, 0) + 1
            if rule is None:
                continue
            got[parent] = got.get(parent, 0) + 1
            running[parent] = rule.down if parent not in running else running[parent] + rule.down
            done = got[parent] == expected[parent]
            sets.append(_share(parent, names[parent], eid, rule, running[parent], got[parent],
                               expected[parent], done))
        steps.append({"phase": "backward", "gate": gid, "node": names[node], "sets": sets,
                      "caption": f"Backward {i} of {len(gates)}: the {gate_text(node)} gate "
                                 f"that made {_who(node)} gets up_diff "
                                 f"{_value(values(node.grad))} and sends each input "
                                 "local_diff × up_diff = down_diff."})
    return steps


def rule_line(rule: Any) -> str:
    """The chain rule in one line: numbers for scalars; for arrays (whose local derivative
    is a Jacobian) what went in and what came out."""
    if rule.scalar:
        return rule.text()
    return f"up_diff {amount(rule.up)} → down_diff {amount(rule.down)}"


def _share(parent: Any, pid: str, eid: str, rule: Any, total: Any, k: int, n: int,
           done: bool) -> dict:
    who = _who(parent)
    now = _text(total)
    if n == 1:
        line = f"{who}.grad = {rule_line(rule)}"
    else:
        line = f"{who}.grad += {_text(rule.down)} (share {k} of {n}) → {now}"
    final = _summary(values(parent.grad)) if done else None
    if done and n > 1:
        line += f": all {n} shares in"
    if done and _text(parent.grad) != now:
        line += (f"; .grad is {_text(parent.grad)}: it also holds shares from gates not "
                 "drawn or from earlier backward() calls")
    grad = final if done else f"Σ {now} ({k}/{n})"
    return {"node": pid, "edge": eid, "rule": rule_line(rule), "text": line,
            "grad": grad, "done": done}
