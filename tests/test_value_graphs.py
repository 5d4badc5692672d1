"""Property tests on random Value graphs over every scalar gate, with fan-out.

A *plan* is drawn first: leaf values and a list of steps, each step one gate applied to
nodes picked from a growing pool (so nodes feed several gates). The plan is fixed at
draw time, together with the guards that keep every gate in a smooth, real domain
(log/sqrt/fractional powers of something made positive, division by something away
from 0, relu/leaky_relu/abs/max/min away from their kinks by a margin). The same plan is
then run twice: on Values (the engine under test) and on plain floats with ``math`` (the
float column of ``TABLE``, written here, independent of the library), so the central
differences used as the reference never go through library code. ``TABLE`` is checked
against the gate table: a new scalar gate without a line in it fails a test.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, maximum, minimum
from autograd import gates as G

BOUND = 30.0  # every pool node stays in [-BOUND, BOUND]
MARGIN = 0.05  # distance kept from the kinks of relu, leaky_relu, abs, max, min
H = 1e-5  # step of the five-point central differences
POWC_EXPONENTS = (2.0, 3.0, 4.0, -1.0, -2.0, 0.5, 1.5, -0.5)
RPOW_BASES = (0.5, 2.0, 3.0)
NUMBERS = (-2.0, -0.5, 1.5, 3.0)


def _f_sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


# -- the table: each op, the gate it runs, and the op on floats and on Values ------------
# The float column is the reference: plain Python and ``math``, written here, never the
# library's forwards. The gate column is checked against the gate table below, so a gate
# added to autograd/gates.py without a line here fails a test instead of going untested.
# ``a`` and ``b`` are pool nodes, ``c`` a plain number.

Op = tuple[str, Callable[[float, float, float], float], Callable[[Value, Value, float], Value]]
TABLE: dict[str, Op] = {
    "add": ("add", lambda a, b, c: a + b, lambda a, b, c: a + b),
    "sub": ("sub", lambda a, b, c: a - b, lambda a, b, c: a - b),
    "mul": ("mul", lambda a, b, c: a * b, lambda a, b, c: a * b),
    "div": ("div", lambda a, b, c: a / b, lambda a, b, c: a / b),
    "pow": ("pow", lambda a, b, c: math.pow(a, b), lambda a, b, c: a**b),
    "max": ("max", lambda a, b, c: max(a, b), lambda a, b, c: maximum(a, b)),
    "min": ("min", lambda a, b, c: min(a, b), lambda a, b, c: minimum(a, b)),
    "neg": ("neg", lambda a, b, c: -a, lambda a, b, c: -a),
    "exp": ("exp", lambda a, b, c: math.exp(a), lambda a, b, c: a.exp()),
    "log": ("log", lambda a, b, c: math.log(a), lambda a, b, c: a.log()),
    "sqrt": ("sqrt", lambda a, b, c: math.sqrt(a), lambda a, b, c: a.sqrt()),
    "tanh": ("tanh", lambda a, b, c: math.tanh(a), lambda a, b, c: a.tanh()),
    "sigmoid": ("sigmoid", lambda a, b, c: _f_sigmoid(a), lambda a, b, c: a.sigmoid()),
    "softplus": ("softplus", lambda a, b, c: math.log1p(math.exp(-abs(a))) + max(a, 0.0),
                 lambda a, b, c: a.softplus()),
    "relu": ("relu", lambda a, b, c: a if a > 0 else 0.0, lambda a, b, c: a.relu()),
    "leaky_relu": ("leaky_relu", lambda a, b, c: a if a > 0 else 0.01 * a,
                   lambda a, b, c: a.leaky_relu()),
    "abs": ("abs", lambda a, b, c: math.fabs(a), lambda a, b, c: abs(a)),
    "powc": ("powc", lambda a, b, c: math.pow(a, c), lambda a, b, c: a**c),
    "radd": ("add", lambda a, b, c: c + a, lambda a, b, c: c + a),
    "rsub": ("sub", lambda a, b, c: c - a, lambda a, b, c: c - a),
    "rmul": ("mul", lambda a, b, c: c * a, lambda a, b, c: c * a),
    "rdiv": ("div", lambda a, b, c: c / a, lambda a, b, c: c / a),
    "rpow": ("pow", lambda a, b, c: math.pow(c, a), lambda a, b, c: c**a),
    "addc": ("add", lambda a, b, c: a + c, lambda a, b, c: a + c),
    "subc": ("sub", lambda a, b, c: a - c, lambda a, b, c: a - c),
    "mulc": ("mul", lambda a, b, c: a * c, lambda a, b, c: a * c),
    "divc": ("div", lambda a, b, c: a / c, lambda a, b, c: a / c),
}
# Steps the strategy inserts to make an operand positive (not drawn on their own).
HELPERS: dict[str, Op] = {
    "sq": ("add", lambda a, b, c: a * a + 0.5, lambda a, b, c: a * a + 0.5),
    "sig": ("add", lambda a, b, c: _f_sigmoid(a) + 0.1, lambda a, b, c: a.sigmoid() + 0.1),
}
OPS = tuple(TABLE)
BINARY = ("add", "sub", "mul", "div", "pow", "max", "min")  # the ops on two pool nodes
KINKED_AT_ZERO = ("relu", "leaky_relu", "abs")


def f_apply(op: str, a: float, b: float, c: float) -> float:
    return {**TABLE, **HELPERS}[op][1](a, b, c)


def v_apply(op: str, a: Value, b: Value, c: float) -> Value:
    return {**TABLE, **HELPERS}[op][2](a, b, c)


# -- the strategy ----------------------------------------------------------------------

LEAF = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)


@st.composite
def plans(draw, max_leaves: int = 4, max_ops: int = 14):
    """(leaf values, steps): each step is (op, i, j, c) over indices into the pool."""
    leaves = draw(st.lists(LEAF, min_size=1, max_size=max_leaves))
    vals = list(leaves)
    steps: list[tuple] = []

    def push(op: str, i: int, j: int = 0, c: float = 0.0) -> int:
        steps.append((op, i, j, c))
        vals.append(f_apply(op, vals[i], vals[j], c))
        return len(vals) - 1

    def positive(i: int, low: float) -> int:
        if vals[i] >= low:
            return i
        return push("sq", i) if abs(vals[i]) <= 4.0 else push("sig", i)

    def away_from_zero(i: int) -> int:
        return i if abs(vals[i]) >= 0.25 else push("sq", i)

    for _ in range(draw(st.integers(min_value=2, max_value=max_ops))):
        op = draw(st.sampled_from(OPS))
        i = draw(st.integers(min_value=0, max_value=len(vals) - 1))
        j = draw(st.integers(min_value=0, max_value=len(vals) - 1))
        c = 0.0
        if op == "div":
            j = away_from_zero(j)
        elif op == "rdiv":
            i = away_from_zero(i)
            c = draw(st.sampled_from(NUMBERS))
        elif op in ("log", "sqrt", "pow"):
            i = positive(i, 0.1)
        elif op == "powc":
            c = draw(st.sampled_from(POWC_EXPONENTS))
            if not c.is_integer():
                i = positive(i, 0.1)
            elif c < 0:
                i = away_from_zero(i)
        elif op == "rpow":
            c = draw(st.sampled_from(RPOW_BASES))
        elif op in ("radd", "rsub", "rmul", "addc", "subc", "mulc", "divc"):
            c = draw(st.sampled_from(NUMBERS))
        elif op in KINKED_AT_ZERO and abs(vals[i]) < MARGIN:
            op = "tanh"
        elif op in ("max", "min") and i != j and abs(vals[i] - vals[j]) < MARGIN:
            op = "add"  # max(x, x) of one node is a tie that stays a tie: kept
        try:
            r = f_apply(op, vals[i], vals[j], c)
        except (OverflowError, ValueError, ZeroDivisionError):
            r = math.inf
        if not abs(r) <= BOUND:
            op = "tanh"
        push(op, i, j, c)
    return tuple(leaves), tuple(steps)


# -- running a plan --------------------------------------------------------------------


def build(plan, leaf_nodes) -> tuple[list, Value]:
    """The plan on Values: the pool (leaves first) and out = the sum of the whole pool."""
    _, steps = plan
    pool = list(leaf_nodes)
    for op, i, j, c in steps:
        pool.append(v_apply(op, pool[i], pool[j], c))
    out = pool[0]
    for node in pool[1:]:
        out = out + node
    return pool, out


def evaluate(plan, leaf_vals, bump: tuple[int, float] | None = None) -> tuple[list, float]:
    """The plan on floats; ``bump=(k, d)`` adds d to pool node k right after it is made."""
    _, steps = plan
    vals = list(leaf_vals)
    if bump is not None and bump[0] < len(vals):
        vals[bump[0]] += bump[1]
    for op, i, j, c in steps:
        vals.append(f_apply(op, vals[i], vals[j], c))
        if bump is not None and bump[0] == len(vals) - 1:
            vals[-1] += bump[1]
    return vals, math.fsum(vals)


def five_point(f, h: float = H) -> float:
    """f'(0) by the fourth-order central difference on f(t)."""
    return (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h)


