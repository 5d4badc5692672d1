"""viz.explore: what the explorer shows, checked against the engine and against finite
differences of the forward pass (never against the explorer's own arithmetic)."""

import json
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import viz
from autograd import Tensor, Value
from autograd import gates as G
from autograd import tensor_gates as TG
from viz.labels import num


def neuron(w=2.0, x=-1.0, b=0.5):
    """out = tanh(w*x + b) * x: x feeds two gates, so its gradient is a sum of two shares."""
    w, x, b = Value(w, label="w"), Value(x, label="x"), Value(b, label="b")
    n = w * x + b
    n.label = "n"
    t = n.tanh()
    t.label = "t"
    out = t * x
    out.label = "out"
    return out, {"w": w, "x": x, "b": b}


def forward(w, x, b):
    return np.tanh(w * x + b) * x


def model_of(root, **kw):
    return viz.explore(root, **kw).model


def by_label(m):
    return {n["label"]: n for n in m["nodes"] if n["kind"] == "value" and n["label"]}


@given(st.floats(-2, 2), st.floats(-2, 2), st.floats(-2, 2))
def test_final_gradients_match_finite_differences(w, x, b):
    out, leaves = neuron(w, x, b)
    out.backward()
    m = model_of(out)
    # The last share of every leaf carries its final gradient: replay the steps.
    final = {}
    for step in m["steps"]:
        for s in step.get("sets", []):
            if s["done"]:
                final[s["node"]] = s["grad"]
    h = 1e-6
    args = {"w": w, "x": x, "b": b}
    for name, node in by_label(m).items():
        if name not in leaves:
            continue
        up = dict(args, **{name: args[name] + h})
        down = dict(args, **{name: args[name] - h})
        numeric = (forward(**up) - forward(**down)) / (2 * h)
        assert float(final[node["id"]]) == pytest.approx(numeric, rel=2e-3, abs=2e-3)
        assert final[node["id"]] == num(leaves[name].grad)  # and it is the engine's .grad


@given(st.floats(-2, 2), st.floats(-2, 2), st.floats(-2, 2))
def test_each_local_diff_is_the_gates_derivative(w, x, b):
    out, _ = neuron(w, x, b)
    out.backward()
    m = model_of(out)
    ops = {n["id"]: n for n in m["nodes"]}
    h = 1e-6
    for edge in m["edges"]:
        if edge["kind"] != "in":
            continue
        gate = ops[edge["to"]]
        made = ops[gate["of"]]
        # The gate's forward, perturbed in this one input, differentiated numerically.
        ins = [e for e in m["edges"] if e["to"] == edge["to"] and e["kind"] == "in"]
        values = [float(ops[e["from"]]["value"]) for e in ins]
        slot = ins.index(edge)
        fn = {"*": lambda a, c: a * c, "+": lambda a, c: a + c, "tanh": np.tanh}[gate["symbol"]]
        plus, minus = list(values), list(values)
        plus[slot] += h
        minus[slot] -= h
        numeric = (fn(*plus) - fn(*minus)) / (2 * h)
        assert float(edge["local"]) == pytest.approx(numeric, rel=2e-3, abs=2e-3)
        assert float(edge["down"]) == pytest.approx(float(edge["local"]) * float(edge["up"]),
                                                    rel=1e-3, abs=1e-9)
        assert made["id"] == gate["of"]


def test_a_node_fed_by_two_gates_shows_a_running_sum():
    out, leaves = neuron()
    out.backward()
    m = model_of(out)
    xid = by_label(m)["x"]["id"]
    shares = [s for step in m["steps"] for s in step.get("sets", []) if s["node"] == xid]
    assert len(shares) == 2
    assert not shares[0]["done"] and shares[0]["grad"].startswith("Σ ")
    assert "share 1 of 2" in shares[0]["text"] and "+=" in shares[0]["text"]
    assert shares[1]["done"] and shares[1]["grad"] == num(leaves["x"].grad)
    assert "all 2 shares in" in shares[1]["text"]


def test_forward_steps_reveal_values_gate_by_gate():
    out, _ = neuron()
    out.backward()
    m = model_of(out)
    forward = [s for s in m["steps"] if s["phase"] == "forward"]
    assert [s["node"] for s in forward] == [by_label(m)[k]["id"] for k in ("n", "t", "out")] \
        or len(forward) == 4  # w*x is a gate of its own, unlabelled
    assert m["steps"][0]["phase"] == "start"
    assert set(m["steps"][0]["shows"]) == {by_label(m)[k]["id"] for k in "wxb"}


