"""Backward step by step: one frame per gate, gradients filled in as they arrive, and one
self-contained HTML page."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import viz
from autograd import Tensor, Value
from viz.draw import CURRENT_FILL
from viz.renderer import pipe
from viz.steps import frames


def neuron():
    w, x, b = Value(2.0, "w"), Value(-1.0, "x"), Value(0.5, "b")
    z = w * x + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    loss = -a.log()
    loss.label = "loss"
    return loss, (w, x, b, z, a)


def grad_rows(source):
    """{node label: the grad text its box shows} for the labelled nodes of a frame."""
    found = re.findall(r"<b>([^<]*)</b>.*?grad ([^<]*)</font>", source)
    return dict(found)


def test_one_frame_per_gate_in_backward_order():
    loss, _ = neuron()
    shots = frames(loss)
    assert len(shots) == 6  # the seed, then neg, log, σ, +, *
    symbols = [re.search(r"the (\S+) gate", f.caption).group(1) for f in shots[1:]]
    assert symbols == ["-", "log", "σ", "+", "*"]
    assert shots[0].caption.startswith("Start: loss.grad = 1")
    assert shots[3].caption.startswith("Step 3 of 5: the σ gate that made a")


def test_gradients_appear_once_every_use_has_sent_its_share():
    x, y = Value(3.0, "x"), Value(2.0, "y")
    p = x * y
    p.label = "p"
    out = p + x  # x has two uses: the * gate (processed last) and the + gate
    out.label = "out"
    out.backward()
    shots = [grad_rows(f.dot.source) for f in frames(out)]
    assert [s["x"] for s in shots] == ["?", "?", "3"]  # after the + gate: 1 of 2 arrived
    assert [s["p"] for s in shots] == ["?", "1", "1"]
    assert [s["out"] for s in shots] == ["1", "1", "1"]
    assert shots[-1] == {"x": f"{x.grad:g}", "y": f"{y.grad:g}", "p": "1", "out": "1"}


def test_the_current_gate_is_highlighted_and_its_rule_written():
    loss, (w, x, b, z, a) = neuron()
    loss.backward()
    sigma = frames(loss)[3].dot.source
    gate = re.search(r"^\t(g\d+) \[label=<σ>.*$", sigma, flags=re.M).group(0)
    assert CURRENT_FILL in gate
    blue = re.findall(r'label=<([^>]*)>[^\]]*fontcolor="#1c4e9d"', sigma)
    assert blue == [f"{z.grad / a.grad:.4g} × {a.grad:.4g} = {z.grad:.4g}"]
    assert sigma.count(CURRENT_FILL) == 2  # the gate and the node it made


def test_the_replay_leaves_the_graph_alone():
    loss, nodes = neuron()  # no backward: every .grad is still 0
    shots = frames(loss)
    assert all(n.grad == 0.0 for n in nodes)
    loss.backward()
    assert grad_rows(shots[-1].dot.source)["w"] == f"{nodes[0].grad:.4g}"


def svg_layout(svg):
    """Positions of every box and gate: what must not move between frames."""
    return re.findall(r'<(?:polygon|ellipse|path) fill="[^"]*" stroke="[^"]*"[^>]*'
                      r'(?:points|cx|d)="([^"]*)"', svg), re.search(r'viewBox="[^"]*"', svg)[0]


def test_frames_share_one_layout():
    loss, _ = neuron()
    first, last = frames(loss)[0], frames(loss)[-1]
    a, b = svg_layout(pipe(first.dot.source).decode()), svg_layout(pipe(last.dot.source).decode())
    assert a[1] == b[1]
    assert a[0] == b[0] and len(a[0]) > 10


def test_html_page_is_self_contained(tmp_path):
    loss, _ = neuron()
    loss.backward()
    page = viz.backward_steps(loss, tmp_path / "steps.html")
    text = page.read_text(encoding="utf-8")
    assert text.count('<section class="frame"') == 6
    assert text.count("<svg") == 6
    for svg in re.findall(r"<svg.*?</svg>", text, flags=re.S):
        ET.fromstring(svg)  # each inline frame is well-formed SVG
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)  # no network
    assert "<link" not in text and "@import" not in text and "<script src" not in text
    assert 'id="next"' in text and 'id="prev"' in text and "ArrowRight" in text
    assert "Step 5 of 5" in text
    assert list(tmp_path.iterdir()) == [page]  # just the page, no stray files


def test_folder_gets_svg_files_and_the_page(tmp_path):
    loss, _ = neuron()
    out = viz.backward_steps(loss, tmp_path / "frames")
    svgs = sorted(p.name for p in out.glob("*.svg"))
    assert svgs == [f"step_{i:02d}.svg" for i in range(6)]
    for name in svgs:
        assert ET.parse(out / name).getroot().tag.endswith("svg")
    assert (out / "index.html").read_text(encoding="utf-8").count("<svg") == 6


def test_tensor_steps_need_a_seed_for_many_elements():
    W = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="W")
    y = (W * 2).relu()
    with pytest.raises(RuntimeError, match="needs a gradient argument"):  # as backward()
        frames(y)
    with pytest.raises(ValueError, match=r"\(3,\) does not match the Tensor's shape \(2, 3\)"):
        frames(y, grad=np.ones(3))  # backward() refuses it; so must the step view
    shots = frames(y, grad=np.ones((2, 3)))
    assert len(shots) == 3
    assert "grad [[0, 2, 2],<br/> [2, 2, 2]]" in shots[-1].dot.source  # relu'(0) = 0
    assert "\n" not in shots[-1].caption
    loss = y.sum()
    assert "Step 3 of 3" in frames(loss)[-1].caption


def test_big_graphs_are_refused():
    x = Value(1.0)
    for _ in range(300):
        x = x * 1.01
    with pytest.raises(ValueError, match="at most 200"):
        frames(x)
    with pytest.raises(TypeError):
        frames([x])