def numerical_adjoint(plan, k: int) -> float:
    """d out / d (pool node k), by nudging node k alone in the float interpreter."""
    leaves = plan[0]
    return five_point(lambda d: evaluate(plan, leaves, (k, d))[1])


def close(a: float, n: float, atol: float = 1e-6, rtol: float = 1e-5) -> bool:
    return abs(a - n) <= atol + rtol * abs(n)


def fresh_leaves(plan) -> list[Value]:
    return [Value(v, label=f"x{i}") for i, v in enumerate(plan[0])]


# -- properties ------------------------------------------------------------------------


@settings(max_examples=200)
@given(plans())
def test_forward_matches_the_float_interpreter(plan):
    pool, out = build(plan, fresh_leaves(plan))
    ref, total = evaluate(plan, plan[0])
    for k, (node, r) in enumerate(zip(pool, ref)):
        assert math.isclose(node.data, r, rel_tol=1e-12, abs_tol=1e-12), (k, node.data, r)
        assert type(node.data) is float
    assert math.isclose(out.data, total, rel_tol=1e-12, abs_tol=1e-11)


@settings(max_examples=200)
@given(plans())
def test_every_pool_node_gradient_matches_independent_central_differences(plan):
    """Leaves and intermediate nodes: .grad == d out / d node, nudging the node in floats."""
    pool, out = build(plan, fresh_leaves(plan))
    out.backward()
    for k, node in enumerate(pool):
        num = numerical_adjoint(plan, k)
        assert close(node.grad, num), (k, plan[1][k - len(plan[0])] if k >= len(plan[0])
                                       else "leaf", node.grad, num)


