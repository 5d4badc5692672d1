"""Explain mode: every edge into a gate carries local_diff × up_diff = down_diff, and the
numbers agree with the gradients the engine computed (the course's gate patterns)."""

import html
import math
import re

import numpy as np
import pytest

import viz
from autograd import Tensor, Value, maximum
from viz.explain import chain_rule


def edge_labels(source):
    """The label texts of the edges from nodes into gates, from the DOT text."""
    found = re.findall(r"^\t(n\d+) -> (g\d+) \[.*?label=<(.*?)> fontcolor", source, flags=re.M)
    return [html.unescape(text.replace("<br/>", "\n")) for _, _, text in found]


def test_add_passes_up_diff_to_both_inputs():
    a, b = Value(2.0, "a"), Value(-4.0, "b")
    s = a + b
    out = 3 * s
    out.backward()
    for slot, leaf in enumerate((a, b)):
        rule = chain_rule(s, slot)
        assert (rule.local, rule.up, rule.down) == (1.0, 3.0, 3.0)
        assert rule.down == leaf.grad
        assert rule.text() == "1 × 3 = 3"


def test_max_routes_the_gradient_to_the_larger_input():
    a, b = Value(5.0, "a"), Value(2.0, "b")
    m = maximum(a, b)
    out = m * 2
    out.backward()
    big, small = chain_rule(m, 0), chain_rule(m, 1)
    assert (big.local, big.down) == (1.0, 2.0) == (1.0, a.grad)
    assert (small.local, small.down) == (0.0, 0.0) == (0.0, b.grad)
    tie = maximum(Value(1.0), Value(1.0))
    tie.backward()
    assert chain_rule(tie, 0).local == chain_rule(tie, 1).local == 0.5


def test_multiply_swaps_its_inputs():
    a, b = Value(3.0, "a"), Value(-2.0, "b")
    p = a * b
    out = p + 1
    out.backward()
    assert chain_rule(p, 0).local == b.data and chain_rule(p, 0).down == a.grad == -2.0
    assert chain_rule(p, 1).local == a.data and chain_rule(p, 1).down == b.grad == 3.0


def test_sigmoid_local_diff_is_s_times_one_minus_s():
    z = Value(0.7, "z")
    s = z.sigmoid()
    out = s * 4
    out.backward()
    rule = chain_rule(s, 0)
    assert rule.local == pytest.approx(s.data * (1 - s.data))
    assert rule.up == 4.0 and rule.down == pytest.approx(z.grad)


def test_local_diff_is_found_even_when_no_gradient_arrives():
    a, b = Value(3.0, "a"), Value(-2.0, "b")
    p = a * b
    out = p.relu()  # p < 0: relu sends 0 down, so up_diff at the * gate is 0
    out.backward()
    rule = chain_rule(p, 0)
    assert rule.up == 0.0 and rule.down == 0.0
    assert rule.local == -2.0  # still b: the rule called again with up = 1
    assert rule.text() == "-2 × 0 = 0"


def test_downs_into_each_node_add_up_to_its_gradient():
    a, c = Value(0.3, "a"), Value(-1.2, "c")
    f = a * c + a.tanh() + maximum(a, c) * a.sigmoid() + (a / c) ** 2 - (a - c).exp().log()
    f.backward()
    received = {}
    stack, seen = [f], {f}
    while stack:
        node = stack.pop()
        for slot, parent in enumerate(node._prev):
            received[parent] = received.get(parent, 0.0) + chain_rule(node, slot).down
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    for node, total in received.items():
        assert total == pytest.approx(node.grad, rel=1e-12, abs=1e-15)


def test_explain_labels_are_on_the_drawing():
    a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    J = 3 * (a + b * c)
    J.backward()
    source = viz.draw(J, explain=True).source
    assert "local_diff × up_diff = down_diff" in source
    labels = sorted(edge_labels(source))
    assert labels == sorted(["2 × 3 = 6", "3 × 3 = 9", "1 × 3 = 3", "1 × 3 = 3",
                             "11 × 1 = 11", "3 × 1 = 3"])
    assert "label=" not in viz.draw(J).source.split("}", 1)[-1]  # only in explain mode


def test_tensor_edges_carry_shapes_and_norms():
    rng = np.random.default_rng(1)
    X = Tensor(rng.normal(size=(6, 4)), label="X")
    W = Tensor(rng.normal(size=(4, 3)), requires_grad=True, label="W")
    scores = X @ W
    loss = (scores * scores).mean()
    loss.backward()
    labels = edge_labels(viz.draw(loss, explain=True).source)
    norm = f"‖{np.linalg.norm(W.grad):.4g}‖"
    assert any(f"down (4,3) {norm}" in text for text in labels)
    assert chain_rule(scores, 0) is None  # X needs no gradient: the engine sends none
    mean_rule = chain_rule(loss, 0)
    assert not mean_rule.scalar and mean_rule.down.shape == (6, 3)
    assert np.allclose(mean_rule.down, 1 / 18)


def test_one_element_tensors_read_like_scalars():
    x = Tensor(np.array([2.0]), requires_grad=True, label="x")
    y = (x * 3).sum()
    y.backward()
    rule = chain_rule(y, 0)
    assert rule.scalar and rule.text() == "1 × 1 = 1"
    assert math.isclose(chain_rule(y._a, 0).local, 3.0)


def test_no_rule_without_a_gate_or_a_gradient():
    x = Value(1.0)
    assert chain_rule(x, 0) is None
    W = Tensor(np.ones(3), requires_grad=True)
    s = (W * 2).sum()  # no backward yet: Tensor grads are None
    assert chain_rule(s, 0) is None
