"""Edge cases a review of the engine found, each pinned by its reproduction."""

import math

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, gate, grad, gradcheck, maximum, minimum


def test_a_leaf_whose_grad_is_a_graph_still_accumulates():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x**3).sum()
    y.backward(create_graph=True)  # x.grad = 3x², a node
    x.grad.sum().backward()  # adds d(sum 3x²)/dx = 6x into it
    np.testing.assert_allclose(x.grad.data, 3 * np.array([1, 4]) + 6 * np.array([1, 2]))
    x.grad = None
    y.backward(create_graph=True)
    y.backward()  # a plain backward adds 3x² again
    np.testing.assert_allclose(x.grad.data, 2 * 3 * np.array([1.0, 4.0]))


def test_grad_takes_one_node_as_well_as_a_list():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (gx,) = grad((x * x).sum(), x)
    np.testing.assert_array_equal(gx, [2.0, 4.0, 6.0])


def test_grad_and_gradcheck_refuse_inputs_that_need_no_gradient():
    a, b = Tensor(np.ones(2)), Tensor(np.ones(2) * 2, requires_grad=True)
    with pytest.raises(ValueError, match=r"inputs\[0\] does not require grad"):
        grad((a * b).sum(), [a, b])
    with pytest.raises(ValueError, match=r"inputs\[0\] does not require grad"):
        gradcheck(lambda a, b: (a * b).sum(), [a, b])


def test_create_graph_gradients_are_distinct_nodes_in_each_tensors_dtype():
    x, w = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    y = x + w
    y.sum().backward(create_graph=True)
    grads = [x.grad, w.grad, y.grad]
    assert len({id(g) for g in grads}) == 3
    for g1 in grads:
        for g2 in grads:
            assert g1 is g2 or not np.shares_memory(g1.data, g2.data)
    x32 = Tensor(np.ones(2, np.float32), requires_grad=True)
    (x32 * np.array([1.0, 2.0])).sum().backward(create_graph=True)
    assert x32.grad.dtype == np.float32
    np.testing.assert_array_equal(x32.grad.data, [1.0, 2.0])


def test_second_order_pow_at_zero_base_and_zero_exponent_is_zero_not_nan():
    x, y = Tensor([0.0], requires_grad=True), Tensor([0.0], requires_grad=True)
    (gx,) = grad((x**y).sum(), [x], create_graph=True)
    np.testing.assert_array_equal(gx.data, [0.0])


def test_value_seed_without_create_graph_keeps_float_grads():
    a = Value(2.0)
    (a * a).backward(Value(3.0))
    assert type(a.grad) is float and a.grad == 12.0


def test_mean_over_an_empty_axis_has_an_empty_gradient():
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    x.mean(axis=0).sum().backward()
    assert x.grad.shape == (0, 3)


def test_an_integer_tensor_does_not_truncate_float_operands():
    x = Tensor([1, 2], dtype=int)
    np.testing.assert_array_equal((x * 2.5).data, [2.5, 5.0])
    np.testing.assert_array_equal((x + 0.5).data, [1.5, 2.5])
    assert (x * 2).dtype.kind == "i"


def test_a_custom_rule_with_a_wrong_shape_is_an_error_naming_both_shapes():
    @gate(derivatives=[lambda g, out, x: np.float64(2.0)])
    def twice_wrong(x):
        return 2 * x

    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"shape \(\) for an input of shape \(3,\)"):
        twice_wrong(x).sum().backward()


def test_clip_with_numpy_scalar_bounds_keeps_float32():
    x32 = Tensor(np.linspace(-1, 1, 5, dtype=np.float32), requires_grad=True)
    assert x32.clip(np.float64(0), np.float64(0.5)).dtype == np.float32


def test_swapaxes_out_of_range_and_an_empty_index():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"swapaxes: axis2 5 is out of range.*\(2, 3\)"):
        x.swapaxes(0, 5)
    assert x[[]].shape == (0, 3)


def test_negative_base_error_names_plain_numbers():
    with pytest.raises(ValueError, match=r"negative base -8.0 to the non-integer power 0.5 "
                                         r"\(at index \(0,\)\)"):
        Tensor([-8.0, 4.0]) ** Tensor([0.5, 0.5])


@pytest.mark.parametrize("fn", [maximum, minimum])
def test_scalar_max_and_min_propagate_nan_like_the_tensor_gates(fn):
    assert math.isnan(fn(Value(math.nan), Value(1.0)).data)
    assert math.isnan(fn(Value(1.0), Value(math.nan)).data)
    assert np.isnan(fn(Tensor([math.nan]), Tensor([1.0])).data).all()


# -- nn ------------------------------------------------------------------------------------

def test_linear_copies_the_initial_weights_and_checks_their_shape():
    W0 = np.full((2, 4), 0.1)
    model = nn.TwoLayerNet(2, 4, 3, init=lambda s, r: W0 if s == (2, 4) else np.full(s, 0.1))
    X, y = np.random.default_rng(0).standard_normal((10, 2)), np.arange(10) % 3
    model.fit(X, y, epochs=5, lr=0.5, verbose=False)
    np.testing.assert_array_equal(W0, np.full((2, 4), 0.1))
    S = np.ones((3, 3))
    shared = nn.TwoLayerNet(3, 3, 3, init=lambda s, r: S)
    assert not np.shares_memory(shared.fc1.weight.data, shared.fc2.weight.data)
    with pytest.raises(ValueError, match=r"shape \(5,\), expected \(2, 3\)"):
        nn.Linear(2, 3, init=lambda s, r: np.zeros(5))


def test_fit_never_returns_with_non_finite_weights():
    X = np.random.default_rng(0).standard_normal((8, 2))
    y = (X[:, 0] > 0).astype(int)
    model = nn.LogisticRegression(2)  # the one step's loss is finite; its update is not
    X = X * 1e300
    with pytest.raises(nn.NonFiniteLossError, match="non-finite"):
        model.fit(X, y, epochs=1, lr=1e300, verbose=False)


def test_fit_accepts_numpy_float_reg():
    X, y = np.random.default_rng(0).standard_normal((8, 2)), np.array([0, 1] * 4)
    nn.LogisticRegression(2).fit(X, y, epochs=2, lr=0.1, reg=np.float32(1e-3), verbose=False)


@pytest.mark.parametrize("a, b, why", [
    ((2, 3, 4), (5, 4, 6), r"batch dimensions \(2,\) and \(5,\) do not broadcast"),
    ((2, 3), (4, 5), "inner dimensions 3 and 4 differ"),
    ((3,), (4,), "inner dimensions 3 and 4 differ"),
])
def test_matmul_errors_name_both_shapes_and_which_dimensions_clash(a, b, why):
    with pytest.raises(ValueError, match=rf"shapes \({a[0]}.*and \({b[0]}.*: {why}"):
        Tensor(np.ones(a)) @ Tensor(np.ones(b))
