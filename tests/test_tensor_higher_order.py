"""create_graph on Tensors (second derivatives, Hessian-vector products) and gradcheck
on Tensors (it must catch wrong gradients and refuse float32)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tensor_strategies import arrays, positive_arrays, shapes

from autograd import GradcheckError, Tensor, grad, gradcheck
from autograd.gates import Gate


def leaf(a, label="") -> Tensor:
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True, label=label)


def as_array(g) -> np.ndarray:
    return np.asarray(g.data if isinstance(g, Tensor) else g)


# -- second derivatives ------------------------------------------------------------------


@settings(max_examples=50)
@given(shape=shapes(min_dims=0, max_dims=3), data=st.data())
def test_second_derivative_of_cube(shape, data):
    a = data.draw(arrays(shape))
    x = leaf(a)
    y = (x**3).sum()
    (g,) = grad(y, [x], create_graph=True)
    np.testing.assert_allclose(as_array(g), 3 * a**2, rtol=1e-12, atol=1e-12)
    assert x.grad is None  # grad() leaves .grad alone
    (h,) = grad(g.sum(), [x])
    np.testing.assert_allclose(as_array(h), 6 * a, rtol=1e-12, atol=1e-12)
    # the same through backward: the gradient of g.sum() lands in x.grad
    g.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * a, rtol=1e-12, atol=1e-12)


@settings(max_examples=50)
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
def test_second_derivative_of_tanh(shape, data):
    a = data.draw(arrays(shape))
    x = leaf(a)
    (g,) = grad(x.tanh().sum(), [x], create_graph=True)
    t = np.tanh(a)
    np.testing.assert_allclose(as_array(g), 1 - t**2, rtol=1e-12, atol=1e-12)
    (h,) = grad(g.sum(), [x])
    np.testing.assert_allclose(as_array(h), -2 * t * (1 - t**2), rtol=1e-10, atol=1e-12)


def test_backward_create_graph_gives_differentiable_grad():
    a = np.array([0.5, -1.0, 2.0])
    x = leaf(a)
    (x**3).sum().backward(create_graph=True)
    gx = x.grad
    assert hasattr(gx, "backward"), "with create_graph the gradient is a node"
    np.testing.assert_allclose(as_array(gx), 3 * a**2, rtol=1e-12)
    (h,) = grad(gx.sum(), [x])
    np.testing.assert_allclose(as_array(h), 6 * a, rtol=1e-12)


def test_mixed_second_derivative_with_broadcasting():
    x_np = np.array([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]])
    b_np = np.array([0.25, -0.5, 1.0])
    x, b = leaf(x_np), leaf(b_np)
    f = ((x + b) ** 2 * x).sum()
    gx, gb = grad(f, [x, b], create_graph=True)
    s = x_np + b_np
    np.testing.assert_allclose(as_array(gx), s**2 + 2 * s * x_np, rtol=1e-12)
    np.testing.assert_allclose(as_array(gb), (2 * s * x_np).sum(axis=0), rtol=1e-12)
    v = np.array([1.0, -2.0, 0.5])
    # d/dx of sum(gb * v) = d/dx sum_ij 2 (x_ij + b_j) x_ij v_j = (4 x + 2 b) v
    (hx,) = grad((gb * v).sum(), [x])
    np.testing.assert_allclose(as_array(hx), (4 * x_np + 2 * b_np) * v, rtol=1e-12)


def _np_softmax_loss_grad(W, X, y):
    s = X @ W
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return X.T @ p / len(y)


def test_hessian_vector_product_of_softmax_loss():
    rng = np.random.default_rng(3)
    N, D, C = 5, 4, 3
    X, y = rng.standard_normal((N, D)), rng.integers(0, C, N)
    W_np, v = rng.standard_normal((D, C)) * 0.5, rng.standard_normal((D, C))
    W = leaf(W_np)
    loss = -(((X @ W).log_softmax(axis=1))[np.arange(N), y]).mean()
    (g,) = grad(loss, [W], create_graph=True)
    np.testing.assert_allclose(as_array(g), _np_softmax_loss_grad(W_np, X, y),
                               rtol=1e-10, atol=1e-12)
    (hv,) = grad((g * v).sum(), [W])
    eps = 1e-5
    fd = (_np_softmax_loss_grad(W_np + eps * v, X, y)
          - _np_softmax_loss_grad(W_np - eps * v, X, y)) / (2 * eps)
    np.testing.assert_allclose(as_array(hv), fd, rtol=1e-5, atol=1e-8)


def test_hessian_vector_product_with_softmax_gate():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((4, 3))
    onehot = np.eye(3)[[0, 2, 1, 1]]
    W_np, v = rng.standard_normal((3, 3)) * 0.5, rng.standard_normal((3, 3))
    W = leaf(W_np)
    loss = -(onehot * (X @ W).softmax(axis=-1).log()).sum() / 4
    (g,) = grad(loss, [W], create_graph=True)
    (hv,) = grad((g * v).sum(), [W])
    eps = 1e-5
    fd = (_np_softmax_loss_grad(W_np + eps * v, X, onehot.argmax(1))
          - _np_softmax_loss_grad(W_np - eps * v, X, onehot.argmax(1))) / (2 * eps)
    np.testing.assert_allclose(as_array(hv), fd, rtol=1e-5, atol=1e-8)


def _f_many_gates(x, w):
    h = (x @ w).tanh()  # (n, k)
    z = h.reshape(-1).reshape(h.shape).T  # (k, n)
    s = z.sigmoid() * z.exp() + (z * z + 1.0).log() - (z[0:1] ** 2).mean(axis=1, keepdims=True)
    t = s.sum(axis=0) + s.sum(axis=-1).mean() + (s.log_softmax(axis=0)[0] / 2.0)
    return (t * t).sum() + (x.sum(axis=1, keepdims=True) * x).sqrt().sum()


@settings(max_examples=50)
@given(n=st.integers(1, 3), d=st.integers(1, 3), k=st.integers(1, 3), data=st.data())
def test_hessian_vector_product_many_gates(n, d, k, data):
    x_np = data.draw(positive_arrays((n, d), 0.3, 2.0))
    w_np = data.draw(arrays((d, k)))
    vx, vw = data.draw(arrays((n, d))), data.draw(arrays((d, k)))
    x, w = leaf(x_np), leaf(w_np)
    gx, gw = grad(_f_many_gates(x, w), [x, w], create_graph=True)
    hx, hw = grad((gx * vx).sum() + (gw * vw).sum(), [x, w])

    eps = 1e-5
    hi = _grads(x_np + eps * vx, w_np + eps * vw)
    lo = _grads(x_np - eps * vx, w_np - eps * vw)
    np.testing.assert_allclose(as_array(hx), (hi[0] - lo[0]) / (2 * eps), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(as_array(hw), (hi[1] - lo[1]) / (2 * eps), rtol=1e-4, atol=1e-6)


def _grads(xa, wa):
    x, w = leaf(xa), leaf(wa)
    _f_many_gates(x, w).backward()
    return x.grad, w.grad


def test_create_graph_through_max_reduction():
    a = np.array([[0.5, 2.0, -1.0], [3.0, 0.0, 1.0]])
    x = leaf(a)
    m = x.max(axis=1)  # [2.0, 3.0] at (0, 1) and (1, 0)
    (g,) = grad((m**3).sum(), [x], create_graph=True)
    expected = np.zeros_like(a)
    expected[0, 1], expected[1, 0] = 3 * 2.0**2, 3 * 3.0**2
    np.testing.assert_allclose(as_array(g), expected, rtol=1e-12)
    (h,) = grad(g.sum(), [x])
    expected[0, 1], expected[1, 0] = 6 * 2.0, 6 * 3.0
    np.testing.assert_allclose(as_array(h), expected, rtol=1e-12)


def test_create_graph_through_indexing_and_matmul_1d():
    a = np.array([1.0, -2.0, 0.5])
    x = leaf(a)
    y = (x[[0, 0, 2]] ** 2).sum() * (x @ x)  # (2 x0^2 + x2^2) * |x|^2
    (g,) = grad(y, [x], create_graph=True)
    q, n2 = 2 * a[0] ** 2 + a[2] ** 2, a @ a
    dq = np.array([4 * a[0], 0.0, 2 * a[2]])
    np.testing.assert_allclose(as_array(g), dq * n2 + q * 2 * a, rtol=1e-12)
    (h,) = grad(g[1], [x])  # row 1 of the Hessian: d/dx (q * 2 x1) = 2 x1 dq + 2 q e1
    np.testing.assert_allclose(as_array(h), 2 * a[1] * dq + 2 * q * np.eye(3)[1], rtol=1e-12)


# -- gradcheck on Tensors ------------------------------------------------------------------


def _bad_square(mask):
    """x**2 with a wrong rule: 2x plus ``mask`` (zero where the rule is right)."""
    return Gate("bad_square", "sq", None, np.square, (lambda g, out, x: g * 2 * x + g * mask,))


def test_gradcheck_accepts_correct_custom_gate():
    gate = _bad_square(np.zeros((3, 4)))
    x = leaf(np.random.default_rng(0).standard_normal((3, 4)))
    assert gradcheck(lambda t: t._apply(gate), [x]) is True


def test_gradcheck_names_input_and_index_of_wrong_gradient():
    mask = np.zeros((3, 4))
    mask[1, 2] = 1.0
    gate = _bad_square(mask)
    a = np.random.default_rng(1).standard_normal((2, 3))
    b = np.random.default_rng(2).standard_normal((3, 4))
    inputs = [leaf(a), leaf(b)]
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda p, q: (p @ q).sum() + q._apply(gate).sum(), inputs)
    msg = str(info.value)
    assert re.search(r"input 1\b", msg), msg
    assert "(1, 2)" in msg, msg
    analytical = a[:, 1].sum() + 2 * b[1, 2] + 1.0  # d/dq12 of sum(p @ q) is sum_i p_i1
    numerical = a[:, 1].sum() + 2 * b[1, 2]
    values = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", msg)]
    assert any(abs(v - analytical) < 1e-9 for v in values), msg
    assert any(abs(v - numerical) < 1e-6 for v in values), msg
    # the inputs are left as they were
    np.testing.assert_array_equal(inputs[0].data, a)
    np.testing.assert_array_equal(inputs[1].data, b)
    assert inputs[0].grad is None and inputs[1].grad is None


def test_gradcheck_names_labelled_input():
    mask = np.zeros(5)
    mask[3] = 0.5
    gate = _bad_square(mask)
    w = leaf(np.linspace(-1, 1, 5), label="weights")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: t._apply(gate) * 2.0, [w])  # non-scalar output
    msg = str(info.value)
    assert "weights" in msg or "input 0" in msg, msg
    assert "(3,)" in msg, msg


def test_gradcheck_error_is_an_assertion_error():
    gate = _bad_square(np.ones(2))
    with pytest.raises(AssertionError):
        gradcheck(lambda t: t._apply(gate).sum(), [leaf([1.0, 2.0])])


def test_gradcheck_catches_wrong_gradient_in_large_input():
    """Above 512 elements gradcheck samples directions first; a clearly wrong element must
    still be found and named."""
    shape = (30, 20)
    mask = np.zeros(shape)
    mask[7, 11] = 1.0
    gate = _bad_square(mask)
    x = leaf(np.random.default_rng(0).standard_normal(shape))
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: t._apply(gate).sum(), [x])
    assert "(7, 11)" in str(info.value)


def test_gradcheck_default_catches_small_error_in_large_input():
    """An element off by 0.002 (about ten times the element tolerance atol + rtol*|num|,
    here 1.7e-4) must fail with the default settings, whatever the input size: the same
    error is caught on a 100-element input."""
    rng = np.random.default_rng(0)
    for shape in [(10, 10), (30, 20)]:
        mask = np.zeros(shape)
        mask[7, 9] = 0.002
        gate = _bad_square(mask)
        a = rng.standard_normal(shape)
        a[7, 9] = 0.0835  # true gradient 0.167 there
        with pytest.raises(GradcheckError):
            gradcheck(lambda t, gate=gate: t._apply(gate).sum(), [leaf(a)])


@pytest.mark.parametrize("make", [
    lambda: Tensor(np.ones(3, dtype=np.float32), requires_grad=True),
    lambda: Tensor([1.0, 2.0], requires_grad=True, dtype=np.float32),
])
def test_gradcheck_refuses_float32(make):
    x = make()
    with pytest.raises((TypeError, ValueError)) as info:
        gradcheck(lambda t: (t * t).sum(), [x])
    msg = str(info.value)
    assert "float64" in msg and "float32" in msg, msg


def test_gradcheck_refuses_float32_second_input():
    x = leaf([1.0, 2.0])
    y = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    with pytest.raises((TypeError, ValueError)) as info:
        gradcheck(lambda a, b: (a * b).sum(), [x, y])
    assert "float64" in str(info.value)


@pytest.mark.parametrize("shape", [(1,), (1, 1), (1, 1, 1)])
def test_gradcheck_one_element_non_scalar_output(shape):
    """fn returning a one-element array that is not 0-d (e.g. ``x @ w`` with one sample)."""
    x = leaf(np.full(shape, 0.5))
    assert gradcheck(lambda t: t * 2.0, [x]) is True
    assert gradcheck(lambda t: t.tanh(), [leaf(np.full(shape, 0.5))]) is True


def test_gradcheck_one_element_output_detects_error():
    gate = _bad_square(np.ones((1, 1)))
    with pytest.raises(GradcheckError):
        gradcheck(lambda t: t._apply(gate), [leaf([[0.5]])])
