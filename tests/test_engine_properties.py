"""The engine's gradient properties, written with autograd.testing (the users' toolkit).

At least 200 random graphs per gate set, each checked against central differences and
the metamorphic properties. test_value_graphs.py checks random graphs too, against an
interpreter that does not use the library at all.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd.testing import (
    GATE_NAMES,
    assert_gradients_match,
    check_fan_out,
    check_linearity,
    check_no_mutation,
    check_repeated_backward,
    expressions,
)

COURSE = ("add", "mul", "max", "sigmoid")
SMOOTH = ("add", "sub", "mul", "div", "exp", "log", "tanh", "sigmoid", "sqrt", "pow", "powc")


@pytest.mark.parametrize("asked", [COURSE, SMOOTH, GATE_NAMES])
@settings(max_examples=200)
@given(data=st.data())
def test_engine_gradients_match_on_random_value_graphs(asked, data):
    expr = data.draw(expressions(gates=asked, depth=8))
    assert_gradients_match(expr.fn, *expr.inputs)
    check_linearity(expr.fn, *expr.inputs)
    check_fan_out(expr.fn, *expr.inputs)
    check_repeated_backward(expr.fn, *expr.inputs)
    check_no_mutation(expr.fn, *expr.inputs)


@settings(max_examples=60)
@given(expressions(depth=6, shape=(2, 3)))
def test_engine_gradients_match_on_random_tensor_graphs(expr):
    assert_gradients_match(expr.fn, *expr.inputs)
    check_repeated_backward(expr.fn, *expr.inputs)
    check_no_mutation(expr.fn, *expr.inputs)
