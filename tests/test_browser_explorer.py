"""The explorer in a real browser: step through a graph and compare every caption and
every box with the engine, use the keyboard, click, hover, toggle the overlay."""

import json
import re

import numpy as np
import pytest
from browser import chromium, page_of

import nn
import viz
from autograd import Tensor, Value
from viz.labels import num


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def neuron():
    w, x, b = Value(2.0, label="w"), Value(-1.0, label="x"), Value(0.5, label="b")
    wx = w * x
    wx.label = "wx"
    n = wx + b
    n.label = "n"
    t = n.tanh()
    t.label = "t"
    out = t * x
    out.label = "out"
    return out, [w, x, b, wx, n, t, out]


def save(root, tmp_path, name="e.html", **kw):
    return (viz.explore(root, **kw).save(tmp_path / name)).as_uri()


def ready(page):
    page.wait_for_selector(".gg-explorer[data-ready]")
    return page.locator(".gg-explorer")


def box_text(page, node_id, row):
    return page.locator(f'.gg-node[data-id="{node_id}"] .gg-{row}-row').text_content()


def test_every_step_shows_the_engines_numbers(browser, tmp_path):
    out, nodes = neuron()
    out.backward()
    explorer = viz.explore(out)
    m = explorer.model
    ids = {n["label"]: n["id"] for n in m["nodes"] if n.get("label")}
    with page_of(browser, explorer.save(tmp_path / "e.html").as_uri()) as page:
        root = ready(page)
        page.locator(".gg-explorer").focus()
        for i, step in enumerate(m["steps"]):
            assert root.get_attribute("data-step") == str(i)
            assert page.locator(".gg-caption-text").text_content() == step["caption"]
            shares = page.locator(".gg-shares li").all_text_contents()
            assert shares == [s["text"] for s in step.get("sets", []) if s.get("text")]
            if step["phase"] == "forward":  # the value just made appears, as the engine has it
                node = next(n for n in nodes if ids.get(n.label) == step["node"])
                assert box_text(page, step["node"], "data") == f"data {num(node.data)}"
            page.keyboard.press("ArrowRight")
        # After the last step every box holds the engine's own .data and .grad.
        for node in nodes:
            assert box_text(page, ids[node.label], "data") == f"data {num(node.data)}"
            assert box_text(page, ids[node.label], "grad") == f"grad {num(node.grad)}"
        # Before its last share arrives, x (fed by two gates) shows a running sum.
        page.keyboard.press("Home")
        assert root.get_attribute("data-step") == "0"
        assert box_text(page, ids["x"], "data") == "data -1"
        assert box_text(page, ids["t"], "data") == "data ?"
        partial = [i for i, s in enumerate(m["steps"])
                   if any(x["node"] == ids["x"] and not x["done"] for x in s.get("sets", []))]
        page.locator(".gg-slider").fill(str(partial[0]))
        assert box_text(page, ids["x"], "grad").startswith("grad Σ ")
        assert "share 1 of 2" in page.locator(".gg-shares").text_content()
        page.keyboard.press("End")
        assert root.get_attribute("data-phase") == "backward"


def test_keyboard_zoom_fit_and_play(browser, tmp_path):
    out, _ = neuron()
    out.backward()
    with page_of(browser, save(out, tmp_path)) as page:
        root = ready(page)
        root.focus()
        fit = float(root.get_attribute("data-zoom"))
        page.keyboard.press("+")
        assert float(root.get_attribute("data-zoom")) == pytest.approx(fit * 1.25, rel=1e-3)
        page.keyboard.press("-")
        page.keyboard.press("-")
        assert float(root.get_attribute("data-zoom")) < fit
        page.keyboard.press("0")
        assert float(root.get_attribute("data-zoom")) == pytest.approx(fit, rel=1e-3)
        box = page.locator(".gg-view").bounding_box()
        page.mouse.move(box["x"] + 200, box["y"] + 200)
        page.mouse.wheel(0, -300)
        assert float(root.get_attribute("data-zoom")) > fit
        page.locator(".gg-play").click()
        page.wait_for_function(
            "document.querySelector('.gg-explorer').getAttribute('data-step') !== '0'")
        page.locator(".gg-play").click()  # pause


