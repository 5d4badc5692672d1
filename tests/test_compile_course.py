"""The course's closed forms, from compiled steps: logistic regression and the two-layer net."""

import numpy as np

import autograd
from autograd import Tensor

RNG = np.random.default_rng(3)


def test_compiled_logistic_regression_gives_dz_equal_a_minus_y():
    X = RNG.standard_normal((20, 3))
    y = (RNG.random(20) > 0.5).astype(float)
    w = Tensor(RNG.standard_normal(3) * 0.1, requires_grad=True)
    b = Tensor(0.0, requires_grad=True)

    def loss(X, y):
        a = (X @ w + b).sigmoid()
        return -(y * a.log() + (1 - y) * (1 - a).log()).mean()

    step = autograd.compile(loss)
    for _ in range(3):  # trace, then replays with the weights moving
        w.grad = b.grad = None
        step(X, y).backward()
        a = 1 / (1 + np.exp(-(X @ w.data + b.data)))
        dz = a - y  # the course's closed form
        np.testing.assert_allclose(w.grad, X.T @ dz / len(y), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b.grad, dz.mean(), rtol=1e-12, atol=1e-15)
        w.data = w.data - 0.5 * w.grad
    assert step.mode == "tensor tape"


def test_compiled_two_layer_net_gives_the_hand_written_gradients():
    N, D, H, C, reg = 16, 5, 7, 3, 1e-2
    X, y = RNG.standard_normal((N, D)), RNG.integers(0, C, N)
    W1 = Tensor(RNG.standard_normal((D, H)) * 0.5, requires_grad=True)
    b1 = Tensor(np.zeros(H), requires_grad=True)
    W2 = Tensor(RNG.standard_normal((H, C)) * 0.5, requires_grad=True)
    b2 = Tensor(np.zeros(C), requires_grad=True)

    def loss(X, y):
        h = (X @ W1 + b1).relu()
        s = h @ W2 + b2
        s = s - s.max(axis=1, keepdims=True)
        data = (s.exp().sum(axis=1).log() - s[np.arange(len(y)), y]).mean()
        return data + reg * ((W1 * W1).sum() + (W2 * W2).sum())

    step = autograd.compile(loss)
    for _ in range(3):
        for p in (W1, b1, W2, b2):
            p.grad = None
        step(X, y).backward()
        # cs231n's backward, by hand
        h = np.maximum(X @ W1.data + b1.data, 0)
        s = h @ W2.data + b2.data
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        ds = p.copy()
        ds[np.arange(N), y] -= 1
        ds /= N
        dh = ds @ W2.data.T * (h > 0)
        want = {"W2": h.T @ ds + 2 * reg * W2.data, "b2": ds.sum(axis=0),
                "W1": X.T @ dh + 2 * reg * W1.data, "b1": dh.sum(axis=0)}
        for name, param in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2)):
            np.testing.assert_allclose(param.grad, want[name], rtol=1e-10, atol=1e-13)
        for param in (W1, b1, W2, b2):
            param.data = param.data - 0.5 * param.grad
    assert step.traces == 1


def test_compiled_micrograd_mlp_step_equals_eager():
    # Each layer's neuron sums on the 20 samples become one matrix product.
    import nn

    X, y = nn.make_moons(20, seed=1)
    rows, signs = X.tolist(), (2.0 * y - 1).tolist()
    eager_model, model = nn.MLP(2, [16, 16, 1], seed=4), nn.MLP(2, [16, 16, 1], seed=4)

    def loss_of(m):
        def loss(rows, signs):
            scores = [m(x) for x in rows]
            hinge = [(1 + -s * score).relu() for s, score in zip(signs, scores)]
            return sum(hinge) * (1.0 / len(hinge)) + 1e-4 * sum(p * p for p in m.parameters())
        return loss

    step = autograd.compile(loss_of(model))
    for _ in range(3):
        for m in (eager_model, model):
            for p in m.parameters():
                p.grad = 0.0
        got, want = step(rows, signs), loss_of(eager_model)(rows, signs)
        got.backward()
        want.backward()
        # The layers' sums are matrix products, which add in their own order: the loss is
        # a few roundings from eager's (not bit for bit), the gradients ~1e-16 apart.
        assert abs(got.data - want.data) <= 16 * np.spacing(abs(want.data))
        g = np.array([p.grad for p in model.parameters()])
        g_eager = np.array([p.grad for p in eager_model.parameters()])
        np.testing.assert_allclose(g, g_eager, rtol=0, atol=1e-12 * np.abs(g_eager).max())
        for m in (eager_model, model):
            for p in m.parameters():
                p.data -= 0.5 * p.grad
    assert step.mode == "vectorized by level"
    assert step.source.count("np.matmul(") == 3  # one per layer
