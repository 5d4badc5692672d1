"""The course's scalar derivations, built from Values and checked against the formulas
worked out by hand: logistic regression on one sample, the sigmoid gate, the add / max /
multiply gate patterns, and J = 3(a + b c)."""

from __future__ import annotations

import math

import pytest
from conftest import floats
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, maximum, minimum


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# -- logistic regression on one sample -------------------------------------------------


def logistic_regression(x1, x2, y, w1, w2, b):
    """z = w1 x1 + w2 x2 + b, a = σ(z), L = -(y log a + (1 - y) log(1 - a)), as Values."""
    n = {
        "x1": Value(x1, "x1"), "x2": Value(x2, "x2"),
        "w1": Value(w1, "w1"), "w2": Value(w2, "w2"), "b": Value(b, "b"),
    }
    n["z"] = n["w1"] * n["x1"] + n["w2"] * n["x2"] + n["b"]
    n["a"] = n["z"].sigmoid()
    n["L"] = -(y * n["a"].log() + (1 - y) * (1 - n["a"]).log())
    n["L"].backward()
    return n


def check_logistic(x1, x2, y, w1, w2, b):
    n = logistic_regression(x1, x2, y, w1, w2, b)
    y = y.data if isinstance(y, Value) else y
    z = w1 * x1 + w2 * x2 + b
    a = sigma(z)
    dz = a - y  # the course's result: dL/dz = a - y
    tol = {"rel": 1e-9, "abs": 1e-12}
    assert n["z"].data == pytest.approx(z, rel=1e-12, abs=1e-12)
    assert n["a"].data == pytest.approx(a, rel=1e-12)
    assert n["L"].data == pytest.approx(-math.log(a) if y == 1 else -math.log(1 - a), rel=1e-8)
    assert n["L"].grad == 1.0
    assert n["a"].grad == pytest.approx(-y / a + (1 - y) / (1 - a), rel=1e-9)
    assert n["z"].grad == pytest.approx(dz, **tol)
    assert n["w1"].grad == pytest.approx(x1 * dz, **tol)  # dw_i = x_i dz
    assert n["w2"].grad == pytest.approx(x2 * dz, **tol)
    assert n["b"].grad == pytest.approx(dz, **tol)  # db = dz
    assert n["x1"].grad == pytest.approx(w1 * dz, **tol)
    assert n["x2"].grad == pytest.approx(w2 * dz, **tol)
    return n


@pytest.mark.parametrize(
    "x1, x2, y, w1, w2, b",
    [
        (1.0, 2.0, 1, 0.5, -0.25, 0.1),
        (1.0, 2.0, 0, 0.5, -0.25, 0.1),
        (-1.5, 0.3, 1, 2.0, 1.0, -0.5),
        (-1.5, 0.3, 0, 2.0, 1.0, -0.5),
        (0.0, 0.0, 1, 0.3, 0.7, 0.0),  # z = 0: a = 1/2, dz = -1/2
        (0.0, 0.0, 0, 0.3, 0.7, 0.0),  # dz = +1/2
        (3.0, -2.0, 1, 1.0, 1.0, 1.0),
        (3.0, -2.0, 0.0, 1.0, 1.0, 1.0),
        (3.0, -2.0, 1.0, 1.0, 1.0, 1.0),
    ],
)
def test_logistic_regression_gradients(x1, x2, y, w1, w2, b):
    check_logistic(x1, x2, y, w1, w2, b)


def test_logistic_regression_at_z_zero_exact_halves():
    n = logistic_regression(0.0, 0.0, 1, 0.3, 0.7, 0.0)
    assert n["a"].data == 0.5
    assert n["z"].grad == pytest.approx(-0.5, abs=1e-15)
    n = logistic_regression(0.0, 0.0, 0, 0.3, 0.7, 0.0)
    assert n["z"].grad == pytest.approx(0.5, abs=1e-15)


@given(floats(-3, 3), floats(-3, 3), st.sampled_from([0, 1]),
       floats(-2, 2), floats(-2, 2), floats(-2, 2))
def test_logistic_regression_gradients_property(x1, x2, y, w1, w2, b):
    check_logistic(x1, x2, y, w1, w2, b)


@given(floats(-3, 3), floats(-3, 3), st.sampled_from([0.0, 1.0]), floats(-2, 2))
def test_label_as_a_value_gets_minus_z(x1, x2, y, b):
    """With y a node too: dL/dy = -(log a - log(1 - a)) = -z."""
    y_node = Value(y, "y")
    check_logistic(x1, x2, y_node, 0.5, -1.5, b)
    z = 0.5 * x1 - 1.5 * x2 + b
    assert y_node.grad == pytest.approx(-z, rel=1e-9, abs=1e-9)


# -- the sigmoid gate ------------------------------------------------------------------


