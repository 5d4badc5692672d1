"""fit(compile=True) and ``gategrad train --compile`` train to the same numbers as eager."""

import numpy as np
import pytest

import nn
from nn.__main__ import main as cli_main

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


def test_cli_train_compile(tmp_path, capsys):
    args = ["train", "--dataset", "moons", "--epochs", "5", "--batch-size", "64", "-q", "-o"]
    assert cli_main([*args, str(tmp_path / "eager")]) == 0
    eager = capsys.readouterr().out
    assert cli_main([*args, str(tmp_path / "compiled"), "--compile"]) == 0
    compiled = capsys.readouterr().out

    def numbers(text):
        return [line for line in text.splitlines() if "loss" in line or "accuracy" in line]

    assert numbers(compiled) == numbers(eager) and numbers(eager)
