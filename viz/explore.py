"""``viz.explore(root)``: the graph as one interactive, offline HTML page.

Step through the forward pass (values appear gate by gate) and the backward pass (each
gate's ``local_diff × up_diff = down_diff``, running sums where several gates feed a
node); click a node for its numbers and its gate's rule, hover an edge for its chain
rule, switch on the gradient-health overlay; zoom, pan and fit. The layout is Graphviz's,
computed here; the page draws it and makes it interactive with the script and style in
``viz/static/`` (package data), pasted into the page when it is saved, so the one file
works from disk, with no server and nothing fetched from the network.

    explorer = viz.explore(loss)
    explorer.save("loss.html")        # open it in any browser
    explorer                          # in Jupyter / VS Code: shown inline
"""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from typing import Any

from autograd._atomic import write_atomically
from autograd.node import Node

from .draw import MAX_NODES, plan
from .explore_data import build_model, place_models
from .explore_groups import model_modules
from .explore_health import EXPLODE_ABOVE

_TITLE = "gategrad explorer"
_instances = 0


class Explorer:
    """An explorer ready to show: ``save(path)`` writes the page, Jupyter shows it inline."""

    def __init__(self, model: dict, title: str = _TITLE) -> None:
        self.model = model
        self.title = title

    def __repr__(self) -> str:
        m = self.model
        return (f"<Explorer: {m['shown']} of {m['total']} nodes, {len(m['steps'])} steps, "
                f"backward {'recorded' if m['has_backward'] else 'not run yet'}>")

    def element(self, overlay: bool = False, at_end: bool = False) -> str:
        """The explorer's element with its data, without the script and style (a page
        holding several explorers needs those once: see ``assets``). ``overlay`` starts with
        the gradient-health overlay on, ``at_end`` at the last step."""
        global _instances
        lay_out([self])  # one built by ``explore_later`` and not laid out yet
        _instances += 1
        data = script_json(self.model)
        options = (' data-overlay="on"' if overlay else "") + (' data-start="end"' if at_end
                                                               else "")
        return (f'<div class="gg-explorer" id="gg-explorer-{_instances}" tabindex="0" '
                f'aria-label="{html.escape(self.title)}"{options}>'
                f'<script type="application/json" class="gg-data">{data}</script>'
                "<noscript>The explorer needs JavaScript.</noscript></div>")

    def fragment(self) -> str:
        """The explorer as an HTML fragment: its element, data, style and script."""
        return f"{self.element()}\n{assets()}"

    def html(self) -> str:
        """The whole page, as ``save`` writes it."""
        return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{html.escape(self.title)}</title>\n</head>\n"
                f'<body class="gg-page">\n{self.fragment()}\n</body>\n</html>\n')

    def _repr_html_(self) -> str:
        return self.fragment()

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (``.html``); return the path.

        The file appears whole or not at all: the page is written beside it first, then
        moved into place.
        """
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"explorer.save: {str(path)!r} must end in .html")
        return write_whole(path, self.html(), "explorer.save")


def write_whole(path: Path, text: str, who: str) -> Path:
    """Write ``text`` to ``path`` whole or not at all: into a temporary file beside it, then
    moved into place. Errors name ``who`` and the path."""
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"{who}: the folder {str(folder)!r} of {str(path)!r} "
                                "does not exist")
    try:
        return write_atomically(path, lambda f: f.write(text))
    except OSError as e:
        raise PermissionError(f"{who}: cannot write {str(path)!r}: {e.strerror}") from e


def script_json(data: Any) -> str:
    """``data`` as JSON to put inside a ``<script>`` element of a page.

    Inside <script>, only "</" could end the element early; escaping every "<" (and & >)
    keeps any label, even "</script>", inert data. NaN and inf are refused (JSON has none).
    """
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def assets() -> str:
    """The explorer's style and script, as ``<style>`` and ``<script>`` elements."""
    return (f"<style>{asset('explorer.css')}</style>\n"
            f"<script>{asset('explorer_panel.js')}\n{asset('explorer_groups.js')}\n"
            f"{asset('explorer.js')}</script>")


def asset(name: str, package: str = "viz") -> str:
    """The text of ``<package>/static/<name>``, a page's script or style."""
    return (resources.files(package) / "static" / name).read_text(encoding="utf-8")


def explore(root: Any, max_nodes: int = MAX_NODES,
            explode_above: float = EXPLODE_ABOVE, model: Any = None) -> Explorer:
    """An interactive explorer of ``root``'s graph (a Value or a Tensor).

    Graphs over ``max_nodes`` nodes open with the ``max_nodes`` nearest the output; each
    gate whose inputs were left out gets a "… k more" stub. ``sum()`` chains of graphs
    over 1,000 nodes are folded into one ``+`` gate, as ``viz.draw`` does. Up to
    ``max_nodes`` more values, nearest the output first, are saved with the page for it
    to open on click: the partial sums of folded chains up to 24 long (a quarter of the
    budget at most), then the inputs behind the stubs, a stub at a time.

    ``model`` (an ``nn`` model: ``nn.MLP``, ``nn.TwoLayerNet``, any ``nn.Module``) groups
    the graph by module, found from the names of its parameters: a scalar MLP's neurons
    (``w · x + b`` and its activation) inside its layers, a Tensor model's layers. Groups
    open and shut on click; on graphs over 100 values they start shut.

    Gradients whose |value| exceeds ``explode_above`` are flagged by the health overlay.
    Call ``root.backward()`` first to step through the backward pass; without it the
    explorer shows the forward pass only.
    """
    return Explorer(_model(root, max_nodes, explode_above, model, placed=True))


def explore_later(root: Any, max_nodes: int = MAX_NODES,
                  explode_above: float = EXPLODE_ABOVE, model: Any = None) -> Explorer:
    """``explore`` without the layout: every number shown is read from the graph now, but
    Graphviz runs only when the explorer is first shown, or in ``lay_out`` with others.
    For a page holding several explorers: one run of ``dot`` lays them all out."""
    return Explorer(_model(root, max_nodes, explode_above, model, placed=False))


def lay_out(explorers: list[Explorer]) -> None:
    """Lay out the explorers from ``explore_later`` that are not laid out yet, all in one
    run of Graphviz."""
    place_models([x.model for x in explorers])


def _model(root: Any, max_nodes: int, explode_above: float, model: Any, placed: bool) -> dict:
    if not isinstance(root, Node):
        raise TypeError(f"explore() takes a Value or a Tensor, got {type(root).__name__}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"explore: max_nodes must be a positive int, got {max_nodes!r}")
    if not explode_above > 0:
        raise ValueError(f"explore: explode_above must be positive, got {explode_above!r}")
    if model is not None:
        model_modules(model)  # a clear error now for something that is not a model
    return build_model(plan([root], "auto", max_nodes), explode_above, model,
                       more=max_nodes, placed=placed)
