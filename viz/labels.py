"""How numbers, arrays, nodes and gates are written inside a drawing.

Node labels are graphviz HTML-like labels (``<<table>...</table>>``): they let the label,
data and gradient sit on their own rows with their own colours, and their escaping rules
are the plain HTML ones, so any user label (``<b>``, ``{x|y}``, quotes, backslashes) comes
out as typed instead of breaking the DOT file.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from autograd.node import Node
from autograd.ops import values

GRAD_COLOR = "#b5200d"  # gradients in red, as the course's slides write them
EXPLAIN_COLOR = "#1c4e9d"  # chain-rule numbers on the edges, in blue
SMALL = 6  # arrays up to this many elements are shown in full

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def esc(text: Any) -> str:
    """``text`` made safe for a graphviz HTML label; a newline becomes a line break."""
    text = _CONTROL.sub("", str(text))
    text = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))
    return text.replace("\n", "<br/>")


def num(x: Any) -> str:
    """A number in 4 significant digits: 5, 0.5, -0.1966, 1.235e+06, nan, inf."""
    x = float(values(x))
    if x == 0:
        return "0"  # and never "-0"
    return f"{x:.4g}"


def array_summary(a: Any) -> str:
    """Small arrays in full, bigger ones as min / mean / max."""
    a = np.asarray(values(a))
    if a.ndim == 0:
        return num(a)
    if a.size <= SMALL:
        return np.array2string(a, separator=", ", formatter={"all": num})
    if a.dtype.kind == "b":
        return f"{int(a.sum())} of {a.size} true"
    with np.errstate(all="ignore"):
        return f"min {num(a.min())} mean {num(a.mean())} max {num(a.max())}"


def who(node: Node) -> str:
    """How a sentence names a node: its label, else its shape (arrays) or value."""
    if node.label:
        return node.label
    if isinstance(node.data, np.ndarray):
        return f"the {shape_text(node.data)} node"
    return f"the node holding {num(node.data)}"


def value_text(x: Any) -> str:
    """A value in a sentence: a number, or an array's shape when it holds more than one."""
    if isinstance(x, np.ndarray) and x.size > 1:
        return f"{shape_text(x)} array"
    return num(np.asarray(x).reshape(()) if isinstance(x, np.ndarray) else x)


def shape_text(a: Any) -> str:
    """``"(3, 4) float64"`` or ``"scalar float64"``: what a node box says of an array."""
    a = np.asarray(values(a))
    shape = "scalar" if a.ndim == 0 else str(a.shape).replace(",)", ")")
    return f"{shape} {a.dtype}"


def l2_norm(x: Any) -> float:
    """‖x‖ of an array of any shape, as a float.

    The squares summed by numpy itself, not by BLAS (``np.linalg.norm``, ``np.dot``): on a
    machine whose cores are busy, the threaded BLAS call on a 16,384-element array measured
    3-15 ms against 11 µs for the sum. Where the squares overflow, the array is scaled by
    its largest element first.
    """
    a = np.asarray(values(x), dtype=np.float64).ravel()
    with np.errstate(over="ignore", invalid="ignore"):
        squares = float(np.sum(a * a))
        if np.isfinite(squares) or not np.isfinite(a).all():
            return float(np.sqrt(squares))
        top = float(np.abs(a).max())
        scaled = a / top
        return top * float(np.sqrt(np.sum(scaled * scaled)))


def amount(x: Any) -> str:
    """A gradient in one short phrase: its value if it has one element, else shape and norm."""
    a = np.asarray(values(x))
    if a.size == 1:
        return num(a.reshape(()))
    shape = "(" + ",".join(map(str, a.shape)) + ")"
    with np.errstate(all="ignore"):
        return f"{shape} ‖{num(l2_norm(a))}‖"


def node_rows(node: Node, show_data: bool, show_grad: bool, grad: Any = None,
              grad_known: bool = True) -> list[tuple[str, str]]:
    """The rows of a node's box as (escaped text, colour) pairs.

    ``grad`` overrides ``node.grad`` (the step-by-step view fills gradients in as they
    arrive); ``grad_known=False`` writes "?" for a gradient that is not there yet.
    """
    rows = []
    if node.label:
        rows.append((f"<b>{esc(node.label)}</b>", ""))
    grad = node.grad if grad is None and grad_known else grad
    if isinstance(node.data, np.ndarray):
        rows.append((esc(shape_text(node.data)), ""))
        if show_data:
            rows.append((esc("data " + array_summary(node.data)), ""))
        if show_grad and node.requires_grad:
            text = "?" if not grad_known else ("none" if grad is None else array_summary(grad))
            rows.append((esc("grad " + text), GRAD_COLOR))
    else:
        if show_data:
            rows.append((esc("data " + num(node.data)), ""))
        if show_grad:
            rows.append((esc("grad " + ("?" if not grad_known else num(grad))), GRAD_COLOR))
    return rows


def html_table(rows: list[tuple[str, str]], min_width: int = 0) -> str:
    """Rows stacked in one borderless table: the inside of a box-shaped node.

    ``min_width`` (points) keeps a box the same size while its text changes, as in the
    step-by-step frames, where "grad ?" becomes "grad 0.1966" without moving anything.
    """
    if not rows:
        rows = [("&#160;", "")]
    width = f' width="{min_width}"' if min_width else ""
    cells = []
    for text, color in rows:
        if color:
            text = f'<font color="{color}">{text}</font>'
        cells.append(f"<tr><td{width}>{text}</td></tr>")
    return ('<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
            + "".join(cells) + "</table>>")


def text_width(rows: list[tuple[str, str]], font_size: float = 11) -> int:
    """A generous estimate, in points, of the widest row: wide enough for any digits."""
    plain = [re.sub(r"<[^>]*>|&[#\w]+;", "x", text) for text, _ in rows]
    return int(max((len(t) for t in plain), default=1) * font_size * 0.62) + 4


def gate_text(node: Node) -> str:
    """The gate's symbol, or the text its row draws it with (its constants, where short
    and telling: ``**2``, ``sum axis=1``)."""
    gate = node._gate
    if gate is None:
        raise ValueError(f"gate_text: {node!r} is a leaf; no gate made it")
    text = gate.label(node._ctx) if gate.label is not None and node._ctx else None
    return gate.symbol if text is None else text
