"""Opening a cut graph further from the page: what each "… k more" stub stands for.

A graph over ``max_nodes`` opens with the nodes nearest the output; each gate whose inputs
were left out has a "… k more" stub. Here, breadth first from the output, stubs become
groups that hold the inputs they stand for (``CHUNK`` at a time; the rest behind a new
stub inside the group), each input with its gate and, for the inputs of that gate, a stub
of its own, until ``budget`` more values are exported. The page shows the groups shut and
opens one on click, in place (``explorer_groups.js``), like any group: a stub further away
than the budget stays a plain stub, whose panel lists its first inputs and says how to
explore with a bigger budget.

Values opened this way were not part of the steps: they show their final data and grad.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from . import explore_entries as E
from .collapse import gate_inputs
from .draw import Plan
from .explain import chain_rule
from .labels import who

CHUNK = 12  # inputs a stub opens to at once; more wait behind a stub inside its group
LISTED = 12  # inputs listed in the panel of a stub that does not open


def open_more(p: Plan, nodes: list[dict], add_edge: Callable[[dict], str], backward: bool,
              budget: int) -> list[dict]:
    """Turn the stubs in ``nodes`` into groups of the inputs they stand for, adding up to
    ``budget`` values (with their gates, edges and stubs) to ``nodes`` and through
    ``add_edge``. Returns the new groups; the stubs left get the list of their first
    inputs."""
    names = p.names
    node_of = {names[n]: n for n in p.nodes}
    known = set(p.nodes)  # has a box already
    drawn = {node: {(id(q), id(o), s) for q, o, s in p.inputs_of[node]}
             for node in p.missing}
    stubs = [s for s in nodes if s["kind"] == "stub"]  # inputs first: the output's last
    queue = deque((node_of[s["of"]], _missing(node_of[s["of"]], p, drawn), s)
                  for s in reversed(stubs))
    groups: list[dict] = []
    plain: list[tuple[dict, list]] = []
    added = 0
    while queue:
        node, slots, stub = queue.popleft()
        take, rest = slots[:CHUNK], slots[CHUNK:]
        fresh = list(dict.fromkeys(q for q, _, _ in take if q not in known))
        if added + len(fresh) > budget:
            plain.append((stub, slots))
            plain.extend((s, rest) for _, rest, s in queue)
            break
        group = _as_group(stub, nodes)
        groups.append(group)
        added += len(fresh)
        known.update(fresh)
        gid = "g" + stub["of"][1:]
        for q in fresh:
            entry = E.value_entry(q, names[q], False, backward, 0)
            entry.update(scope=group["id"], extra=True)
            nodes.append(entry)
        for q, owner, slot in take:
            edge = E.in_edge(names[q], gid, chain_rule(owner, slot) if backward else None)
            if owner is not node:  # taken by a partial sum of a folded chain
                edge["open_to"] = "g" + names[owner][1:]
            add_edge(edge)
        if rest:
            inner = _stub(f"{stub['id']}_{len(slots)}", stub["of"], len(rest), group["id"],
                          nodes, add_edge)
            queue.append((node, rest, inner))
        for q in fresh:
            if q._gate is None:
                continue
            qid = names[q]
            inputs = gate_inputs(q, p.folded)
            qg = "g" + qid[1:]
            nodes.append(dict(E.gate_entry(q, qg, qid, len(inputs)), scope=group["id"]))
            add_edge({"from": qg, "to": qid, "kind": "out"})
            missing = []
            for parent, owner, slot in inputs:
                if parent in known:
                    rule = chain_rule(owner, slot) if backward else None
                    add_edge(E.in_edge(names[parent], qg, rule))
                else:
                    missing.append((parent, owner, slot))
            if missing:
                inner = _stub("m" + qid[1:], qid, len(missing), group["id"], nodes, add_edge)
                queue.append((q, missing, inner))
    for stub, slots in plain:
        stub["inputs"] = [_listed(q, owner, slot, backward) for q, owner, slot in slots[:LISTED]]
    return groups


def _missing(node: Any, p: Plan, drawn: dict) -> list[tuple]:
    """The inputs of ``node``'s gate that the cut left out, in order."""
    return [(q, o, s) for q, o, s in gate_inputs(node, p.folded)
            if (id(q), id(o), s) not in drawn[node]]


def _stub(sid: str, of: str, missing: int, scope: str, nodes: list[dict],
          add_edge: Callable[[dict], str]) -> dict:
    stub = dict(E.stub_entry(sid, of, missing), scope=scope)
    nodes.append(stub)
    add_edge({"from": sid, "to": "g" + of[1:], "kind": "stub"})
    return stub


def _as_group(stub: dict, nodes: list[dict]) -> dict:
    """``stub`` (removed from ``nodes``) as a shut group with the same id, so its edge
    to the gate stays."""
    nodes.remove(stub)
    text = "▸ " + stub["text"]
    title = f"{stub['missing']:,} inputs the cut left out (final values, not stepped)"
    return {"id": stub["id"], "kind": "more", "parent": stub.get("scope"), "of": stub["of"],
            "missing": stub["missing"], "text": text, "title": title,
            "tw": E.title_width(title), "open": False,
            "w": round(len(text) * E.CHAR + 16, 1), "h": 26.0}


def _listed(q: Any, owner: Any, slot: int, backward: bool) -> dict:
    rule = chain_rule(owner, slot) if backward else None
    return {"who": who(q), "data": E.summary(q.data),
            "grad": E.summary(q.grad) if backward and q.grad is not None else None,
            "rule": None if rule is None else E.rule_line(rule)}
