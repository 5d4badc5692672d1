"""What Value accepts and what it refuses, with errors that say why."""

from __future__ import annotations

import fractions
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value

# -- the constructor -------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, type_name",
    [
        ("3", "str"),
        (None, "NoneType"),
        ([1.0], "list"),
        ((1.0,), "tuple"),
        ({"a": 1.0}, "dict"),
        (Value(1.0), "Value"),
        (1 + 2j, "complex"),
        (np.complex128(1 + 2j), "complex128"),
        (np.array([1.0, 2.0]), "ndarray"),
        (b"1", "bytes"),
    ],
    ids=["str", "None", "list", "tuple", "dict", "Value", "complex", "np_complex", "ndarray",
         "bytes"],
)
def test_constructor_rejects_non_numbers_naming_the_type(bad, type_name):
    with pytest.raises(TypeError) as info:
        Value(bad)
    assert type_name in str(info.value)


@pytest.mark.parametrize(
    "good, want",
    [
        (3, 3.0),
        (-2.5, -2.5),
        (True, 1.0),
        (False, 0.0),
        (np.float32(2), 2.0),
        (np.float64(-1.25), -1.25),
        (np.int64(3), 3.0),
        (np.int8(-4), -4.0),
        (np.uint16(7), 7.0),
        (np.bool_(True), 1.0),
        (np.bool_(False), 0.0),
        (fractions.Fraction(1, 4), 0.25),
    ],
    ids=lambda v: f"{type(v).__name__}({v})",
)
def test_constructor_accepts_numbers_and_stores_a_python_float(good, want):
    v = Value(good)
    assert type(v.data) is float
    assert v.data == want
    assert type(v.grad) is float and v.grad == 0.0
    assert v.label == ""


def test_numpy_float32_keeps_its_value_exactly():
    x = np.float32(0.1)  # not 0.1 as a double
    assert Value(x).data == float(x) != 0.1


@given(st.floats(allow_nan=False))
def test_constructor_keeps_any_float_exactly(x):
    assert Value(x).data == x


def test_constructor_label():
    assert Value(1.0, label="w1").label == "w1"
    assert Value(1.0, "b").label == "b"


# -- powers without a real value -------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(-8.0) ** (1 / 3),
        lambda: Value(-2.0) ** 0.5,
        lambda: Value(-2.0) ** Value(0.5),
        lambda: Value(-8.0) ** Value(1 / 3),
        lambda: (-2.0) ** Value(0.5),
        lambda: Value(-1e-300) ** 2.5,
    ],
    ids=["const_third", "const_half", "value_half", "value_third", "number_base", "tiny"],
)
def test_negative_base_to_a_fractional_power_raises_value_error(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize("c", [2.0, 3.0, -1.0, 0.0])
def test_negative_base_to_an_integral_float_power_is_real(c):
    y = Value(-2.0) ** c
    assert type(y.data) is float
    assert y.data == (-2.0) ** c


@given(st.floats(min_value=-100, max_value=-1e-3), st.floats(min_value=-3, max_value=3))
def test_power_never_returns_a_complex(a, b):
    try:
        y = Value(a) ** Value(b)
    except ValueError:
        assert not b.is_integer()
    else:
        assert b.is_integer()
        assert type(y.data) is float


# -- bad domains and bad operands ------------------------------------------------------


@pytest.mark.parametrize("x", [0.0, -0.0, -1.0, -1e-300])
def test_log_of_non_positive_raises_value_error(x):
    with pytest.raises(ValueError):
        Value(x).log()


@pytest.mark.parametrize("x", [-1, -1.0, -1e-300])
def test_sqrt_of_negative_raises_value_error(x):
    with pytest.raises(ValueError):
        Value(x).sqrt()


def test_sqrt_and_log_accept_their_domain_edges():
    assert Value(0.0).sqrt().data == 0.0
    assert Value(1.0).log().data == 0.0


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(2) + "a",
        lambda: "a" + Value(2),
        lambda: Value(2) * None,
        lambda: None * Value(2),
        lambda: Value(2) - [1.0],
        lambda: Value(2) / "x",
        lambda: Value(2) ** "a",
        lambda: "a" ** Value(2),
        lambda: Value(2) + (1 + 1j),
    ],
    ids=["add_str", "radd_str", "mul_none", "rmul_none", "sub_list", "div_str", "pow_str",
         "rpow_str", "add_complex"],
)
def test_operators_with_non_numbers_raise_type_error(make):
    with pytest.raises(TypeError):
        make()


@pytest.mark.parametrize("bad", ["x", [1.0], 1 + 0j], ids=["str", "list", "complex"])
def test_backward_with_a_non_number_gradient_raises_type_error(bad):
    x = Value(2.0)
    y = x * x
    with pytest.raises(TypeError):
        y.backward(grad=bad)
    assert x.grad == 0.0


def test_backward_accepts_numeric_upstream_gradients():
    for g in (2, 2.0, np.float32(2.0), np.int64(2)):
        x = Value(3.0)
        (x * x).backward(grad=g)
        assert x.grad == 12.0
        assert type(x.grad) is float


def test_division_by_zero_raises_zero_division_error():
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError):
        Value(0.0) ** -1


def test_exp_overflow_gives_inf_not_an_exception():
    y = Value(1000.0).exp()
    assert y.data == math.inf
