"""The training report as one offline HTML page: curves, the decision boundary over the
epochs, per-layer gradient norms, and the graph's health at chosen epochs.

The page's script and style are ``nn/static/report.js`` and ``report.css`` (package data),
pasted in with the graph explorer's own (``viz/static``); the data is JSON in the page.
Nothing is fetched from the network.
"""

from __future__ import annotations

import html
from pathlib import Path

from viz.explore import asset, assets, script_json, write_whole


def page(data: dict, explorers: list) -> str:
    """The page's HTML for the recorded ``data`` and the graph snapshots' explorers."""
    graphs = ""
    if explorers:
        last = len(explorers) - 1  # the last epoch's graph shows first
        graphs = "\n".join(
            f'<div class="rp-snapshot" data-epoch="{epoch}"{"" if i == last else " hidden"}>'
            f"{x.element(overlay=True, at_end=True)}</div>"
            for i, (epoch, x) in enumerate(zip(data["snapshots"], explorers)))
        graphs += "\n" + assets()
    title = html.escape(data["title"])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Training report: {title}</title>
<style>{asset("report.css", "nn")}</style>
</head>
<body class="rp-body">
<header><h1>Watch it learn</h1><p class="rp-title">{title}</p></header>
<main>
<section class="rp-card"><h2>Loss</h2><div id="rp-loss" class="rp-chart"></div></section>
<section class="rp-card"><h2>Accuracy</h2><div id="rp-acc" class="rp-chart"></div></section>
<section class="rp-card" id="rp-boundary-card"><h2>Decision boundary over the epochs</h2>
<div class="rp-controls"><button type="button" id="rp-play">► play</button>
<input type="range" id="rp-frame" min="0" value="0" aria-label="epoch">
<span id="rp-epoch"></span></div>
<canvas id="rp-boundary" width="512" height="512"></canvas></section>
<section class="rp-card"><h2>Gradient norm per layer</h2>
<p class="rp-note">‖grad‖ of each parameter after each recorded epoch's last step, on a log
scale. Norms that shrink towards 0 layer after layer are vanishing gradients (saturated
σ/tanh, e.g. after a large initialisation); norms that blow up are exploding ones.</p>
<div id="rp-norms" class="rp-chart rp-tall"></div></section>
<section class="rp-card rp-wide" id="rp-graph-card"><h2>The model's graph: gradient health</h2>
<div class="rp-controls" id="rp-snapshots"></div>
{graphs}
</section>
</main>
<script type="application/json" id="rp-data">{script_json(data)}</script>
<script>{asset("report.js", "nn")}</script>
</body>
</html>
"""


def write_page(path: Path, data: dict, explorers: list) -> Path:
    """Write the page to ``path``, whole or not at all."""
    return write_whole(path, page(data, explorers), "report")