def test_no_backward_yet_shows_the_forward_and_says_so():
    out, _ = neuron()
    m = model_of(out)
    assert m["has_backward"] is False
    assert {s["phase"] for s in m["steps"]} == {"start", "forward"}
    assert all(n.get("grad") is None for n in m["nodes"] if n["kind"] == "value")
    assert m["flags"] == []


def test_tensors_get_summaries_histograms_and_heatmaps():
    W = Tensor(np.arange(12.0).reshape(3, 4) / 10, requires_grad=True, label="W")
    y = (W @ Tensor(np.ones(4))).sigmoid().sum()
    y.backward()
    w = by_label(model_of(y))["W"]
    assert w["info"]["data"]["shape"] == "(3, 4) float64"
    assert sum(w["info"]["data"]["hist"]["counts"]) == 12
    assert w["info"]["grad"]["heat"]["rows"] == 3 and w["info"]["grad"]["heat"]["cols"] == 4
    assert w["info"]["data"]["max"] == num(1.1)


@pytest.mark.parametrize("build,kind", [
    (lambda W: (W @ Tensor(np.ones(3))).relu().sum(), "dead"),
    (lambda W: (W * -1 @ Tensor(np.ones(3)) * 100).tanh().sum(), "saturated"),
    (lambda W: ((W * 1e4 @ Tensor(np.ones(3))) ** 2).sum(), "exploding"),
])
def test_health_flags_name_the_node(build, kind):
    W = Tensor(np.full((3, 3), -1.0), requires_grad=True, label="W")
    root = build(W)
    root.backward()
    m = model_of(root)
    flags = [f for f in m["flags"] if f["kind"] == kind]
    assert flags, m["flags"]
    ids = {n["id"] for n in m["nodes"]}
    assert all(f["node"] in ids for f in flags)


def test_nan_is_shown_and_its_first_gate_named():
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True, label="x")
    with np.errstate(all="ignore"):
        y = x.log()
        y.label = "logx"
        z = (y * x).sum()
        z.backward()
    m = model_of(z)
    assert "inf" in by_label(m)["logx"]["data"]
    nan = [f for f in m["flags"] if f["kind"] == "nan"]
    assert nan[0]["node"] == by_label(m)["logx"]["id"] and "log gate" in nan[0]["text"]


def test_every_gate_has_its_rule_in_words():
    rows = [g for mod in (G, TG) for g in vars(mod).values() if isinstance(g, G.Gate)]
    assert [g.name for g in rows if not g.words] == []


def test_the_panel_shows_the_rows_words_and_a_custom_gates_docstring():
    from autograd import gate
    from viz.explore_rules import rule_text

    @gate(derivatives=[lambda g, out, x: g * 3.0])
    def triple(x):
        """∂(3a)/∂a = 3"""
        return 3.0 * x

    x = Value(2.0)
    assert rule_text(triple(x)) == "∂(3a)/∂a = 3"
    assert rule_text(x.exp()) == G.EXP.words and rule_text(x) == ""


def test_a_big_graph_opens_at_the_output_with_stubs_for_the_rest():
    xs = [Value(float(i), label=f"x{i}") for i in range(60)]
    root = sum((x * x for x in xs), Value(0.0))
    root.backward()
    m = model_of(root, max_nodes=25)
    assert m["hidden"] > 0 and m["total"] > 100
    stepped = [n for n in m["nodes"] if n["kind"] == "value" and not n.get("extra")]
    assert len(stepped) == m["shown"] == 25
    # Up to max_nodes more values are saved behind the stubs, in groups the page opens;
    # each holds the engine's numbers, and its edge the chain rule x.grad = x × 1 per slot.
    extra = [n for n in m["nodes"] if n.get("extra")]
    more = {g["id"]: g for g in m["groups"] if g["kind"] == "more"}
    assert 0 < len(extra) <= 25 and more
    leaves = {x.label: x for x in xs}
    edges = [e for e in m["edges"] if e["kind"] == "in"]
    for n in extra:
        assert n["scope"] in more
        x = leaves.get(n["label"])
        if x is not None:
            assert n["data"] == num(x.data) and n["grad"] == num(x.grad)
            downs = [e["down"] for e in edges if e["from"] == n["id"]]
            assert downs == [num(x.data)] * 2  # x * x: two shares of x × 1
    # Stubs past the budget stay stubs and list the inputs left out, with their numbers.
    stubs = [n for n in m["nodes"] if n["kind"] == "stub"]
    assert stubs
    listed = [q for s in stubs for q in s["inputs"] if q["who"] in leaves]
    assert listed
    for q in listed:
        x = leaves[q["who"]]
        assert q["data"] == num(x.data) and q["grad"] == num(x.grad)
    # Every value is shown once: nothing is saved twice.
    ids = [n["id"] for n in m["nodes"]]
    assert len(ids) == len(set(ids))


