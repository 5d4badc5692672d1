"""Indexing with repeated integer indices adds up (scatter-add), checked by hand."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tensor_strategies import arrays, shapes

from autograd import Tensor
from autograd.testing import integer_array_indices


def leaf(a) -> Tensor:
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def test_repeated_index_1d():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    out = x[[0, 0, 1]]
    np.testing.assert_array_equal(out.data, [1.0, 1.0, 2.0])
    g = np.array([10.0, 100.0, 1000.0])
    out.backward(g)
    np.testing.assert_array_equal(x.grad, [110.0, 1000.0, 0.0, 0.0])


def test_repeated_index_ones_upstream():
    x = leaf(np.zeros(3))
    x[[0, 0, 1]].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 1.0, 0.0])


def test_repeated_index_with_numpy_array_and_negative_entries():
    x = leaf(np.arange(5.0))
    idx = np.array([4, -1, 0, 4, -5])  # -1 is 4, -5 is 0
    g = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    x[idx].backward(g)
    np.testing.assert_array_equal(x.grad, [3.0 + 5.0, 0.0, 0.0, 0.0, 1.0 + 2.0 + 4.0])


def test_repeated_rows_of_matrix():
    x = leaf(np.arange(6.0).reshape(3, 2))
    out = x[[2, 0, 2, 2]]
    assert out.shape == (4, 2)
    g = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
    out.backward(g)
    expected = np.array([[3.0, 4.0], [0.0, 0.0], [1.0 + 5 + 7, 2.0 + 6 + 8]])
    np.testing.assert_array_equal(x.grad, expected)


def test_repeated_pairs_of_indices():
    x = leaf(np.zeros((2, 3)))
    out = x[[0, 0, 1, 0], [2, 2, 0, 1]]
    g = np.array([1.0, 10.0, 100.0, 1000.0])
    out.backward(g)
    np.testing.assert_array_equal(x.grad, [[0.0, 1000.0, 11.0], [100.0, 0.0, 0.0]])


def test_repeated_index_on_second_axis_with_slice():
    x = leaf(np.zeros((2, 3)))
    out = x[:, [1, 1, 2]]
    assert out.shape == (2, 3)
    g = np.arange(1.0, 7.0).reshape(2, 3)
    out.backward(g)
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0 + 2.0, 3.0], [0.0, 4.0 + 5.0, 6.0]])


def test_repeated_index_used_twice_in_graph_accumulates():
    x = leaf([1.0, 2.0])
    y = x[[0, 0]] * x[[1, 0]]  # [x0*x1, x0*x0]
    y.sum().backward()
    # d/dx0 = x1 + 2*x0 = 4, d/dx1 = x0 = 1
    np.testing.assert_array_equal(x.grad, [4.0, 1.0])


@settings(max_examples=100)
@given(data=st.data())
def test_integer_array_index_matches_loop_scatter(data):
    shape = data.draw(shapes(min_dims=1))
    index = data.draw(integer_array_indices(shape))
    a = data.draw(arrays(shape))
    x = leaf(a)
    out = x[index]
    g = data.draw(arrays(out.shape))
    out.backward(g)
    # hand-built: walk over the positions of the index arrays one at a time
    arrays_part = [i for i in index if isinstance(i, np.ndarray)]
    rest = index[len(arrays_part):]
    expected = np.zeros(shape)
    for k in range(len(arrays_part[0])):
        pos = tuple(int(i[k]) for i in arrays_part)
        expected[pos + rest] += g[k]
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12, atol=1e-12)