@given(floats(-30, 30), floats(-3, 3))
def test_sigmoid_local_derivative_is_s_times_one_minus_s(z, up):
    v = Value(z)
    s = v.sigmoid()
    s.backward(grad=up)
    want = sigma(z)
    assert s.data == pytest.approx(want, rel=1e-12)
    assert v.grad == pytest.approx(up * want * (1 - want), rel=1e-9, abs=1e-15)


# -- gate patterns, with an upstream gradient that is not 1 ----------------------------


@given(floats(-5, 5), floats(-5, 5), floats(-3, 3))
def test_add_gate_distributes_up_diff_unchanged(a, b, up):
    va, vb = Value(a), Value(b)
    (va + vb).backward(grad=up)
    assert va.grad == up and vb.grad == up
    # inside a larger graph: up_diff of the add gate is d(2.5 s)/ds = 2.5
    va, vb = Value(a), Value(b)
    s = va + vb
    (s * 2.5).backward()
    assert s.grad == 2.5
    assert va.grad == 2.5 and vb.grad == 2.5


@given(floats(-5, 5), floats(-5, 5), floats(-3, 3))
def test_max_gate_routes_up_diff_to_the_larger(a, b, up):
    va, vb = Value(a), Value(b)
    m = maximum(va, vb)
    (m * up).backward()
    assert m.grad == up
    if a > b:
        assert (va.grad, vb.grad) == (up, 0.0)
    elif a < b:
        assert (va.grad, vb.grad) == (0.0, up)
    else:
        assert va.grad == vb.grad == up / 2


@given(floats(-5, 5), floats(-5, 5), floats(-3, 3))
def test_min_gate_routes_up_diff_to_the_smaller(a, b, up):
    va, vb = Value(a), Value(b)
    minimum(va, vb).backward(grad=up)
    if a < b:
        assert (va.grad, vb.grad) == (up, 0.0)
    elif a > b:
        assert (va.grad, vb.grad) == (0.0, up)
    else:
        assert va.grad == vb.grad == up / 2


@given(floats(-5, 5), floats(-5, 5), floats(-3, 3))
def test_multiply_gate_swaps_its_inputs(a, b, up):
    va, vb = Value(a), Value(b)
    (va * vb).backward(grad=up)
    assert va.grad == pytest.approx(b * up, rel=1e-15, abs=1e-300)  # da = b * up_diff
    assert vb.grad == pytest.approx(a * up, rel=1e-15, abs=1e-300)  # db = a * up_diff


def test_multiply_gate_swaps_inside_a_larger_graph():
    a, b = Value(4.0), Value(-3.0)
    p = a * b
    out = p * 2.5 + 7.0  # up_diff of p is 2.5
    out.backward()
    assert p.grad == 2.5
    assert a.grad == -3.0 * 2.5
    assert b.grad == 4.0 * 2.5


# -- J = 3 (a + b c) ---------------------------------------------------------------------


def test_j_equals_three_times_a_plus_bc():
    a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    u = b * c
    v = a + u
    J = 3 * v
    assert (u.data, v.data, J.data) == (6.0, 11.0, 33.0)
    J.backward()
    assert J.grad == 1.0
    assert v.grad == 3.0  # dJ/dv = 3
    assert u.grad == 3.0  # dJ/du = dJ/dv * dv/du = 3 * 1
    assert a.grad == 3.0  # dJ/da = 3
    assert b.grad == 3 * c.data  # dJ/db = 3c = 6
    assert c.grad == 3 * b.data  # dJ/dc = 3b = 9


@given(floats(-5, 5), floats(-5, 5), floats(-5, 5))
def test_j_equals_three_times_a_plus_bc_property(a, b, c):
    va, vb, vc = Value(a), Value(b), Value(c)
    u = vb * vc
    v = va + u
    J = 3 * v
    J.backward()
    assert (va.grad, u.grad, v.grad) == (3.0, 3.0, 3.0)
    assert vb.grad == 3 * c and vc.grad == 3 * b


# -- a tanh neuron ------------------------------------------------------------------------


def test_tanh_neuron():
    """o = tanh(x1 w1 + x2 w2 + b): do/dn = 1 - o², then multiply gates swap."""
    x1, x2 = Value(2.0), Value(0.0)
    w1, w2 = Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)  # tanh(n) = 1/sqrt(2), so do/dn = 1/2
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    dn = 1 - math.tanh(n.data) ** 2
    assert o.data == pytest.approx(1 / math.sqrt(2), rel=1e-12)
    assert n.grad == pytest.approx(0.5, rel=1e-12)
    assert n.grad == pytest.approx(dn, rel=1e-12)
    assert x1.grad == pytest.approx(-3.0 * dn, rel=1e-12)
    assert w1.grad == pytest.approx(2.0 * dn, rel=1e-12)
    assert x2.grad == pytest.approx(1.0 * dn, rel=1e-12)
    assert w2.grad == 0.0
