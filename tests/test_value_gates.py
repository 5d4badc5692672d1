"""Each scalar gate on its own: forward value and local derivative against closed forms.

Every gate is run with an upstream gradient ``up`` that is not 1 (``backward(grad=up)``),
so each check is ``down_diff == local_diff * up_diff`` with ``local_diff`` written here
from calculus (sech², 1/(4 cosh²(x/2)), b·aᵇ/a, aᵇ ln a, ...), not from the gate table.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import floats
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, maximum, minimum

UP = floats(-3.0, 3.0)  # the upstream gradient
ANY = floats(-20.0, 20.0)
NONZERO = st.one_of(floats(0.05, 20.0), floats(-20.0, -0.05))
POSITIVE = floats(1e-3, 50.0)


def near(got: float, want: float, scale: float = 1.0) -> bool:
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-14 * max(1.0, abs(scale)))


def run(fn, *xs: float, up: float):
    """Build fn on fresh leaves, backward with upstream ``up``; (out, leaf grads)."""
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    out.backward(grad=up)
    return out, [leaf.grad for leaf in leaves]


# -- binary arithmetic -----------------------------------------------------------------


@given(ANY, ANY, UP)
def test_add_passes_upstream_to_both(a, b, up):
    out, (da, db) = run(lambda x, y: x + y, a, b, up=up)
    assert out.data == a + b
    assert da == up and db == up


@given(ANY, ANY, UP)
def test_sub_passes_upstream_and_its_negation(a, b, up):
    out, (da, db) = run(lambda x, y: x - y, a, b, up=up)
    assert out.data == a - b
    assert da == up and db == -up


@given(ANY, ANY, UP)
def test_mul_swaps_the_inputs(a, b, up):
    out, (da, db) = run(lambda x, y: x * y, a, b, up=up)
    assert out.data == a * b
    assert near(da, b * up) and near(db, a * up)


@given(ANY, NONZERO, UP)
def test_div_local_derivatives(a, b, up):
    out, (da, db) = run(lambda x, y: x / y, a, b, up=up)
    assert near(out.data, a / b)
    assert near(da, up / b, up / b)
    assert near(db, -up * a / (b * b), up * a / (b * b))


# -- powers ----------------------------------------------------------------------------


@given(floats(-5.0, 5.0), st.sampled_from([1, 2, 3, 4, 5]), UP)
def test_pow_integer_constant_any_base(x, c, up):
    out, (dx,) = run(lambda v: v**c, x, up=up)
    assert near(out.data, x**c, x**c)
    want = up * c * x ** (c - 1)  # d/dx x**c = c x**(c-1)
    assert near(dx, want, want)


@given(st.one_of(floats(0.1, 5.0), floats(-5.0, -0.1)), st.sampled_from([-1, -2, -3]), UP)
def test_pow_negative_integer_constant_negative_base(x, c, up):
    out, (dx,) = run(lambda v: v**c, x, up=up)
    assert near(out.data, x**c, x**c)
    want = up * c * x**c / x
    assert math.isclose(dx, want, rel_tol=1e-11, abs_tol=1e-12)


@given(floats(0.01, 20.0), floats(-3.0, 3.0), UP)
def test_pow_real_constant_positive_base(x, c, up):
    out, (dx,) = run(lambda v: v**c, x, up=up)
    assert math.isclose(out.data, math.pow(x, c), rel_tol=1e-12)
    want = up * c * math.pow(x, c) / x  # c x**(c-1)
    assert math.isclose(dx, want, rel_tol=1e-11, abs_tol=1e-13)


@given(floats(0.01, 10.0), floats(-3.0, 3.0), UP)
def test_pow_value_exponent_both_derivatives(a, b, up):
    out, (da, db) = run(lambda x, y: x**y, a, b, up=up)
    p = math.pow(a, b)
    assert math.isclose(out.data, p, rel_tol=1e-12)
    assert math.isclose(da, up * b * p / a, rel_tol=1e-11, abs_tol=1e-13)  # b a**(b-1)
    assert math.isclose(db, up * p * math.log(a), rel_tol=1e-11, abs_tol=1e-13)  # a**b ln a


@given(st.sampled_from([0.5, 2.0, 3.0, 10.0]), floats(-5.0, 5.0), UP)
def test_number_to_the_power_of_a_value(c, x, up):
    out, (dx,) = run(lambda v: c**v, x, up=up)
    p = math.pow(c, x)
    assert math.isclose(out.data, p, rel_tol=1e-12)
    assert math.isclose(dx, up * p * math.log(c), rel_tol=1e-11, abs_tol=1e-13)


@given(floats(-5.0, 5.0), UP)
def test_pow_at_integer_exponent_of_negative_base_is_real(x, up):
    """A negative base with an integral float exponent is fine: (-2)**2.0 = 4."""
    out, (dx,) = run(lambda v: (v - 10.0) ** 2.0, x, up=up)
    assert near(out.data, (x - 10.0) ** 2, 100)
    assert near(dx, up * 2 * (x - 10.0), 20 * up)


# -- unary gates -----------------------------------------------------------------------


@given(ANY, UP)
def test_neg(x, up):
    out, (dx,) = run(lambda v: -v, x, up=up)
    assert out.data == -x and dx == -up


@given(floats(-50.0, 50.0), UP)
def test_exp_derivative_is_itself(x, up):
    out, (dx,) = run(lambda v: v.exp(), x, up=up)
    assert math.isclose(out.data, math.exp(x), rel_tol=1e-14)
    assert math.isclose(dx, up * math.exp(x), rel_tol=1e-14, abs_tol=1e-300)


@given(POSITIVE, UP)
def test_log_derivative_is_reciprocal(x, up):
    out, (dx,) = run(lambda v: v.log(), x, up=up)
    assert math.isclose(out.data, math.log(x), rel_tol=1e-14, abs_tol=1e-15)
    assert near(dx, up / x, up / x)


@given(POSITIVE, UP)
def test_sqrt_derivative(x, up):
    out, (dx,) = run(lambda v: v.sqrt(), x, up=up)
    assert near(out.data, math.sqrt(x), x)
    assert math.isclose(dx, up * 0.5 * x**-0.5, rel_tol=1e-12)


@given(ANY, UP)
def test_tanh_derivative_is_sech_squared(x, up):
    out, (dx,) = run(lambda v: v.tanh(), x, up=up)
    e = math.expm1(-2 * abs(x))  # tanh|x| = -(e^-2|x| - 1) / (e^-2|x| + 1)
    assert math.isclose(out.data, math.copysign(-e / (e + 2), x), rel_tol=1e-12)
    sech2 = 1.0 / math.cosh(x) ** 2  # = 1 - tanh² x
    assert math.isclose(dx, up * sech2, rel_tol=1e-9, abs_tol=1e-14)
    assert math.isclose(dx, up * (1 - out.data**2), rel_tol=1e-9, abs_tol=1e-14)


@given(floats(-40.0, 40.0), UP)
def test_sigmoid_derivative_is_s_times_one_minus_s(x, up):
    out, (dx,) = run(lambda v: v.sigmoid(), x, up=up)
    s = 0.5 * (1 + math.tanh(x / 2))  # an independent form of 1 / (1 + e^-x)
    assert math.isclose(out.data, s, rel_tol=1e-12, abs_tol=1e-16)
    want = 1.0 / (4 * math.cosh(x / 2) ** 2)  # = s (1 - s)
    assert math.isclose(dx, up * want, rel_tol=1e-9, abs_tol=1e-15)


@given(NONZERO, UP)
def test_relu_away_from_zero(x, up):
    out, (dx,) = run(lambda v: v.relu(), x, up=up)
    assert out.data == (x if x > 0 else 0.0)
    assert dx == (up if x > 0 else 0.0)


@given(NONZERO, UP)
def test_abs_away_from_zero(x, up):
    out, (dx,) = run(abs, x, up=up)
    assert out.data == math.fabs(x)
    assert dx == up * math.copysign(1.0, x)


@given(ANY, ANY, UP)
def test_maximum_routes_everything_to_the_larger(a, b, up):
    out, (da, db) = run(maximum, a, b, up=up)
    assert out.data == max(a, b)
    if a > b:
        assert (da, db) == (up, 0.0)
    elif b > a:
        assert (da, db) == (0.0, up)
    else:
        assert (da, db) == (up / 2, up / 2)


@given(ANY, ANY, UP)
def test_minimum_routes_everything_to_the_smaller(a, b, up):
    out, (da, db) = run(minimum, a, b, up=up)
    assert out.data == min(a, b)
    if a < b:
        assert (da, db) == (up, 0.0)
    elif b < a:
        assert (da, db) == (0.0, up)
    else:
        assert (da, db) == (up / 2, up / 2)


# -- ties and kinks, on purpose --------------------------------------------------------


@pytest.mark.parametrize("zero", [0.0, -0.0, 0])
def test_relu_at_exactly_zero_has_gradient_zero(zero):
    x = Value(zero)
    y = x.relu()
    y.backward(grad=2.5)
    assert y.data == 0.0
    assert x.grad == 0.0


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_abs_at_exactly_zero_has_gradient_zero(zero):
    x = Value(zero)
    y = abs(x)
    y.backward(grad=2.5)
    assert y.data == 0.0
    assert x.grad == 0.0


@pytest.mark.parametrize("gate", [maximum, minimum])
@pytest.mark.parametrize("t", [0.0, 1.5, -3.25])
def test_tie_splits_the_gradient_evenly(gate, t):
    a, b = Value(t), Value(t)
    out = gate(a, b)
    out.backward(grad=2.5)
    assert out.data == t
    assert a.grad == 1.25 and b.grad == 1.25


@pytest.mark.parametrize("gate", [maximum, minimum])
def test_tie_with_a_number_gives_the_value_half(gate):
    x = Value(2.0)
    gate(x, 2.0).backward()
    assert x.grad == 0.5
    y = Value(2.0)
    gate(2, y).backward()
    assert y.grad == 0.5


@pytest.mark.parametrize("gate", [maximum, minimum])
def test_gate_of_a_node_with_itself_passes_the_whole_gradient(gate):
    x = Value(0.75)
    gate(x, x).backward(grad=3.0)
    assert x.grad == 3.0  # half + half: d/dx max(x, x) = d/dx x = 1


@pytest.mark.parametrize("gate", [maximum, minimum])
@pytest.mark.parametrize("up", [5e-324, 2.5e-310])
def test_max_and_min_route_a_subnormal_upstream_gradient_exactly(gate, up):
    """Without a tie the winner gets exactly up_diff (PyTorch: exactly); halving it first
    and adding the halves back loses subnormal gradients (5e-324 * 0.5 rounds to 0)."""
    a, b = Value(1.0), Value(-1.0)
    gate(a, b).backward(grad=up)
    winner, loser = (a, b) if gate is maximum else (b, a)
    assert winner.grad == up
    assert loser.grad == 0.0


def test_max_routes_the_full_gradient_to_the_larger_inside_a_graph():
    a, b = Value(4.0), Value(-1.0)
    out = maximum(a, b) * 3.0
    out.backward()
    assert (a.grad, b.grad) == (3.0, 0.0)
    c, d = Value(-4.0), Value(-1.0)
    (minimum(c, d) * 3.0).backward()
    assert (c.grad, d.grad) == (3.0, 0.0)


# -- derivatives at the edge of the domain (PyTorch: 0 and inf, never an exception) -----


def test_zero_power_of_zero_has_gradient_zero():
    """x**0 is 1 for every x, so d/dx = 0, also at x = 0 (as PyTorch gives)."""
    x = Value(0.0)
    y = x**0
    assert y.data == 1.0
    y.backward()
    assert x.grad == 0.0


@pytest.mark.parametrize(
    "fn",
    [lambda v: v.sqrt(), lambda v: v**0.5, lambda v: v ** Value(0.5)],
    ids=["sqrt", "pow_const_half", "pow_value_half"],
)
def test_square_root_gradient_at_zero_is_inf(fn):
    """The forward accepts 0 (sqrt(0) = 0); the derivative 1/(2 sqrt x) is +inf there.

    PyTorch gives inf; the engine must not stop half-way with ZeroDivisionError.
    """
    x = Value(0.0)
    y = fn(x)
    assert y.data == 0.0
    y.backward()
    assert x.grad == math.inf


@pytest.mark.parametrize("c", [1.0, 1.5, 2.0, 3.0])
def test_power_at_least_one_of_zero_has_a_finite_gradient(c):
    x = Value(0.0)
    (x**c).backward()
    assert x.grad == (1.0 if c == 1.0 else 0.0)


def test_zero_base_value_exponent_gradients():
    a, b = Value(0.0), Value(2.0)
    (a**b).backward()
    assert a.grad == 0.0  # 2 * 0**1
    assert b.grad == 0.0  # limit of a**b ln a as a -> 0+


# -- operators with numbers on either side ---------------------------------------------

OPERATORS = [
    # (name, build, data(x), d/dx)
    ("2+v", lambda v: 2 + v, lambda x: 2 + x, lambda x: 1.0),
    ("v+2", lambda v: v + 2, lambda x: x + 2, lambda x: 1.0),
    ("2.5+v", lambda v: 2.5 + v, lambda x: 2.5 + x, lambda x: 1.0),
    ("2-v", lambda v: 2 - v, lambda x: 2 - x, lambda x: -1.0),
    ("v-2", lambda v: v - 2, lambda x: x - 2, lambda x: 1.0),
    ("2*v", lambda v: 2 * v, lambda x: 2 * x, lambda x: 2.0),
    ("v*2", lambda v: v * 2, lambda x: x * 2, lambda x: 2.0),
    ("2/v", lambda v: 2 / v, lambda x: 2 / x, lambda x: -2 / x**2),
    ("v/2", lambda v: v / 2, lambda x: x / 2, lambda x: 0.5),
    ("2**v", lambda v: 2**v, lambda x: 2**x, lambda x: 2**x * math.log(2)),
    ("v**2", lambda v: v**2, lambda x: x**2, lambda x: 2 * x),
    ("v**-1", lambda v: v**-1, lambda x: 1 / x, lambda x: -1 / x**2),
    ("-v", lambda v: -v, lambda x: -x, lambda x: -1.0),
    ("+v", lambda v: +v, lambda x: x, lambda x: 1.0),
    ("abs(v)", lambda v: abs(v), lambda x: abs(x), lambda x: math.copysign(1.0, x)),
    ("f64*v", lambda v: np.float64(2) * v, lambda x: 2 * x, lambda x: 2.0),
    ("f32-v", lambda v: np.float32(2) - v, lambda x: 2 - x, lambda x: -1.0),
    ("i64/v", lambda v: np.int64(2) / v, lambda x: 2 / x, lambda x: -2 / x**2),
    ("v+True", lambda v: v + True, lambda x: x + 1, lambda x: 1.0),
]


@pytest.mark.parametrize(
    "build, data, deriv", [op[1:] for op in OPERATORS], ids=[op[0] for op in OPERATORS]
)
@settings(max_examples=50)
@given(x=st.one_of(floats(0.1, 6.0), floats(-6.0, -0.1)), up=UP)
def test_operator_with_a_number(build, data, deriv, x, up):
    v = Value(x)
    out = build(v)
    assert type(out) is Value
    assert type(out.data) is float
    assert math.isclose(out.data, data(x), rel_tol=1e-12)
    out.backward(grad=up)
    assert math.isclose(v.grad, up * deriv(x), rel_tol=1e-11, abs_tol=1e-14)


def test_operators_between_values_record_both_inputs():
    a, b = Value(3.0), Value(-2.0)
    for out in (a + b, a - b, a * b, a / b, a ** Value(2.0), maximum(a, b), minimum(a, b)):
        assert len(out._prev) == 2
        assert out._prev[0] is a or out._prev[1] is a


# -- sigmoid is numerically stable ------------------------------------------------------


@pytest.mark.parametrize("x", [-1000.0, -800.0, -746.0, -710.0, -1e308])
def test_sigmoid_of_very_negative_input(x):
    v = Value(x)
    s = v.sigmoid()  # no OverflowError
    assert 0.0 <= s.data < 1e-300
    s.backward()
    assert math.isfinite(v.grad) and 0.0 <= v.grad < 1e-300


@pytest.mark.parametrize("x", [1000.0, 800.0, 710.0, 40.0, 1e308])
def test_sigmoid_of_very_positive_input(x):
    v = Value(x)
    s = v.sigmoid()
    assert s.data == 1.0
    s.backward()
    assert math.isfinite(v.grad) and 0.0 <= v.grad < 1e-15


@pytest.mark.parametrize("x", [-50.0, -100.0, -300.0, -700.0])
def test_sigmoid_keeps_relative_precision_in_the_left_tail(x):
    """s(x) = e^x / (1 + e^x) ~ e^x: 1 / (1 + e^-x) would be fine too, 1 - s(-x) is not."""
    v = Value(x)
    s = v.sigmoid()
    want = math.exp(x) / (1 + math.exp(x))
    assert math.isclose(s.data, want, rel_tol=1e-12)
    s.backward()
    assert math.isclose(v.grad, want * (1 - want), rel_tol=1e-12)


@given(floats(-1000.0, 1000.0))
def test_sigmoid_is_in_the_unit_interval_and_symmetric(x):
    s = Value(x).sigmoid().data
    t = Value(-x).sigmoid().data
    assert 0.0 <= s <= 1.0
    assert math.isclose(s + t, 1.0, rel_tol=1e-15, abs_tol=1e-15)
