"""fit(..., report=path): the training report records without changing the training."""

import json
import re

import numpy as np
import pytest

from nn import TwoLayerNet
from nn.__main__ import main
from nn.datasets import load_dataset


def flower(n=120):
    X, y = load_dataset("flower")
    return X[:n], y[:n]


def net():
    return TwoLayerNet(2, 4, 1, activation="tanh", loss="bce", init="small", seed=0)


def report_data(path):
    text = path.read_text()
    return json.loads(re.search(r'id="rp-data">(.*?)</script>', text, re.S).group(1)), text


def test_recording_does_not_change_the_training(tmp_path):
    X, y = flower()
    plain, recorded = net(), net()
    h1 = plain.fit(X, y, epochs=30, lr=1.2, verbose=False, validation_data=(X, y))
    h2 = recorded.fit(X, y, epochs=30, lr=1.2, verbose=False, validation_data=(X, y),
                      report=tmp_path / "r.html")
    assert h1 == h2
    for a, b in zip(plain.parameters(), recorded.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
        np.testing.assert_array_equal(a.grad, b.grad)  # the snapshots put .grad back


def test_the_report_holds_the_run(tmp_path):
    X, y = flower()
    model = net()
    history = model.fit(X, y, epochs=50, lr=1.2, verbose=False, validation_data=(X, y),
                        report=tmp_path / "r.html")
    data, text = report_data(tmp_path / "r.html")
    assert data["history"]["loss"] == pytest.approx(history["loss"], rel=1e-4)
    assert set(data["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert data["recorded"][0] == 1 and data["recorded"][-1] == 50
    assert set(data["norms"]) == {name for name, _ in model.named_parameters()}
    assert all(len(v) == len(data["recorded"]) for v in data["norms"].values())
    b = data["boundary"]
    assert len(b["frames"]) == len(data["recorded"])
    assert all(len(f) == b["grid"] ** 2 and set(f) <= {"0", "1"} for f in b["frames"])
    # The last frame is the trained model's own prediction on the grid.
    x0, x1, y0, y1 = b["extent"]
    g = b["grid"]
    gx, gy = np.meshgrid(np.linspace(x0, x1, g), np.linspace(y1, y0, g))
    expect = "".join(map(str, model.predict(np.column_stack([gx.ravel(), gy.ravel()]))))
    assert b["frames"][-1] == expect
    assert data["snapshots"] == [1, 50 // 3 + 1, 100 // 3 + 1, 50]  # first, ⅓, ⅔, last
    assert text.count('class="gg-explorer"') == 4 and 'data-overlay="on"' in text
    # The norms are those of the gradients the last step left.
    norms = {name: np.linalg.norm(p.grad) for name, p in model.named_parameters()}
    for name, values in data["norms"].items():
        assert values[-1] == pytest.approx(norms[name], rel=1e-4)


@pytest.mark.parametrize("bad,error", [("r.txt", ValueError),
                                       ("missing/r.html", FileNotFoundError)])
def test_a_bad_report_path_is_refused_before_training(tmp_path, bad, error):
    X, y = flower()
    model = net()
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(error, match="report"):
        model.fit(X, y, epochs=5, verbose=False, report=tmp_path / bad)
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, b)
    assert list(tmp_path.iterdir()) == []


def test_a_report_is_not_a_number():
    X, y = flower()
    with pytest.raises(TypeError, match="report"):
        net().fit(X, y, epochs=5, verbose=False, report=3)


def test_the_command_writes_the_report_by_default(tmp_path, capsys):
    assert main(["train", "--epochs", "20", "-q", "-o", str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "report.html").exists()
    assert main(["train", "--epochs", "20", "-q", "-o", str(tmp_path / "b"),
                 "--no-report"]) == 0
    assert not (tmp_path / "b" / "report.html").exists()
    assert main(["train", "--epochs", "20", "-q", "-o", str(tmp_path / "c"),
                 "--report", str(tmp_path / "c" / "r.txt")]) == 2  # refused before training
    err = capsys.readouterr().err
    assert "--report" in err and "must end in .html" in err
    assert not (tmp_path / "c").exists()


def test_data_with_more_than_two_features_has_no_boundary(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    TwoLayerNet(3, 4, 1, activation="relu", loss="bce", seed=0).fit(
        X, y, epochs=10, verbose=False, report=tmp_path / "r.html")
    data, _ = report_data(tmp_path / "r.html")
    assert "boundary" not in data and len(data["recorded"]) == 10


def test_without_graphviz_the_report_says_so_and_has_no_snapshots(tmp_path, monkeypatch):
    import viz.explore_scopes

    def no_dot(graphs, rankdir="LR"):
        raise RuntimeError("no Graphviz renderer found")

    monkeypatch.setattr(viz.explore_scopes, "layout_many", no_dot)  # the snapshots' layout
    X, y = flower()
    net().fit(X, y, epochs=12, lr=1.2, verbose=False, report=tmp_path / "r.html")
    data, text = report_data(tmp_path / "r.html")
    assert data["snapshots"] == [] and 'class="gg-explorer"' not in text
    assert data["notes"] == ["no graph snapshots: no Graphviz renderer found"]
    assert len(data["recorded"]) == 12  # the rest of the report is there
