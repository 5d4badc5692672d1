"""How long drawing big graphs takes, against the targets of the viz issue.

(a) a 5,000-node graph (micrograd's MLP(2, [16, 16, 1]) on 6 points: 4,906 Values), drawn
    in full (``max_nodes=None``) and rendered to SVG: target <= 30 s; and, as the folding of
    sum() chains leaves 2,939 boxes of those, the same MLP on 12 points, 8,794 Values
    drawn as 5,195 boxes (5,000 boxes on the page, same target);
(b) micrograd's 65,000-node graph (the same MLP on 100 points, hinge loss + L2), drawn
    collapsed (the defaults: sum() chains folded, cut at ``max_nodes``) and rendered to
    SVG: target <= 10 s.

Each through both renderers: the system ``dot`` and the pygraphviz wheel (the fallback,
chosen here by hiding ``dot``). Times are end to end, ``viz.render`` from the root to the
file, median of ``--repeat`` runs.

Before and after, in the same run, taking turns: the (a) graphs rendered with dot's own
ranking (the drawing without its ``rank=same`` groups, as drawn before ``viz.layering``)
and with the ranks ``viz.layering`` computes (``viz.render`` as it is).

With ``--unfolded`` it also times (a) with
``collapse=None`` (every partial sum drawn), rendering in a child process killed after
``--timeout`` seconds: Graphviz 2.43's placement is quadratic in the dummy nodes that long
``sum()`` chains create, which is why big graphs are folded by default.

Run: python benchmarks/bench_viz.py [--repeat 3] [--unfolded] [--timeout 120]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np
import record
import timing

import viz
from autograd import Value
from autograd.engine import topological_order
from nn import MLP
from viz.draw import plan
from viz.renderer import renderer, write


def mlp_loss(points: int, seed: int = 0) -> Value:
    """micrograd's demo loss (mean hinge + L2) on ``points`` samples, after backward."""
    return mlp_loss_and_model(points, seed)[0]


def mlp_loss_and_model(points: int, seed: int = 0) -> tuple[Value, MLP]:
    """``mlp_loss`` and the MLP it ran (the explorer groups the graph by its neurons)."""
    model = MLP(2, [16, 16, 1], seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(points, 2))
    y = np.where(rng.random(points) < 0.5, 1.0, -1.0)
    scores = [model([Value(a), Value(b)]) for a, b in X.tolist()]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y.tolist(), scores)]
    total = sum(losses) * (1.0 / points) + 1e-4 * sum(p * p for p in model.parameters())
    total.backward()
    return total, model


def without_ranks(root: Value) -> str:
    """The DOT text of ``viz.draw(root, max_nodes=None)`` as drawn before ``viz.layering``:
    the same but for the ``rank=same`` groups, so dot ranks the graph itself."""
    return re.sub(r"^\t\{rank=same; .*\}\n", "", viz.draw(root, max_nodes=None).source,
                  flags=re.M)


def ranks_before_after(graphs: dict[str, Value], path: Path, repeat: int) -> dict:
    """Seconds of each render with dot's ranking ("before") and with the drawing's own
    ("after"), taking turns; both from the root to the file through the system dot."""
    return {graph: timing.interleaved(
        {"before": lambda root=root: write(without_ranks(root), path),
         "after": lambda root=root: viz.render(root, path, max_nodes=None)}, repeat)
        for graph, root in graphs.items()}


