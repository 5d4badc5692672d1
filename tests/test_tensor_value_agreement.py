"""The same small models built from scalar Values and from Tensors agree to 1e-10."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Tensor, Value, maximum

TOL = dict(rtol=1e-10, atol=1e-10)


def leaf(a) -> Tensor:
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def values(a: np.ndarray) -> np.ndarray:
    """An object array of Values with the same numbers."""
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(a.shape):
        out[idx] = Value(float(a[idx]))
    return out


def value_grads(v: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda node: node.grad, otypes=[float])(v)


def _mlp_params(seed, n_in=3, n_h=4):
    rng = np.random.default_rng(seed)
    return {"X": rng.standard_normal((5, n_in)), "y": rng.integers(0, 2, 5).astype(float),
            "W1": rng.standard_normal((n_in, n_h)), "b1": rng.standard_normal(n_h) * 0.5,
            "W2": rng.standard_normal((n_h, 1)), "b2": rng.standard_normal(1) * 0.5}


def value_bce_mlp(p):
    """3 inputs -> 4 tanh -> 1 sigmoid, mean BCE over 5 samples, one Value at a time."""
    W1, b1, W2, b2 = (values(p[k]) for k in ("W1", "b1", "W2", "b2"))
    X, y = p["X"], p["y"]
    n, n_in = X.shape
    total = Value(0.0)
    for i in range(n):
        hidden = []
        for j in range(W1.shape[1]):
            z = b1[j]
            for k in range(n_in):
                z = z + W1[k, j] * float(X[i, k])
            hidden.append(z.tanh())
        z2 = b2[0]
        for j, h in enumerate(hidden):
            z2 = z2 + h * W2[j, 0]
        o = z2.sigmoid()
        total = total - (y[i] * o.log() + (1 - y[i]) * (1 - o).log())
    loss = total / n
    loss.backward()
    return loss.data, {"W1": value_grads(W1), "b1": value_grads(b1),
                       "W2": value_grads(W2), "b2": value_grads(b2)}


def tensor_bce_mlp(p):
    t = {k: leaf(p[k]) for k in ("W1", "b1", "W2", "b2")}
    H = (p["X"] @ t["W1"] + t["b1"]).tanh()
    O = (H @ t["W2"] + t["b2"]).sigmoid().reshape(-1)
    y = p["y"]
    loss = -(y * O.log() + (1 - y) * (1 - O).log()).mean()
    loss.backward()
    return loss.item(), {k: v.grad for k, v in t.items()}


def test_value_and_tensor_mlp_agree():
    p = _mlp_params(0)
    lv, gv = value_bce_mlp(p)
    lt, gt = tensor_bce_mlp(p)
    assert math.isfinite(lv)
    np.testing.assert_allclose(lt, lv, **TOL)
    for k in gv:
        assert gt[k].shape == p[k].shape
        np.testing.assert_allclose(gt[k], gv[k], err_msg=k, **TOL)


@settings(max_examples=50)
@given(seed=st.integers(0, 2**32 - 1))
def test_value_and_tensor_mlp_agree_random(seed):
    p = _mlp_params(seed)
    lv, gv = value_bce_mlp(p)
    lt, gt = tensor_bce_mlp(p)
    np.testing.assert_allclose(lt, lv, **TOL)
    for k in gv:
        np.testing.assert_allclose(gt[k], gv[k], err_msg=k, **TOL)


@settings(max_examples=50)
@given(seed=st.integers(0, 2**32 - 1))
def test_value_and_tensor_elementwise_gates_agree(seed):
    """Every element-wise gate the two share, on the same numbers."""
    rng = np.random.default_rng(seed)
    a_np = rng.uniform(0.2, 2.0, 4)
    b_np = rng.uniform(-2.0, 2.0, 4)

    def f(a, b, mx):
        z = (a * b + a / (b * b + 1) - b ** 2 + a ** b).exp().log() + (-a).sigmoid()
        z = z + abs(b) + (b - 0.5).relu() + a.sqrt() * b.tanh() + mx(a, b) + (2.0 ** b) / a
        return z

    a, b = leaf(a_np), leaf(b_np)
    out_t = f(a, b, maximum)
    out_t.sum().backward()
    for i in range(4):
        av, bv = Value(a_np[i]), Value(b_np[i])
        out_v = f(av, bv, maximum)
        out_v.backward()
        np.testing.assert_allclose(out_t.data[i], out_v.data, **TOL)
        np.testing.assert_allclose(a.grad[i], av.grad, **TOL)
        np.testing.assert_allclose(b.grad[i], bv.grad, **TOL)


def test_value_and_tensor_softmax_classifier_agree():
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    W_np = rng.standard_normal((3, 3))
    # Values: softmax cross-entropy spelled out with exp and log
    W = values(W_np)
    total = Value(0.0)
    for i in range(4):
        scores = [sum((W[k, c] * float(X[i, k]) for k in range(3)), Value(0.0))
                  for c in range(3)]
        norm = sum((s.exp() for s in scores), Value(0.0))
        total = total + (norm.log() - scores[y[i]])
    loss_v = total / 4
    loss_v.backward()
    Wt = leaf(W_np)
    loss_t = -(X @ Wt).log_softmax(axis=1)[np.arange(4), y].mean()
    loss_t.backward()
    np.testing.assert_allclose(loss_t.item(), loss_v.data, **TOL)
    np.testing.assert_allclose(Wt.grad, value_grads(W), **TOL)
