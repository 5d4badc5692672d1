"""fit(compile=True) and ``gategrad train --compile`` train to the same numbers as eager."""

import numpy as np
import pytest

import autograd
import nn
from nn.__main__ import main as cli_main

real_compile = autograd.compile

RNG = np.random.default_rng(0)
X = RNG.standard_normal((60, 4))
Y3 = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
Y2 = (X[:, 0] + X[:, 2] > 0).astype(int)


@pytest.mark.parametrize("make, y, batch, optimizer", [
    (lambda: nn.TwoLayerNet(4, 8, 3, seed=1), Y3, None, "sgd"),
    (lambda: nn.TwoLayerNet(4, 8, 3, loss="svm", activation="tanh", seed=1), Y3, 16, "adam"),
    (lambda: nn.TwoLayerNet(4, 8, 1, loss="bce", activation="sigmoid", seed=1), Y2, 16,
     "momentum"),
    (lambda: nn.LogisticRegression(4, seed=1), Y2, 25, "sgd"),
    (lambda: nn.LinearClassifier(4, 3, loss="svm", seed=1), Y3, None, "sgd"),
])
def test_fit_compiled_matches_eager(make, y, batch, optimizer):
    eager, compiled = make(), make()
    options = dict(epochs=6, batch_size=batch, optimizer=optimizer, reg=1e-3, seed=2,
                   verbose=False, validation_data=(X[:10], y[:10]))
    h_eager = eager.fit(X, y, **options)
    h_compiled = compiled.fit(X, y, compile=True, **options)
    for key in h_eager:
        np.testing.assert_allclose(h_compiled[key], h_eager[key], rtol=1e-12, atol=1e-14)
    for a, b in zip(eager.parameters(), compiled.parameters()):
        np.testing.assert_allclose(b.data, a.data, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("nouts, y, batch, optimizer", [
    ([6, 6, 1], Y2, None, "sgd"),  # micrograd's network and loss: one graph per batch
    ([6, 6, 1], Y2, 16, "momentum"),  # mini-batches: labels are live inputs, no retrace
    ([5, 3], Y3, 25, "adam"),  # three classes: the multiclass hinge
])
def test_scalar_mlp_fit_compiled_matches_eager(nouts, y, batch, optimizer, monkeypatch):
    eager, compiled = nn.MLP(4, nouts, seed=3), nn.MLP(4, nouts, seed=3)
    options = dict(epochs=4, batch_size=batch, optimizer=optimizer, reg=1e-3, seed=2,
                   verbose=False, validation_data=(X[:10], y[:10]))
    h_eager = eager.fit(X, y, **options)
    steps = []
    monkeypatch.setattr(autograd, "compile", lambda fn: steps.append(real_compile(fn))
                        or steps[-1])
    h_compiled = compiled.fit(X, y, compile=True, **options)
    # One trace per batch size: each batch's labels are live numbers, not a new trace.
    assert steps[0].traces == (1 if batch is None or len(X) % batch == 0 else 2)
    assert steps[0].mode == "vectorized by level"
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(h_compiled[key], h_eager[key], rtol=1e-12, atol=1e-14)
    for a, b in zip(eager.parameters(), compiled.parameters()):
        assert b.data == pytest.approx(a.data, rel=1e-12, abs=1e-14)
    assert compiled.score(X, y) == eager.score(X, y)


def test_scalar_mlp_fit_learns_the_moons_and_a_failed_fit_changes_nothing():
    Xm, ym = nn.make_moons(60, seed=0)
    model = nn.MLP(2, [8, 8, 1], seed=0)
    history = model.fit(Xm, ym, epochs=60, lr=0.5, reg=1e-4, verbose=False, compile=True)
    assert history["loss"][-1] < 0.5 * history["loss"][0] and model.score(Xm, ym) > 0.9
    # decision_function (numpy on the weight matrices) agrees with the Value graph
    rows = Xm[:5].tolist()
    np.testing.assert_allclose(model.decision_function(Xm[:5]),
                               [model(x).data for x in rows], rtol=1e-12)
    before = [p.data for p in model.parameters()]
    with pytest.raises(nn.NonFiniteLossError):
        model.fit(Xm, ym, epochs=5, lr=1e300, verbose=False, compile=True)
    assert [p.data for p in model.parameters()] == before
    with pytest.raises(ValueError, match="features"):
        model.fit(Xm[:, :1], ym, verbose=False)


def _numbers(text):
    return [line for line in text.splitlines() if "loss" in line or "accuracy" in line]


@pytest.mark.parametrize("model", ["twolayer", "logreg", "mlp"])
def test_cli_train_compile(tmp_path, capsys, model):
    args = ["train", "--model", model, "--dataset", "moons", "--epochs", "5", "--batch-size",
            "64", "--hidden", "4", "-q", "--no-report", "-o"]
    assert cli_main([*args, str(tmp_path / "eager")]) == 0
    eager = capsys.readouterr().out
    assert cli_main([*args, str(tmp_path / "compiled"), "--compile"]) == 0
    compiled = capsys.readouterr().out
    assert _numbers(compiled) == _numbers(eager) and _numbers(eager)


@pytest.mark.parametrize("extra, match", [
    (["--activation", "tanh"], "--activation does not apply"),
    (["--loss", "bce"], "hinge loss"),
])
def test_cli_mlp_refuses_options_it_does_not_have(tmp_path, capsys, extra, match):
    assert cli_main(["train", "--model", "mlp", "-q", "-o", str(tmp_path), *extra]) == 2
    assert match in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
