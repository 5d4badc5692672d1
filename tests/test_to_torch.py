"""to_torch and assert_matches_torch: the same model and function in PyTorch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from autograd.testing import assert_matches_torch

torch = pytest.importorskip("torch")

X, Y = nn.make_moons(40, noise=0.2, seed=0)


def trained(model, y=Y, **fit):
    model.fit(X, y, epochs=30, lr=0.5, verbose=False, **fit)
    return model


@pytest.mark.parametrize("make, y", [
    (lambda: nn.LogisticRegression(2), Y),
    (lambda: nn.TwoLayerNet(2, 5, 1, activation="tanh", loss="bce", seed=0), Y),
    (lambda: nn.TwoLayerNet(2, 6, 3, activation="relu", loss="softmax", seed=1), Y + (X[:, 0] > 1)),
    (lambda: nn.TwoLayerNet(2, 4, 2, activation="sigmoid", loss="svm", seed=2), Y),
    (lambda: nn.LinearClassifier(2, 2, loss="softmax", seed=0), Y),
], ids=["logreg", "twolayer-bce", "twolayer-softmax", "twolayer-svm", "linear"])
def test_same_scores_predictions_and_gradients(make, y):
    model = trained(make(), y)
    tm = model.to_torch()
    assert isinstance(tm, torch.nn.Module)
    Xt = torch.from_numpy(X)
    scores = tm(Xt)
    np.testing.assert_allclose(scores.detach().numpy(), model.decision_function(X),
                               rtol=1e-12, atol=1e-12)
    pred = (scores > 0).long() if model.loss == "bce" else scores.argmax(dim=1)
    np.testing.assert_array_equal(pred.numpy(), model.predict(X))

    # Gradients of the same loss: gategrad's, and torch's with torch's own loss function.
    loss = model.objective(model.forward(Tensor(X)), y)
    model.zero_grad()
    loss.backward()
    yt = torch.from_numpy(np.asarray(y))
    if model.loss == "bce":
        torch_loss = torch.nn.functional.binary_cross_entropy_with_logits(scores, yt.double())
    elif model.loss == "softmax":
        torch_loss = torch.nn.functional.cross_entropy(scores, yt)
    else:
        torch_loss = torch.nn.functional.multi_margin_loss(scores, yt) * scores.shape[1]
    torch_loss.backward()
    assert torch_loss.item() == pytest.approx(float(loss.data), rel=1e-12)
    linears = [m for m in tm.modules() if isinstance(m, torch.nn.Linear)]
    ours = [p for p in model.parameters()]
    theirs = [t for lin in linears for t in (lin.weight.grad.T, lin.bias.grad)]
    assert len(ours) == len(theirs)
    for p, g in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, g.numpy(), rtol=1e-10, atol=1e-12)


def test_scalar_mlp():
    mlp = nn.MLP(2, [8, 8, 1], seed=0)
    tm = mlp.to_torch()
    out = tm(torch.from_numpy(X))
    ours = np.array([mlp(list(x)).data for x in X])
    np.testing.assert_allclose(out.detach().numpy(), ours, rtol=1e-12, atol=1e-12)
    out.sum().backward()
    total = sum((mlp(list(x)) for x in X), Value(0.0))
    mlp.zero_grad()
    total.backward()
    first = [m for m in tm.modules() if isinstance(m, torch.nn.Linear)][0]
    np.testing.assert_allclose(first.weight.grad.numpy().T,
                               [[n.w[i].grad for n in mlp.layers[0].neurons] for i in range(2)],
                               rtol=1e-10, atol=1e-12)


def test_the_copies_are_independent():
    model = nn.LogisticRegression(2)
    tm = model.to_torch()
    trained(model)
    assert float(np.abs(tm[0].weight.detach().numpy()).sum()) == 0.0  # still the zeros


def test_without_torch_the_error_says_how_to_install():
    code = ("import sys; sys.modules['torch'] = None\n"
            "import nn\n"
            "try:\n    nn.LogisticRegression(2).to_torch()\n"
            "except ImportError as e:\n    print(e)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "pip install 'gategrad[torch]'" in run.stdout, run.stderr


def test_assert_matches_torch_on_values_and_tensors():
    assert_matches_torch(lambda a, b: (a * b + a.exp()).tanh() - (b * b).log(),
                         Value(0.5), Value(-2.0))
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    Xs = Tensor(rng.standard_normal((4, 3)))
    assert_matches_torch(lambda W, X: (X @ W).sigmoid() * 2 - W.sum(), W, Xs)


def test_assert_matches_torch_names_what_differs():
    def wrong_on_torch(x):  # the same spelling, a different function in each library
        return x * 2 if isinstance(x, Tensor) else x * 3

    with pytest.raises(AssertionError, match="the outputs differ"):
        assert_matches_torch(wrong_on_torch, Tensor(np.ones(3), requires_grad=True))
    def no_gradient_on_torch(x):
        return x * 2 if isinstance(x, Tensor) else x.detach() * 2 + x * 0

    with pytest.raises(AssertionError, match="the gradients of input 0 differ"):
        assert_matches_torch(no_gradient_on_torch, Tensor(np.ones(3), requires_grad=True))
    with pytest.raises(TypeError, match="input 1 is a float"):
        assert_matches_torch(lambda a, b: a * b, Value(1.0), 2.0)


def test_a_sequential_stack_and_what_cannot_be_converted():
    from nn.torch_export import to_torch

    stack = nn.Sequential(nn.Linear(2, 5, seed=0), nn.Tanh(), nn.Linear(5, 3, seed=1),
                          nn.Sigmoid())
    out = to_torch(stack)(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(out, stack(Tensor(X)).data, rtol=1e-12, atol=1e-12)
    with pytest.raises(TypeError, match="no PyTorch equivalent for a Neuron"):
        to_torch(nn.Neuron(2))
