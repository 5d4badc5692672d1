"""A trace assumes which arguments are the same object: a call that differs retraces."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value


def _product(x, y):
    return (x * y).sum()


@pytest.mark.parametrize("vectorize", [None, True, False])
def test_one_value_at_two_positions_then_two_values(vectorize):
    step = autograd.compile(lambda x, y: x * y + x, vectorize=vectorize)
    p, q = Value(2.0), Value(3.0)
    step(p, p)
    loss = step(p, q)
    loss.backward()
    assert loss.data == 2.0 * 3.0 + 2.0
    assert (p.grad, q.grad) == (3.0 + 1.0, 2.0)  # d/dp (p q + p), d/dq


def test_one_tensor_at_two_positions_then_two_tensors_and_back():
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal(3), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    step = autograd.compile(_product)
    step(a, a)
    loss = step(a, b)
    loss.backward()
    assert float(loss.data) == pytest.approx(float(a.data @ b.data))
    np.testing.assert_allclose(a.grad, b.data)
    np.testing.assert_allclose(b.grad, a.data)
    a.grad = b.grad = None
    loss = step(a, a)  # the first trace fits again
    loss.backward()
    np.testing.assert_allclose(a.grad, 2 * a.data)
    assert step.traces == 2


def test_one_array_at_two_positions_then_two_arrays():
    w = Tensor(np.ones(3), requires_grad=True)
    step = autograd.compile(lambda x, y: (w * x * y).sum())
    u, v = np.arange(3.0), np.full(3, 2.0)
    step(u, u)
    assert float(step(u, v).data) == float(u @ v)


@pytest.mark.parametrize("make", [lambda d: Value(d[0]), lambda d: Tensor(d, requires_grad=True)])
def test_a_captured_leaf_passed_as_the_argument_then_another_leaf(make):
    W, other = make(np.array([2.0])), make(np.array([5.0]))

    def f(x):
        return (x * W).sum() if isinstance(x, Tensor) else x * W
    step = autograd.compile(f)
    step(W)
    loss = step(other)
    loss.backward()
    assert float(np.sum(loss.data)) == 10.0
    assert float(np.sum(W.grad)) == 5.0
    assert float(np.sum(other.grad)) == 2.0
    W.grad = other.grad = 0.0 if isinstance(W, Value) else None
    loss = step(W)  # the first trace fits again: W * W
    loss.backward()
    assert float(np.sum(loss.data)) == 4.0
    assert float(np.sum(W.grad)) == 4.0


def test_a_trace_keeps_no_argument_data_alive():
    import gc
    import weakref
    w = Tensor(np.ones(3), requires_grad=True)
    step = autograd.compile(lambda x: (w * x).sum())
    x = np.arange(3.0)  # a batch: the step must not pin it
    gone = weakref.ref(x)
    step(x)
    del x
    gc.collect()
    assert gone() is None
    assert float(step(np.ones(3)).data) == 3.0