def unfolded_render(root: Value, which: str, timeout: float) -> str:
    """Seconds to render the full unfolded graph in a child process, or '> timeout'."""
    source = viz.draw(root, max_nodes=None, collapse=None).source
    if which == "dot":
        command = [shutil.which("dot") or "dot", "-Tsvg"]
    else:
        command = [sys.executable, "-c", "import sys, pygraphviz; sys.stdout.buffer.write("
                   "pygraphviz.AGraph(string=sys.stdin.read()).draw(format='svg', prog='dot'))"]
    t0 = time.perf_counter()
    try:
        subprocess.run(command, input=source.encode(), capture_output=True, timeout=timeout,
                       check=True)
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s (stopped)"
    return f"{time.perf_counter() - t0:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--unfolded", action="store_true",
                        help="also time the 5,000-node graph with collapse=None")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    renderers = ["dot", "pygraphviz"] if renderer() == "dot" else [renderer()]
    if renderers == [None]:
        raise SystemExit("no renderer: install graphviz or pip install -e '.[render]'")

    t0 = time.perf_counter()
    small = mlp_loss(6)
    n_small = len(topological_order(small))
    wide = mlp_loss(12)
    n_wide = len(topological_order(wide))
    t1 = time.perf_counter()
    big = mlp_loss(100)
    n_big = len(topological_order(big))
    t2 = time.perf_counter()
    print(f"graphs: {n_small:,} and {n_wide:,} nodes (6 and 12 points) in {t1 - t0:.2f} s, "
          f"{n_big:,} nodes (100 points) in {t2 - t1:.2f} s (forward + backward, untimed below)")

    graphs = {f"{n_small:,}-node MLP graph, `max_nodes=None`": (small, {"max_nodes": None}),
              f"{n_wide:,}-node MLP graph, `max_nodes=None`": (wide, {"max_nodes": None}),
              f"{n_big:,}-node MLP graph (100 points), defaults": (big, {})}
    targets = dict(zip(graphs, (30.0, 30.0, 10.0)))
    runs: dict[str, dict[str, list[float]]] = {graph: {} for graph in graphs}
    with tempfile.TemporaryDirectory() as tmp:
        for which in renderers:
            hide = mock.patch("shutil.which", return_value=None) if which == "pygraphviz" \
                else contextlib.nullcontext()
            with hide:
                assert renderer() == which
                for graph, (root, options) in graphs.items():
                    runs[graph][which] = timing.seconds(functools.partial(
                        viz.render, root, Path(tmp) / "graph.svg", **options), args.repeat)
        full = dict(zip(list(graphs)[:2], (small, wide)))
        ranked = (ranks_before_after(full, Path(tmp) / "graph.svg", args.repeat)
                  if "dot" in renderers else {})
    medians = {graph: timing.medians(by) for graph, by in runs.items()}
    boxes = [len(plan([root], **options).nodes) for root, options in graphs.values()]
    print(f"drawn: {', '.join(f'{b:,}' for b in boxes)} boxes for the {n_small:,}-, "
          f"{n_wide:,}- and {n_big:,}-node graphs (sum() chains folded; the last also cut)")
    print(f"\n{'graph':<50} {'renderer':<11} {'seconds':>8}  target")
    for graph, by in medians.items():
        for which, seconds in by.items():
            verdict = "ok" if seconds <= targets[graph] else "MISSED"
            print(f"{graph:<50} {which:<11} {seconds:>8.2f}  <= {targets[graph]:.0f} s {verdict}")
    headings = {"dot": "system `dot`", "pygraphviz": "pygraphviz wheel"}
    rows = [[graph, f"{drawn:,}", *(f"{medians[graph][which]:.2f} s" for which in renderers),
             f"≤ {targets[graph]:.0f} s"] for graph, drawn in zip(graphs, boxes)]
    tables = {"render": record.table(
        ["graph", "boxes drawn", *(headings[w] for w in renderers), "target"], rows)}
    if ranked:
        print("\nsystem dot, dot's own ranking (before) and the drawing's ranks (after):")
        rank_rows = []
        for graph, by in ranked.items():
            t = medians[f"{graph}, ranks"] = timing.medians(by)
            runs[f"{graph}, ranks"] = by
            print(f"{graph:<50} before {t['before']:6.2f} s  after {t['after']:6.2f} s  "
                  f"after/before {t['after'] / t['before']:.2f}")
            rank_rows.append([graph, f"{t['before']:.2f} s", f"{t['after']:.2f} s",
                              f"**{t['after'] / t['before']:.2f}x**"])
        tables["ranks"] = record.table(
            ["graph (system `dot`)", "dot's own ranking (before)",
             "ranks from `viz.layering` (after)", "after / before"], rank_rows)
    record.write("bench_viz", command=record.command_line(), runs=runs, medians=medians,
                 tables=tables, packages=["graphviz", "pygraphviz"])
    if args.unfolded:
        print(f"\n{n_small:,} nodes with collapse=None (every partial sum drawn), render only:")
        for which in renderers:
            print(f"  {which:<11} {unfolded_render(small, which, args.timeout)}")


if __name__ == "__main__":
    main()
