"""Invariants of Tensor graphs: inputs never mutated, gradients never aliased, repeated
backward accumulates into leaves only, every node gets a gradient, graphs are freed."""

from __future__ import annotations

import gc
import itertools
import tracemalloc

import numpy as np
import pytest
from graph_walk import graph_nodes
from hypothesis import given, settings
from hypothesis import strategies as st
from tensor_strategies import arrays, broadcastable_pairs, positive_arrays, shapes

from autograd import Tensor, grad, maximum


def assert_no_aliasing(root, extra_arrays=()):
    """No .grad shares memory with another .grad, with any .data, or with ``extra_arrays``
    (operands and seeds the caller owns)."""
    nodes = graph_nodes(root)
    grads = [n.grad for n in nodes if n.grad is not None]
    for g1, g2 in itertools.combinations(grads, 2):
        assert not np.shares_memory(g1, g2), "two gradients share memory"
    for g in grads:
        for n in nodes:
            assert not np.shares_memory(g, n.data), f"a gradient aliases the data of {n!r}"
        for arr in extra_arrays:
            assert not np.shares_memory(g, arr), "a gradient aliases a caller's array"


def assert_every_node_has_grad(root):
    for n in graph_nodes(root):
        if n.requires_grad:
            assert n.grad is not None, f"{n!r} has no gradient"
            assert isinstance(n.grad, np.ndarray)
            assert n.grad.shape == n.data.shape
            assert n.grad.dtype == n.data.dtype


# Graphs over three leaves a (shape s), b (shape s), c (shape s); each returns an output
# and the numpy operands it used.
def _graphs():
    k = np.array(1.5)

    def add_same(a, b, c):
        return a + b, ()

    def sub_same(a, b, c):
        return a - b, ()

    def add_chain(a, b, c):
        return (a + b) + c, ()

    def reshape(a, b, c):
        return a.reshape(-1), ()

    def reshape_add(a, b, c):
        return (a + b).reshape(-1) * 1.0, ()

    def transpose(a, b, c):
        return a.T, ()

    def transpose_add(a, b, c):
        return (a + b).transpose() + c.T, ()

    def slicing(a, b, c):
        return (a + b)[...], ()

    def slicing_part(a, b, c):
        return a.reshape(-1)[1:] if a.size > 1 else a.reshape(-1)[:], ()

    def full_index(a, b, c):
        return a[:] if a.ndim else a[...], ()

    def same_leaf_twice(a, b, c):
        return a + a, ()

    def mul_shared(a, b, c):
        z = a + b
        return z * z + z, ()

    def with_operand(a, b, c):
        arr = np.full(a.shape, 2.0)
        return a * arr + arr - b / (arr + 1.0), (arr,)

    def with_scalar_array(a, b, c):
        return (a * k).reshape(-1).sum() + b.sum(), (k,)

    def sums(a, b, c):
        return a.sum() + b.mean() + c.sum(axis=0 if c.ndim else None), ()

    def max_gate(a, b, c):
        return maximum(a, b) + c.max(), ()

    return [add_same, sub_same, add_chain, reshape, reshape_add, transpose, transpose_add,
            slicing, slicing_part, full_index, same_leaf_twice, mul_shared, with_operand,
            with_scalar_array, sums, max_gate]


GRAPHS = _graphs()


@pytest.mark.parametrize("build", GRAPHS, ids=[g.__name__ for g in GRAPHS])
@settings(max_examples=50)
@given(shape=shapes(), data=st.data())
def test_no_mutation_no_aliasing_every_node_has_grad(build, shape, data):
    a_np, b_np, c_np = (data.draw(arrays(shape)) for _ in range(3))
    copies = [x.copy() for x in (a_np, b_np, c_np)]
    a, b, c = (Tensor(x, requires_grad=True) for x in (a_np, b_np, c_np))
    for leaf in (a, b, c):
        assert leaf.grad is None
    out, operands = build(a, b, c)
    operand_copies = [np.array(o, copy=True) for o in operands]
    for n in graph_nodes(out):
        assert n.grad is None  # before backward
    seed = data.draw(arrays(out.shape))
    seed_copy = seed.copy()
    out.backward(seed)
    for x, cp in zip((a_np, b_np, c_np), copies):
        np.testing.assert_array_equal(x, cp)  # forward and backward left inputs alone
    for o, cp in zip(operands, operand_copies):
        np.testing.assert_array_equal(o, cp)
    np.testing.assert_array_equal(seed, seed_copy)
    assert_every_node_has_grad(out)
    assert_no_aliasing(out, extra_arrays=(a_np, b_np, c_np, seed, *operands))
    # a second backward keeps all of it true
    out.backward(seed)
    for x, cp in zip((a_np, b_np, c_np), copies):
        np.testing.assert_array_equal(x, cp)
    assert_no_aliasing(out, extra_arrays=(a_np, b_np, c_np, seed, *operands))