@settings(max_examples=150)
@given(plans())
def test_library_gradcheck_accepts_random_graphs(plan):
    leaves = fresh_leaves(plan)
    assert autograd.gradcheck(lambda *xs: build(plan, xs)[1], leaves) is True


@settings(max_examples=150)
@given(plans(), st.floats(min_value=-4.0, max_value=4.0, allow_nan=False))
def test_upstream_gradient_scales_every_gradient(plan, seed):
    """backward(grad=g) gives g times the gradients of backward(); g = 0 gives zeros."""
    pool1, out1 = build(plan, fresh_leaves(plan))
    out1.backward()
    pool2, out2 = build(plan, fresh_leaves(plan))
    out2.backward(grad=seed)
    for n1, n2 in zip(pool1, pool2):
        assert math.isclose(n2.grad, seed * n1.grad, rel_tol=1e-12, abs_tol=1e-12)


@settings(max_examples=150)
@given(plans())
def test_grad_function_agrees_with_backward_on_every_node(plan):
    pool, out = build(plan, fresh_leaves(plan))
    got = autograd.grad(out, pool)
    assert all(node.grad == 0.0 for node in pool)  # grad() touched no .grad
    out.backward()
    for node, g in zip(pool, got):
        assert g == node.grad


@settings(max_examples=100)
@given(plans())
def test_create_graph_first_derivatives_equal_plain_ones(plan):
    pool, out = build(plan, fresh_leaves(plan))
    leaves = pool[: len(plan[0])]
    first = autograd.grad(out, leaves, create_graph=True)
    out.backward()
    for leaf, g in zip(leaves, first):
        data = g.data if isinstance(g, Value) else g
        assert math.isclose(data, leaf.grad, rel_tol=1e-12, abs_tol=1e-12)