def test_labels_with_html_stay_data(tmp_path):
    evil = "</script><script>alert(1)</script><b>&"
    x = Value(1.0, label=evil)
    y = x * 2
    y.backward()
    page = viz.explore(y).save(tmp_path / "e.html").read_text()
    assert "<script>alert" not in page and "</script><b>" not in page
    data = re.search(r'class="gg-data">(.*?)</script>', page, re.S).group(1)
    assert by_label(json.loads(data))[evil]["label"] == evil


@pytest.mark.parametrize("bad,error", [
    (1.0, TypeError), ([Value(1.0)], TypeError), ("x", TypeError)])
def test_a_root_that_is_not_a_node_is_refused(bad, error):
    with pytest.raises(error, match="Value or a Tensor"):
        viz.explore(bad)


@pytest.mark.parametrize("max_nodes", [0, -3, True, 2.5, None])
def test_max_nodes_must_be_a_positive_int(max_nodes):
    with pytest.raises(ValueError, match="max_nodes"):
        viz.explore(Value(1.0) * 2, max_nodes=max_nodes)


def test_save_refuses_bad_paths_and_leaves_nothing(tmp_path):
    e = viz.explore(Value(1.0) * 2)
    with pytest.raises(ValueError, match=r"\.html"):
        e.save(tmp_path / "e.svg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        e.save(tmp_path / "missing" / "e.html")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(FileNotFoundError):
        e.save(blocker / "e.html")
    with pytest.raises(PermissionError, match="cannot write"):
        e.save("/proc/e.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_the_page_is_self_contained(tmp_path):
    page = viz.explore(neuron()[0]).save(tmp_path / "e.html").read_text()
    assert "gg-explorer" in page and "<svg" not in page.split("<script>")[0]
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_notebook_display_is_the_explorer():
    html = viz.explore(neuron()[0])._repr_html_()
    assert html.startswith('<div class="gg-explorer"') and "<script>" in html


def test_draw_cli_writes_the_explorer(tmp_path, capsys):
    from viz.cli import main

    out = tmp_path / "g.html"
    assert main(["w*x + b", "--set", "w=2", "x=-1", "b=0.5", "-o", str(tmp_path / "g.svg"),
                 "--html", str(out)]) == 0
    assert "gg-explorer" in out.read_text()
    assert main(["w*x", "--set", "w=2", "x=1", "--html", str(tmp_path / "g.txt")]) == 2
    assert "--html" in capsys.readouterr().err


@given(st.lists(st.floats(-1e300, 1e300), min_size=1, max_size=50))
def test_l2_norm_agrees_with_the_definition(xs):
    from viz.labels import l2_norm

    a = np.array(xs)
    top = np.abs(a).max()
    expect = 0.0 if top == 0 else top * np.sqrt(np.sum((a / top) ** 2))  # scaled: no overflow
    assert l2_norm(a) == pytest.approx(expect, rel=1e-12)


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=40))
def test_any_array_gets_a_summary(xs):
    from viz.explore_stats import describe

    a = np.array(xs)
    d = describe(a)
    finite = a[np.isfinite(a)]
    assert d["nonfinite"] == a.size - finite.size
    if finite.size:
        assert sum(d["hist"]["counts"]) == finite.size
        assert d["min"] == num(finite.min()) and d["max"] == num(finite.max())


def test_extreme_and_nonfinite_tensors_make_a_valid_page(tmp_path):
    data = np.array([[-1e308, 1e308, 0.0], [np.nan, np.inf, -np.inf]])
    x = Tensor(data, requires_grad=True, label="x")
    with np.errstate(all="ignore"):
        y = (x * 2).sum()
        y.backward()
    e = viz.explore(y)
    heat = by_label(e.model)["x"]["info"]["data"]["heat"]
    assert heat["cells"][:3] == [0.0, 1.0, 0.5] and heat["cells"][3:] == [-1.0] * 3
    assert "nan" in by_label(e.model)["x"]["data"] and "-inf" in by_label(e.model)["x"]["data"]
    e.save(tmp_path / "x.html")  # strict JSON: no NaN reached the page


def test_the_mean_of_huge_numbers_does_not_overflow():
    from viz.explore_stats import describe

    d = describe(np.array([1e308, 1e308, 1e308]))
    assert d["mean"] == d["max"] == d["min"]
