"""Backward, step by step: one frame per gate, in the order the engine processes them.

The pass is replayed here rather than read off ``.grad``, so each frame shows what is
known at that moment: a node's gradient appears once every gate that uses it has sent its
share (until then it shows "?"), and the gate being processed is highlighted with the
chain rule it runs written on its input edges. The numbers come from the gates' own rules
(``explain.chain_rule``), the order from ``autograd.engine.topological_order``, so the
replay is the engine's backward pass, only slowed down. Nothing in the graph is modified.

Frames are written as SVG files and as one HTML page (SVGs inline, a few lines of
JavaScript for the buttons and arrow keys, nothing fetched from the network).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograd.engine import topological_order
from autograd.node import Node
from autograd.ops import values

from .draw import Drawing, build, plan
from .explain import chain_rule
from .graph import Roots, count_uses
from .labels import EXPLAIN_COLOR, node_rows, text_width, value_text, who
from .renderer import pipe

MAX_STEP_NODES = 200  # a frame per gate: beyond this, a slideshow teaches nothing


def too_big(total: int) -> str | None:
    """Why a graph of ``total`` nodes is refused by the step-by-step view; None if it fits."""
    if total <= MAX_STEP_NODES:
        return None
    return (f"the graph has {total:,} nodes; the step-by-step view is for graphs of at most "
            f"{MAX_STEP_NODES}")


@dataclass
class Frame:
    """One moment of the backward pass: the drawing and a sentence saying what happened."""

    caption: str
    dot: Drawing


def frames(root: Roots, rankdir: str = "LR", show_data: bool = True,
           grad: Any = None) -> list[Frame]:
    """The frames of ``root``'s backward pass: the seed, then one per gate.

    ``grad`` is the seed (default 1, as ``backward()``; required for a Tensor of more than
    one element).
    """
    if not isinstance(root, Node):
        raise TypeError(f"backward_steps() takes one Value or Tensor, got {type(root).__name__}")
    p = plan([root], collapse=None, max_nodes=None)
    problem = too_big(p.total)
    if problem:
        raise ValueError(f"{problem} (use viz.draw for big ones)")
    # First the replay, remembering what each step did and which gradients were known.
    known: dict = {root: _seed(root, grad)}  # gradient of every node whose uses are all done
    arrived: dict = {}  # partial sums for the others
    uses_left = count_uses(p.nodes)
    texts: dict = {}  # (gate's node, input slot) -> "local × up = down"
    steps = []
    for node in [n for n in topological_order(root) if n._gate is not None]:
        up = known[node]
        sent = []
        for slot, parent in enumerate(node._prev):
            rule = chain_rule(node, slot, up)
            if rule is None:  # a Tensor constant: the engine sends it nothing either
                continue
            texts[node, slot] = rule.text()
            arrived[parent] = rule.down if parent not in arrived else arrived[parent] + rule.down
            uses_left[parent] -= 1
            if uses_left[parent] == 0:
                known[parent] = arrived.pop(parent)
            sent.append(f"{rule.text(sep=', ')} to {who(parent)}")
        steps.append((node, dict(known), f"the {node._gate.symbol} gate that made "
                      f"{who(node)} gets up_diff {value_text(up)} and sends " + "; ".join(sent)))

    # Then the frames. Every box is as wide as its widest text will ever be, and every edge
    # always carries its label (invisible until its gate runs), so graphviz lays every
    # frame out identically and nothing jumps between frames.
    widths = {n: text_width(node_rows(n, show_data, True, _final(n), True)) for n in p.nodes}
    seed = (None, {root: known[root]}, f"{who(root)}.grad = {value_text(known[root])}, the seed")
    out = []
    for i, (node, now, what) in enumerate([seed] + steps):
        done = {n for n, _, _ in steps[:i]}
        grad_of = lambda n, now=now: (now[n], True) if n in now else (None, False)
        label = lambda owner, slot, node=node, done=done: (
            texts.get((owner, slot)),
            EXPLAIN_COLOR if owner is node else "#999999" if owner in done else "white")
        caption = f"Step {i} of {len(steps)}: {what}." if i else f"Start: {what}."
        out.append(Frame(caption, build(p, rankdir, show_data, True, edge_label=label,
                                        grad_of=grad_of, current=node, min_width=widths)))
    return out


def _seed(root: Any, grad: Any) -> Any:
    """backward()'s seed, checked by backward()'s own rules, as plain numbers."""
    seed = root._check_seed(grad)
    return values(seed) if isinstance(root.data, np.ndarray) else float(values(seed))


def _final(node: Any) -> Any:
    # A stand-in as wide as any gradient prints: every number in 4 digits is at most as
    # wide as -1.234e-05.
    if isinstance(node.data, np.ndarray):
        return np.full(node.data.shape, -1.234e-05)
    return -1.234e-05


def backward_steps(root: Roots, out: str | Path, rankdir: str = "LR", show_data: bool = True,
                   grad: Any = None) -> Path:
    """Write ``root``'s backward pass step by step; return what was written.

    ``out`` ending in ``.html``: one self-contained page. Otherwise ``out`` is a folder
    that gets ``step_00.svg``, ``step_01.svg``, ... and the same page as ``index.html``.
    """
    out = Path(out)
    shots = frames(root, rankdir, show_data, grad)
    page = out if out.suffix.lower() in (".html", ".htm") else out / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    svgs = []
    for i, frame in enumerate(shots):
        svg = pipe(frame.dot.source, "svg", page.with_name(f"step_{i:02d}.gv")).decode("utf-8")
        if page is not out:
            (out / f"step_{i:02d}.svg").write_text(svg, encoding="utf-8")
        svgs.append(svg)
    page.write_text(html_page([f.caption for f in shots], svgs), encoding="utf-8")
    return out


def _inline(svg: str) -> str:
    """An SVG document as an element to paste into HTML: no XML prolog, doctype, comments."""
    svg = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", "", svg, flags=re.S)
    return svg.strip()


def _frames_html(captions: list[str], svgs: list[str]) -> Iterator[str]:
    for i, (caption, svg) in enumerate(zip(captions, svgs, strict=True)):
        yield (f'<section class="frame" id="step{i}">\n<p class="caption">{html.escape(caption)}'
               f"</p>\n{_inline(svg)}\n</section>")


def html_page(captions: list[str], svgs: list[str]) -> str:
    """The page: every frame inline; buttons and arrow keys show one at a time."""
    return _PAGE.replace("{{FRAMES}}", "\n".join(_frames_html(captions, svgs)))


# Without JavaScript every frame shows, one under the other; with it, one at a time.
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gategrad: backward, step by step</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
nav { margin-bottom: 0.5em; }
button { font-size: 1em; padding: 0.3em 0.9em; }
.caption { min-height: 3em; max-width: 60em; }
/* Frames keep their natural size (11 pt text) and scroll sideways when wider than the
   window: shrinking them to fit made the text unreadably small on big graphs. */
.frame { overflow-x: auto; }
.frame svg { max-width: none; height: auto; }
.js .frame { display: none; }
.js .frame.current { display: block; }
</style>
</head>
<body>
<h1>Backward, step by step</h1>
<p>Gates are processed from the output back to the inputs. The highlighted gate sends each
input its share, <em>local_diff &times; up_diff = down_diff</em>; a gradient shows as
&ldquo;?&rdquo; until every gate that uses the node has sent its share. For zoom, pan,
the forward pass and node details, use <code>viz.explore(root).save("graph.html")</code>.</p>
<nav><button id="prev" type="button">&larr; previous</button>
<span id="count"></span>
<button id="next" type="button">next &rarr;</button></nav>
{{FRAMES}}
<script>
(function () {
  document.body.classList.add("js");
  var frames = document.querySelectorAll(".frame"), at = 0;
  function show(i) {
    at = Math.max(0, Math.min(frames.length - 1, i));
    for (var k = 0; k < frames.length; k++) frames[k].classList.toggle("current", k === at);
    document.getElementById("count").textContent = "step " + at + " of " + (frames.length - 1);
    document.getElementById("prev").disabled = at === 0;
    document.getElementById("next").disabled = at === frames.length - 1;
  }
  document.getElementById("prev").onclick = function () { show(at - 1); };
  document.getElementById("next").onclick = function () { show(at + 1); };
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft") show(at - 1);
    if (e.key === "ArrowRight") show(at + 1);
  });
  show(0);
})();
</script>
</body>
</html>
"""
