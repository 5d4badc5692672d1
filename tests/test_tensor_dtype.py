"""dtypes: float32 stays float32 through every gate (data and grad), ints and bools become
float64, a given ``dtype`` wins, and every node's grad has its data's dtype."""

from __future__ import annotations

import numpy as np
import pytest
from graph_walk import graph_nodes
from hypothesis import given, settings
from hypothesis import strategies as st
from tensor_strategies import arrays, broadcastable_pairs, shapes

from autograd import Tensor, maximum, minimum


def assert_grad_dtypes(root):
    for node in graph_nodes(root):
        if node.requires_grad:
            assert node.grad is not None
            assert node.grad.dtype == node.data.dtype, (node, node.grad.dtype)
            assert node.grad.shape == node.data.shape


F32_GATES = {
    "mul_int": lambda x: x * 2,
    "rmul_float": lambda x: 2.5 * x,
    "add_int": lambda x: x + 1,
    "radd_float": lambda x: 0.5 + x,
    "sub": lambda x: x - 3,
    "rsub_int": lambda x: 2 - x,
    "div": lambda x: x / 3,
    "rdiv": lambda x: 3 / x,
    "pow_int": lambda x: x**2,
    "pow_float": lambda x: x**0.5,
    "pow_negative": lambda x: x**-2,
    "rpow": lambda x: 2**x,
    "pow_tensor": lambda x: x**x,
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "relu": lambda x: x.relu(),
    "abs": lambda x: abs(x),
    "maximum_number": lambda x: maximum(x, 0.5),
    "minimum_number": lambda x: minimum(0.5, x),
    "maximum_tensor": lambda x: maximum(x, x.T.T * 0.5),
    "matmul": lambda x: x @ x.T,
    "matmul_1d": lambda x: x[0] @ x[1],
    "sum": lambda x: x.sum(),
    "sum_axis": lambda x: x.sum(axis=0, keepdims=True),
    "mean": lambda x: x.mean(),
    "mean_axis": lambda x: x.mean(axis=-1),
    "max": lambda x: x.max(),
    "max_axis": lambda x: x.max(axis=1),
    "reshape": lambda x: x.reshape(3, 2),
    "transpose": lambda x: x.transpose(1, 0),
    "T": lambda x: x.T,
    "slice": lambda x: x[:, 1:],
    "int_index": lambda x: x[1],
    "array_index": lambda x: x[[0, 0, 1]],
    "scores_index": lambda x: x[np.arange(2), np.array([2, 0])],
    "log_softmax": lambda x: x.log_softmax(),
    "softmax": lambda x: x.softmax(axis=0),
    "clip": lambda x: x.clip(0.2, 0.8),
    "int_array_operand": lambda x: x + np.array([1, 2, 3]),
    "bool_array_operand": lambda x: x * np.array([True, False, True]),
    "rint_array_operand": lambda x: np.array([1, 2, 3]) - x,
}


@pytest.mark.parametrize("name", list(F32_GATES))
def test_float32_stays_float32(name):
    a = np.array([[0.1, 0.4, 0.7], [0.9, 0.3, 0.6]], dtype=np.float32)
    x = Tensor(a, requires_grad=True)
    out = F32_GATES[name](x)
    assert out.dtype == np.float32, out.dtype
    assert out.data.dtype == np.float32
    (out.sum() if out.ndim else out).backward()
    assert x.grad.dtype == np.float32
    assert x.grad.shape == a.shape
    assert_grad_dtypes(out)


@settings(max_examples=50)
@given(data=st.data())
def test_float32_chain_random_shapes(data):
    sa, sb, _ = data.draw(broadcastable_pairs())
    a = data.draw(arrays(sa)).astype(np.float32)
    b = data.draw(arrays(sb)).astype(np.float32)
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    z = ((x * y + 1).tanh() - (y / 2).sigmoid() * 3 + abs(x) ** 2).exp()
    out = z.mean() + z.sum() * 0.5
    assert out.dtype == np.float32
    out.backward()
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float32
    assert_grad_dtypes(out)


def test_float32_with_float64_array_promotes_but_grads_keep_each_dtype():
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    w = Tensor(np.full(3, 2.0), requires_grad=True)  # float64
    out = x * w
    assert out.dtype == np.float64  # numpy's promotion
    out.sum().backward()
    assert x.grad.dtype == np.float32
    assert w.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    assert_grad_dtypes(out)


def test_float32_backward_with_float64_seed():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = x * 3
    y.backward(np.array([1.0, 0.5]))  # float64 seed
    assert y.grad.dtype == np.float32
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [3.0, 1.5])


@pytest.mark.parametrize("data", [
    [1, 2, 3],
    np.array([1, 2, 3], dtype=np.int32),
    np.array([[1, 2]], dtype=np.int64),
    np.array([1, 2], dtype=np.uint8),
    7,
    [True, False],
    np.array([True, False, True]),
    True,
])
def test_int_and_bool_become_float64(data):
    t = Tensor(data)
    assert t.dtype == np.float64
    assert t.data.dtype == np.float64
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float64))


def test_int_tensor_gradients_are_float64():
    x = Tensor([1, 2, 3], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])


def test_python_floats_become_float64():
    assert Tensor([0.5, 1.5]).dtype == np.float64
    assert Tensor(2.5).dtype == np.float64


@pytest.mark.parametrize("data,dtype,expected", [
    ([1, 2], np.float32, np.float32),
    ([1.5, 2.5], "float32", np.float32),
    (np.array([1.0, 2.0], dtype=np.float32), np.float64, np.float64),
    (np.array([1.0, 2.0]), np.float32, np.float32),
    (np.array([1, 2]), np.float32, np.float32),
    ([True, False], np.float32, np.float32),
])
def test_dtype_argument_wins(data, dtype, expected):
    t = Tensor(data, requires_grad=True, dtype=dtype)
    assert t.dtype == expected
    (t * 2).sum().backward()
    assert t.grad.dtype == expected


@settings(max_examples=50)
@given(shape=shapes(), data=st.data())
def test_grad_dtype_matches_data_dtype_float64(shape, data):
    a = data.draw(arrays(shape))
    x = Tensor(a, requires_grad=True)
    out = ((x * 2).sigmoid() + x.tanh() ** 2).sum()
    out.backward()
    assert_grad_dtypes(out)
    assert x.grad.dtype == np.float64
