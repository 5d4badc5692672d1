"""autograd.testing: its strategies, its checks, and the localizer of wrong gates."""

import contextlib
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.gates as G
from autograd import GradcheckError, Tensor, Value, gate, gradcheck, ops
from autograd.engine import topological_order
from autograd.localize import find_bad_gate
from autograd.testing import (
    GATE_NAMES,
    HELPER_GATES,
    assert_gradients_match,
    broadcastable_shapes,
    expressions,
    tensors,
    values,
)

COURSE = ("add", "mul", "max", "sigmoid")
SMOOTH = ("add", "sub", "mul", "div", "exp", "log", "tanh", "sigmoid", "sqrt", "pow", "powc")


# -- the strategies themselves --------------------------------------------------------------

@given(broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(shapes):
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)  # raises if they do not


@given(values(-2.0, 5.0, avoid_kinks=True))
def test_values_are_finite_leaves_in_range_and_off_the_kink(v):
    assert isinstance(v, Value) and v._gate is None
    assert np.isfinite(v.data) and -2.0 <= v.data <= 5.0 and abs(v.data) >= 1e-3


@given(tensors(shape=(2, 3), dtype=np.float32))
def test_tensors_have_the_asked_shape_and_dtype(t):
    assert t.shape == (2, 3) and t.dtype == np.float32 and t.requires_grad
    assert np.all(np.isfinite(t.data))


@pytest.mark.parametrize("asked", [COURSE, SMOOTH, GATE_NAMES])
@settings(max_examples=200)
@given(data=st.data())
def test_expressions_are_acyclic_and_use_the_asked_gates(asked, data):
    expr = data.draw(expressions(gates=asked, depth=8))
    order = topological_order(expr.output)
    assert len({id(n) for n in order}) == len(order)
    position = {id(n): k for k, n in enumerate(order)}
    for node in order:  # every input comes after the node that consumes it
        assert all(position[id(p)] > position[id(node)] for p in node._prev)
    allowed = set(asked).union({"add"}, *(HELPER_GATES.get(g, set()) for g in asked))
    drawn = {n._gate.name for n in order if n._gate is not None}
    assert expr.gates <= drawn <= allowed
    assert all(any(n is x for n in order) for x in expr.inputs)


# -- planted bugs are found and named ----------------------------------------------------------

_ROWS = {row.name: row for row in G.ROWS}  # every row of the table


@contextlib.contextmanager
def _planted(row: G.Gate, which: int):
    """``row`` itself, while inside, with its rule for input ``which`` off by a quarter of g
    (the row is the gate: Value's methods and operators hold the row, not its name)."""
    rules = list(row.vjp)
    right = rules[which]
    rules[which] = lambda g, out, *args: right(g, out, *args) + 0.25 * g
    object.__setattr__(row, "vjp", tuple(rules))  # a frozen row, changed for the test only
    try:
        yield
    finally:
        object.__setattr__(row, "vjp", tuple(row.vjp[:which]) + (right,) + row.vjp[which + 1:])


@pytest.mark.parametrize("name", sorted(_ROWS))
@settings(max_examples=50)
@given(data=st.data())
def test_localizer_names_a_planted_wrong_derivative(name, data):
    row = _ROWS[name]
    which = data.draw(st.integers(0, len(row.vjp) - 1))
    with _planted(row, which):
        expr = data.draw(expressions(gates=[name], depth=4, n_inputs=3))
        bad = find_bad_gate(expr.output)
    assert bad is not None, f"the planted bug in {name!r} went unnoticed"
    assert bad.gate == name
    assert bad.input_index == which
    assert abs(bad.analytical - bad.numerical) > 1e-6


def test_localizer_finds_nothing_wrong_in_a_correct_graph():
    x, y = Value(0.3), Value(-1.2)
    out = ((x * y).sigmoid() + (x - y).tanh() * x.exp()) / (y * y + 1)
    assert find_bad_gate(out) is None


def test_gradcheck_localize_names_the_gate():
    bad = dataclasses.replace(G.TANH, vjp=(lambda g, out, a: g * (1 - out),))
    x = Tensor(np.array([0.2, -0.4, 0.9]), requires_grad=True)
    with pytest.raises(GradcheckError, match="gate 'tanh' is wrong for its input 0"):
        gradcheck(lambda x: (x * 2)._apply(bad).sum(), [x], localize=True)


# -- custom gates -------------------------------------------------------------------------------

# softplus written again as a custom gate (the table has its own ``softplus`` row)
@gate(derivatives=[lambda g, out, x: g * ops.sigmoid(x)])
def log1p_exp(x):
    return np.logaddexp(0, x)


@given(values(-5, 5))
def test_custom_log1p_exp_matches_central_differences(x):
    assert_gradients_match(lambda x: log1p_exp(x * 1.5), x)


def test_custom_gate_works_on_tensors_and_second_derivatives():
    t = Tensor(np.linspace(-2, 2, 5), requires_grad=True)
    assert_gradients_match(lambda t: log1p_exp(t).sum(), t)
    v = Value(0.3)
    from autograd import grad
    (d1,) = grad(log1p_exp(v), [v], create_graph=True)
    (d2,) = grad(d1, [v])
    s = 1 / (1 + np.exp(-0.3))
    assert d1.data == pytest.approx(s) and d2 == pytest.approx(s * (1 - s))


def test_a_wrong_custom_gate_is_caught_and_named():
    @gate(derivatives=[lambda g, out, x: g * out])  # wrong: softplus' = sigmoid, not itself
    def bad_softplus(x):
        return np.logaddexp(0, x)

    with pytest.raises(AssertionError, match="gate 'bad_softplus' is wrong for its input 0"):
        assert_gradients_match(lambda x: bad_softplus(x * 2).tanh(), Value(0.7))


def test_custom_gate_definition_errors():
    with pytest.raises(TypeError, match="one or two callables"):
        gate(derivatives=[])
    with pytest.raises(ValueError, match="'tanh' is a built-in gate"):
        gate("tanh", derivatives=[lambda g, out, x: g])(np.tanh)
    with pytest.raises(TypeError, match="takes 1 operand"):
        log1p_exp(Value(1.0), Value(2.0))


def test_redefining_a_custom_gate_replaces_it():
    first = gate("twice", derivatives=[lambda g, out, x: 2 * g])(lambda x: 2 * x)
    second = gate("twice", derivatives=[lambda g, out, x: 3 * g])(lambda x: 3 * x)
    assert first(Value(1.0)).data == 2.0 and second(Value(1.0)).data == 3.0
    from autograd.custom import REGISTRY
    assert REGISTRY["twice"] is second.gate
