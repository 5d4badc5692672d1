"""The course's hand-derived vectorized gradients (cs231n, Andrew Ng) as references.

Each reference below is the plain-numpy forward and backward pass as derived in the course
notes; the engine, given only the forward pass built from Tensor ops, must reproduce the
same loss and gradients to 1e-10.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tensor_strategies import arrays

from autograd import Tensor, maximum

TOL = dict(rtol=1e-10, atol=1e-10)
sizes = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)
regs = st.sampled_from([0.0, 1e-3, 0.1, 0.5])


def leaf(a) -> Tensor:
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


# -- dW = X.T @ dScores ------------------------------------------------------------------


@settings(max_examples=50)
@given(n=sizes, d=sizes, c=sizes, data=st.data())
def test_matmul_gradients_are_x_transpose_g_and_g_w_transpose(n, d, c, data):
    X_np, W_np, G = data.draw(arrays((n, d))), data.draw(arrays((d, c))), data.draw(
        arrays((n, c)))
    X, W = leaf(X_np), leaf(W_np)
    S = X @ W
    S.backward(G)
    np.testing.assert_allclose(W.grad, X_np.T @ G, **TOL)  # dW = X.T @ dScores
    np.testing.assert_allclose(X.grad, G @ W_np.T, **TOL)  # dX = dScores @ W.T


# -- (a) cs231n multiclass SVM, vectorized -------------------------------------------------


def svm_loss_vectorized(W, X, y, reg):
    """cs231n ``svm_loss_vectorized`` (delta = 1), loss averaged over N, L2 ``reg*sum(W*W)``."""
    N = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(N), y][:, np.newaxis]
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(N), y] = 0
    loss = np.sum(margins) / N + reg * np.sum(W * W)
    binary = (margins > 0).astype(float)
    binary[np.arange(N), y] = -np.sum(binary, axis=1)
    dW = X.T.dot(binary) / N + 2 * reg * W
    return loss, dW


def svm_loss_engine(W, X, y, reg, use_maximum):
    N, C = X.shape[0], W.shape[1]
    scores = X @ W
    correct = scores[np.arange(N), y].reshape(N, 1)
    raw = scores - correct + 1.0
    margins = maximum(raw, 0.0) if use_maximum else raw.relu()
    not_correct = 1.0 - np.eye(C)[y]
    return (margins * not_correct).sum() / N + reg * (W * W).sum()


@settings(max_examples=50)
@given(n=sizes, d=sizes, c=st.integers(2, 6), reg=regs, seed=seeds,
       use_maximum=st.booleans())
def test_svm_loss_matches_cs231n(n, d, c, reg, seed, use_maximum):
    rng = np.random.default_rng(seed)
    X, W_np = rng.standard_normal((n, d)), rng.standard_normal((d, c)) * 0.5
    y = rng.integers(0, c, n)
    loss_ref, dW_ref = svm_loss_vectorized(W_np, X, y, reg)
    W = leaf(W_np)
    loss = svm_loss_engine(W, X, y, reg, use_maximum)
    loss.backward()
    np.testing.assert_allclose(loss.item(), loss_ref, **TOL)
    np.testing.assert_allclose(W.grad, dW_ref, **TOL)


def test_svm_by_hand():
    # one sample, 3 classes, scores [1, 2, 0.5], correct class 0:
    # margins [0, 2, 0.5] -> loss 2.5; dScores [-2, 1, 1]
    X = np.array([[1.0, 0.0]])
    W_np = np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]])
    W = leaf(W_np)
    loss = svm_loss_engine(W, X, np.array([0]), 0.0, use_maximum=False)
    loss.backward()
    assert loss.item() == 2.5
    np.testing.assert_array_equal(W.grad, [[-2.0, 1.0, 1.0], [0.0, 0.0, 0.0]])


# -- (b) softmax cross-entropy with L2 -----------------------------------------------------


def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N + reg * np.sum(W * W)
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dW = X.T.dot(dscores) + 2 * reg * W
    return loss, dW


@settings(max_examples=50)
@given(n=sizes, d=sizes, c=sizes, reg=regs, seed=seeds, manual=st.booleans())
def test_softmax_loss_matches_reference(n, d, c, reg, seed, manual):
    rng = np.random.default_rng(seed)
    X, W_np = rng.standard_normal((n, d)), rng.standard_normal((d, c))
    y = rng.integers(0, c, n)
    loss_ref, dW_ref = softmax_loss_vectorized(W_np, X, y, reg)
    W = leaf(W_np)
    scores = X @ W
    if manual:  # the course's steps: shift by the max, exp, normalize, log
        shifted = scores - scores.max(axis=1, keepdims=True)
        e = shifted.exp()
        log_probs = (e / e.sum(axis=1, keepdims=True)).log()
    else:
        log_probs = scores.log_softmax(axis=1)
    loss = -log_probs[np.arange(n), y].mean() + reg * (W * W).sum()
    loss.backward()
    np.testing.assert_allclose(loss.item(), loss_ref, **TOL)
    np.testing.assert_allclose(W.grad, dW_ref, **TOL)


# -- (c) cs231n two-layer net: affine - ReLU - affine - softmax --------------------------


def two_layer_reference(X, y, W1, b1, W2, b2, reg):
    N = X.shape[0]
    h = np.maximum(0, X.dot(W1) + b1)
    scores = h.dot(W2) + b2
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads = {}
    grads["W2"] = h.T.dot(dscores) + 2 * reg * W2
    grads["b2"] = np.sum(dscores, axis=0)
    dh = dscores.dot(W2.T)
    dh[h <= 0] = 0
    grads["W1"] = X.T.dot(dh) + 2 * reg * W1
    grads["b1"] = np.sum(dh, axis=0)
    grads["X"] = dh.dot(W1.T)
    return loss, grads


@settings(max_examples=50)
@given(n=sizes, d=sizes, hidden=sizes, c=sizes, reg=regs, seed=seeds)
def test_two_layer_net_matches_cs231n(n, d, hidden, c, reg, seed):
    rng = np.random.default_rng(seed)
    p = {"X": rng.standard_normal((n, d)), "W1": rng.standard_normal((d, hidden)),
         "b1": rng.standard_normal(hidden) * 0.1, "W2": rng.standard_normal((hidden, c)),
         "b2": rng.standard_normal(c) * 0.1}
    y = rng.integers(0, c, n)
    loss_ref, grads_ref = two_layer_reference(p["X"], y, p["W1"], p["b1"], p["W2"], p["b2"],
                                              reg)
    t = {k: leaf(v) for k, v in p.items()}
    h = (t["X"] @ t["W1"] + t["b1"]).relu()
    scores = h @ t["W2"] + t["b2"]
    loss = -scores.log_softmax(axis=1)[np.arange(n), y].mean()
    loss = loss + reg * ((t["W1"] * t["W1"]).sum() + (t["W2"] * t["W2"]).sum())
    loss.backward()
    np.testing.assert_allclose(loss.item(), loss_ref, **TOL)
    for k in ("W1", "b1", "W2", "b2", "X"):
        assert t[k].grad.shape == p[k].shape, k
        np.testing.assert_allclose(t[k].grad, grads_ref[k], err_msg=k, **TOL)


# -- (d) Andrew Ng's 2-layer net, (n_x, m) layout ----------------------------------------


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def ng_reference(X, Y, W1, b1, W2, b2):
    m = X.shape[1]
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return cost, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


@settings(max_examples=50)
@given(n_x=sizes, n_h=sizes, m=sizes, seed=seeds)
def test_ng_two_layer_net(n_x, n_h, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = rng.integers(0, 2, (1, m)).astype(float)
    p = {"W1": rng.standard_normal((n_h, n_x)), "b1": rng.standard_normal((n_h, 1)) * 0.1,
         "W2": rng.standard_normal((1, n_h)), "b2": rng.standard_normal((1, 1)) * 0.1}
    cost_ref, grads_ref = ng_reference(X, Y, **p)
    t = {k: leaf(v) for k, v in p.items()}
    A1 = (t["W1"] @ X + t["b1"]).tanh()
    A2 = (t["W2"] @ A1 + t["b2"]).sigmoid()
    cost = -(Y * A2.log() + (1 - Y) * (1 - A2).log()).mean()
    cost.backward()
    np.testing.assert_allclose(cost.item(), cost_ref, **TOL)
    for k in p:
        assert t[k].grad.shape == p[k].shape, k
        np.testing.assert_allclose(t[k].grad, grads_ref[k], err_msg=k, **TOL)


# -- (e) logistic regression, vectorized -----------------------------------------------------


def logistic_reference(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dz = A - Y
    dw = np.dot(X, dz.T) / m
    db = np.sum(dz) / m
    return cost, dw, db


@settings(max_examples=50)
@given(n_x=sizes, m=sizes, seed=seeds, bias_shape=st.sampled_from([(), (1, 1)]))
def test_logistic_regression_vectorized(n_x, m, seed, bias_shape):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = rng.integers(0, 2, (1, m)).astype(float)
    w_np = rng.standard_normal((n_x, 1))
    b_np = rng.standard_normal(bias_shape)
    cost_ref, dw_ref, db_ref = logistic_reference(w_np, b_np, X, Y)
    w, b = leaf(w_np), leaf(b_np)
    A = (w.T @ X + b).sigmoid()
    cost = -(Y * A.log() + (1 - Y) * (1 - A).log()).mean()
    cost.backward()
    np.testing.assert_allclose(cost.item(), cost_ref, **TOL)
    np.testing.assert_allclose(w.grad, dw_ref, **TOL)
    assert np.shape(b.grad) == bias_shape
    np.testing.assert_allclose(np.reshape(b.grad, ()), db_ref, **TOL)
