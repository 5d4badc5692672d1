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

from .draw import Plan
from .explain import chain_rule
from .explore_chains import chain_groups
from .explore_entries import (
    FONT,
    LINE,
    PAD_X,
    PAD_Y,
    gate_entry,
    in_edge,
    stub_entry,
    summary,
    text_of,
    value_entry,
)
from .explore_groups import module_groups
from .explore_health import EXPLODE_ABOVE, health_flags
from .explore_more import open_more
from .explore_scopes import place, place_many
from .labels import gate_text, value_text
from .labels import who as name_of

SHUT_ABOVE = 100  # drawn values: a model's groups start folded on bigger graphs
GROUP_PAD, GROUP_HEAD = 10, 24  # an open group's frame: margin, title bar


def has_backward(root: Any) -> bool:
    """Whether ``backward()`` has run from ``root``: its seed is there."""
    if root._gate is None:
        return False
    grad = root.grad
    if grad is None:
        return False
    return bool(np.any(np.asarray(values(grad)) != 0))


def build_model(p: Plan, explode_above: float = EXPLODE_ABOVE, model: Any = None,
                more: int = 0, placed: bool = True) -> dict:
    """The explorer's data for a plan of one root; ``model``'s modules become groups, and
    up to ``more`` values behind the cut's stubs are exported for the page to open.
    ``placed=False`` leaves the layout out, for ``place_models`` to do several at once."""
    root = p.roots[0]
    backward = has_backward(root)
    names = p.names
    shares = _shares(p, backward)
    fed = _fed_by(p, shares)
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def add_edge(edge: dict) -> str:
        edge["id"] = f"e{len(edges)}"
        edges.append(edge)
        return edge["id"]

    in_edges: dict = {}  # drawn gate -> the ids of its input edges, in order
    for node in p.nodes:
        nid = names[node]
        nodes.append(value_entry(node, nid, node is root, backward, fed.get(node, 0)))
        if node._gate is None:
            continue
        gid = "g" + nid[1:]
        inputs = p.inputs_of[node]
        nodes.append(gate_entry(node, gid, nid, len(inputs) + p.missing.get(node, 0)))
        add_edge({"from": gid, "to": nid, "kind": "out"})
        in_edges[node] = [add_edge(in_edge(names[parent], gid, rule))
                          for (parent, _, _), rule in zip(inputs, shares[node])]
        if node in p.missing:
            nodes.append(stub_entry("m" + nid[1:], nid, p.missing[node]))
            add_edge({"from": "m" + nid[1:], "to": gid, "kind": "stub"})
    shown = len(p.nodes)
    groups = [] if model is None else module_groups(p, model, nodes, backward,
                                                    shut=shown > SHUT_ABOVE)
    # the values saved for the page to open: a quarter of them partial sums at most
    groups += chain_groups(p, nodes, edges, in_edges, add_edge, backward, more // 4)
    saved = sum(1 for n in nodes if n.get("extra"))
    groups += open_more(p, nodes, add_edge, backward, more - saved)
    width, height = place(nodes, groups, edges) if placed else (None, None)
    rules = {e["id"]: e.get("rule") for e in edges}
    steps = _forward_steps(p, names) + (_backward_steps(p, names, shares, in_edges, rules, fed)
                                        if backward else [])
    return {"nodes": nodes, "edges": edges, "groups": groups, "steps": steps,
            "forward_steps": sum(1 for s in steps if s["phase"] in ("start", "forward")),
            "has_backward": backward,
            "flags": health_flags(p.nodes, p.inputs_of, names, shares, explode_above)
            if backward else [],
            "width": width, "height": height, "font": FONT, "line": LINE,
            "pad_x": PAD_X, "pad_y": PAD_Y, "group_pad": GROUP_PAD, "group_head": GROUP_HEAD,
            "total": p.total, "hidden": p.hidden, "max_nodes": p.max_nodes,
            "shown": shown, "saved": sum(1 for n in nodes if n.get("extra")),
            "root": names[root]}


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


def _forward_steps(p: Plan, names: dict) -> list[dict]:
    leaves = [names[n] for n in p.nodes if n._gate is None]
    steps = [{"phase": "start", "gate": None, "node": None, "shows": leaves,
              "caption": f"Forward: {len(leaves)} input{'s' if len(leaves) != 1 else ''} "
                         "hold their values; the gates have not run yet."}]
    gates = [n for n in p.nodes if n._gate is not None]
    for i, node in enumerate(gates, 1):
        ins = ", ".join(f"{name_of(q)} = {value_text(values(q.data))}"
                        for q, _, _ in p.inputs_of[node])
        steps.append({"phase": "forward", "gate": "g" + names[node][1:], "node": names[node],
                      "shows": [names[node]],
                      "caption": f"Forward {i} of {len(gates)}: the {gate_text(node)} gate "
                                 f"takes {ins or 'its inputs'} and makes {name_of(node)} = "
                                 f"{value_text(values(node.data))}."})
    return steps


def _backward_steps(p: Plan, names: dict, shares: dict, in_edges: dict, rules: dict,
                    expected: dict) -> list[dict]:
    """The backward pass, gate by gate; ``in_edges`` holds each gate's input edge ids,
    ``rules`` each edge's chain rule line, ``expected`` how many drawn shares each node
    will get (``_fed_by``)."""
    root = p.roots[0]
    rid = names[root]
    steps = [{"phase": "seed", "gate": None, "node": rid,
              "sets": [{"node": rid, "grad": summary(values(root.grad)), "done": True}],
              "caption": f"Backward starts: {name_of(root)}.grad = "
                         f"{value_text(values(root.grad))}, the seed (d out / d out)."}]
    got: dict = {}
    running: dict = {}
    gates = [n for n in reversed(p.nodes) if n._gate is not None]
    for i, node in enumerate(gates, 1):
        sets = []
        for (parent, _, _), rule, eid in zip(p.inputs_of[node], shares[node], in_edges[node]):
            if rule is None:
                continue
            got[parent] = got.get(parent, 0) + 1
            running[parent] = rule.down if parent not in running else running[parent] + rule.down
            sets.append(_share(parent, names[parent], eid, rules[eid], rule, running[parent],
                               got[parent], expected[parent]))
        steps.append({"phase": "backward", "gate": "g" + names[node][1:], "node": names[node],
                      "sets": sets,
                      "caption": f"Backward {i} of {len(gates)}: the {gate_text(node)} gate "
                                 f"that made {name_of(node)} gets up_diff "
                                 f"{value_text(values(node.grad))} and sends each input "
                                 "local_diff × up_diff = down_diff."})
    return steps


def _share(parent: Any, pid: str, eid: str, line_of_rule: str, rule: Any, total: Any,
           k: int, n: int) -> dict:
    """One share of ``parent``'s gradient arriving (the ``k``-th of ``n``); its chain rule
    is on the edge ``eid`` (the page reads it there)."""
    who = name_of(parent)
    now = text_of(total)
    done = k == n
    if n == 1:
        line = f"{who}.grad = {line_of_rule}"
    else:
        line = f"{who}.grad += {text_of(rule.down)} (share {k} of {n}) → {now}"
    final = summary(values(parent.grad)) if done else None
    if done and n > 1:
        line += f": all {n} shares in"
    if done and text_of(parent.grad) != now:
        line += (f"; .grad is {text_of(parent.grad)}: it also holds shares from gates not "
                 "drawn or from earlier backward() calls")
    grad = final if done else f"Σ {now} ({k}/{n})"
    return {"node": pid, "edge": eid, "text": line, "grad": grad, "done": done}


def place_models(models: list[dict]) -> None:
    """Lay out explorer data built with ``placed=False`` (in place), all in one run of
    ``dot``; models already laid out are left as they are."""
    todo = [m for m in models if m["width"] is None]
    if not todo:
        return
    sizes = place_many([(m["nodes"], m["groups"], m["edges"]) for m in todo])
    for m, (width, height) in zip(todo, sizes):
        m["width"], m["height"] = width, height
