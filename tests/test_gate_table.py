"""The gate table is the one source of truth: every row reaches Value, Tensor, the random
graphs, the drawing and the CLI; and the policies every row shares (nan, overflow)."""

import ast
import inspect
import itertools
import math

import numpy as np
import pytest

import autograd.gates as G
import autograd.node as node_module
import autograd.tensor_gates as T
from autograd import Tensor, Value, grad
from autograd.testing import GATE_NAMES, HELPER_GATES
from viz.expression import functions
from viz.labels import gate_text

# The rows made by operators rather than by a method the row names: how each is reached.
OPERATORS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "powc": lambda a: a ** 3,
    "neg": lambda a: -a, "max": lambda a, b: G._binary(G.MAX, a, b),
    "min": lambda a, b: G._binary(G.MIN, a, b),
}
ROWS = {row.name: row for row in G.ROWS}


def _reach(row, make):
    """Apply ``row`` the way a user does, to nodes made by ``make``; the output's gate."""
    how = (lambda a: getattr(a, row.method)()) if row.method else OPERATORS.get(row.name)
    assert how is not None, f"row {row.name!r}: no Value/Tensor method and no operator"
    out = how(*(make(1.5 + k) for k in range(row.arity)))
    return out._gate


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_row_is_reachable_from_value_tensor_strategies_drawing_and_cli(name):
    row = ROWS[name]
    assert _reach(row, Value) is row
    assert _reach(row, lambda x: Tensor([x, x + 1], requires_grad=True)) is row
    assert name in GATE_NAMES, f"{name!r} is not drawn in autograd.testing's random graphs"
    assert HELPER_GATES.get(name, set()) <= set(GATE_NAMES)
    for cli_name in row.cli:
        assert functions()[cli_name][0] == row.arity


def test_the_cli_calls_exactly_the_rows_that_say_so():
    named = {n for row in G.ROWS for n in row.cli}
    assert set(functions()) == named
    assert {"exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "max", "min"} <= named


@pytest.mark.parametrize("row", [*G.ROWS, *T.ROWS], ids=lambda r: r.name)
def test_every_row_is_drawn_with_its_symbol_or_its_label(row):
    class Fake:
        _gate = row
        _ctx = (2.0,) if row.name == "powc" else ()

    assert gate_text(Fake()) == (f"**{2}" if row.name == "powc" else row.symbol)


def test_the_methods_declared_for_type_checkers_are_the_tables():
    # node.py declares the table-made methods under TYPE_CHECKING (mypy cannot see setattr)
    tree = ast.parse(inspect.getsource(node_module))
    declared = {f.name for block in ast.walk(tree) if isinstance(block, ast.If)
                and ast.unparse(block.test) == "TYPE_CHECKING"
                for f in block.body if isinstance(f, ast.FunctionDef)}
    assert declared == {row.method for row in G.ROWS if row.method}


def test_value_has_the_tensor_methods_the_table_names():
    for row in G.ROWS:
        if row.method:
            assert getattr(Value, row.method).__doc__.startswith(row.doc)
            assert getattr(Tensor, row.method).__doc__.startswith(row.doc)
    assert Value(-2.0).abs().data == 2.0 and Value(-2.0).abs()._gate is G.ABS


# -- one policy for every row: nan goes through, overflow is inf, both node kinds -------

NAN = math.nan
EXTREMES = [1e308, -1e308, 0.0, 1e-200, -1e-200, 1.5, -1.5, NAN]


def _forward(row, nodes):
    """``row`` on ``nodes`` as derivative rules apply it: without its domain check."""
    if row.name == "powc":
        return nodes[0]._apply(row, 2.0)
    if row.arity == 1:
        return nodes[0]._apply(row)
    return nodes[0]._binary(row, *nodes)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_nan_goes_through_every_row_as_in_numpy(name):
    row = ROWS[name]
    for k in range(row.arity):
        xs = [2.0] * row.arity
        xs[k] = NAN
        v = _forward(row, [Value(x) for x in xs]).data
        t = _forward(row, [Tensor(x, requires_grad=True) for x in xs]).data
        assert math.isnan(v) and np.isnan(t), (name, xs, v, t)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_value_and_tensor_agree_at_the_extremes_forward_and_backward(name):
    row = ROWS[name]
    points = [[x] for x in EXTREMES] if row.arity == 1 else [
        [x, y] for x in EXTREMES for y in (1e308, 0.0, 2.0, -3.0, 0.5)]
    for xs in points:
        with np.errstate(all="ignore"):  # numpy warns at overflow; Value never raises
            v_in = [Value(x) for x in xs]
            t_in = [Tensor(x, requires_grad=True) for x in xs]
            v_out = _forward(row, v_in)
            t_out = _forward(row, t_in)
        np.testing.assert_allclose(t_out.data, v_out.data, rtol=1e-12, equal_nan=True,
                                   err_msg=f"{name} forward at {xs}")
        with np.errstate(all="ignore"):
            v_out.backward()
            t_out.backward()
        for v, t in zip(v_in, t_in):
            np.testing.assert_allclose(t.grad, v.grad, rtol=1e-12, equal_nan=True,
                                       err_msg=f"{name} gradient at {xs}")


def test_overflow_is_inf_not_an_error():
    assert (Value(1e155) ** 2).data == (Value(1e155) * 1e155).data == math.inf
    assert Value(1e308).exp().data == math.inf
    assert (Value(-1e155) ** 3).data == -math.inf
    x = Value(1e-200)
    (x ** -1).backward()  # -x**-2 = -1e400: too large, so -inf
    assert x.grad == -math.inf
    assert (Value(2.0) ** Value(1e4)).data == math.inf


def test_the_documented_user_errors_stay():
    with pytest.raises(ValueError, match="non-integer power"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="non-integer power"):
        Tensor([-2.0, 1.0]) ** 0.5
    with pytest.raises(ValueError, match="logarithm"):
        Value(0.0).log()
    with pytest.raises(ValueError, match="square root"):
        Value(-1.0).sqrt()
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError):
        Value(0.0) ** -1