def test_add_passes_gradient_without_aliasing():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones((2, 3)), requires_grad=True)
    out = a + b
    g = np.arange(6.0).reshape(2, 3)
    out.backward(g)
    np.testing.assert_array_equal(a.grad, g)
    np.testing.assert_array_equal(b.grad, g)
    assert not np.shares_memory(a.grad, b.grad)
    assert not np.shares_memory(a.grad, out.grad)
    assert not np.shares_memory(out.grad, g)
    a.grad[0, 0] = 99.0  # writing one gradient changes no other
    assert b.grad[0, 0] == 0.0 and out.grad[0, 0] == 0.0 and g[0, 0] == 0.0


def test_leaf_root_gradient_does_not_alias_seed():
    x = Tensor(np.ones(3), requires_grad=True)
    seed = np.array([1.0, 2.0, 3.0])
    x.backward(seed)
    assert not np.shares_memory(x.grad, seed)
    x.backward(seed)
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(seed, [1.0, 2.0, 3.0])


@settings(max_examples=50)
@given(data=st.data())
def test_broadcast_operands_not_mutated(data):
    sa, sb, _ = data.draw(broadcastable_pairs())
    a_np, b_np = data.draw(arrays(sa)), data.draw(positive_arrays(sb))
    ca, cb = a_np.copy(), b_np.copy()
    a = Tensor(a_np, requires_grad=True)
    out = ((a * b_np + b_np) / b_np - b_np**a).sum()  # b_np is a plain numpy operand
    out.backward()
    out.backward()
    np.testing.assert_array_equal(a_np, ca)
    np.testing.assert_array_equal(b_np, cb)
    assert_no_aliasing(out, extra_arrays=(a_np, b_np))


def test_repeated_backward_accumulates_leaves_recomputes_intermediates():
    x_np = np.array([1.0, -2.0, 3.0])
    x = Tensor(x_np, requires_grad=True)
    z = x * x  # intermediate
    y = (z * 2.0).sum()
    y.backward()
    np.testing.assert_array_equal(z.grad, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(x.grad, 4 * x_np)
    y.backward()
    np.testing.assert_array_equal(z.grad, [2.0, 2.0, 2.0])  # fresh, not 4
    np.testing.assert_array_equal(x.grad, 8 * x_np)  # accumulated
    assert y.grad == 1.0


def test_shared_intermediate_fresh_in_each_backward():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    z = x.exp()
    y1 = (z * 2.0).sum()
    y2 = (z * 3.0).sum()
    y1.backward()
    np.testing.assert_array_equal(z.grad, [2.0, 2.0])
    y2.backward()
    np.testing.assert_array_equal(z.grad, [3.0, 3.0])  # not 5
    np.testing.assert_allclose(x.grad, 5.0 * np.exp([1.0, 2.0]), rtol=1e-15)


def test_repeated_backward_with_different_seeds():
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    w = np.array([[1.0, -1.0], [2.0, 0.5]])
    out = x @ w
    g1 = np.array([[1.0, 0.0], [0.0, 1.0]])
    g2 = np.array([[0.0, 2.0], [1.0, 0.0]])
    out.backward(g1)
    out.backward(g2)
    np.testing.assert_allclose(out.grad, g2)
    np.testing.assert_allclose(x.grad, g1 @ w.T + g2 @ w.T, rtol=1e-15)


def test_grad_none_before_backward_and_shapes_after():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    w = Tensor(np.ones((3, 4)), requires_grad=True)
    h = (x @ w).tanh()
    s = h.mean(axis=0)
    out = s.sum()
    for n in (x, w, h, s, out):
        assert n.grad is None
    out.backward()
    for n in (x, w, h, s, out):
        assert n.grad.shape == n.data.shape
    assert_every_node_has_grad(out)


def test_constant_leaf_gets_no_gradient():
    x = Tensor(np.ones(3), requires_grad=True)
    c = Tensor(np.ones(3))  # requires_grad=False
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, np.ones(3))


