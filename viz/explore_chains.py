"""Folded ``sum()`` chains as groups: shut, the one "+ N terms" gate; open, the partial
sums it stands for, one ``+`` at a time.

Graphs over 1,000 nodes draw a ``sum()`` chain as one ``+`` gate (``collapse.merge_chains``).
Here the gate's chain (up to ``CHAIN_MAX`` partial sums) becomes a group that the page
opens in place: each partial sum with its own ``+`` gate, every term's edge moved to the
gate that really took it (the edge's ``open_to``). The partial sums were not part of the
steps: they show their final data, and the grad every partial sum shares with the whole
sum (``+`` passes up_diff on unchanged).
"""

from __future__ import annotations

from collections.abc import Callable

from . import explore_entries as E
from .draw import Plan
from .explain import chain_rule

CHAIN_MAX = 24  # partial sums a folded chain may open to; longer ones stay shut


def chain_groups(p: Plan, nodes: list[dict], edges: list[dict], in_edges: dict,
                 add_edge: Callable[[dict], str], backward: bool,
                 budget: int) -> list[dict]:
    """Groups for the folded chains of the drawn ``+`` gates, in the drawing's order, each
    that still fits in ``budget`` partial sums (a chain too long is skipped, not the end):
    their partial sums (with gates and edges) go into ``nodes`` / ``add_edge``; the drawn
    terms' edges in ``edges`` (ids by gate in ``in_edges``) get the gate they open to."""
    partials: dict = {}
    for q, head in p.folded.items():  # consumers first
        if head in in_edges:  # its keys: the drawn gates
            partials.setdefault(head, []).append(q)
    names = p.names
    by_id = {e["id"]: e for e in nodes}
    edge_by_id = {e["id"]: e for e in edges}
    groups = []
    for head, chain in partials.items():
        if len(chain) > min(CHAIN_MAX, budget):  # a shorter chain further on may still fit
            continue
        budget -= len(chain)
        chain.reverse()  # inputs first
        number = names[head][1:]
        sid, gid = "s" + number, "g" + number
        gate = by_id[gid]
        title = f"{gate['terms'] or len(head._prev)} terms, one + at a time"
        groups.append({"id": sid, "kind": "chain", "parent": gate.get("scope"),
                       "of": names[head], "symbol": gate["symbol"], "terms": gate["terms"],
                       "title": title, "tw": E.title_width(title), "open": False,
                       "w": gate["w"] + 16, "h": gate["h"]})
        gate["scope"] = sid
        inside = set(chain)
        for q in chain:
            qid = names[q]
            nodes.append(dict(E.value_entry(q, qid, False, backward, 0), scope=sid,
                              extra=True))
            nodes.append(dict(E.gate_entry(q, "g" + qid[1:], qid, len(q._prev)), scope=sid))
            add_edge({"from": "g" + qid[1:], "to": qid, "kind": "out"})
        for q in chain + [head]:
            for slot, parent in enumerate(q._prev):
                if parent in inside:  # partial sum -> the + that takes it, inside the chain
                    rule = chain_rule(q, slot) if backward else None
                    edge = E.in_edge(names[parent], "g" + names[q][1:], rule)
                    add_edge(dict(edge, kind="part"))
        for (_, owner, _), eid in zip(p.inputs_of[head], in_edges[head]):
            if owner is not head:  # a term taken by a partial sum: its edge opens to it
                edge_by_id[eid]["open_to"] = "g" + names[owner][1:]
    return groups
