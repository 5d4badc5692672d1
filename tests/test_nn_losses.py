"""Losses against plain-numpy references (values and gradients), and their stability."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(0)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _grad(loss_fn, scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    s = Tensor(scores, requires_grad=True)
    loss = loss_fn(s, y)
    loss.backward()
    return loss.item(), s.grad


def test_bce_matches_the_textbook_formula_and_gradient():
    z, y = RNG.standard_normal(50) * 3, RNG.integers(0, 2, 50)
    loss, grad = _grad(nn.binary_cross_entropy_with_logits, z, y)
    a = _sigmoid(z)
    assert loss == pytest.approx(np.mean(-y * np.log(a) - (1 - y) * np.log(1 - a)), rel=1e-12)
    np.testing.assert_allclose(grad, (a - y) / len(z), rtol=1e-10, atol=1e-15)  # dz = a - y


def test_bce_gradient_at_zero_logits_is_sigmoid_minus_y():
    """A zero-initialized logistic regression starts at z = 0 exactly: the kink of max(z, 0)."""
    y = np.array([0, 1, 1, 0])
    _, grad = _grad(nn.binary_cross_entropy_with_logits, np.zeros(4), y)
    np.testing.assert_allclose(grad, (0.5 - y) / 4)


def test_bce_is_finite_and_exact_for_huge_logits():
    z, y = np.array([800.0, -800.0, 800.0, -800.0]), np.array([1, 0, 0, 1])
    loss, grad = _grad(nn.binary_cross_entropy_with_logits, z, y)
    assert loss == pytest.approx((0 + 0 + 800 + 800) / 4)
    np.testing.assert_allclose(grad, np.array([0, 0, 1, -1]) / 4)


def test_softmax_cross_entropy_matches_numpy_and_its_gradient_is_p_minus_onehot():
    scores, y = RNG.standard_normal((20, 5)) * 2, RNG.integers(0, 5, 20)
    loss, grad = _grad(nn.softmax_cross_entropy, scores, y)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.log(p[np.arange(20), y]).mean(), rel=1e-12)
    onehot = np.eye(5)[y]
    np.testing.assert_allclose(grad, (p - onehot) / 20, atol=1e-14)


def test_softmax_cross_entropy_is_stable_for_huge_scores():
    scores = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]])
    loss, grad = _grad(nn.softmax_cross_entropy, scores, np.array([0, 2]))
    assert loss == pytest.approx((0 + 1000) / 2)
    assert np.isfinite(grad).all()


def _svm_naive(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """cs231n's svm_loss_naive on scores: loops, Δ = 1, mean over samples."""
    n, c = scores.shape
    loss, dscores = 0.0, np.zeros_like(scores)
    for i in range(n):
        for j in range(c):
            if j == y[i]:
                continue
            margin = scores[i, j] - scores[i, y[i]] + 1
            if margin > 0:
                loss += margin
                dscores[i, j] += 1
                dscores[i, y[i]] -= 1
    return loss / n, dscores / n


def test_multiclass_svm_matches_cs231n_naive_loops():
    scores, y = RNG.standard_normal((30, 4)), RNG.integers(0, 4, 30)
    loss, grad = _grad(nn.multiclass_svm, scores, y)
    ref_loss, ref_grad = _svm_naive(scores, y)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, atol=1e-14)


def test_multiclass_svm_is_zero_when_every_margin_is_met():
    scores = np.array([[5.0, 1.0, 0.0], [0.0, 0.0, 3.0]])
    assert nn.multiclass_svm(Tensor(scores), np.array([0, 2])).item() == 0.0


def test_l2_regularization_is_reg_times_sum_of_squares_without_a_half():
    w1 = Tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    w2 = Tensor(RNG.standard_normal((4, 2)), requires_grad=True)
    loss = nn.l2_regularization([w1, w2], 0.1)
    assert loss.item() == pytest.approx(0.1 * ((w1.data**2).sum() + (w2.data**2).sum()))
    loss.backward()
    np.testing.assert_allclose(w1.grad, 2 * 0.1 * w1.data)
    assert nn.l2_regularization([w1], 0.0) == 0.0


@pytest.mark.parametrize("loss_fn,shape,classes", [
    (nn.binary_cross_entropy_with_logits, (8,), 2),
    (nn.softmax_cross_entropy, (8, 3), 3),
    (nn.multiclass_svm, (8, 3), 3),
])
def test_losses_pass_gradcheck(loss_fn, shape, classes):
    rng = np.random.default_rng(1)
    scores = Tensor(rng.standard_normal(shape) * 2, requires_grad=True)
    y = rng.integers(0, classes, shape[0])
    assert gradcheck(lambda s: loss_fn(s, y), [scores])
