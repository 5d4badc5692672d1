"""autograd.compile against eager on random graphs: the same loss, the same gradients.

Over several calls with the leaves changing between them, so a replay that read stale data
or kept a stale gradient fails. Value graphs are forced through the vectorized path
(``vectorize=True``): the cost model would run these small graphs eagerly.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor, Value
from autograd.testing import GATE_NAMES, HELPER_GATES, broadcastable_shapes, expressions

STEPS = 3


def _grads(nodes):
    return [None if n.grad is None else np.asarray(n.grad) for n in nodes]


def _assert_same(compiled, eager, c_grads, e_grads, exact_loss=True):
    if exact_loss:
        np.testing.assert_array_equal(compiled.data, eager.data)
    else:  # Value's exp, log, tanh... use math's, the vectorized replay numpy's: an ulp apart;
        # a matrix product adds in its own order
        # (cancellation can make that more in relative terms: compare to the loss's scale)
        np.testing.assert_allclose(compiled.data, eager.data, rtol=1e-13,
                                   atol=1e-13 * max(1.0, abs(float(eager.data))))
    scale = max([float(np.max(np.abs(g), initial=0.0)) for g in e_grads if g is not None]
                + [1e-300])
    for got, want in zip(c_grads, e_grads):
        if want is None:  # a leaf the loss does not reach: no gradient either way
            assert got is None
            continue
        assert got.shape == want.shape and got.dtype == want.dtype
        # gradients add up in another order: a few roundings of the dtype apart
        tol = 1e-12 if want.dtype == np.float64 else 4e-6
        np.testing.assert_allclose(got, want, rtol=0, atol=tol * scale)


# Gates whose float forward (math) and array forward (numpy) may differ in the last bit.
TRANSCENDENTAL = {"exp", "log", "sqrt", "tanh", "sigmoid", "pow", "powc"}


def _exact(expr):
    used = set(expr.gates).union(*(HELPER_GATES.get(g, set()) for g in expr.gates))
    return not used & TRANSCENDENTAL


def _compare(fn, leaves, call_args, nudge, steps=STEPS, exact_loss=True, **options):
    """Compiled and eager, side by side, over ``steps`` calls; ``nudge`` moves the leaves."""
    step = autograd.compile(fn, **options)
    for k in range(steps):
        for n in leaves:
            n.grad = 0.0 if isinstance(n, Value) else None
        got = step(*call_args())
        got.backward()
        c_grads = _grads(leaves)
        for n in leaves:
            n.grad = 0.0 if isinstance(n, Value) else None
        want = fn(*call_args())
        want.backward()
        # A scalar graph's matrix product (sums of products over one index pattern) adds
        # in its own order: the loss is then a few roundings from eager's, not equal.
        exact = exact_loss and not (isinstance(got, Value) and "np.matmul(" in step.source)
        _assert_same(got, want, c_grads, _grads(leaves), exact)
        nudge(k)
    return step


def _nudge_values(leaves):
    def nudge(k):
        for i, n in enumerate(leaves):
            n.data = n.data * 0.9 + 0.05 * ((i + k) % 3 - 1)
    return nudge


@pytest.mark.parametrize("gates", [("add", "mul", "max", "sigmoid"), GATE_NAMES])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_compiled_value_graphs_match_eager(gates, data):
    expr = data.draw(expressions(gates=gates, depth=8))
    leaves = expr.inputs
    exact = _exact(expr)
    # The inputs as arguments, and (second run) captured by the function.
    _compare(expr.fn, leaves, lambda: leaves, _nudge_values(leaves), exact_loss=exact,
             vectorize=True)
    _compare(lambda: expr.fn(*leaves), leaves, lambda: (), _nudge_values(leaves),
             exact_loss=exact, vectorize=True)


@settings(max_examples=30, deadline=None)
@given(expressions(depth=6))
def test_compiled_value_graph_over_a_batch_matches_eager(expr):
    # The same graph on several rows of numbers: wide groups, numbers as live arguments.
    leaves = expr.inputs
    rows = [[0.5 * r - 1.0, 0.25 * r] for r in range(6)]

    def batch(rows):
        total = 0.0
        for a, b in rows:
            total = total + expr.fn(*leaves) * a + b
        return total

    def nudge(k):
        for row in rows:
            row[0] += 0.1 * (k + 1)
    _compare(batch, leaves, lambda: (rows,), nudge, exact_loss=_exact(expr),
             vectorize=True)


def _nudge_tensors(leaves):
    def nudge(k):
        for i, n in enumerate(leaves):
            n.data = (n.data * 0.9 + 0.05 * ((i + k) % 3 - 1)).astype(n.dtype)
    return nudge


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_compiled_tensor_graphs_match_eager(dtype, data):
    expr = data.draw(expressions(depth=6, shape=(2, 3)))
    leaves = [Tensor(x.data.astype(dtype), requires_grad=True) for x in expr.inputs]
    _compare(expr.fn, leaves, lambda: leaves, _nudge_tensors(leaves))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_compiled_random_graphs_with_broadcasting_and_indexing_match_eager(dtype, data):
    # A random graph over every gate, on three leaves of shapes that only broadcast
    # together, the first gathered by an integer array (repeats: a scatter-add back) and
    # the second read backwards through a slice.
    expr = data.draw(expressions(depth=6, shape=(2,)))
    shapes = data.draw(broadcastable_shapes(3, min_dims=1, max_dims=3, max_side=3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    leaves = [Tensor(rng.uniform(-2, 2, shape).astype(dtype), requires_grad=True)
              for shape in shapes]
    n = shapes[0][0]
    gather = np.asarray(data.draw(st.lists(st.integers(-n, n - 1), min_size=n, max_size=n)))

    def fn(a, b, c):
        return expr.fn(a[gather], b[::-1], c)

    _compare(fn, leaves, lambda: leaves, _nudge_tensors(leaves))


RNG = np.random.default_rng(0)


def _tensor_cases():
    """Functions of (leaves, x, y) covering broadcasting, indexing, reductions, matmul."""
    return {
        "broadcast": lambda w, b, x, y: ((x @ w + b).tanh() * b - b / 3.0).sum(),
        "rows_and_columns": lambda w, b, x, y: ((x @ w).T[1:, :] * b[1:].reshape(-1, 1)).mean(),
        "fancy_index": lambda w, b, x, y: ((x @ w)[np.arange(len(y)), y] ** 2).sum(),
        "written_out_softmax": lambda w, b, x, y: _softmax_loss(x @ w + b, y),
        "cross_entropy": lambda w, b, x, y: (x @ w + b).cross_entropy(y) + (w * w).sum(),
        "log_softmax": lambda w, b, x, y: -(x @ w + b).log_softmax(1)[np.arange(len(y)), y].mean(),
        "softmax_max_clip": lambda w, b, x, y: ((x @ w).softmax(0).max(axis=1) +
                                                (x @ w).clip(-0.5, 0.5).sum(axis=1)).sum(),
        "same_node_twice": lambda w, b, x, y: (w * w).sum() + (b * b + b - b).mean() * 2.0,
        "mixed_dtypes": lambda w, b, x, y: (w.astype(np.float64) * 1.5 + b.astype(np.float64)
                                            .reshape(1, -1)).sum(axis=0).sum(),
    }


def _softmax_loss(s, y):
    s = s - s.max(axis=1, keepdims=True)
    lse = s.exp().sum(axis=1).log()
    return (lse - s[np.arange(len(y)), y]).mean()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", sorted(_tensor_cases()))
def test_compiled_tensor_cases_match_eager(case, dtype):
    fn = _tensor_cases()[case]
    w = Tensor(RNG.standard_normal((4, 3)).astype(dtype), requires_grad=True, label="w")
    b = Tensor(RNG.standard_normal(3).astype(dtype), requires_grad=True, label="b")
    batches = [(RNG.standard_normal((5, 4)).astype(dtype), RNG.integers(0, 3, 5))
               for _ in range(STEPS)]
    calls = iter(batches * 2)
    current = {}

    def call_args():
        if "x" not in current:
            current["x"], current["y"] = next(calls)
            current["fresh"] = True
        elif current.pop("fresh", False):
            return (w, b, current["x"], current["y"])
        else:
            current["x"], current["y"] = next(calls)
            current["fresh"] = True
        return (w, b, current["x"], current["y"])

    step = _compare(fn, [w, b], call_args, _nudge_tensors([w, b]))
    assert step.mode == "tensor tape"
    # New batches of the same shape are live inputs: no retrace. Labels no node reads
    # are compared instead (they may steer the graph through Python), so new ones retrace.
    reads_labels = case in {"fancy_index", "written_out_softmax", "cross_entropy",
                            "log_softmax"}
    assert step.traces == (1 if reads_labels else STEPS)
