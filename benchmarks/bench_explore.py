"""The explorer and the training report against their targets.

(a) a 500-node explorer (micrograd's 65,818-node MLP graph opened at the default
    ``max_nodes=500``, plain and grouped by neuron with ``model=``, and an uncut
    500-node Value graph): file size (target <= 2 MB; it includes the up to 500 values
    saved behind the cut's stubs), the time until it is interactive in chromium, from
    navigation start to the explorer's ``data-ready-ms`` mark, set once its first frame
    is drawn (target <= 1 s), and the time to open a group until the next frame;
(b) micrograd's 65,818-node MLP exported: ``viz.explore`` + ``save`` (target <= 5 s);
(c) recording cost: ``fit`` with and without ``report=`` at the default record interval,
    on the flower run (10,000 full-batch epochs) and the digits run (its preset: 40 epochs
    of mini-batches), alternated in one process (target: <= 1.10x);
(d) the 10,000-epoch flower report's size (target <= 5 MB).

Times are medians of ``--repeat`` runs. Results go to benchmarks/results/explore.json.

Run: python benchmarks/bench_explore.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import timing  # noqa: E402
from bench_viz import mlp_loss_and_model  # noqa: E402

import viz  # noqa: E402
from autograd import Value  # noqa: E402
from nn.__main__ import PRESETS, build_model  # noqa: E402
from nn.datasets import load_dataset, standardize, train_test_split  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "explore.json"


def chain_graph(n_values: int) -> Value:
    """An uncut graph of about ``n_values`` Values: a chain of tanh units that all read the
    same input ``x``, a hard shape for dot's layout (x's edges cross every rank)."""
    x = Value(0.5, label="x")
    out = x
    i = 0
    while 3 * i + 1 < n_values:
        w = Value(0.1 * ((i % 7) - 3), label=f"w{i}")
        out = (out * w + x).tanh()
        i += 1
    out.backward()
    return out


# Opens the first top-level group (a layer, or the inputs behind a stub) and resolves
# with the milliseconds until the next frame was drawn.
OPEN_GROUP = """() => new Promise(done => {
  const x = document.querySelector('.gg-explorer').ggExplorer;
  const g = x.groups.find(g => !g.parent);
  const t = performance.now();
  x.toggleGroup(g.id);
  requestAnimationFrame(() => setTimeout(() => done(performance.now() - t), 0));
})"""


def browser_ms(path: Path, repeat: int) -> tuple[float, float | None]:
    """Medians: ms until the page is interactive and drawn; ms to open a group (None:
    the page has no groups)."""
    from playwright.sync_api import sync_playwright

    ready, opened = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox", "--disable-gpu"])
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(path.as_uri())
            page.wait_for_selector(".gg-explorer[data-ready-ms]")
            ready.append(float(page.locator(".gg-explorer").get_attribute("data-ready-ms")))
            if page.evaluate("() => document.querySelector('.gg-explorer').ggExplorer"
                             ".groups.length"):
                opened.append(page.evaluate(OPEN_GROUP))
            page.close()
        browser.close()
    return statistics.median(ready), statistics.median(opened) if opened else None


def explore_and_save(root: Value, path: Path, model: Any = None) -> tuple[viz.Explorer, Path]:
    """What is timed as an export: the explorer of ``root`` (grouped by ``model``'s
    neurons and layers when given), written to ``path``."""
    x = viz.explore(root, model=model)
    return x, x.save(path)


def explorer_files(tmp: Path, repeat: int) -> dict:
    out = {}
    big, model = mlp_loss_and_model(100)
    cases = (("mlp_65k_cut_to_500", big, None), ("mlp_65k_cut_to_500_by_neuron", big, model),
             ("value_chain_500", chain_graph(500), None))
    for name, root, groups in cases:
        export, (x, path) = timing.clock(explore_and_save, root, tmp / f"{name}.html", groups)
        ready, opened = browser_ms(path, repeat)
        out[name] = {"nodes_shown": x.model["shown"],
                     "values_saved_behind_stubs": sum(1 for n in x.model["nodes"]
                                                      if n.get("extra")),
                     "groups": len(x.model["groups"]), "bytes": path.stat().st_size,
                     "export_s": export, "interactive_ms": ready, "open_group_ms": opened}
    for name, groups in (("mlp_65k_export_s", None), ("mlp_65k_by_neuron_export_s", model)):
        times = timing.seconds(lambda g=groups: explore_and_save(big, tmp / "mlp.html", g),
                               repeat)
        out[name] = statistics.median(times)
    return out


def training_run(dataset: str, report: Path | None, epochs: int | None = None) -> float:
    s = dict(PRESETS[dataset])
    X, y = load_dataset(dataset)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.25, seed=0, stratify=True)
    if s.get("standardize"):
        X_train, X_test = standardize(X_train, X_test)
    model = build_model("twolayer", X.shape[1], int(y.max()) + 1, "auto", s["hidden"],
                        s["activation"], s.get("init", "small"), 0)
    seconds, _ = timing.clock(
        model.fit, X_train, y_train, epochs=epochs or s["epochs"], lr=s["lr"],
        batch_size=s.get("batch_size"), reg=s.get("reg", 0.0),
        optimizer=s.get("optimizer", "sgd"), seed=0, verbose=False,
        validation_data=(X_test, y_test), report=report)
    return seconds


def recording(tmp: Path, repeat: int) -> dict:
    out = {}
    for dataset in ("flower", "digits"):
        plain, recorded = [], []
        for i in range(repeat):  # alternated, so that load on the machine hits both alike
            report = tmp / f"{dataset}{i}.html"
            plain.append(training_run(dataset, None))
            recorded.append(training_run(dataset, report))
        out[dataset] = {"plain_s": statistics.median(plain),
                        "with_report_s": statistics.median(recorded),
                        "ratio": statistics.median(recorded) / statistics.median(plain),
                        "report_bytes": report.stat().st_size}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    np.seterr(all="ignore")
    with tempfile.TemporaryDirectory() as tmp:
        results = {"explorer": explorer_files(Path(tmp), args.repeat),
                   "report": recording(Path(tmp), args.repeat)}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
