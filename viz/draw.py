"""``draw``: the graphviz description of a graph, one box per node and one per gate.

Boxes hold a node's label, data and gradient; each gate (``+``, ``*``, ``max``, ``σ``,
``@``, ...) is its own small node between its inputs and its output, so the flow reads
left to right as in the course: inputs, gate, output. Nothing is rendered here (see
``renderer.py``); the DOT text depends only on the graph, so it can be snapshot-tested.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import graphviz

from . import collapse as C
from .explain import chain_rule
from .graph import Roots, as_roots, count_uses, inputs_first
from .labels import EXPLAIN_COLOR, esc, gate_text, html_table, node_rows
from .layering import RANKS_ABOVE, ranks

MAX_NODES = 500  # the default cut: bigger drawings are neither readable nor quick
_RANKDIRS = ("LR", "RL", "TB", "BT")
_COLLAPSE = (None, "auto", "chains")
LEAF_FILL, ROOT_FILL, CURRENT_FILL = "#e8f0fe", "#fff4d6", "#ffd966"


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that Jupyter shows as SVG through gategrad's renderers (the
    system ``dot``, else pygraphviz), where graphviz's own display needs the system one."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **_: Any) -> dict:
        from .notebook import source_mimebundle

        return source_mimebundle(self.source, repr(self), include, exclude)

    def _repr_svg_(self) -> str | None:
        from .notebook import source_svg

        return source_svg(self.source)

    def __repr__(self) -> str:
        """What is drawn, in one line: boxes, gates, direction, and the title (which says
        how many nodes a cut left out)."""
        boxes = sum(1 for line in self.body if _BOX.match(line))
        gates = sum(1 for line in self.body if _GATE.match(line))
        title = self.graph_attr.get("label", "").replace("\\n", "; ")
        return (f"<Drawing: {boxes:,} boxes, {gates:,} gates, "
                f"rankdir={self.graph_attr.get('rankdir', 'LR')}"
                + (f", {title!r}" if title else "")
                + "; viz.render(drawing, 'graph.svg') writes it, .source is the DOT text>")


_BOX, _GATE = re.compile(r"\tn\d+ \["), re.compile(r"\tg\d+ \[")  # node lines of build()


@dataclass
class Plan:
    """What a drawing shows: the drawn nodes (inputs first), their names, for each the
    inputs wired into its gate, and how many inputs each gate has that are not drawn."""

    roots: list
    nodes: list
    names: dict
    inputs_of: dict
    missing: dict
    total: int  # nodes in the whole graph
    hidden: int  # of those, how many are not drawn (not even folded into a drawn sum)
    max_nodes: int | None
    folded: dict = field(default_factory=dict)  # partial sum -> the + node it is drawn in


def plan(roots: list, collapse: str | None = "auto", max_nodes: int | None = MAX_NODES) -> Plan:
    """Decide what to draw: traverse, fold sum() chains, cut at ``max_nodes``."""
    if collapse not in _COLLAPSE:
        raise ValueError(f"collapse must be one of {_COLLAPSE}, got {collapse!r}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int)
                                  or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")
    nodes = inputs_first(roots)
    names = {node: f"n{i}" for i, node in enumerate(nodes)}
    folded: dict = {}
    if collapse == "chains" or collapse == "auto" and len(nodes) > C.FAST_LAYOUT_ABOVE:
        folded = C.merge_chains(nodes, count_uses(nodes), roots)
    heads = [n for n in nodes if n not in folded] if folded else nodes
    inputs_of = {node: C.gate_inputs(node, folded) for node in heads}
    kept, shown = C.cut(roots, inputs_of, max_nodes)
    missing = {}
    if kept is not None:
        heads = [n for n in heads if n in kept]
        missing = {node: len(inputs_of[node]) - len(drawn) for node, drawn in shown.items()}
        inputs_of.update(shown)
        hidden = sum(1 for n in nodes if (folded.get(n, n) not in kept))
    else:
        hidden = 0
    return Plan(roots, heads, names, inputs_of, missing, len(nodes), hidden, max_nodes, folded)


def draw(root: Roots, rankdir: str = "LR", show_data: bool = True, show_grad: bool = True,
         explain: bool = False, max_nodes: int | None = MAX_NODES,
         collapse: str | None = "auto") -> Drawing:
    """The graph ``root`` depends on (a Value, a Tensor, or a list of them).

    ``explain`` writes on each edge into a gate the chain rule that ran there,
    ``local_diff × up_diff = down_diff``. Graphs over ``max_nodes`` nodes (None: no limit)
    are cut to the nodes nearest the roots: a gate whose inputs were left out gets a
    "… k more" stub, and the title says how many nodes are not drawn. ``collapse="auto"``
    folds ``sum()`` chains into one ``+`` gate once a graph has over 1,000 nodes
    ("chains": always, None: never). A drawing of over 1,000 boxes and gates takes dot's
    faster layout settings; over 2,500, it also gives dot each one's column
    (``viz.layering``).
    """
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}; got {rankdir!r}")
    p = plan(as_roots(root), collapse, max_nodes)
    edge_label = None
    if explain:
        edge_label = lambda owner, slot: _rule_text(chain_rule(owner, slot))
    return build(p, rankdir, show_data, show_grad, edge_label=edge_label,
                 title="edges: local_diff × up_diff = down_diff" if explain else "")


def _rule_text(rule: Any) -> str | None:
    return None if rule is None else rule.text()


def build(p: Plan, rankdir: str = "LR", show_data: bool = True, show_grad: bool = True, *,
          edge_label: Callable[[Any, int], Any] | None = None,
          grad_of: Callable[[Any], tuple[Any, bool]] | None = None,
          current: Any = None, title: str = "", min_width: dict | None = None) -> Drawing:
    """The Digraph for a plan. The step-by-step view passes ``grad_of`` (the gradient
    shown and whether it is known yet), the ``current`` gate's node, edge labels with
    their colours, and each box's ``min_width``."""
    size = _size(p)  # what dot lays out: it picks the layout settings and the ranks below
    dot = Drawing(name="gategrad", graph_attr=_graph_attr(p, rankdir, title, size),
                  node_attr={"fontname": "Helvetica", "fontsize": "11", "shape": "box",
                             "style": "rounded", "margin": "0.08,0.04"},
                  edge_attr={"arrowsize": "0.6", "color": "#555555",
                             "fontname": "Helvetica"})
    roots = set(p.roots)
    names = p.names
    edges: list[tuple[str, str]] = []  # (tail, head) of every edge, for the ranks below
    for node in p.nodes:
        name = names[node]
        grad, known = (None, True) if grad_of is None else grad_of(node)
        rows = node_rows(node, show_data, show_grad, grad, known)
        label = html_table(rows, min_width.get(node, 0) if min_width else 0)
        dot.node(name, label, **_box_style(node, node in roots, node is current))
        if node._gate is None:
            continue
        gate = "g" + name[1:]
        inputs = p.inputs_of[node]
        terms = len(inputs) + p.missing.get(node, 0)
        dot.node(gate, _gate_label(node, terms), shape="circle" if len(node._gate.symbol) <= 4
                 else "ellipse", margin="0.02,0.02", width="0.3",
                 **_gate_style(node is current))
        dot.edge(gate, name, **_current_edge(node is current))
        edges.append((gate, name))
        for parent, owner, slot in inputs:
            attrs = _current_edge(node is current)
            text = edge_label(owner, slot) if edge_label is not None else None
            text, color = text if isinstance(text, tuple) else (text, EXPLAIN_COLOR)
            if text:
                attrs.update(label=f"<{esc(text)}>", fontcolor=color, fontsize="10")
            dot.edge(names[parent], gate, **attrs)
            edges.append((names[parent], gate))
        if node in p.missing:  # inputs left out by the cut: one small stub says how many
            dot.node("m" + name[1:], f"… {p.missing[node]:,} more", shape="plaintext",
                     fontcolor="#777777", fontsize="9")
            dot.edge("m" + name[1:], gate, style="dashed", color="#999999")
            edges.append(("m" + name[1:], gate))
    if size > RANKS_ABOVE:  # dot's own ranking is cut short on big graphs
        dot.body += [f"\t{{rank=same; {'; '.join(group)}}}\n" for group in ranks(edges)]
    return dot