def test_fit_keeps_text_legible_on_a_big_graph(browser, tmp_path):
    xs = [Value(float(i), label=f"x{i}") for i in range(150)]
    root = sum((x * x for x in xs), Value(0.0))
    root.backward()
    with page_of(browser, save(root, tmp_path, max_nodes=300)) as page:
        el = ready(page)
        font = page.evaluate("""() => {
            const t = document.querySelector('.gg-node text');
            return t.getBoundingClientRect().height; }""")
        assert font >= 10, font  # on-screen text height in px
        assert float(el.get_attribute("data-zoom")) >= 10 / 13 - 1e-3


def test_click_a_node_and_hover_an_edge(browser, tmp_path):
    W = Tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True, label="W")
    y = (W @ Tensor(np.ones(3), label="x")).sigmoid().sum()
    y.label = "loss"
    y.backward()
    explorer = viz.explore(y)
    m = explorer.model
    wid = next(n["id"] for n in m["nodes"] if n.get("label") == "W")
    with page_of(browser, explorer.save(tmp_path / "t.html").as_uri()) as page:
        ready(page)
        page.locator(f'.gg-node[data-id="{wid}"]').click()
        panel = page.locator(".gg-panel")
        assert panel.locator("h3").text_content() == "W"
        text = panel.text_content()
        assert "(2, 3) float64" in text and "an input (leaf)" in text
        assert panel.locator(".gg-hist").count() == 2  # data and grad
        assert panel.locator(".gg-heat").count() == 2
        sig = next(n for n in m["nodes"] if n.get("gate") == "σ")
        page.locator(f'.gg-node[data-id="{sig["id"]}"]').click()
        assert "σ(a)·(1 − σ(a))" in panel.text_content()
        edge = next(e for e in m["edges"] if e["kind"] == "in" and e["rule"])
        page.locator(f'.gg-edge[data-id="{edge["id"]}"] .gg-hit').hover(force=True)
        tip = page.locator(".gg-tip")
        assert tip.is_visible()
        assert "up_diff" in tip.text_content() and edge["down"] in tip.text_content()


def test_overlay_colours_by_grad_and_lists_findings(browser, tmp_path):
    W = Tensor(np.full((3, 3), -1.0), requires_grad=True, label="W")
    h = (W @ Tensor(np.ones(3))).relu()
    h.label = "h"
    y = h.sum()
    y.backward()
    with page_of(browser, save(y, tmp_path)) as page:
        root = ready(page)
        root.focus()
        page.keyboard.press("h")
        assert "gg-overlay-on" in root.get_attribute("class")
        flags = page.locator(".gg-flags li")
        assert flags.count() >= 1 and "dead ReLU at h" in flags.first.text_content()
        assert page.locator(".gg-node.gg-flagged").count() >= 1
        assert page.locator(".gg-legend").is_visible()
        flags.first.locator("button").click()
        assert page.locator(".gg-panel h3").text_content() == "h"
        page.locator(".gg-overlay").click()
        assert "gg-overlay-on" not in root.get_attribute("class")


def test_no_backward_yet_disables_the_backward_controls(browser, tmp_path):
    out, _ = neuron()
    with page_of(browser, save(out, tmp_path)) as page:
        ready(page)
        assert page.locator(".gg-phase-bwd").is_disabled()
        assert page.locator(".gg-overlay").is_disabled()
        assert "root.backward()" in page.locator(".gg-phase-bwd").get_attribute("title")
        assert "No backward pass yet" in page.locator(".gg-panel").text_content()
        page.keyboard.press("End")
        assert "No backward pass yet" in page.locator(".gg-shares").text_content()


def test_html_in_a_label_is_shown_as_text(browser, tmp_path):
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    x = Value(float("nan"), label=evil)
    y = x * 2
    y.backward()
    with page_of(browser, save(y, tmp_path)) as page:
        ready(page)
        labels = page.locator(".gg-label").all_text_contents()
        assert evil in labels
        assert page.locator(".gg-svg img, .gg-panel img").count() == 0
        page.keyboard.press("End")
        assert "data nan" in page.locator(".gg-svg").text_content()


OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('.gg-node .gg-box')]
    .filter(b => b.closest('.gg-node').style.display !== 'none')
    .map(b => [b.closest('.gg-node').dataset.id, b.getBoundingClientRect()]);
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, p] = boxes[i], [b, q] = boxes[j];
    if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 &&
        q.top < p.bottom - 1) out.push(a + ' ' + b);
  }
  return out;
}"""


def shown(page, node_id):
    return page.locator(f'.gg-node[data-id="{node_id}"]').is_visible()


def click_in_view(page, selector):
    """Drag the graph until ``selector`` is in the middle of the view, then click it."""
    target = page.locator(selector)
    box, view = target.bounding_box(), page.locator(".gg-view").bounding_box()
    cx, cy = view["x"] + view["width"] / 2, view["y"] + view["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + (cx - box["x"] - box["width"] / 2) / 2,
                    cy + (cy - box["y"] - box["height"] / 2) / 2, steps=3)
    page.mouse.move(2 * cx - box["x"] - box["width"] / 2,
                    2 * cy - box["y"] - box["height"] / 2, steps=3)
    page.mouse.up()
    target.click()


def open_path(page, m, item):
    """Click open the groups around ``item`` (a node or group entry), outermost first."""
    groups = {g["id"]: g for g in m["groups"]}
    chain, s = [], item.get("scope") or item.get("parent")
    while s:
        chain.append(s)
        s = groups[s].get("parent")
    for gid in reversed(chain):
        click_in_view(page, f'.gg-groupbox[data-id="{gid}"]')


def test_a_cut_graph_opens_more_from_the_page(browser, tmp_path):
    xs = [Value(float(i), label=f"x{i}") for i in range(40)]
    root = sum((x * x for x in xs), Value(0.0))
    root.backward()
    leaves = {x.label: x for x in xs}
    m = viz.explore(root, max_nodes=20).model
    with page_of(browser, save(root, tmp_path, max_nodes=20)) as page:
        explorer = ready(page)
        more = next(g for g in m["groups"] if g["kind"] == "more" and not g["parent"])
        inside = [n for n in m["nodes"] if n.get("scope") == more["id"]]
        assert inside and not any(shown(page, n["id"]) for n in inside)
        page.locator(".gg-go-stub").click()  # the overview leads to it
        box = page.locator(f'.gg-groupbox[data-id="{more["id"]}"]')
        assert box.is_visible()
        box.click()  # opens in the graph
        assert more["id"] in explorer.get_attribute("data-open").split()
        assert all(shown(page, n["id"]) for n in inside) and not box.is_visible()
        assert page.evaluate(OVERLAPS) == []
        opened = [n for n in inside if n["kind"] == "value" and n["label"] in leaves]
        assert opened
        for n in opened:  # final values (these were not stepped), the engine's
            x = leaves[n["label"]]
            assert box_text(page, n["id"], "data") == f"data {num(x.data)}"
            assert box_text(page, n["id"], "grad") == f"grad {num(x.grad)}"
        page.locator(f'.gg-frame[data-id="{more["id"]}"] .gg-frame-title').click()  # shut
        assert box.is_visible() and not any(shown(page, n["id"]) for n in inside)
        # A stub past what was saved says how to see more.
        stub = next(n for n in m["nodes"] if n["kind"] == "stub")
        open_path(page, m, stub)
        click_in_view(page, f'.gg-node[data-id="{stub["id"]}"]')
        text = page.locator(".gg-panel").text_content()
        assert f"{m['hidden']} of {m['total']}" in text
        assert re.fullmatch(r"viz\.explore\(root, max_nodes=\d+\)",
                            page.locator(".gg-command").input_value())
        rows = page.locator(".gg-panel details.gg-group tr")  # the inputs left out, listed
        assert rows.count() == len(stub["inputs"]) > 0
        assert "data" in rows.first.text_content() and "grad" in rows.first.text_content()
        assert page.evaluate(OVERLAPS) == []


def test_click_a_group_to_open_and_shut_it_in_the_graph(browser, tmp_path):
    model = nn.MLP(2, [8, 8, 1], seed=0)
    loss = (model([Value(0.5, label="x0"), Value(-1.0, label="x1")]) - 1.0) ** 2
    loss.backward()
    m = viz.explore(loss, model=model).model
    by_name = {g["name"]: g for g in m["groups"]}
    layer, neuron = by_name["layers.1"], by_name["layers.1.neurons.3"]
    w0 = next(n for n in m["nodes"] if n.get("scope") == neuron["id"] and n["label"] == "w.0")
    with page_of(browser, save(loss, tmp_path, model=model)) as page:
        explorer = ready(page)
        assert explorer.get_attribute("data-open") == ""  # a big graph: groups shut
        assert page.locator(f'.gg-groupbox[data-id="{layer["id"]}"]').is_visible()
        assert not shown(page, neuron["id"]) and not shown(page, w0["id"])
        page.locator(f'.gg-groupbox[data-id="{layer["id"]}"]').click()
        assert page.locator(f'.gg-frame[data-id="{layer["id"]}"]').is_visible()
        assert shown(page, neuron["id"]) and not shown(page, w0["id"])
        page.locator(f'.gg-groupbox[data-id="{neuron["id"]}"]').click()
        assert explorer.get_attribute("data-open").split() == sorted([layer["id"], neuron["id"]])
        assert shown(page, w0["id"])
        assert page.evaluate(OVERLAPS) == []
        assert "layers.1.neurons.3.w.0" in page.locator(".gg-panel").text_content()
        page.keyboard.press("End")  # the keys still work; the numbers are the engine's
        w = model.layers[1].neurons[3].w[0]
        assert box_text(page, w0["id"], "data") == f"data {num(w.data)}"
        assert box_text(page, w0["id"], "grad") == f"grad {num(w.grad)}"
        click_in_view(page, f'.gg-frame[data-id="{neuron["id"]}"] .gg-frame-title')  # shut
        assert not shown(page, w0["id"]) and shown(page, neuron["id"])
        # Stepping with groups shut: the shut group that holds the active gate lights up.
        scope = {n["id"]: n.get("scope") for n in m["nodes"]}
        layer0 = by_name["layers.0"]["id"]
        in_layer0 = {g["id"] for g in m["groups"] if g["parent"] == layer0}
        for held_by, lit in (({neuron["id"]}, {neuron["id"]}), (in_layer0, {layer0})):
            at = next(i for i, st in enumerate(m["steps"])
                      if st["phase"] == "backward" and scope[st["gate"]] in held_by)
            page.locator(".gg-slider").fill(str(at))
            assert set(page.locator(".gg-groupbox.gg-active").evaluate_all(
                "els => els.map(e => e.dataset.id)")) == lit
        page.locator(".gg-back").click()
        page.locator(".gg-open-all").click()
        assert len(explorer.get_attribute("data-open").split()) == len(m["groups"])
        assert page.evaluate(OVERLAPS) == []
        page.keyboard.press("h")  # the overlay colours what opened too
        assert page.locator(f'.gg-node[data-id="{w0["id"]}"] .gg-box').evaluate(
            "b => b.style.fill") != ""
        page.locator(".gg-shut-all").click()
        assert explorer.get_attribute("data-open") == ""


def test_two_explorers_on_one_page_work_apart(browser, tmp_path):
    out, _ = neuron()
    out.backward()
    fragment = viz.explore(out)._repr_html_() + viz.explore(out)._repr_html_()
    page_file = tmp_path / "two.html"
    page_file.write_text(f"<!DOCTYPE html><meta charset='utf-8'><body>{fragment}</body>")
    with page_of(browser, page_file.as_uri()) as page:
        page.wait_for_function(
            "document.querySelectorAll('.gg-explorer[data-ready]').length === 2")
        first, second = page.locator(".gg-explorer").all()
        first.locator(".gg-next").click()
        assert first.get_attribute("data-step") == "1"
        assert second.get_attribute("data-step") == "0"
        assert json.loads(first.locator(".gg-data").text_content())["steps"]


def test_a_folded_sum_opens_to_its_terms(browser, tmp_path):
    xs = [Value(float(i), label=f"x{i}") for i in range(700)]
    root = sum(xs, Value(0.0))  # over 1,000 nodes: the sum() chain is folded
    root.label = "total"
    root.backward()
    m = viz.explore(root, max_nodes=30).model
    gate = next(n for n in m["nodes"] if n["kind"] == "gate" and n["terms"])
    assert gate["terms"] == 701
    with page_of(browser, save(root, tmp_path, max_nodes=30)) as page:
        ready(page)
        page.locator(f'.gg-node[data-id="{gate["id"]}"]').click()
        panel = page.locator(".gg-panel")
        assert "701 terms" in panel.locator("h3").text_content()
        group = panel.locator("details.gg-group")
        assert not group.locator("table").is_visible()
        group.locator("summary").click()  # expand
        rows = group.locator("tr")
        assert rows.count() == sum(1 for e in m["edges"] if e["to"] == gate["id"]
                                   and e["kind"] == "in")
        assert "1 × 1 = 1" in rows.first.text_content()
        group.locator("summary").click()  # and collapse
        assert not group.locator("table").is_visible()
        group.locator("summary").click()
        term = rows.nth(1).locator("button")
        name = term.text_content()
        term.click()  # a term leads to its own box
        assert page.locator(".gg-panel h3").text_content() == name


def test_an_output_inside_a_shut_group_opens_without_errors(browser, tmp_path):
    model = nn.MLP(2, [12, 12, 1], seed=0)  # a big graph whose root is a neuron's output
    score = model([Value(0.5, label="x0"), Value(-1.0, label="x1")])
    score.backward()
    m = viz.explore(score, model=model).model
    last = next(g for g in m["groups"] if g["name"] == "layers.2")
    with page_of(browser, save(score, tmp_path, model=model)) as page:
        explorer = ready(page)
        assert page.locator(f'.gg-groupbox[data-id="{last["id"]}"]').is_visible()
        page.keyboard.press("End")
        page.keyboard.press("0")  # fit: the shut group holding the output stays in view
        assert explorer.get_attribute("data-step") == str(len(m["steps"]) - 1)
        assert page.locator(f'.gg-groupbox[data-id="{last["id"]}"]').is_visible()


def test_a_folded_sum_opens_to_its_partial_sums_in_the_graph(browser, tmp_path):
    xs = [Value(i / 10, label=f"x{i}") for i in range(12)]
    s = sum(x * x for x in xs)
    t = sum(Value(0.01 * i, label=f"y{i}") for i in range(600))
    out = s * t  # over 1,000 nodes: both sums are folded
    out.backward()
    m = viz.explore(out, max_nodes=80).model
    chain = next(g for g in m["groups"] if g["kind"] == "chain")
    partials = [n for n in m["nodes"] if n.get("scope") == chain["id"] and n["kind"] == "value"]
    term = next(e for e in m["edges"] if e.get("open_to"))
    with page_of(browser, save(out, tmp_path, max_nodes=80)) as page:
        ready(page)
        assert not any(shown(page, n["id"]) for n in partials)
        click_in_view(page, f'.gg-groupbox[data-id="{chain["id"]}"]')
        assert all(shown(page, n["id"]) for n in partials)
        assert page.evaluate(OVERLAPS) == []
        # the term's edge now ends at the + that took it
        end = page.locator(f'.gg-edge[data-id="{term["id"]}"] .gg-line').evaluate(
            "p => { const e = p.getPointAtLength(p.getTotalLength());"
            " const r = p.ownerSVGElement.createSVGPoint(); r.x = e.x; r.y = e.y;"
            " const s = r.matrixTransform(p.getScreenCTM()); return [s.x, s.y]; }")
        gate = page.locator(f'.gg-node[data-id="{term["open_to"]}"]').bounding_box()
        assert abs(end[0] - gate["x"]) < 3
        assert gate["y"] - 3 < end[1] < gate["y"] + gate["height"] + 3
        assert "the partial sums" in page.locator(".gg-toggle-group").text_content()
        page.locator(".gg-toggle-group").click()  # shut again, from the panel
        assert not any(shown(page, n["id"]) for n in partials)
