"""Pins for the audit's edge defects: each test is one reproducer from the audit, with
the answer derived independently (closed form or numpy), not read off gategrad."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Tensor, Value, grad, maximum, minimum, no_grad

# -- numbers at the edges -------------------------------------------------------------------


def test_log_softmax_keeps_precision_at_huge_logits():
    # (x - max) - log Σ exp(x - max): equal logits give -log 3 however large they are
    out = Tensor([[1e16] * 3]).log_softmax(axis=1)
    np.testing.assert_allclose(out.data, [[-math.log(3)] * 3], rtol=1e-15)
    f32 = Tensor(np.array([[1e7, 1e7 + 1, 1e7 + 2]], np.float32)).log_softmax(axis=1)
    exact = np.array([-2, -1, 0]) - math.log(1 + math.exp(-1) + math.exp(-2))
    np.testing.assert_allclose(f32.data, [exact], rtol=1e-6)


def test_a_mask_selects_rather_than_multiplies():
    # relu(0) then sqrt: the upstream gradient is inf, relu's mask must give exactly 0
    x = Value(0.0)
    x.relu().sqrt().backward()
    assert x.grad == 0.0
    t = Tensor([-2.0], requires_grad=True)
    t.clip(-1, 1).sqrt().sum().backward()
    assert t.grad.tolist() == [0.0]
    p = Tensor([5e-324], requires_grad=True)
    (p**0).sum().backward()  # d/dx x**0 is exactly 0, even where x**-1 is inf
    assert p.grad.tolist() == [0.0]


def test_the_zero_derivative_of_x_to_the_0_is_a_constant_at_second_order():
    # R = y² · y**0 with y = x**-2, i.e. x**-4: R'' = 20 x**-6, +inf at x = 0 (the limit
    # from both sides) and 1280 at x = 0.5. x**0's rule gave a 0 connected to g = inf,
    # so the second backward multiplied 0 * inf = nan into the Hessian. (A Value refuses
    # 0 ** -2 before it runs.)
    for x0, want in [(0.0, math.inf), (0.5, 20 * 0.5**-6)]:
        x = Tensor([x0], requires_grad=True)
        y = x ** -2.0
        (g,) = grad((y * y * y ** 0.0).sum(), [x], create_graph=True)
        (h,) = grad(g.sum(), [x])
        assert h.data[0] == pytest.approx(want)


@pytest.mark.parametrize("op", [maximum, minimum])
def test_maximum_and_minimum_pass_nan_to_both_sides(op):
    a, b = Value(1.0), Value(math.nan)
    op(a, b).backward()
    assert (a.grad, b.grad) == (1.0, 1.0)  # nan propagates; neither side "lost"


def test_softmax_with_inf_in_a_row_is_all_nan():
    row = Tensor([[math.inf, 1.0, 1.0]], requires_grad=True)
    assert np.isnan(row.softmax(axis=1).data).all()
    assert np.isnan(row.log_softmax(axis=1).data).all()
    loss = row.cross_entropy([1])
    loss.backward()
    assert math.isnan(loss.item()) and np.isnan(row.grad).all()


def test_derivative_of_power_in_its_exponent_at_zero_base_and_negative_exponent():
    a, b = Tensor([0.0], requires_grad=True), Tensor([-2.5], requires_grad=True)
    (a**b).sum().backward()
    assert b.grad.tolist() == [-math.inf]  # 0**b * log(0) = inf * -inf


def test_infinite_exponent_or_base_is_a_power_not_an_error():
    assert (Value(-math.inf) ** Value(-0.5)).data == 0.0  # IEEE pow, as numpy
    assert (Value(-0.5) ** Value(math.inf)).data == 0.0


def test_the_sign_of_zero_survives_the_power_rule():
    x = Value(-0.0)
    x.sqrt().backward()
    assert x.grad == -math.inf  # 1 / (2 sqrt(-0.0)) = 1 / -0.0
    t = Tensor([-0.0], requires_grad=True)
    (t**-2).sum().backward()
    assert t.grad.tolist() == [math.inf]  # -2 * (-0.0)**-3 = -2 * -inf


def test_abs_gives_nan_no_gradient_and_relu_passes_it():
    # Convention, PyTorch's: abs'(nan) = sgn(nan) = 0 (numpy's sign would say nan), while
    # relu's mask blocks only x <= 0, so relu passes its gradient at nan.
    t = Tensor([math.nan, -2.0, 0.0, 3.0], requires_grad=True)
    abs(t).sum().backward()
    assert t.grad.tolist() == [0.0, -1.0, 0.0, 1.0]
    r = Tensor([math.nan, -1.0, 0.0], requires_grad=True)
    r.relu().sum().backward()
    assert r.grad.tolist() == [1.0, 0.0, 0.0]


def test_softmax_over_an_empty_axis_and_of_a_0d_tensor():
    assert Tensor(np.zeros((2, 0))).softmax(axis=1).shape == (2, 0)
    x = Tensor(3.0, requires_grad=True)
    out = x.log_softmax()
    out.backward()
    assert (out.item(), x.softmax().item(), x.grad.item()) == (0.0, 1.0, 0.0)


# -- bad input: clear errors ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", [int, np.int32, bool])
def test_only_float_tensors_require_grad(dtype):
    with pytest.raises(TypeError, match="only float Tensors can require grad"):
        Tensor([1, 2], dtype=dtype, requires_grad=True)


def test_an_int_cast_is_cut_off_from_the_graph():
    t = Tensor([1.5, 2.5], requires_grad=True)
    assert not t.astype(int).requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        (t.astype(int) * 2.5).sum().backward()


@pytest.mark.parametrize("dtype", ["U3", complex, object])
def test_astype_refuses_what_the_constructor_refuses(dtype):
    with pytest.raises(TypeError, match="bool, int or float"):
        Tensor([1.0]).astype(dtype)


@pytest.mark.parametrize("call, error, words", [
    (lambda t: t.sum(axis=1.5), TypeError, "axis must be an int"),
    (lambda t: t.mean(axis="0"), TypeError, "axis must be an int"),
    (lambda t: t.max(axis=(0, 0)), ValueError, "repeats an axis"),
    (lambda t: t.swapaxes("a", 0), TypeError, "swapaxes: axis1"),
    (lambda t: t.swapaxes(0, 5), ValueError, "swapaxes: axis2 5 is out of range"),
    (lambda t: t.transpose("a"), TypeError, "transpose: axes"),
    (lambda t: t.transpose(0, 0), ValueError, "repeats an axis"),
    (lambda t: t.reshape(1.5, 4), TypeError, "reshape: shape must be ints"),
    (lambda t: t.argmax(axis=(0, 1)), TypeError, "argmax: axis must be an int"),
    (lambda t: t.softmax(axis=1.0), TypeError, "axis must be an int"),
    (lambda t: t.clip("a"), TypeError, "clip: min must be a number"),
])
def test_tensor_methods_name_a_bad_argument(call, error, words):
    with pytest.raises(error, match=words):
        call(Tensor(np.ones((2, 3))))


def test_grad_of_a_number_is_a_type_error():
    with pytest.raises(TypeError, match="output is a float"):
        grad(3.0, [Value(1.0)])


def test_value_of_a_huge_int_names_its_size():
    with pytest.raises(ValueError, match=r"about 10\*\*400"):
        Value(10**400)


def test_no_grad_objects_are_reusable_and_decorate():
    x = Value(2.0)
    off = no_grad()
    for _ in range(2):
        with off:
            with off:  # nested, the same object
                assert (x * x)._gate is None
        assert (x * x)._gate is not None

    @no_grad()
    def f() -> Value:
        return x * 3

    assert f()._gate is None and f()._gate is None and (x * 3)._gate is not None


# -- how the nodes meet Python and numpy ------------------------------------------------------


def test_tensor_truth_and_iteration_follow_numpy():
    assert not Tensor([0.0]) and not Tensor(0.0) and Tensor([[2.0]])
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="0-d"):
        list(Tensor(5.0))
    rows = list(Tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert [r.data.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]


def test_numpy_gives_numbers_or_hands_over():
    t = Tensor([1.0, 2.0])
    assert np.asarray(t).dtype == np.float64 and np.asarray(t).tolist() == [1.0, 2.0]
    assert isinstance(np.array([1.0, 2.0]) * t, Tensor)
    with pytest.raises(TypeError, match="operand must be an int or float, got ndarray"):
        np.array([1.0, 2.0]) + Value(2.0)


def test_value_comparisons_agree_and_hash_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a == 1.0 and a <= 1.0 and a >= 1.0 and not a != 1.0
    assert a == b and len({a, b}) == 2  # equal numbers, two nodes


def test_a_tensor_owns_its_array():
    arr = np.array([1.0, 2.0])
    t = Tensor(arr, requires_grad=True)
    t.data -= 1.0
    assert arr.tolist() == [1.0, 2.0]


# -- writes between forward and backward ------------------------------------------------------


def test_setting_a_value_after_the_forward_pass_is_refused():
    x = Value(1.0, label="x")
    y = x * x.exp()
    x.data = 2.0
    with pytest.raises(RuntimeError, match="Value 'x'.*modified after it was used"):
        y.backward()
    assert x.grad == 0.0  # untouched
    y = x * x.exp()  # a new forward pass at x = 2: d/dx x e^x = 3 e^2
    y.backward()
    assert x.grad == pytest.approx(3 * math.exp(2.0), rel=1e-15)


def test_setting_a_tensor_after_the_forward_pass_is_refused():
    w = Tensor(np.ones((2, 3)), requires_grad=True, label="W")
    loss = (w * w).sum()
    w.data -= 0.5
    with pytest.raises(RuntimeError, match=r"Tensor 'W' of shape \(2, 3\).*modified after"):
        loss.backward()
    assert w.grad is None


def test_an_optimizer_step_before_backward_is_refused():
    from nn.optim import SGD

    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    loss = (w * w).sum()
    SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified after it was used"):
        loss.backward()


def test_cross_entropy_after_its_saved_softmax_is_released_sees_the_write():
    s = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    loss = s.cross_entropy([0])
    loss.backward()  # releases the saved softmax
    s.data = s.data * 2
    with pytest.raises(RuntimeError, match="modified after it was used"):
        loss.backward()


def test_an_intermediate_node_written_is_seen_too():
    x = Value(0.5)
    y = x.exp()
    z = y * 3
    y.data = 7.0  # exp's rule reads its own output: both y and z used the old value
    with pytest.raises(RuntimeError, match="modified after it was used"):
        z.backward()


# -- threads ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_backward_in_several_threads_loses_no_update(kind):
    import sys
    import threading

    leaf = Value(1.0) if kind == "value" else Tensor([1.0], requires_grad=True)
    calls, threads = 2000, 4

    def work() -> None:
        for _ in range(calls):
            (leaf * 1.0 if kind == "value" else (leaf * 1.0).sum()).backward()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        pool = [threading.Thread(target=work) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    got = leaf.grad if kind == "value" else leaf.grad[0]
    assert got == calls * threads
