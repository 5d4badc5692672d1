"""Every Tensor gate against central differences (``autograd.gradcheck``, float64) on
random shapes, plus its forward against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import floats
from hypothesis import given, settings
from hypothesis import strategies as st
from tensor_strategies import (
    arrays,
    broadcastable_pairs,
    check_gradients,
    distinct_arrays,
    grid_arrays,
    nonzero_arrays,
    positive_arrays,
    shapes,
    sum_to,
)

from autograd import Tensor, maximum, minimum
from autograd.testing import (
    axis_permutations,
    basic_indices,
    integer_array_indices,
    reduction_axes,
    reshape_targets,
)

GC = settings(max_examples=50)


def leaf(a) -> Tensor:
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def sigmoid_np(a):
    return 1.0 / (1.0 + np.exp(-a))


def away_from_bounds(lo=-1.0, hi=1.0, margin=0.05):
    return floats(-3, 3).filter(lambda v: abs(v - lo) > margin and abs(v - hi) > margin)


# name, Tensor function, numpy forward, strategy of inputs for a shape
UNARY = [
    ("neg", lambda t: -t, lambda a: -a, arrays),
    ("exp", lambda t: t.exp(), np.exp, arrays),
    ("log", lambda t: t.log(), np.log, positive_arrays),
    ("sqrt", lambda t: t.sqrt(), np.sqrt, positive_arrays),
    ("sigmoid", lambda t: t.sigmoid(), sigmoid_np, arrays),
    ("tanh", lambda t: t.tanh(), np.tanh, arrays),
    ("relu", lambda t: t.relu(), lambda a: np.where(a > 0, a, 0.0), nonzero_arrays),
    ("abs", lambda t: abs(t), np.abs, nonzero_arrays),
    ("abs_method", lambda t: t.abs(), np.abs, nonzero_arrays),
    ("pow2", lambda t: t**2, lambda a: a * a, arrays),
    ("pow3", lambda t: t**3, lambda a: a * a * a, arrays),
    ("pow_int_neg", lambda t: t**-1, lambda a: 1.0 / a, lambda s: nonzero_arrays(s, 0.3)),
    ("pow_half", lambda t: t**0.5, np.sqrt, positive_arrays),
    ("pow_neg_frac", lambda t: t**-1.5, lambda a: a**-1.5, positive_arrays),
    ("pow_np_float", lambda t: t ** np.float64(2.5), lambda a: a**2.5, positive_arrays),
    ("rpow", lambda t: 2.0**t, lambda a: 2.0**a, arrays),
    ("mul_number", lambda t: t * 2.5, lambda a: a * 2.5, arrays),
    ("rmul_number", lambda t: -1.5 * t, lambda a: -1.5 * a, arrays),
    ("add_number", lambda t: t + 4, lambda a: a + 4, arrays),
    ("radd_number", lambda t: 4 + t, lambda a: a + 4, arrays),
    ("sub_number", lambda t: t - 1.25, lambda a: a - 1.25, arrays),
    ("rsub_number", lambda t: 2 - t, lambda a: 2 - a, arrays),
    ("div_number", lambda t: t / 4.0, lambda a: a / 4.0, arrays),
    ("rdiv_number", lambda t: 3.0 / t, lambda a: 3.0 / a, lambda s: nonzero_arrays(s, 0.3)),
    ("clip", lambda t: t.clip(-1.0, 1.0), lambda a: np.clip(a, -1, 1),
     lambda s: arrays(s, away_from_bounds())),
    ("clip_min_only", lambda t: t.clip(min=-0.5), lambda a: np.maximum(a, -0.5),
     lambda s: arrays(s, away_from_bounds(-0.5, 10.0))),
    ("clip_max_only", lambda t: t.clip(max=0.5), lambda a: np.minimum(a, 0.5),
     lambda s: arrays(s, away_from_bounds(-10.0, 0.5))),
    ("maximum_number", lambda t: maximum(t, 0.3), lambda a: np.maximum(a, 0.3),
     lambda s: arrays(s, away_from_bounds(0.3, 10.0))),
    ("minimum_number", lambda t: minimum(0.3, t), lambda a: np.minimum(a, 0.3),
     lambda s: arrays(s, away_from_bounds(0.3, 10.0))),
]


@pytest.mark.parametrize("name,fn,ref,elements", UNARY, ids=[u[0] for u in UNARY])
@GC
@given(data=st.data())
def test_unary_gate_gradcheck(name, fn, ref, elements, data):
    a = data.draw(elements(data.draw(shapes())))
    x = leaf(a)
    out = fn(x)
    assert out.shape == a.shape
    np.testing.assert_allclose(out.data, ref(a), rtol=1e-12, atol=1e-12)
    assert check_gradients(fn, [x])
    np.testing.assert_array_equal(x.data, a)  # gradcheck restored the input


# name, Tensor function, numpy forward, (d/da, d/db) in numpy, strategies for a and b
def _pow_grads(a, b):
    return b * a ** (b - 1), a**b * np.log(a)


BINARY = [
    ("add", lambda a, b: a + b, np.add, lambda a, b: (np.ones_like(a + b),) * 2,
     arrays, arrays),
    ("sub", lambda a, b: a - b, np.subtract,
     lambda a, b: (np.ones_like(a + b), -np.ones_like(a + b)), arrays, arrays),
    ("mul", lambda a, b: a * b, np.multiply, lambda a, b: (b + 0 * a, a + 0 * b),
     arrays, arrays),
    ("div", lambda a, b: a / b, np.divide, lambda a, b: (1 / b + 0 * a, -a / b**2),
     arrays, lambda s: nonzero_arrays(s, 0.3)),
    ("pow", lambda a, b: a**b, np.power, _pow_grads,
     lambda s: positive_arrays(s, 0.3, 3.0), lambda s: arrays(s, floats(-2, 2))),
    ("maximum", maximum, np.maximum,
     lambda a, b: ((a > b) + 0.0 * b, (b > a) + 0.0 * a),
     lambda s: grid_arrays(s, 0.0), lambda s: grid_arrays(s, 0.25)),
    ("minimum", minimum, np.minimum,
     lambda a, b: ((a < b) + 0.0 * b, (b < a) + 0.0 * a),
     lambda s: grid_arrays(s, 0.0), lambda s: grid_arrays(s, 0.25)),
]


@pytest.mark.parametrize("name,fn,ref,dref,ea,eb", BINARY, ids=[b[0] for b in BINARY])
@settings(max_examples=60)
@given(data=st.data())
def test_binary_gate_broadcasting(name, fn, ref, dref, ea, eb, data):
    sa, sb, so = data.draw(broadcastable_pairs())
    a_np, b_np = data.draw(ea(sa)), data.draw(eb(sb))
    g = data.draw(arrays(so))
    a, b = leaf(a_np), leaf(b_np)
    out = fn(a, b)
    assert out.shape == so
    np.testing.assert_allclose(out.data, ref(a_np, b_np), rtol=1e-12, atol=1e-12)
    out.backward(g)
    # each input gets a gradient of its own shape: the broadcast undone
    assert a.grad.shape == sa and b.grad.shape == sb
    da, db = dref(a_np, b_np)
    np.testing.assert_allclose(a.grad, sum_to(g * da, sa), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(b.grad, sum_to(g * db, sb), rtol=1e-9, atol=1e-9)
    assert check_gradients(fn, [leaf(a_np), leaf(b_np)])


@pytest.mark.parametrize("name,fn,ref,dref,ea,eb", BINARY[:5], ids=[b[0] for b in BINARY[:5]])
@settings(max_examples=50)
@given(data=st.data())
def test_binary_gate_with_numpy_operand(name, fn, ref, dref, ea, eb, data):
    """A plain array on either side is a constant: only the Tensor side gets a gradient."""
    sa, sb, so = data.draw(broadcastable_pairs())
    a_np, b_np = data.draw(ea(sa)), data.draw(eb(sb))
    a = leaf(a_np)
    assert check_gradients(lambda t: fn(t, b_np), [a])
    b = leaf(b_np)
    out = fn(a_np, b)
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(out.data, ref(a_np, b_np), rtol=1e-12, atol=1e-12)
    assert check_gradients(lambda t: fn(a_np, t), [b])


# -- matmul ----------------------------------------------------------------------------

MATMUL_CASES = {
    "2d@2d": lambda B, n, k, m: ((n, k), (k, m)),
    "1d@2d": lambda B, n, k, m: ((k,), (k, m)),
    "2d@1d": lambda B, n, k, m: ((n, k), (k,)),
    "1d@1d": lambda B, n, k, m: ((k,), (k,)),
    "3d@3d": lambda B, n, k, m: ((B, n, k), (B, k, m)),
    "3d@3d_broadcast_batch": lambda B, n, k, m: ((1, n, k), (B, k, m)),
    "3d@2d": lambda B, n, k, m: ((B, n, k), (k, m)),
    "2d@3d": lambda B, n, k, m: ((n, k), (B, k, m)),
    "3d@1d": lambda B, n, k, m: ((B, n, k), (k,)),
    "1d@3d": lambda B, n, k, m: ((k,), (B, k, m)),
    "4d@3d": lambda B, n, k, m: ((2, 1, n, k), (B, k, m)),
}


@pytest.mark.parametrize("case", list(MATMUL_CASES))
@GC
@given(dims=st.tuples(*[st.integers(1, 4)] * 4), data=st.data())
def test_matmul_gradcheck(case, dims, data):
    sa, sb = MATMUL_CASES[case](*dims)
    a_np, b_np = data.draw(arrays(sa)), data.draw(arrays(sb))
    a, b = leaf(a_np), leaf(b_np)
    out = a @ b
    expected = np.matmul(a_np, b_np)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert check_gradients(lambda x, y: x @ y, [a, b])


@settings(max_examples=50)
@given(dims=st.tuples(*[st.integers(1, 4)] * 3), data=st.data())
def test_matmul_with_array_on_either_side(dims, data):
    n, k, m = dims
    a_np, b_np = data.draw(arrays((n, k))), data.draw(arrays((k, m)))
    b = leaf(b_np)
    out = a_np @ b  # numpy defers to Tensor.__rmatmul__
    assert isinstance(out, Tensor)
    g = data.draw(arrays((n, m)))
    out.backward(g)
    np.testing.assert_allclose(b.grad, a_np.T @ g, rtol=1e-12, atol=1e-12)
    a = leaf(a_np)
    (a @ b_np).backward(g)
    np.testing.assert_allclose(a.grad, g @ b_np.T, rtol=1e-12, atol=1e-12)


# -- reductions ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["sum", "mean"])
@settings(max_examples=60)
@given(data=st.data(), keepdims=st.booleans())
def test_sum_mean_gradcheck(method, data, keepdims):
    shape = data.draw(shapes())
    axis = data.draw(reduction_axes(len(shape)))
    a = data.draw(arrays(shape))
    x = leaf(a)
    out = getattr(x, method)(axis=axis, keepdims=keepdims)
    expected = getattr(np, method)(a, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert check_gradients(lambda t: getattr(t, method)(axis=axis, keepdims=keepdims), [x])


@settings(max_examples=60)
@given(data=st.data(), keepdims=st.booleans())
def test_max_reduction_gradcheck(data, keepdims):
    shape = data.draw(shapes())
    axis = data.draw(reduction_axes(len(shape)))
    a = data.draw(distinct_arrays(shape))
    x = leaf(a)
    out = x.max(axis=axis, keepdims=keepdims)
    expected = np.max(a, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_array_equal(out.data, expected)
    assert check_gradients(lambda t: t.max(axis=axis, keepdims=keepdims), [x])


def test_sum_mean_max_gradients_by_hand():
    a = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    g_rows = np.array([10.0, 20.0])
    x = leaf(a)
    x.sum(axis=1).backward(g_rows)
    np.testing.assert_array_equal(x.grad, [[10, 10, 10], [20, 20, 20]])
    x = leaf(a)
    x.mean(axis=-1, keepdims=True).backward(g_rows[:, None])
    np.testing.assert_allclose(x.grad, [[10 / 3] * 3, [20 / 3] * 3], rtol=1e-15)
    x = leaf(a)
    x.max(axis=1).backward(g_rows)
    np.testing.assert_array_equal(x.grad, [[0, 10, 0], [20, 0, 0]])
    x = leaf(a)
    x.max(axis=(0, 1)).backward()
    np.testing.assert_array_equal(x.grad, [[0, 0, 0], [1, 0, 0]])


def test_max_reduction_splits_ties_evenly():
    x = leaf([[2.0, 2.0, 1.0], [0.0, 3.0, 3.0]])
    x.max(axis=1).backward(np.array([1.0, 4.0]))
    np.testing.assert_array_equal(x.grad, [[0.5, 0.5, 0.0], [0.0, 2.0, 2.0]])
    y = leaf([1.0, 3.0, 3.0, 3.0])
    y.max().backward()
    np.testing.assert_allclose(y.grad, [0.0, 1 / 3, 1 / 3, 1 / 3], rtol=1e-15)


# -- shapes ----------------------------------------------------------------------------


@GC
@given(data=st.data())
def test_reshape_gradcheck(data):
    shape = data.draw(shapes())
    target = data.draw(reshape_targets(shape))
    a = data.draw(arrays(shape))
    x = leaf(a)
    out = x.reshape(target)
    assert out.shape == a.reshape(target).shape
    assert x.reshape(*target).shape == out.shape  # reshape(*shape) and reshape(shape)
    assert check_gradients(lambda t: t.reshape(target), [x])
    g = data.draw(arrays(out.shape))
    x2 = leaf(a)
    x2.reshape(target).backward(g)
    np.testing.assert_array_equal(x2.grad, g.reshape(shape))


@GC
@given(data=st.data())
def test_transpose_gradcheck(data):
    shape = data.draw(shapes(min_dims=1))
    perm = data.draw(st.permutations(list(range(len(shape)))))
    a = data.draw(arrays(shape))
    x = leaf(a)
    out = x.transpose(*perm)
    np.testing.assert_array_equal(out.data, np.transpose(a, perm))
    assert check_gradients(lambda t: t.transpose(*perm), [x])
    assert check_gradients(lambda t: t.transpose(tuple(perm)), [leaf(a)])
    g = data.draw(arrays(out.shape))
    x2 = leaf(a)
    x2.transpose(*perm).backward(g)
    np.testing.assert_array_equal(x2.grad, np.transpose(g, np.argsort(perm)))


@GC
@given(data=st.data())
def test_transpose_negative_axes_gradient(data):
    """``transpose`` accepts negative axes (as numpy does); the gradient must undo the
    same permutation."""
    shape = data.draw(shapes(min_dims=1))
    perm = data.draw(axis_permutations(len(shape)))
    a = data.draw(arrays(shape))
    g = data.draw(arrays(np.transpose(a, perm).shape))
    x = leaf(a)
    out = x.transpose(*perm)
    np.testing.assert_array_equal(out.data, np.transpose(a, perm))
    out.backward(g)
    positive = [p % len(shape) for p in perm]
    assert x.grad.shape == a.shape
    np.testing.assert_array_equal(x.grad, np.transpose(g, np.argsort(positive)))


def test_transpose_negative_axes_by_hand():
    # (0, -1) on a matrix is the identity permutation: the gradient must be g itself.
    x = leaf(np.arange(9.0).reshape(3, 3))
    g = np.arange(9.0).reshape(3, 3) * 10
    x.transpose(0, -1).backward(g)
    np.testing.assert_array_equal(x.grad, g)


@GC
@given(data=st.data())
def test_transpose_without_axes_and_T(data):
    shape = data.draw(shapes())
    a = data.draw(arrays(shape))
    x = leaf(a)
    np.testing.assert_array_equal(x.T.data, a.T)
    np.testing.assert_array_equal(x.transpose().data, a.T)
    assert check_gradients(lambda t: t.T, [x])
    assert check_gradients(lambda t: t.transpose(), [leaf(a)])
    g = data.draw(arrays(a.T.shape))
    x2 = leaf(a)
    x2.T.backward(g)
    np.testing.assert_array_equal(x2.grad, g.T)


@settings(max_examples=50)
@given(data=st.data())
def test_swapaxes_gradcheck(data):
    shape = data.draw(shapes(min_dims=2))
    nd = len(shape)
    i, j = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))
    a = data.draw(arrays(shape))
    x = leaf(a)
    np.testing.assert_array_equal(x.swapaxes(i, j).data, np.swapaxes(a, i, j))
    assert check_gradients(lambda t: t.swapaxes(i, j), [x])


# -- indexing --------------------------------------------------------------------------


@GC
@given(data=st.data())
def test_basic_indexing_gradcheck(data):
    shape = data.draw(shapes(min_dims=1))
    index = data.draw(basic_indices(shape))
    a = data.draw(arrays(shape))
    x = leaf(a)
    out = x[index]
    np.testing.assert_array_equal(out.data, a[index])
    assert check_gradients(lambda t: t[index], [x])
    # by hand: the upstream gradient lands where the elements came from, zeros elsewhere
    g = data.draw(arrays(np.shape(a[index])))
    x2 = leaf(a)
    x2[index].backward(g)
    expected = np.zeros(shape)
    expected[index] = g
    np.testing.assert_array_equal(x2.grad, expected)


@GC
@given(data=st.data())
def test_integer_array_indexing_gradcheck(data):
    shape = data.draw(shapes(min_dims=1))
    index = data.draw(integer_array_indices(shape))
    a = data.draw(arrays(shape))
    x = leaf(a)
    out = x[index]
    np.testing.assert_array_equal(out.data, a[index])
    assert check_gradients(lambda t: t[index], [x])


def test_index_with_none_ellipsis_and_negative_int():
    a = np.arange(24.0).reshape(2, 3, 4)
    for index in [(Ellipsis, 0), (None, slice(None), 1), (-1,), (slice(None), -2, None),
                  (0, Ellipsis, slice(1, None))]:
        assert check_gradients(lambda t, index=index: t[index], [leaf(a)]), index


def test_boolean_mask_indexing():
    a = np.array([[0.5, -1.0, 2.0], [3.0, -0.25, 1.5]])
    mask = a > 0
    x = leaf(a)
    out = x[mask]
    np.testing.assert_array_equal(out.data, a[mask])
    g = np.array([1.0, 2.0, 3.0, 4.0])
    out.backward(g)
    np.testing.assert_array_equal(x.grad, [[1.0, 0.0, 2.0], [3.0, 0.0, 4.0]])
    assert check_gradients(lambda t: t[mask], [leaf(a)])


@GC
@given(n=st.integers(1, 4), c=st.integers(1, 4), data=st.data())
def test_scores_arange_y_indexing(n, c, data):
    scores = data.draw(arrays((n, c)))
    y = np.asarray(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    x = leaf(scores)
    out = x[np.arange(n), y]
    np.testing.assert_array_equal(out.data, [scores[i, y[i]] for i in range(n)])
    g = data.draw(arrays((n,)))
    out.backward(g)
    expected = np.zeros((n, c))
    for i in range(n):
        expected[i, y[i]] = g[i]
    np.testing.assert_array_equal(x.grad, expected)
    assert check_gradients(lambda t: t[np.arange(n), y], [leaf(scores)])


# -- softmax ---------------------------------------------------------------------------


def _np_log_softmax(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return a - m - np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


@pytest.mark.parametrize("method", ["log_softmax", "softmax"])
@GC
@given(data=st.data())
def test_softmax_gradcheck(method, data):
    shape = data.draw(shapes(min_dims=1))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = data.draw(arrays(shape))
    x = leaf(a)
    out = getattr(x, method)(axis=axis)
    ls = _np_log_softmax(a, axis)
    np.testing.assert_allclose(out.data, ls if method == "log_softmax" else np.exp(ls),
                               rtol=1e-12, atol=1e-12)
    assert check_gradients(lambda t: getattr(t, method)(axis=axis), [x])


def test_log_softmax_default_axis_is_last_and_stable():
    a = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    x = leaf(a)
    out = x.log_softmax()
    np.testing.assert_allclose(out.data, _np_log_softmax(a, -1), rtol=1e-12, atol=1e-12)
    assert np.all(np.isfinite(out.data))
    out.sum().backward()
    # d/dx sum_j log_softmax_j = 1 - C * softmax
    np.testing.assert_allclose(x.grad, 1 - 3 * np.exp(_np_log_softmax(a, -1)), atol=1e-12)


# -- chains of gates -------------------------------------------------------------------


@settings(max_examples=50)
@given(data=st.data())
def test_composite_expression_gradcheck(data):
    sa, sb, _ = data.draw(broadcastable_pairs(max_dims=3))
    a, b = data.draw(arrays(sa)), data.draw(positive_arrays(sb))

    def f(x, y):
        z = (x * y).tanh() + (y.log() - x).sigmoid() * x.exp() / (1 + y**2)
        return (z * z).sum() + z.mean()

    assert check_gradients(f, [leaf(a), leaf(b)])


# -- edge semantics from the contract ------------------------------------------------------


def test_relu_at_zero_has_zero_gradient():
    x = leaf([0.0, 1.5, -2.0])
    x.relu().backward(np.array([7.0, 7.0, 7.0]))
    np.testing.assert_array_equal(x.grad, [0.0, 7.0, 0.0])


def test_maximum_minimum_ties_split_evenly():
    x, y = leaf([1.0, 2.0, 5.0]), leaf([1.0, 3.0, 5.0])
    maximum(x, y).backward(np.array([4.0, 4.0, 2.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 1.0])
    np.testing.assert_array_equal(y.grad, [2.0, 4.0, 1.0])
    x, y = leaf([1.0, 2.0]), leaf([1.0, 0.0])
    minimum(x, y).backward(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad, [0.5, 0.0])
    np.testing.assert_array_equal(y.grad, [0.5, 1.0])
    # a tie with a broadcast number
    z = leaf([[0.0, 1.0], [-1.0, 0.0]])
    maximum(z, 0.0).sum().backward()
    np.testing.assert_array_equal(z.grad, [[0.5, 1.0], [0.0, 0.5]])


def test_sigmoid_stable_for_large_inputs():
    a = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    x = leaf(a)
    s = x.sigmoid()
    assert np.all(np.isfinite(s.data))
    np.testing.assert_allclose(s.data, [0.0, np.exp(-40.0), 0.5, 1.0, 1.0], rtol=1e-12,
                               atol=0)
    s.sum().backward()
    assert np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad[2], 0.25, rtol=1e-15)
    assert x.grad[0] == 0.0 and x.grad[4] == 0.0


def test_pow_zero_exponent_at_zero_base_has_zero_gradient():
    """x ** 0 is the constant 1 (numpy: 0.0 ** 0 == 1), so its derivative is 0 everywhere,
    at x == 0 too (as in PyTorch) -- not 0 * inf = nan."""
    x = leaf([0.0, 2.0, -3.0])
    y = x**0
    np.testing.assert_array_equal(y.data, [1.0, 1.0, 1.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


def test_long_chain_forward_backward_no_recursion_limit():
    x = leaf(0.5)
    y = x
    n = 100_000
    for i in range(n):
        y = y * 1.0 if i % 2 else y + 1.0
    y.backward()
    assert y.item() == 0.5 + n // 2
    assert x.grad == 1.0
    del y  # freeing the chain must not overflow the stack either
