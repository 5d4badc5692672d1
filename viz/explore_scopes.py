"""Nested layouts: every group laid out on its own, to be placed in its box when opened.

A graph with groups (a model's layers and neurons, the inputs a cut left out) is laid
out scope by scope. The top scope holds the nodes in no group and each outermost group
as one box of its folded size; each group's scope holds its own nodes and its inner
groups, again folded. Every scope is one Graphviz layout, all from one run of ``dot``.

The page opens a group by growing its box to the size of the group's layout and
stretching the space around it (``viz/static/explorer_groups.js``): no layout is
computed in the browser, and whatever is open or shut, nothing overlaps.

Coordinates are local: a node's ``x, y`` are in its scope's layout, a group's in its
parent's; ``sw, sh`` is the size of a group's own layout. An edge gets the path of the
layout where both its ends are (``sc``: that scope; none for the top), between the
boxes that hold them there.
"""

from __future__ import annotations

from typing import Any

from .explore_layout import Box, layout_many

SHAPES = {"value": "box", "gate": "ellipse", "stub": "plaintext"}


def place(nodes: list[dict], groups: list[dict], edges: list[dict]) -> tuple[float, float]:
    """Give every node, group and edge its position (in place); return the top scope's
    width and height. Nodes and groups carry ``scope`` / ``parent`` (a group id, or
    nothing for the top); edges ``from`` and ``to`` (node or group ids)."""
    return place_many([(nodes, groups, edges)])[0]


def place_many(graphs: list[tuple[list[dict], list[dict], list[dict]]]
               ) -> list[tuple[float, float]]:
    """``place`` for several graphs, each given as its ``(nodes, groups, edges)``, all laid
    out by one run of ``dot`` (starting ``dot`` costs more than a small layout does)."""
    scoped = [_scopes(*graph) for graph in graphs]
    layouts = layout_many([(boxes[s], pairs[s]) for boxes, pairs, _ in scoped for s in boxes])
    sizes = []
    for (nodes, groups, edges), (boxes, _, slot) in zip(graphs, scoped):
        placed = dict(zip(boxes, layouts[:len(boxes)]))
        del layouts[:len(boxes)]
        sizes.append(_apply(placed, nodes, groups, edges, slot))
    return sizes


def _scopes(nodes: list[dict], groups: list[dict], edges: list[dict]) -> tuple[dict, dict, list]:
    """Each scope's boxes and edges to lay out, and each edge's slot: its scope, its pair's
    index there (None: not laid out)."""
    parent: dict[Any, Any] = {g["id"]: g.get("parent") for g in groups}
    scope_of = _scope_of(nodes, groups)
    boxes: dict[Any, list[Box]] = {None: []}
    for g in groups:
        boxes[g["id"]] = []
    for n in nodes:
        boxes[n.get("scope")].append(Box(n["id"], n["w"], n["h"], SHAPES[n["kind"]]))
    for g in groups:
        boxes[g.get("parent")].append(Box(g["id"], g["w"], g["h"]))
    pairs: dict[Any, list[tuple[str, str]]] = {s: [] for s in boxes}
    slot: list[tuple[Any, int | None]] = []
    first: dict[tuple, int] = {}
    # A stub's group is placed by its one edge, to its gate. Edges from values drawn
    # elsewhere into what it holds (a shared input) are left out of the layout (the page
    # draws them as plain curves): dot is slow on edges that cross many ranks.
    gate_of = {g["id"]: "g" + g["of"][1:] for g in groups if g["kind"] == "more"}
    for e in edges:
        s, a, b = meeting(e["from"], e["to"], scope_of)
        if b in gate_of or a in gate_of and e["to"] != gate_of[a]:
            slot.append((s, None))
            continue
        key = (s, a, b)
        if (a in parent or b in parent) and key in first:  # into a folded group: one path
            slot.append((s, first[key]))
            continue
        first.setdefault(key, len(pairs[s]))
        slot.append((s, len(pairs[s])))
        pairs[s].append((a, b))
    return boxes, pairs, slot


def _scope_of(nodes: list[dict], groups: list[dict]) -> dict[str, Any]:
    scope_of: dict[str, Any] = {n["id"]: n.get("scope") for n in nodes}
    scope_of.update({g["id"]: g.get("parent") for g in groups})
    return scope_of


def _apply(placed: dict, nodes: list[dict], groups: list[dict], edges: list[dict],
           slot: list[tuple[Any, int | None]]) -> tuple[float, float]:
    """Copy the scopes' layouts onto the nodes, groups and edges; the top scope's size."""
    scope_of = _scope_of(nodes, groups)
    for item in nodes + groups:
        item["x"], item["y"] = placed[scope_of[item["id"]]].centre[item["id"]]
    for g in groups:
        g["sw"], g["sh"] = placed[g["id"]].width, placed[g["id"]].height
    for e, (s, i) in zip(edges, slot):
        e["pts"] = [] if i is None else placed[s].edge_points[i]
        if s is not None:
            e["sc"] = s
    top = placed[None]
    return top.width, top.height


def meeting(a: str, b: str, scope_of: dict) -> tuple[Any, str, str]:
    """The innermost scope holding both ``a`` and ``b``, and the boxes there that hold
    them (themselves, or the groups they are in)."""
    outer_a = {}
    item, s = a, scope_of[a]
    while True:
        outer_a[s] = item
        if s is None:
            break
        item, s = s, scope_of[s]
    item, s = b, scope_of[b]
    while s not in outer_a:
        item, s = s, scope_of[s]
    return s, outer_a[s], item