# -- x ** y: the second derivative at y == 0 -----------------------------------------


@pytest.mark.parametrize("make", [Value, lambda v: Tensor(v, requires_grad=True)],
                         ids=["Value", "Tensor"])
@pytest.mark.parametrize("x0", [2.0, 0.5, 3.0])
def test_the_hessian_of_pow_is_symmetric_at_a_zero_exponent(make, x0):
    # d/dy d/dx x**y = x**(y-1) * (1 + y log x), which is 1/x at y = 0; so is d/dx d/dy.
    x, y = make(x0), make(0.0)
    dx, dy = grad(x ** y, [x, y], create_graph=True)
    d2_yx = grad(dx, [y])[0]
    d2_xy = grad(dy, [x])[0]
    assert float(np.asarray(d2_yx.data if hasattr(d2_yx, "data") else d2_yx)) == \
        pytest.approx(1 / x0)
    assert float(np.asarray(d2_xy.data if hasattr(d2_xy, "data") else d2_xy)) == \
        pytest.approx(1 / x0)


EDGE = (-math.inf, -1e308, -2.5, -2.0, -1.0, -0.5, -1e-300, -0.0, 0.0, 1e-300, 0.5, 1.0, 2.0,
        2.5, 1e308, math.inf, math.nan)


@pytest.mark.parametrize("row", [r for r in G.ROWS if r.domain is not None and r.scalar],
                         ids=lambda r: r.name)
def test_a_domain_error_comes_only_with_a_result_that_is_not_finite(row):
    # Values run a row's domain check only when the forward's result is not finite
    # (value._in_domain): that is right only while this holds for every row.
    for xs in itertools.product(EDGE, repeat=row.arity if row.name != "powc" else 2):
        try:
            row.domain(*xs)
        except (ValueError, ZeroDivisionError):
            assert not math.isfinite(row.scalar(*xs)), (row.name, xs)
