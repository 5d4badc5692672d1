"""Screenshots of the explorer for the README: ``python3 docs/explorer_screenshots.py``.

Drives Debian's chromium with playwright (as the browser tests do) and writes
docs/explorer_*.png at 1440×810 and docs/training_report.png.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import viz  # noqa: E402
from autograd import Tensor, Value  # noqa: E402


def course_neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1w1+x2w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def saturated_mlp() -> Tensor:
    rng = np.random.default_rng(0)
    X = Tensor(rng.normal(size=(8, 2)), label="X")
    W1 = Tensor(rng.normal(size=(2, 6)) * 10, requires_grad=True, label="W1 (large init)")
    W2 = Tensor(rng.normal(size=(6, 3)) * 0.01, requires_grad=True, label="W2")
    h = (X @ W1).tanh()
    h.label = "h = tanh(X@W1)"
    err = h @ W2 - Tensor(rng.normal(size=(8, 3)))
    err.label = "error"
    loss = (err * err).mean()
    loss.label = "loss"
    loss.backward()
    return loss


def small_mlp() -> tuple[Value, object]:
    """nn.MLP(2, [4, 4, 1]) on one sample: 106 values, so its groups start shut."""
    from nn import MLP

    model = MLP(2, [4, 4, 1], seed=0)
    loss = (model([Value(0.5, label="x0"), Value(-1.0, label="x1")]) - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss, model


def big_mlp() -> tuple[Value, object]:
    """micrograd's demo loss on 100 samples: 65,818 values, opened at the 500 nearest."""
    sys.path.insert(0, str(HERE.parent / "benchmarks"))
    from bench_viz import mlp_loss_and_model

    return mlp_loss_and_model(100)


def flower_report(path: Path) -> Path:
    from nn import TwoLayerNet
    from nn.datasets import load_dataset, train_test_split

    X, y = load_dataset("flower")
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.25, seed=0, stratify=True)
    TwoLayerNet(2, 4, 1, activation="tanh", loss="bce", init="small", seed=0).fit(
        X_train, y_train, epochs=3000, lr=1.2, verbose=False,
        validation_data=(X_test, y_test), report=path)
    return path


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 810})

        def open_(root: object, name: str, model: object = None) -> object:
            explorer = viz.explore(root, model=model)
            page.goto(explorer.save(Path(tmp) / name).as_uri())
            page.wait_for_selector(".gg-explorer[data-ready]")
            return explorer

        def group(explorer: object, name: str) -> str:
            return next(g["id"] for g in explorer.model["groups"] if g.get("name") == name)

        open_(course_neuron(), "neuron.html")
        for _ in range(7):
            page.keyboard.press("ArrowRight")
        page.screenshot(path=HERE / "explorer_backward.png")

        open_(saturated_mlp(), "mlp.html")
        page.keyboard.press("End")
        page.keyboard.press("h")
        page.locator(".gg-flags button").first.click()  # the first finding, selected
        page.locator(".gg-fit").click()  # and the whole graph in view
        page.screenshot(path=HERE / "explorer_health.png")

        # A model's layers and neurons: layer 1 open, and its neuron 0, in the graph.
        loss, model = small_mlp()
        explorer = open_(loss, "groups.html", model)
        page.keyboard.press("End")
        page.locator(".gg-fit").click()
        page.locator(f'.gg-groupbox[data-id="{group(explorer, "layers.1")}"]').click()
        page.locator(f'.gg-groupbox[data-id="{group(explorer, "layers.1.neurons.0")}"]').click()
        page.evaluate("id => { const x = document.querySelector('.gg-explorer').ggExplorer;"
                      " const f = x.frames[id]; x.view.k = 0.8; x.view.x = 230 - f.x * 0.8;"
                      " x.view.y = 16 - f.y * 0.8; x.apply(); }", group(explorer, "layers.1"))
        page.screenshot(path=HERE / "explorer_groups.png")

        # The 65,818-node MLP, cut at 500: the inputs behind the hinge sum's stub, opened.
        loss, model = big_mlp()
        explorer = open_(loss, "big.html", model)
        page.keyboard.press("End")
        stub = next(g for g in explorer.model["groups"] if g["kind"] == "more"
                    and not g["parent"] and g["missing"] < 200)
        page.evaluate(f"() => document.querySelector('.gg-explorer').ggExplorer"
                      f".focusNode('{stub['id']}')")
        page.locator(f'.gg-groupbox[data-id="{stub["id"]}"]').click()
        page.screenshot(path=HERE / "explorer_more.png")

        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(flower_report(Path(tmp) / "report.html").as_uri())
        page.wait_for_selector("body[data-ready]")
        page.locator("#rp-frame").fill("12")  # the boundary early in training
        page.screenshot(path=HERE / "training_report.png")
        browser.close()


if __name__ == "__main__":
    main()
