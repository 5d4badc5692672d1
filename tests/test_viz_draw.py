"""viz.draw: DOT snapshots, stable names, gates as nodes, Tensor labels, escaping, roots."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import viz
from autograd import Tensor, Value, maximum
from viz.draw import MAX_NODES
from viz.renderer import pipe

SNAPSHOT = """digraph gategrad {
	graph [bgcolor=white fontname=Helvetica nodesep=0.2 rankdir=LR ranksep=0.3]
	node [fontname=Helvetica fontsize=11 margin="0.08,0.04" shape=box style=rounded]
	edge [arrowsize=0.6 color="#555555" fontname=Helvetica]
	n0 [label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td><b>a</b></td></tr><tr><td>data 2</td></tr><tr><td><font color="#b5200d">grad -3</font></td></tr></table>> fillcolor="#e8f0fe" style="rounded,filled"]
	n1 [label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td><b>b</b></td></tr><tr><td>data -3</td></tr><tr><td><font color="#b5200d">grad 2</font></td></tr></table>> fillcolor="#e8f0fe" style="rounded,filled"]
	n2 [label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td><b>e</b></td></tr><tr><td>data -6</td></tr><tr><td><font color="#b5200d">grad 1</font></td></tr></table>>]
	g2 [label=<*> margin="0.02,0.02" shape=circle width=0.3]
	g2 -> n2
	n0 -> g2
	n1 -> g2
	n3 [label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td><b>c</b></td></tr><tr><td>data 10</td></tr><tr><td><font color="#b5200d">grad 1</font></td></tr></table>> fillcolor="#e8f0fe" style="rounded,filled"]
	n4 [label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td><b>d</b></td></tr><tr><td>data 4</td></tr><tr><td><font color="#b5200d">grad 1</font></td></tr></table>> fillcolor="#fff4d6" style="rounded,filled"]
	g4 [label=<+> margin="0.02,0.02" shape=circle width=0.3]
	g4 -> n4
	n2 -> g4
	n3 -> g4
}
"""  # noqa: E501  (the DOT text as graphviz writes it, one line per statement)


def micrograd_example():
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    d.backward()
    return d


def mixed_graph():
    x, y = Value(0.5, "x"), Value(-1.5, "y")
    out = maximum(x * y, (x + y).tanh()) + (x**2).exp() - y.sigmoid().log() + abs(y).relu()
    out.backward()
    return out


def tensor_graph(dtype=np.float64):
    rng = np.random.default_rng(0)
    X = Tensor(rng.normal(size=(5, 4)), dtype=dtype, label="X")
    W = Tensor(rng.normal(size=(4, 3)), requires_grad=True, dtype=dtype, label="W")
    b = Tensor(np.zeros(3), requires_grad=True, dtype=dtype, label="b")
    loss = (X @ W + b).relu().sum()
    loss.label = "loss"
    loss.backward()
    return loss, W, b


def test_dot_snapshot():
    assert viz.draw(micrograd_example()).source == SNAPSHOT


@pytest.mark.parametrize("build", [micrograd_example, mixed_graph, lambda: tensor_graph()[0]])
@pytest.mark.parametrize("explain", [False, True])
def test_same_graph_built_twice_gives_the_same_dot(build, explain):
    first, second = build(), build()
    assert first is not second
    assert viz.draw(first, explain=explain).source == viz.draw(second, explain=explain).source


def test_names_come_from_the_traversal_not_from_ids():
    source = viz.draw(mixed_graph()).source
    names = re.findall(r"^\t(n\d+) \[", source, flags=re.M)
    assert names == [f"n{i}" for i in range(len(names))]
    ids = set(re.findall(r"\b([a-z]\d+)(?= \[| ->|$)", source, flags=re.M))
    assert ids and all(int(i[1:]) < len(names) for i in ids)  # nothing id()-like


def test_every_gate_is_its_own_node_with_its_symbol():
    source = viz.draw(mixed_graph()).source
    gates = re.findall(r"^\tg\d+ \[label=<([^>]*)>", source, flags=re.M)
    for symbol in ("*", "+", "max", "tanh", "**2", "exp", "σ", "log", "-", "abs", "relu"):
        assert symbol in gates, symbol
    tensor = viz.draw(tensor_graph()[0]).source
    assert re.findall(r"^\tg\d+ \[label=<([^>]*)>", tensor, flags=re.M) == [
        "@", "+", "relu", "sum"]


def test_node_shows_label_data_and_grad_and_options_hide_them():
    d = micrograd_example()
    full = viz.draw(d).source
    assert "<b>a</b>" in full and "data 2<" in full and "grad -3<" in full
    no_data = viz.draw(d, show_data=False).source
    assert ">data " not in no_data and "grad -3<" in no_data
    no_grad = viz.draw(d, show_grad=False).source
    assert ">grad " not in no_grad and "data 2<" in no_grad


def test_tensor_nodes_show_shape_dtype_and_a_summary():
    loss, W, b = tensor_graph()
    source = viz.draw(loss).source
    assert "(4, 3) float64" in source and "(3) float64" in source
    lo, mean, hi = W.data.min(), W.data.mean(), W.data.max()
    assert f"data min {lo:.4g} mean {mean:.4g} max {hi:.4g}" in source
    assert "data [0, 0, 0]" in source  # small arrays in full
    assert f"grad [{', '.join(f'{g:.4g}' for g in b.grad)}]" in source
    assert 'style="rounded,dashed"' in source  # X: a constant, drawn without a gradient
    f32 = viz.draw(tensor_graph(np.float32)[0]).source
    assert "(4, 3) float32" in f32


def test_tensor_before_backward_has_no_gradient_yet():
    W = Tensor(np.ones((2, 2)), requires_grad=True, label="W")
    source = viz.draw((W * 2).sum()).source
    assert "grad none" in source


def test_multiple_roots_share_their_common_nodes():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    s = x * y
    s.label = "s"
    first, second = s + 1, s.tanh()
    first.label, second.label = "first", "second"
    source = viz.draw([first, second]).source
    assert source.count("<b>s</b>") == 1 and source.count("<b>x</b>") == 1
    assert source.count('fillcolor="#fff4d6"') == 2  # both roots marked
    assert viz.draw([first, second, first]).source == source  # repeats ignored


HOSTILE = ['<b>"bold"</b>', "{a|b} <port>", "back\\slash \\n \\l", "amp & &amp; &#0;",
           "it's ]]> <!-- x -->", "tab\tand\x00nul\x07", "two\nlines", "σ → ∂"]


def test_hostile_labels_are_escaped_and_render():
    nodes = [Value(float(i), label) for i, label in enumerate(HOSTILE)]
    total = nodes[0]
    for n in nodes[1:]:
        total = total + n
    total.label = HOSTILE[0]
    svg = pipe(viz.draw(total).source, "svg").decode()
    texts = "".join(el.text or "" for el in ET.fromstring(svg).iter()
                    if el.tag.endswith("text"))
    for label in ('<b>"bold"</b>', "{a|b} <port>", "back\\slash \\n \\l", "amp & &amp; &#0;",
                  "it's ]]> <!-- x -->", "σ → ∂"):
        assert label in texts, label
    assert "two" in texts and "lines" in texts and "nul" in texts


def test_bad_arguments_are_refused():
    d = micrograd_example()
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(d, rankdir="XY")
    with pytest.raises(TypeError, match="float"):
        viz.draw(3.0)
    with pytest.raises(TypeError, match=r"roots\[1\]"):
        viz.draw([d, "x"])
    with pytest.raises(ValueError, match="empty"):
        viz.draw([])
    with pytest.raises(ValueError, match="collapse"):
        viz.draw(d, collapse="everything")
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw(d, max_nodes=0)


def test_rankdir_reaches_graphviz():
    assert "rankdir=TB" in viz.draw(micrograd_example(), rankdir="TB").source


@pytest.mark.slow
def test_a_deep_chain_draws_without_recursion():
    x = Value(0.1, "x")
    out = x
    for _ in range(100_000):
        out = out.tanh()
    dot = viz.draw(out)  # cut to the nodes nearest the output
    assert dot.source.count("[label=<<table") == MAX_NODES == 500
    assert "100,001 nodes, 99,501 not drawn (max_nodes=500)" in dot.source


def test_gradients_that_are_nodes_show_their_numbers():
    x = Value(3.0, "x")
    y = x * x * x
    y.backward(create_graph=True)  # x.grad is a Value: 3x² = 27
    assert isinstance(x.grad, Value)
    assert "grad 27<" in viz.draw(y).source


def test_a_drawing_has_a_one_line_text_repr():
    w, x, b = Value(2.0, "w"), Value(-1.0, "x"), Value(0.5, "b")
    loss = -(w * x + b).sigmoid().log()  # 3 leaves and 5 gates, each gate with its output box
    text = repr(viz.draw(loss, rankdir="TB", explain=True))
    assert text.startswith("<Drawing: 8 boxes, 5 gates, rankdir=TB")
    assert "local_diff × up_diff" in text and "\n" not in text