def _first_derivatives(plan, leaf_vals) -> list[float]:
    leaves = [Value(v) for v in leaf_vals]
    _, out = build((leaf_vals, plan[1]), leaves)
    out.backward()
    return [x.grad for x in leaves]


@settings(max_examples=60)
@given(plans(max_leaves=3, max_ops=7))
def test_second_derivatives_match_differences_of_first_derivatives(plan):
    """Hessian from create_graph=True vs central differences of plain first derivatives.

    ``sum(x*x)`` is added so that every first derivative is a node (it is 2x + ...).
    """
    leaf_vals = list(plan[0])
    n = len(leaf_vals)
    leaves = [Value(v) for v in leaf_vals]
    _, out = build(plan, leaves)
    for x in leaves:
        out = out + x * x
    firsts = autograd.grad(out, leaves, create_graph=True)
    for i in range(n):
        hess_row = autograd.grad(firsts[i], leaves)
        for j in range(n):

            def d_i(t: float, i: int = i, j: int = j) -> float:
                moved = list(leaf_vals)
                moved[j] += t
                return _first_derivatives(plan, moved)[i] + 2 * moved[i]

            num = five_point(d_i)
            assert close(hess_row[j], num, atol=1e-5, rtol=1e-4), (i, j, hess_row[j], num)


def test_strategy_covers_every_gate_and_reuses_nodes():
    """The graphs above really contain every gate, and nodes feeding several gates."""
    seen: set[str] = set()
    fan_out = []

    @settings(max_examples=200, derandomize=True)
    @given(plans())
    def collect(plan):
        uses = [0] * (len(plan[0]) + len(plan[1]))
        for op, i, j, _ in plan[1]:
            seen.add(op)
            uses[i] += 1
            if op in BINARY:
                uses[j] += 1
        fan_out.append(max(uses) >= 2)

    collect()
    assert set(OPS) <= seen, set(OPS) - seen
    assert sum(fan_out) >= len(fan_out) // 3


def test_the_table_has_a_line_for_every_scalar_gate():
    scalar_gates = {row.name for row in G.ROWS if row.scalar is not None}
    in_table = {gate for gate, _, _ in TABLE.values()}
    assert scalar_gates <= in_table, f"gates no random graph draws: {scalar_gates - in_table}"


def test_each_op_builds_the_gate_its_line_names():
    for op, (gate, _, on_values) in TABLE.items():
        out = on_values(Value(0.7), Value(1.3), 2.0)
        assert out._gate is not None and out._gate.name == gate, (op, out._gate)


# -- the reference itself must be able to catch a wrong rule ---------------------------


def test_independent_reference_detects_a_wrong_derivative():
    """Sanity check of the checker: a graph whose float model differs is caught."""
    plan = ((0.7, -1.2), (("mul", 0, 1, 0.0), ("tanh", 2, 0, 0.0)))
    wrong_plan = ((0.7, -1.2), (("mul", 0, 1, 0.0), ("sigmoid", 2, 0, 0.0)))
    pool, out = build(plan, fresh_leaves(plan))
    out.backward()
    assert all(close(node.grad, numerical_adjoint(plan, k)) for k, node in enumerate(pool))
    assert not all(
        close(node.grad, numerical_adjoint(wrong_plan, k)) for k, node in enumerate(pool)
    )
