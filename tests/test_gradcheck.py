"""gradcheck on Values: True on correct gradients, a precise GradcheckError on wrong ones,
and the inputs left exactly as they were either way.

Wrong gradients come from custom gates: a ``Gate`` row with a deliberately wrong rule,
applied through the same ``_apply``/``_apply1`` that every Value operator uses.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from conftest import floats
from hypothesis import given

from autograd import GradcheckError, Value, gradcheck, maximum
from autograd.gates import Gate
from autograd.value import _apply, _apply1

SIN = Gate("sin", "sin", math.sin, np.sin, (lambda g, out, a: g * math.cos(a),))
WRONG_SIN = Gate("bad_sin", "sin", math.sin, np.sin, (lambda g, out, a: 2.0 * g * math.cos(a),))
# a*b whose rule for b is wrong (uses a + 1 instead of a); the rule for a is right
WRONG_MUL_B = Gate(
    "bad_mul", "*", lambda a, b: a * b, np.multiply,
    (lambda g, out, a, b: g * b, lambda g, out, a, b: g * (a + 1.0)),
)
WRONG_MUL_A = Gate(
    "bad_mul_a", "*", lambda a, b: a * b, np.multiply,
    (lambda g, out, a, b: g * (b + 1.0), lambda g, out, a, b: g * a),
)
SQUARE = Gate("sq", "sq", lambda a: a * a, np.square, (lambda g, out, a: g * 2.0 * a,))


def off_by(factor: float = 1.0, shift: float = 0.0) -> Gate:
    """x² whose derivative is (2x) * factor + shift."""
    return Gate("sq_off", "sq", lambda a: a * a, np.square,
                (lambda g, out, a: g * (2.0 * a * factor + shift),))


def numbers_in(message: str) -> list[float]:
    return [float(m) for m in re.findall(r"[-+]?\d+\.?\d*(?:[eE][-+]?\d+)?", message)]


def number_after(message: str, word: str) -> float:
    """The first number written after ``word`` (case-insensitive) in the message."""
    at = message.lower().find(word)
    assert at >= 0, f"{word!r} not in {message!r}"
    found = numbers_in(message[at + len(word):])
    assert found, f"no number after {word!r} in {message!r}"
    return found[0]


# -- correct functions pass -------------------------------------------------------------

CORRECT = [
    lambda a, b: a * b + a.tanh(),
    lambda a, b: (a * a + 1.0).log() * b.sigmoid(),
    lambda a, b: (a - b) / (b * b + 0.5) + (a * 0.3).exp(),
    lambda a, b: (a * a + 0.25).sqrt() ** b,
    lambda a, b: 2.0**a - 3.0 / (1.0 + b * b) + abs(a - b + 10.0),
    lambda a, b: maximum(a, b + 20.0) * (a + 30.0).relu(),
    lambda a, b: _apply1(SIN, a * b),
]


@pytest.mark.parametrize("fn", CORRECT, ids=[f"fn{i}" for i in range(len(CORRECT))])
@given(floats(-2, 2), floats(-2, 2))
def test_gradcheck_returns_true_for_correct_functions(fn, a, b):
    assert gradcheck(fn, [Value(a), Value(b)]) is True


def test_gradcheck_accepts_an_input_the_output_ignores():
    assert gradcheck(lambda a, b: a.exp(), [Value(0.5), Value(3.0)]) is True


def test_gradcheck_with_one_input():
    assert gradcheck(lambda x: x * x * x, [Value(1.5)]) is True


# -- wrong functions fail, with a message that says where and by how much ---------------


@given(floats(-1.2, 1.2))
def test_wrong_unary_rule_raises_naming_values_and_errors(x):
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda v: _apply1(WRONG_SIN, v), [Value(x)])
    msg = str(info.value)
    assert re.search(r"input\D{0,4}0\b", msg), msg
    analytical, numerical = 2.0 * math.cos(x), math.cos(x)
    assert number_after(msg, "analytical") == pytest.approx(analytical, rel=1e-12), msg
    assert number_after(msg, "numerical") == pytest.approx(numerical, rel=1e-6), msg
    # (the message may round the errors to a few digits)
    assert number_after(msg, "abs") == pytest.approx(analytical - numerical, rel=1e-2), msg
    assert number_after(msg, "rel") == pytest.approx(1.0, rel=1e-2), msg  # |a - n| / |n|


@given(floats(-2, 2), floats(0.5, 2))
def test_wrong_rule_for_the_second_input_names_input_one(a, b):
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: _apply(WRONG_MUL_B, x, y), [Value(a), Value(b)])
    msg = str(info.value)
    assert re.search(r"input\D{0,4}1\b", msg), msg
    assert not re.search(r"input\D{0,4}0\b", msg), msg
    assert number_after(msg, "analytical") == a + 1.0, msg  # the wrong d/db
    assert number_after(msg, "numerical") == pytest.approx(a, rel=1e-6, abs=1e-9), msg


def test_wrong_rule_for_the_first_input_names_input_zero():
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: _apply(WRONG_MUL_A, x, y), [Value(2.0), Value(-3.0)])
    msg = str(info.value)
    assert re.search(r"input\D{0,4}0\b", msg), msg
    assert number_after(msg, "analytical") == -2.0, msg  # (b + 1), wrong
    assert number_after(msg, "numerical") == pytest.approx(-3.0, rel=1e-6), msg  # b


def test_wrong_rule_deep_inside_a_graph_is_caught():
    def fn(x, y):
        u = (x * y).tanh() + x.exp()
        return (_apply1(WRONG_SIN, u) * 0.5 + y * y).sigmoid()

    with pytest.raises(GradcheckError):
        gradcheck(fn, [Value(0.3), Value(-0.4)])
    assert gradcheck(lambda x, y: (_apply1(SIN, (x * y).tanh() + x.exp()) * 0.5
                                   + y * y).sigmoid(), [Value(0.3), Value(-0.4)])


def test_custom_gate_with_the_right_rule_passes():
    assert gradcheck(lambda v: _apply1(SIN, v), [Value(0.7)]) is True
    assert gradcheck(lambda v: _apply1(SQUARE, v), [Value(-1.1)]) is True


# -- tolerances ------------------------------------------------------------------------


def test_relative_tolerance_is_honoured():
    fn = lambda v: _apply1(off_by(factor=1.005), v)  # 0.5 % too large
    with pytest.raises(GradcheckError):
        gradcheck(fn, [Value(1.0)])  # default rtol=1e-3
    assert gradcheck(fn, [Value(1.0)], rtol=1e-2) is True


def test_absolute_tolerance_is_honoured():
    fn = lambda v: _apply1(off_by(shift=1e-4), v)  # true derivative at 0 is 0
    with pytest.raises(GradcheckError):
        gradcheck(fn, [Value(0.0)])  # default atol=1e-5
    assert gradcheck(fn, [Value(0.0)], atol=1e-3) is True


def test_a_tiny_error_within_tolerance_passes():
    assert gradcheck(lambda v: _apply1(off_by(factor=1 + 1e-5), v), [Value(0.8)]) is True


# -- inputs are left as they were --------------------------------------------------------


def _snapshot(values):
    return [(v.data, v.grad, v.label) for v in values]


def test_inputs_unchanged_after_a_pass():
    xs = [Value(0.1 + 0.2, "a"), Value(-1.0 / 3.0, "b")]
    xs[0].grad, xs[1].grad = 0.7, -2.5
    before = _snapshot(xs)
    assert gradcheck(lambda a, b: (a * b).tanh() + a / (b * b + 1.0), xs)
    assert _snapshot(xs) == before


def test_inputs_unchanged_after_a_failure():
    xs = [Value(0.1 + 0.2, "a"), Value(-1.0 / 3.0, "b")]
    xs[0].grad, xs[1].grad = 0.7, -2.5
    before = _snapshot(xs)
    with pytest.raises(GradcheckError):
        gradcheck(lambda a, b: _apply(WRONG_MUL_B, a, b), xs)
    assert _snapshot(xs) == before


def test_inputs_unchanged_when_the_function_raises_mid_check():
    x = Value(1.0 + 5e-7)  # x - eps crosses into log's forbidden domain
    x.grad = 4.0
    with pytest.raises(ValueError):
        gradcheck(lambda v: (v - 1.0).log(), [x])
    assert (x.data, x.grad) == (1.0 + 5e-7, 4.0)


@given(floats(-2, 2), floats(-2, 2), floats(-5, 5))
def test_inputs_unchanged_property(a, b, g):
    xs = [Value(a), Value(b)]
    xs[0].grad = g
    before = _snapshot(xs)
    gradcheck(lambda p, q: p * q * q + p.sigmoid(), xs)
    assert _snapshot(xs) == before


# -- misuse ------------------------------------------------------------------------------


def test_gradcheck_needs_inputs():
    with pytest.raises(ValueError):
        gradcheck(lambda: Value(1.0), [])


def test_gradcheck_rejects_non_nodes():
    with pytest.raises(TypeError):
        gradcheck(lambda a, b: a * b, [Value(1.0), 2.0])
