"""Tensor errors: the right exception type, and a message that says what went wrong."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor


def leaf(shape) -> Tensor:
    return Tensor(np.ones(shape), requires_grad=True)


@pytest.mark.parametrize("shape", [(3,), (2, 2), (2, 1, 3), (0,)])
def test_backward_on_non_scalar_needs_gradient_argument(shape):
    y = leaf(shape) * 2.0
    with pytest.raises(RuntimeError, match="(?i)grad"):
        y.backward()
    try:
        y.backward()
    except RuntimeError as e:
        msg = str(e).lower()
        assert "gradient" in msg and "argument" in msg, msg
    assert y._prev[0].grad is None  # nothing was filled


def test_backward_on_one_element_non_0d_needs_no_argument():
    x = leaf((1, 1))
    y = x * 3.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [[3.0]])


@pytest.mark.parametrize("sa,sb", [
    ((2, 3), (4, 5)),
    ((3,), (4,)),
    ((2, 3), (2,)),
    ((5,), (4, 2)),
    ((2, 2, 3), (2, 4, 1)),
    ((3, 2, 4), (2, 5, 3)),
])
def test_matmul_inner_dimension_mismatch_names_both_shapes(sa, sb):
    a, b = leaf(sa), leaf(sb)
    with pytest.raises(ValueError) as info:
        a @ b
    msg = str(info.value)
    assert str(sa) in msg and str(sb) in msg, msg


def test_matmul_mismatch_with_numpy_operand():
    with pytest.raises(ValueError) as info:
        leaf((2, 3)) @ np.ones((4, 2))
    assert "(2, 3)" in str(info.value) and "(4, 2)" in str(info.value)


@pytest.mark.parametrize("out_shape,grad_shape", [
    ((2, 3), (3, 2)),
    ((2, 3), (6,)),
    ((3,), (1, 3)),
    ((3,), ()),
    ((), (1,)),
    ((2, 1), (2, 3)),  # broadcastable to it, but not its shape
])
def test_backward_with_wrong_gradient_shape_names_both_shapes(out_shape, grad_shape):
    y = leaf(out_shape) * 2.0
    with pytest.raises(ValueError) as info:
        y.backward(np.ones(grad_shape))
    msg = str(info.value)
    assert str(out_shape) in msg and str(grad_shape) in msg, msg


def test_backward_accepts_tensor_gradient():
    """A Tensor seed (as in PyTorch) is taken like an array of the same values."""
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = x * 2.0
    y.backward(Tensor(np.array([1.0, 10.0, 100.0])))
    assert isinstance(x.grad, np.ndarray)
    np.testing.assert_array_equal(x.grad, [2.0, 20.0, 200.0])


@pytest.mark.parametrize("data", [
    np.array([object(), object()], dtype=object),
    ["a", "b"],
    "hello",
    np.array(["x", "y"]),
    None,
    {"a": 1},
    [1.0, "2"],
    np.array([b"ab"]),
])
def test_object_and_string_data_raise_type_error(data):
    with pytest.raises(TypeError) as info:
        Tensor(data)
    msg = str(info.value).lower()
    assert "numeric" in msg or "dtype" in msg or "type" in msg, msg


def test_complex_data_raises_type_error():
    with pytest.raises(TypeError):
        Tensor(np.array([1 + 2j]))


@pytest.mark.parametrize("data", [[[1, 2], [3]], [1, [2, 3]], [[1.0], [2.0, 3.0], []]])
def test_ragged_list_raises_value_error(data):
    with pytest.raises(ValueError) as info:
        Tensor(data)
    assert len(str(info.value)) > 10


@pytest.mark.parametrize("shape,target", [
    ((2, 3), (4, 2)),
    ((2, 3), (5,)),
    ((6,), (4, -1)),
    ((2, 3), (-1, -1)),
    ((4,), (3,)),
])
def test_reshape_to_incompatible_shape(shape, target):
    x = leaf(shape)
    with pytest.raises(ValueError) as info:
        x.reshape(target)
    assert str(shape) in str(info.value)
    with pytest.raises(ValueError):
        x.reshape(*target)


@pytest.mark.parametrize("method", ["sum", "mean", "max"])
@pytest.mark.parametrize("shape,axis", [
    ((2, 3), 2),
    ((2, 3), -3),
    ((2, 3), (0, 2)),
    ((2, 3), (-3,)),
    ((4,), 1),
    ((), 1),
    ((2, 2, 2), 5),
])
def test_reduction_axis_out_of_range(method, shape, axis):
    x = leaf(shape)
    with pytest.raises(ValueError) as info:
        getattr(x, method)(axis=axis)
    assert "axis" in str(info.value).lower()


@pytest.mark.parametrize("method", ["log_softmax", "softmax"])
@pytest.mark.parametrize("axis", [2, -3])
def test_softmax_axis_out_of_range(method, axis):
    with pytest.raises(ValueError):
        getattr(leaf((2, 3)), method)(axis=axis)


@pytest.mark.parametrize("axes", [(0, 0), (0, 1, 2), (0,), (0, 2)])
def test_transpose_with_bad_axes(axes):
    with pytest.raises(ValueError):
        leaf((2, 3)).transpose(*axes)


def test_index_out_of_bounds_raises_index_error():
    x = leaf((2, 3))
    with pytest.raises(IndexError):
        x[5]
    with pytest.raises(IndexError):
        x[np.array([0, 3])]
    with pytest.raises(IndexError):
        x[np.array([0.5])]  # float index arrays are not indices


def test_broadcast_mismatch_raises_value_error():
    with pytest.raises(ValueError):
        leaf((2, 3)) + leaf((4,))
    with pytest.raises(ValueError):
        leaf((2, 3)) * np.ones((3, 2))


def test_backward_on_tensor_without_graph():
    with pytest.raises(RuntimeError):
        Tensor(np.ones(())).backward()