def test_grad_function_leaves_dot_grad_untouched():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    (gx,) = grad(y, [x])
    np.testing.assert_array_equal(gx, [2.0, 4.0])
    assert x.grad is None
    y.backward()
    x_before = x.grad.copy()
    grad(y, [x])
    np.testing.assert_array_equal(x.grad, x_before)


# -- memory ------------------------------------------------------------------------------

N = 400  # 400 x 400 float64 = 1.28 MB per array


def _build_and_backward(rng):
    x = Tensor(rng.standard_normal((N, N)), requires_grad=True)
    w = Tensor(rng.standard_normal((N, N)) * 0.05, requires_grad=True)
    h = (x @ w).tanh()
    h2 = (h * 2.0 + x).sigmoid().reshape(N * N).reshape(N, N).T
    out = (h2[::2] ** 2).mean() + maximum(h, 0.0).sum() + h.log_softmax(axis=1)[0, 0]
    out.backward()
    return out, x, w


@pytest.mark.parametrize("keep_leaves", [False, True])
def test_graph_memory_released_without_gc(keep_leaves):
    rng = np.random.default_rng(0)
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        out, x, w = _build_and_backward(rng)
        during, peak = tracemalloc.get_traced_memory()
        one = N * N * 8
        assert peak - base > 10 * one  # tracemalloc sees the arrays: the test can fail
        kept = 0
        if keep_leaves:
            kept = x.data.nbytes + x.grad.nbytes + w.data.nbytes + w.grad.nbytes
            del out
        else:
            del out, x, w
        after, _ = tracemalloc.get_traced_memory()
        assert after - base < kept + one // 4, (
            f"{(after - base - kept) / 1e6:.1f} MB still held after dropping the graph "
            f"(graph took {(during - base) / 1e6:.1f} MB)")
    finally:
        tracemalloc.stop()
        gc.enable()


def test_create_graph_grad_function_memory_released_without_gc():
    rng = np.random.default_rng(1)
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        x = Tensor(rng.standard_normal((N, N)), requires_grad=True)
        y = (x.tanh() * x).sum()
        (gx,) = grad(y, [x], create_graph=True)
        hv = (gx * gx).sum()
        hv.backward()
        _, peak = tracemalloc.get_traced_memory()
        assert peak - base > 5 * N * N * 8
        del x, y, gx, hv
        after, _ = tracemalloc.get_traced_memory()
        assert after - base < N * N * 8 // 4
    finally:
        tracemalloc.stop()
        gc.enable()


# -- 0-d tensors fed by a broadcast: their gradient must stay an array that accumulates ---


def test_zero_d_leaf_broadcast_gradient_accumulates():
    b = Tensor(np.array(2.0), requires_grad=True)  # a scalar bias
    x = Tensor(np.array([0.5, 1.0, -1.0]), requires_grad=True)
    y = (x + b).sum() + (x * 2.0 + b).sum()
    y.backward()
    # dy/db = 3 + 3 (b is broadcast over 3 elements in each term)
    assert isinstance(b.grad, np.ndarray) and b.grad.shape == ()
    assert float(b.grad) == 6.0
    y.backward()
    assert float(b.grad) == 12.0


def test_zero_d_intermediate_with_two_consumers():
    x = Tensor(np.array([0.5, 1.0]), requires_grad=True)
    s = x.sum()  # 0-d
    y = s * 3.0 + (s + x).sum()  # y = 3 s + 2 s + sum(x) = 5 sum(x) + sum(x)
    y.backward()
    assert isinstance(s.grad, np.ndarray)
    assert float(s.grad) == 5.0  # 3 from s*3, 2 from broadcasting s over x
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


def test_zero_d_bias_in_linear_model():
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    w = Tensor(np.array([0.3, -0.2]), requires_grad=True)
    b = Tensor(np.array(0.1), requires_grad=True)
    z = X @ w + b
    loss = (z * z).mean() + (z * 1.0 + b).mean()
    loss.backward()
    zn = X @ w.data + 0.1
    # d/db mean(z^2) = mean(2 z); d/db mean(z + b) = 2
    np.testing.assert_allclose(float(b.grad), np.mean(2 * zn) + 2.0, rtol=1e-12)
    np.testing.assert_allclose(w.grad, X.T @ (2 * zn) / 3 + X.T @ np.ones(3) / 3, rtol=1e-12)
