"""A failed fit leaves the model (and a given optimizer) exactly as before the call."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import train as train_module


def _trained() -> tuple[nn.TwoLayerNet, np.ndarray, np.ndarray]:
    X, y = nn.make_moons(60, seed=0)
    model = nn.TwoLayerNet(2, 8, 2, activation="tanh", seed=0)
    model.fit(X, y, epochs=20, lr=0.5, verbose=False)
    return model, X, y


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's overflow: expected here
def test_a_diverging_fit_leaves_the_trained_model_as_it_was():
    X, y = nn.make_spiral(30)
    model = nn.TwoLayerNet(2, 20, 3, activation="relu", seed=0)
    model.fit(X, y, epochs=20, lr=1.0, verbose=False)
    before = model.state_dict()
    proba = model.predict_proba(X)
    with pytest.raises(nn.NonFiniteLossError, match="as they were before this fit call"):
        model.fit(X, y, epochs=50, lr=1e100, verbose=False)
    after = model.state_dict()
    for name in before:
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)
    np.testing.assert_array_equal(model.predict_proba(X), proba)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_an_interrupted_fit_restores_weights_grads_and_the_optimizer_state(monkeypatch,
                                                                          optimizer):
    model, X, y = _trained()
    opt = nn.Adam(model.parameters(), lr=0.01) if optimizer == "adam" else \
        nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.fit(X, y, epochs=3, optimizer=opt, verbose=False)  # the optimizer has state now
    weights, state = model.state_dict(), opt.state()
    grads = [np.array(p.grad) for p in model.parameters()]
    steps = []
    real_step = opt.step

    def step_then_interrupt() -> None:
        real_step()
        steps.append(1)
        if len(steps) == 5:
            raise KeyboardInterrupt

    monkeypatch.setattr(opt, "step", step_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=10, optimizer=opt, verbose=False)
    assert len(steps) == 5  # the weights did move before the interrupt
    for name, w in model.state_dict().items():
        np.testing.assert_array_equal(w, weights[name], err_msg=name)
    for p, g in zip(model.parameters(), grads):
        np.testing.assert_array_equal(p.grad, g)
    restored = {k: v for k, v in opt.state().items() if k != "step"}  # the patched method
    assert restored.keys() == state.keys()
    for key, value in state.items():
        np.testing.assert_equal(restored[key], value, err_msg=key)


def test_the_weights_stay_the_same_arrays_after_a_restore(monkeypatch):
    model, X, y = _trained()
    arrays = [p.data for p in model.parameters()]
    monkeypatch.setattr(train_module, "_train", _raise_after_a_change(model))
    with pytest.raises(RuntimeError, match="boom"):
        model.fit(X, y, epochs=2, verbose=False)
    assert all(p.data is a for p, a in zip(model.parameters(), arrays))


def _raise_after_a_change(model):
    def fake_train(*args, **kwargs):
        for p in model.parameters():
            p.data += 1.0
        raise RuntimeError("boom")
    return fake_train


def test_predicting_with_non_finite_weights_is_an_error_not_nan():
    model, X, _ = _trained()
    model.fc2.weight.data[0, 0] = np.nan
    for predict in (model.predict_proba, model.predict, model.decision_function):
        with pytest.raises(ValueError, match=r"'fc2.weight' hold non-finite"):
            predict(X)


def test_loading_weights_counts_as_a_write_for_graphs_built_before(tmp_path):
    # load() writes the weights in place (views see the new values); a loss built before
    # must not then be differentiated at a mix of old and new weights.
    X = np.random.default_rng(0).normal(size=(6, 2))
    y = np.array([0, 1, 0, 1, 1, 0])
    model = nn.LogisticRegression(2, seed=0)
    path = model.save(tmp_path / "m")
    loss = model.objective(model.forward(Tensor(X)), y, 0.0)
    model.load(path)
    with pytest.raises(RuntimeError, match="modified after it was used"):
        loss.backward()