def _graph_attr(p: Plan, rankdir: str, title: str, size: int) -> dict:
    attrs = {"rankdir": rankdir, "bgcolor": "white", "fontname": "Helvetica",
             "nodesep": "0.2", "ranksep": "0.3"}
    if p.hidden:
        cut = (f"{p.total:,} nodes, {p.hidden:,} not drawn (max_nodes={p.max_nodes:,}): "
               "the nodes nearest the output are shown")
        title = f"{title}\\n{cut}" if title else cut  # backslash-n: a line break in DOT
    if title:
        attrs.update(label=title, labelloc="t", fontsize="11", fontcolor=EXPLAIN_COLOR)
    if size > C.FAST_LAYOUT_ABOVE:
        attrs.update(C.FAST_LAYOUT)
    return attrs


def _size(p: Plan) -> int:
    """The boxes and gates of ``p``: what dot has to lay out."""
    return len(p.nodes) + sum(1 for node in p.nodes if node._gate is not None)


def _box_style(node: Any, is_root: bool, is_current: bool) -> dict:
    if is_current:
        return {"style": "rounded,filled,bold", "fillcolor": CURRENT_FILL}
    if is_root:
        return {"style": "rounded,filled", "fillcolor": ROOT_FILL}
    if node._gate is None:
        if not node.requires_grad:  # a Tensor constant: no gradient
            return {"style": "rounded,dashed", "color": "#888888"}
        return {"style": "rounded,filled", "fillcolor": LEAF_FILL}
    return {}


def _gate_label(node: Any, n_inputs: int) -> str:
    text = esc(gate_text(node))
    if n_inputs > 2:  # a folded sum() chain
        text += f'<br/><font point-size="9">{n_inputs} terms</font>'
    return f"<{text}>"


def _gate_style(is_current: bool) -> dict:
    if is_current:
        return {"style": "filled,bold", "fillcolor": CURRENT_FILL}
    return {}


def _current_edge(is_current: bool) -> dict:
    return {"color": "#c27c0e", "penwidth": "2"} if is_current else {}
