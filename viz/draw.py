"""``draw`` builds the graphviz description of a graph; ``render`` writes it to a file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from autograd.engine import topological_order
from autograd.node import Node

_FORMATS = {"svg", "png", "pdf"}


def draw(root: Any, rankdir: str = "LR", show_data: bool = True,
         show_grad: bool = True) -> graphviz.Digraph:
    """The graph ``root`` depends on, one box per node and one ellipse per gate.

    Names come from the traversal order, not from ``id()``, so building the same graph
    twice gives the same DOT text.
    """
    if not isinstance(root, Node):
        raise TypeError(f"draw() takes a Value or Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be one of LR, RL, TB, BT; got {rankdir!r}")
    nodes = topological_order(root)[::-1]  # inputs first: stable, readable numbering
    name = {id(node): f"n{i}" for i, node in enumerate(nodes)}
    dot = graphviz.Digraph(graph_attr={"rankdir": rankdir},
                           node_attr={"fontname": "Helvetica", "fontsize": "11"})
    for node in nodes:
        n = name[id(node)]
        dot.node(n, _node_label(node, show_data, show_grad), shape="record")
        if node._gate is not None:
            dot.node(n + "_gate", node._gate.symbol, shape="ellipse")
            dot.edge(n + "_gate", n)
            for parent in node._prev:
                dot.edge(name[id(parent)], n + "_gate")
    return dot


def render(root: Any, path: str | Path, **draw_options: Any) -> Path:
    """Draw ``root``'s graph into ``path``; the format comes from its suffix."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in _FORMATS:
        raise ValueError(f"render: cannot tell the format of {str(path)!r}; "
                         f"use a name ending in one of {sorted(_FORMATS)}")
    dot = draw(root, **draw_options)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = path.with_suffix(".gv")
    source.write_text(dot.source)
    if shutil.which("dot"):
        dot.render(outfile=path, format=fmt, cleanup=False)
        return path
    try:
        import pygraphviz
    except ImportError:
        raise RuntimeError(
            f"no Graphviz renderer found; the graph was written to {source}. Install "
            "Graphviz (apt-get install graphviz) or the 'render' extra "
            "(pip install 'gategrad[render]'), or paste the .gv file into any Graphviz viewer"
        ) from None
    pygraphviz.AGraph(string=dot.source).draw(str(path), format=fmt, prog="dot")
    return path


def _node_label(node: Any, show_data: bool, show_grad: bool) -> str:
    fields = [_escape(node.label)] if node.label else []
    data, grad = node.data, node.grad
    if isinstance(data, np.ndarray):
        fields.append(f"{data.shape} {data.dtype}")
        if show_data:
            fields.append("data " + _summary(data))
        if show_grad and grad is not None:
            fields.append("grad " + _summary(grad))
    else:
        if show_data:
            fields.append(f"data {data:.4f}")
        if show_grad:
            fields.append(f"grad {float(getattr(grad, 'data', grad)):.4f}")
    return "{" + " | ".join(fields) + "}"


def _summary(a: Any) -> str:
    a = np.asarray(getattr(a, "data", a))
    if a.size <= 4:
        return _escape(np.array2string(a.ravel(), precision=4, separator=", "))
    return f"min {a.min():.3g} mean {a.mean():.3g} max {a.max():.3g}"


def _escape(text: str) -> str:
    for ch in "\\{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text
