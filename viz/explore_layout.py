"""Where every box and edge of the explorer goes: Graphviz's ``dot`` layout, positions only.

The explorer draws its own SVG in the browser (so it can change any text, colour or width
at each step without a new layout), but the layout itself is Graphviz's: boxes are given
to ``dot`` as fixed-size, label-less nodes and ``-Tplain`` hands back their centres and the
Bézier control points of every edge. No JavaScript layout library is needed.

Units: points (1/72 inch), the same as CSS pixels at zoom 1, origin at the top left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import collapse as C
from .renderer import pipe, renderer

POINTS = 72.0  # -Tplain speaks inches
# Above this many boxes the layout takes collapse.FAST_LAYOUT's settings. Lower than
# viz.draw's threshold: a graph where one input feeds every layer (80 tanh units sharing an
# x, 250 boxes) takes dot 10 s with its default crossing reduction and 0.4 s without.
FAST_ABOVE = 100


@dataclass(frozen=True)
class Box:
    """A node to place: its id, size in points and shape ("box", "ellipse", "plaintext")."""

    id: str
    width: float
    height: float
    shape: str = "box"


@dataclass
class Layout:
    """Centres of the boxes, control points of the edges (in the order given), the size."""

    centre: dict[str, tuple[float, float]]
    edge_points: list[list[tuple[float, float]]]
    width: float
    height: float


def dot_source(boxes: list[Box], edges: list[tuple[str, str]], rankdir: str = "LR") -> str:
    """The DOT text Graphviz lays out: fixed sizes, no labels, the fast settings when big."""
    attrs = {"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.45"}
    if len(boxes) > FAST_ABOVE:
        attrs.update(C.FAST_LAYOUT)
    lines = ["digraph explorer {",
             "graph [" + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + "];",
             'node [label="" fixedsize=true];']
    for b in boxes:
        lines.append(f'{b.id} [shape={b.shape} width={b.width / POINTS:.4f} '
                     f'height={b.height / POINTS:.4f}];')
    lines.extend(f"{a} -> {b};" for a, b in edges)
    lines.append("}")
    return "\n".join(lines)


def layout(boxes: list[Box], edges: list[tuple[str, str]], rankdir: str = "LR") -> Layout:
    """Lay the boxes and edges out with Graphviz (the system ``dot`` or pygraphviz).

    Ids must be plain tokens (letters, digits, underscores): they are written into DOT
    and read back from the plain output unquoted.
    """
    text = pipe(dot_source(boxes, edges, rankdir), "plain").decode("utf-8")
    return parse_plain(text, edges)


def layout_many(graphs: list[tuple[list[Box], list[tuple[str, str]]]],
                rankdir: str = "LR") -> list[Layout]:
    """Several layouts at once: one run of the system ``dot`` lays out every graph given
    (each ``-Tplain`` answer ends with "stop"); with pygraphviz, one call per graph."""
    if renderer() != "dot":
        return [layout(boxes, edges, rankdir) for boxes, edges in graphs]
    source = "\n".join(dot_source(boxes, edges, rankdir) for boxes, edges in graphs)
    text = pipe(source, "plain").decode("utf-8")
    answers = [a for a in re.split(r"^stop$", text, flags=re.M) if a.strip()]
    if len(answers) != len(graphs):
        raise RuntimeError(f"dot laid out {len(answers)} of {len(graphs)} graphs")
    return [parse_plain(a, edges) for a, (_, edges) in zip(answers, graphs)]


def parse_plain(text: str, edges: list[tuple[str, str]]) -> Layout:
    """Read ``dot -Tplain`` output; y is flipped so that it grows downwards, as in SVG.

    Plain output lists edges by tail, not in the order they were given; parallel edges
    between the same two boxes come back in their original relative order, so each edge
    gets the n-th path found for its (tail, head) pair.
    """
    centre: dict[str, tuple[float, float]] = {}
    found: dict[tuple[str, str], list] = {}
    height = width = 0.0
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "graph":
            width, height = float(parts[2]) * POINTS, float(parts[3]) * POINTS
        elif parts[0] == "node":
            x, y = float(parts[2]) * POINTS, float(parts[3]) * POINTS
            centre[parts[1]] = (round(x, 1), round(height - y, 1))
        elif parts[0] == "edge":
            n = int(parts[3])
            coords = parts[4:4 + 2 * n]
            points = [(round(float(coords[i]) * POINTS, 1),
                       round(height - float(coords[i + 1]) * POINTS, 1))
                      for i in range(0, 2 * n, 2)]
            found.setdefault((parts[1], parts[2]), []).append(points)
    paths = []
    for pair in edges:
        candidates = found.get(pair) or [[]]
        paths.append(candidates.pop(0) if len(candidates) > 1 else candidates[0])
    return Layout(centre, paths, round(width, 1), round(height, 1))
