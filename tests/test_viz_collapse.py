"""Big graphs: sum() chains folded into one + gate, the max_nodes cut, fast layout
settings, and micrograd's 65,000-node MLP graph drawn collapsed (its time: bench_viz.py)."""

import random
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import viz
from autograd import Value
from autograd.engine import topological_order
from viz.collapse import FAST_LAYOUT
from viz.draw import MAX_NODES, plan
from viz.explain import chain_rule
from viz.graph import inputs_first


def mlp_loss(points, seed=0):
    """micrograd's MLP(2, [16, 16, 1]) on ``points`` samples, hinge loss + L2, backward."""
    rnd = random.Random(seed)
    sizes = [2, 16, 16, 1]
    layers = [[([Value(rnd.uniform(-1, 1)) for _ in range(sizes[i])], Value(0.0))
               for _ in range(sizes[i + 1])] for i in range(3)]
    params = [p for layer in layers for w, b in layer for p in w + [b]]
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(points, 2)), np.where(rng.random(points) < 0.5, 1.0, -1.0)
    losses = []
    for row, yi in zip(X.tolist(), y.tolist()):
        h = [Value(v) for v in row]
        for i, layer in enumerate(layers):
            h = [sum((wi * hi for wi, hi in zip(w, h)), b) for w, b in layer]
            h = [v.relu() for v in h] if i < 2 else h
        losses.append((1 + -yi * h[0]).relu())
    total = sum(losses) * (1.0 / points) + 1e-4 * sum(p * p for p in params)
    total.backward()
    return total


def gates_and_boxes(source):
    return (len(re.findall(r"^\tg\d+ \[", source, flags=re.M)),
            len(re.findall(r"^\tn\d+ \[", source, flags=re.M)))


def test_sum_chains_fold_into_one_gate_with_the_same_gradients():
    xs = [Value(float(i), f"x{i}") for i in range(12)]
    total = sum(xs[1:], xs[0])  # 11 chained + gates
    total.label = "total"
    out = total * 2
    out.backward()
    full = viz.draw(out, collapse=None).source
    folded = viz.draw(out, collapse="chains", explain=True).source
    assert gates_and_boxes(full) == (12, 25)  # 12 x's, 11 sums, the 2 and out
    assert gates_and_boxes(folded) == (2, 15)
    assert "12 terms" in folded
    assert folded.count("1 × 2 = 2") == 12  # every term still gets the sum's gradient
    assert viz.draw(out).source == full  # "auto" leaves small graphs alone


def test_labelled_partial_sums_are_kept():
    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    ab = a + b
    ab.label = "ab"
    out = ab + c
    out.backward()
    assert gates_and_boxes(viz.draw(out, collapse="chains").source) == (2, 5)


def test_the_cut_keeps_the_nodes_nearest_the_output():
    x = Value(0.5, "x")
    outs = []
    for i in range(300):
        outs.append((x * (i + 1)).tanh())
    loss = sum(outs)
    loss.label = "loss"
    loss.backward()
    p = plan([loss], "auto", 50)
    assert len(p.nodes) == 50 and p.total == len(inputs_first([loss]))
    source = viz.draw(loss, max_nodes=50).source
    _, boxes = gates_and_boxes(source)
    assert boxes == 50
    # the 301-term sum (sum() starts from 0) says how many of its terms are not drawn
    gate = re.search(r"^\t(g\d+) \[label=<\+<br/><font point-size=\"9\">301 terms", source,
                     flags=re.M).group(1)
    drawn = len(re.findall(rf"^\tn\d+ -> {gate}\b", source, flags=re.M))
    more = re.search(rf'^\tm{gate[1:]} \[label="… (\d+) more"', source, flags=re.M).group(1)
    assert 8 <= drawn < 50 and drawn + int(more) == 301
    assert f"{p.total:,} nodes, {p.hidden:,} not drawn (max_nodes=50)" in source
    assert "<b>loss</b>" in source


def test_fast_layout_settings_only_for_big_drawings():
    small = viz.draw(mlp_loss(1), max_nodes=100).source
    big = viz.draw(mlp_loss(1), max_nodes=None).source
    assert "nslimit" not in small
    for key, value in FAST_LAYOUT.items():
        assert f"{key}={value}" in big


def test_folded_mlp_keeps_every_gradient():
    loss = mlp_loss(2)
    p = plan([loss], "chains", None)
    assert p.hidden == 0 and len(p.nodes) < 0.7 * p.total
    for node in p.nodes:
        for _, owner, slot in p.inputs_of[node]:
            if owner is not node:  # an input of a folded partial sum: same up_diff
                assert chain_rule(owner, slot).up == node.grad


@pytest.mark.slow
def test_65k_node_mlp_graph_renders_collapsed_to_the_nodes_nearest_the_output(tmp_path):
    # How long this takes is measured by benchmarks/bench_viz.py, never asserted here.
    loss = mlp_loss(100)
    drawing = viz.draw(loss)
    p = plan([loss])
    assert p.total == len(topological_order(loss)) > 65_000
    assert len(p.nodes) == MAX_NODES and loss in p.nodes
    gates, boxes = gates_and_boxes(drawing.source)
    assert boxes == MAX_NODES and gates > 0
    path = viz.render(loss, tmp_path / "mlp.svg")
    groups = ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}g")
    drawn = sum(g.get("class") == "node" for g in groups)
    # the boxes, the gates and the "more inputs" marks the DOT text declares
    declared = len(re.findall(r"^\t[ngm]\d+ \[", drawing.source, flags=re.M))
    assert drawn == declared  # every node of the drawing reached the picture


@pytest.mark.parametrize("max_nodes", [1, 7])
def test_tiny_budgets_still_draw_the_roots(max_nodes):
    loss = mlp_loss(1)
    source = viz.draw([loss, loss._a], max_nodes=max_nodes).source
    assert gates_and_boxes(source)[1] == max(2, max_nodes)
