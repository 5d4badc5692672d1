"""Engine semantics on Value graphs: where gradients land, accumulation, grad(),
no_grad(), create_graph=True, depth without recursion, and graphs without cycles."""

from __future__ import annotations

import gc
import math
import sys
import threading

import pytest
from conftest import floats
from graph_walk import graph_nodes as all_nodes
from hypothesis import given, settings

import autograd
from autograd import Value, enable_grad, grad, is_grad_enabled, maximum, minimum, no_grad


def small_graph(a=2.0, b=-3.0, c=10.0, f=-2.0):
    """L = (a*b + c) * f with its intermediates, and the closed-form gradient of each."""
    a, b, c, f = Value(a, "a"), Value(b, "b"), Value(c, "c"), Value(f, "f")
    e = a * b
    d = e + c
    L = d * f
    want = {
        "L": 1.0, "d": f.data, "f": d.data, "e": f.data, "c": f.data,
        "a": f.data * b.data, "b": f.data * a.data,
    }
    return {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d, "L": L}, want


# -- every node holds its gradient -----------------------------------------------------


@given(floats(-5, 5), floats(-5, 5), floats(-5, 5), floats(-5, 5))
def test_every_node_leaf_and_intermediate_holds_its_gradient(a, b, c, f):
    nodes, want = small_graph(a, b, c, f)
    nodes["L"].backward()
    for name, node in nodes.items():
        assert node.grad == pytest.approx(want[name], rel=1e-12, abs=1e-12), name
        assert type(node.grad) is float
    assert len(all_nodes(nodes["L"])) == len(nodes)  # no node left out of the check


def test_backward_writes_every_intermediate_gradient():
    """Plant a stale nan in every intermediate's .grad: backward must overwrite each one."""
    x, y = Value(0.3), Value(-1.7)
    u = x * y
    out = (u.tanh() + maximum(u, x) - minimum(y, 0.0) / (x * x + 1.0)).sigmoid() * 2.0
    out = out + abs(y) ** 1.5 + (x.exp() + 1.0).log().sqrt() - (-y).relu()
    nodes = all_nodes(out)
    inner = [n for n in nodes if n._gate is not None]
    assert len(inner) >= 20
    for n in inner:
        n.grad = math.nan
    out.backward()
    assert all(math.isfinite(n.grad) for n in nodes)
    assert out.grad == 1.0 and u.grad != 0.0


# -- fan-out: contributions add --------------------------------------------------------


@given(floats(-5, 5))
def test_x_times_x(x):
    v = Value(x)
    (v * v).backward()
    assert v.grad == pytest.approx(2 * x, rel=1e-15, abs=1e-15)


@given(floats(-5, 5))
def test_x_plus_x_and_x_plus_x_plus_x(x):
    v = Value(x)
    (v + v).backward()
    assert v.grad == 2.0
    w = Value(x)
    (w + w + w).backward()
    assert w.grad == 3.0
    z = Value(x)
    (z * z * z).backward()
    assert z.grad == pytest.approx(3 * x * x, rel=1e-14, abs=1e-14)


@given(floats(-2, 2), floats(-2, 2))
def test_node_used_by_three_gates(x, y):
    vx, vy = Value(x), Value(y)
    u = vx * vy
    L = u + u * u + u.exp()
    L.backward()
    p = x * y
    dL_du = 1 + 2 * p + math.exp(p)
    assert u.grad == pytest.approx(dL_du, rel=1e-13)
    assert vx.grad == pytest.approx(dL_du * y, rel=1e-13, abs=1e-13)
    assert vy.grad == pytest.approx(dL_du * x, rel=1e-13, abs=1e-13)


@given(floats(-3, 3))
def test_diamond(a):
    va = Value(a)
    b = va * 2.0
    c = va + 1.0
    d = b * c
    d.backward()
    assert va.grad == pytest.approx(2 * (a + 1) + 2 * a, rel=1e-14, abs=1e-14)
    assert b.grad == c.data and c.grad == b.data


# -- repeated backward -----------------------------------------------------------------


@given(floats(-5, 5), floats(-5, 5), floats(-5, 5), floats(-5, 5))
def test_second_backward_doubles_leaves_and_recomputes_intermediates(a, b, c, f):
    nodes, want = small_graph(a, b, c, f)
    nodes["L"].backward()
    first = {name: node.grad for name, node in nodes.items()}
    nodes["L"].backward()
    for name, node in nodes.items():
        if name in ("a", "b", "c", "f"):
            assert node.grad == 2 * first[name], name
        else:
            assert node.grad == first[name], name
    assert nodes["L"].grad == 1.0


def test_intermediate_shared_by_two_outputs_is_fresh_in_each_backward():
    x, y = Value(1.5), Value(-2.0)
    u = x * y
    L1 = u * 2.0
    L2 = u * 3.0
    L1.backward()
    assert u.grad == 2.0
    L2.backward()
    assert u.grad == 3.0  # not 2 + 3
    assert x.grad == (2.0 + 3.0) * y.data
    assert y.grad == (2.0 + 3.0) * x.data


def test_backward_on_a_leaf():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0
    x.backward(grad=2.5)
    assert x.grad == 3.5


# -- grad() ----------------------------------------------------------------------------


def test_grad_returns_gradients_and_leaves_dot_grad_exactly_as_it_was():
    nodes, want = small_graph()
    L = nodes["L"]
    L.backward()  # intermediates now hold gradients too
    nodes["a"].grad = 0.25  # and some leaves hold arbitrary earlier values
    nodes["b"].grad = -7.0
    before = {name: node.grad for name, node in nodes.items()}
    ga, gb, ge = grad(L, [nodes["a"], nodes["b"], nodes["e"]])
    assert ga == want["a"] and gb == want["b"] and ge == want["e"]
    assert {name: node.grad for name, node in nodes.items()} == before


def test_grad_gives_zero_for_an_input_outside_the_graph():
    x, z = Value(2.0), Value(5.0)
    z.grad = 3.0
    y = x * x
    gx, gz = grad(y, [x, z])
    assert gx == 4.0
    assert gz == 0.0
    assert z.grad == 3.0 and x.grad == 0.0


def test_grad_of_a_node_with_respect_to_itself_is_one():
    x = Value(2.0)
    y = x * 3.0
    assert grad(y, [y, x]) == [1.0, 3.0]
    assert grad(x, [x]) == [1.0]


def test_grad_does_not_disturb_a_later_backward():
    nodes, want = small_graph()
    grad(nodes["L"], [nodes["a"]])
    grad(nodes["L"], [nodes["a"]])
    nodes["L"].backward()
    for name, node in nodes.items():
        assert node.grad == want[name], name


def test_grad_rejects_inputs_that_are_not_nodes():
    x = Value(1.0)
    with pytest.raises(TypeError):
        grad(x * 2.0, [x, 3.0])


# -- no_grad ---------------------------------------------------------------------------


def test_no_grad_builds_no_graph():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 3.0 + 1.0).tanh()
        z = maximum(x, 1.0)
    assert y._prev == () and y._gate is None
    assert z._prev == ()
    assert y.data == math.tanh(7.0)
    y.backward()
    assert x.grad == 0.0  # nothing reaches x
    assert is_grad_enabled()
    w = x * 3.0
    assert len(w._prev) == 2 and w._prev[0] is x  # recording is back on


def test_no_grad_nests_and_restores_on_exceptions():
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
        with enable_grad():
            assert is_grad_enabled()
            assert Value(1.0).exp()._prev != ()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()
    assert Value(1.0).exp()._prev != ()


def test_no_grad_as_a_decorator():
    @no_grad()
    def double(v):
        assert not is_grad_enabled()
        return v * 2.0

    x = Value(1.5)
    y = double(x)
    z = double(x)  # usable more than once
    assert y._prev == () and z._prev == () and y.data == 3.0
    assert is_grad_enabled()


def _in_thread(target) -> dict:
    out: dict = {}

    def run():
        try:
            out.update(target())
        except BaseException as e:  # surface it in the main thread
            out["error"] = e

    t = threading.Thread(target=run)
    t.start()
    return {"thread": t, "out": out}


def test_no_grad_in_the_main_thread_does_not_reach_another_thread():
    main_inside = threading.Event()
    built = threading.Event()

    def worker():
        assert main_inside.wait(10)
        a = Value(1.5)
        b = a * 3.0
        enabled = is_grad_enabled()
        built.set()
        return {"a": a, "b": b, "enabled": enabled}

    job = _in_thread(worker)
    x = Value(2.0)
    with no_grad():
        main_inside.set()
        assert built.wait(10)  # the worker built its node while we are inside no_grad
        y = x * 3.0
        assert y._prev == ()
        assert not is_grad_enabled()
    job["thread"].join(10)
    out = job["out"]
    assert "error" not in out, out.get("error")
    assert out["enabled"] is True
    assert len(out["b"]._prev) == 2 and out["b"]._prev[0] is out["a"]
    out["b"].backward()
    assert out["a"].grad == 3.0


def test_no_grad_in_another_thread_does_not_reach_the_main_thread():
    inside = threading.Event()
    release = threading.Event()

    def worker():
        with no_grad():
            inside.set()
            assert release.wait(10)
            return {"prev": Value(1.0).exp()._prev}

    job = _in_thread(worker)
    assert inside.wait(10)
    assert is_grad_enabled()
    x = Value(2.0)
    y = x.exp()  # built while the worker sits inside no_grad
    release.set()
    job["thread"].join(10)
    assert "error" not in job["out"], job["out"].get("error")
    assert job["out"]["prev"] == ()
    assert y._prev == (x,)


# -- create_graph=True: second derivatives ----------------------------------------------


@settings(max_examples=100)
@given(floats(-4, 4))
def test_second_derivative_of_tanh_via_backward(x):
    v = Value(x)
    y = v.tanh()
    y.backward(create_graph=True)
    g = v.grad
    assert isinstance(g, Value)
    t = math.tanh(x)
    assert g.data == pytest.approx(1 / math.cosh(x) ** 2, rel=1e-9, abs=1e-14)
    v.grad = 0.0
    g.backward()
    assert v.grad == pytest.approx(-2 * t * (1 - t * t), rel=1e-9, abs=1e-13)


@settings(max_examples=100)
@given(floats(-4, 4))
def test_second_derivative_of_tanh_via_grad(x):
    v = Value(x)
    y = v.tanh()
    (g,) = grad(y, [v], create_graph=True)
    (g2,) = grad(g, [v])
    t = math.tanh(x)
    assert g.data == pytest.approx(1 - t * t, rel=1e-9, abs=1e-14)
    assert g2 == pytest.approx(-2 * t * (1 - t * t), rel=1e-9, abs=1e-13)
    assert v.grad == 0.0 and y.grad == 0.0


@settings(max_examples=100)
@given(floats(-10, 10))
def test_second_and_third_derivative_of_cube(x):
    v = Value(x)
    y = v**3
    y.backward(create_graph=True)
    g = v.grad
    assert g.data == pytest.approx(3 * x * x, rel=1e-12, abs=1e-12)
    v.grad = 0.0
    g.backward()
    assert v.grad == pytest.approx(6 * x, rel=1e-12, abs=1e-12)

    w = Value(x)
    (g1,) = grad(w**3, [w], create_graph=True)
    (g2,) = grad(g1, [w], create_graph=True)
    (g3,) = grad(g2, [w])
    assert g2.data == pytest.approx(6 * x, rel=1e-12, abs=1e-12)
    assert g3 == pytest.approx(6.0, rel=1e-12)


SECOND = [
    # (name, f, f'' closed form, domain)
    ("sigmoid", lambda v: v.sigmoid(),
     lambda x: (s := 1 / (1 + math.exp(-x))) * (1 - s) * (1 - 2 * s), (-6, 6)),
    ("exp", lambda v: v.exp(), math.exp, (-5, 5)),
    ("log", lambda v: v.log(), lambda x: -1 / x**2, (0.1, 10)),
    ("sqrt", lambda v: v.sqrt(), lambda x: -0.25 * x**-1.5, (0.1, 10)),
    ("recip", lambda v: 1.0 / v, lambda x: 2 / x**3, (0.2, 10)),
    ("pow_real", lambda v: v**2.5, lambda x: 2.5 * 1.5 * x**0.5, (0.1, 10)),
    ("two_to_x", lambda v: 2.0**v, lambda x: 2**x * math.log(2) ** 2, (-4, 4)),
    ("x_to_x", lambda v: v**v, lambda x: x**x * ((math.log(x) + 1) ** 2 + 1 / x), (0.2, 3)),
    ("relu_sq", lambda v: v.relu() * v, lambda x: 2.0 if x > 0 else 0.0, (-3, 3)),
    ("abs_cube", lambda v: abs(v) * v * v, lambda x: 6 * abs(x), (-3, 3)),
    ("max_sq", lambda v: maximum(v * v, 1.0),
     lambda x: 2.0 if x * x > 1 else (1.0 if x * x == 1 else 0.0), (-3, 3)),
]


@pytest.mark.parametrize("f, d2, dom", [s[1:] for s in SECOND], ids=[s[0] for s in SECOND])
@settings(max_examples=50)
@given(u=floats(0, 1))
def test_second_derivative_closed_forms(f, d2, dom, u):
    x = dom[0] + u * (dom[1] - dom[0])
    v = Value(x)
    out = f(v) + v * v  # + x² so that the first derivative is a node everywhere
    (g,) = grad(out, [v], create_graph=True)
    (g2,) = grad(g, [v])
    assert g2 == pytest.approx(d2(x) + 2.0, rel=1e-9, abs=1e-12)


@given(floats(-3, 3), floats(-3, 3))
def test_mixed_partial_derivatives(x, y):
    vx, vy = Value(x), Value(y)
    f = vx * vy * vy + vx.exp() * vy  # f_xy = 2y + e^x
    gx, gy = grad(f, [vx, vy], create_graph=True)
    assert grad(gx, [vy])[0] == pytest.approx(2 * y + math.exp(x), rel=1e-12, abs=1e-12)
    assert grad(gy, [vx])[0] == pytest.approx(2 * y + math.exp(x), rel=1e-12, abs=1e-12)


def test_create_graph_gradient_is_a_node_even_when_it_is_constant():
    """README (design notes): create_graph=True makes gradients differentiable nodes.

    d(x + 1)/dx = 1 does not depend on x, but it must still be a Value (PyTorch returns a
    tensor here, too), so that code taking second derivatives works on any function.
    """
    x = Value(2.0)
    (g,) = grad(x + 1.0, [x], create_graph=True)
    assert isinstance(g, Value)
    assert g.data == 1.0
    assert grad(g, [x]) == [0.0]
    y = Value(2.0)
    (y + y).backward(create_graph=True)
    assert isinstance(y.grad, Value)
    assert y.grad.data == 2.0


def test_create_graph_handles_a_zero_base_like_plain_backward():
    """0 ** b with b a Value: plain backward gives d/db = 0 (the limit, as in PyTorch);
    create_graph=True must give the same numbers, not raise ValueError from log(0)."""
    a, b = Value(0.0), Value(2.0)
    plain = grad(a**b, [a, b])
    assert plain == [0.0, 0.0]
    a2, b2 = Value(0.0), Value(2.0)
    graphed = grad(a2**b2, [a2, b2], create_graph=True)
    assert [g.data if isinstance(g, Value) else g for g in graphed] == plain


EDGES = [
    # (id, fn, inputs): points where a derivative is 0, inf or nan rather than a number
    ("sqrt_at_0", lambda x: x.sqrt(), (0.0,)),
    ("pow_half_at_0", lambda x: x**0.5, (0.0,)),
    ("pow_value_half_at_0", lambda x, e: x**e, (0.0, 0.5)),
    ("negative_base_value_exponent", lambda x, e: x**e, (-2.0, 2.0)),
    ("pow_zero_at_0", lambda x: x**0, (0.0,)),
    ("pow_one_at_0", lambda x: x**1, (0.0,)),
    ("zero_base_value_exponent", lambda x, e: x**e, (0.0, 2.0)),
    ("exp_overflow", lambda x: x.exp(), (1000.0,)),
    ("abs_at_0", lambda x: abs(x), (0.0,)),
    ("relu_at_0", lambda x: x.relu(), (0.0,)),
    ("max_tie", lambda x, y: maximum(x, y), (1.0, 1.0)),
    ("min_tie", lambda x, y: minimum(x, y), (1.0, 1.0)),
    ("sigmoid_far_left", lambda x: x.sigmoid(), (-1000.0,)),
]


@pytest.mark.parametrize("fn, xs", [e[1:] for e in EDGES], ids=[e[0] for e in EDGES])
def test_create_graph_first_derivatives_match_plain_ones_at_domain_edges(fn, xs):
    """create_graph=True runs the same rules on nodes; it must give the same numbers as a
    plain backward (inf, nan and 0 included), not raise where the plain one does not."""
    plain_in = [Value(x) for x in xs]
    plain = grad(fn(*plain_in), plain_in)
    graph_in = [Value(x) for x in xs]
    graphed = grad(fn(*graph_in), graph_in, create_graph=True)
    for p, g in zip(plain, graphed):
        assert isinstance(g, Value)
        assert g.data == p or (math.isnan(g.data) and math.isnan(p)), (plain, graphed)


# -- depth: a million nodes, no recursion -----------------------------------------------

N = 1_000_000


@pytest.fixture
def default_recursion_limit():
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        assert sys.getrecursionlimit() == 1000
        yield
    finally:
        sys.setrecursionlimit(old)


@pytest.mark.slow
def test_million_node_chain_forward_and_backward(default_recursion_limit):
    x0 = Value(0.5)
    x = x0
    for _ in range(N):
        x = x + 1.0
    assert x.data == 0.5 + N
    x.backward()
    assert x0.grad == 1.0
    assert sys.getrecursionlimit() == 1000
    del x  # freeing a million-deep chain must not overflow either


@pytest.mark.slow
def test_million_node_chain_with_a_shared_leaf_through_grad(default_recursion_limit):
    x0, c = Value(1.0), Value(1.0000001)
    x = x0
    for _ in range(N):
        x = x * c  # c feeds a million gates
    cn = 1.0000001**N
    assert x.data == pytest.approx(cn, rel=1e-9)
    g0, gc_ = grad(x, [x0, c])
    assert g0 == pytest.approx(cn, rel=1e-9)  # d x / d x0 = c^N
    assert gc_ == pytest.approx(N * cn / 1.0000001, rel=1e-8)  # N c^(N-1)
    assert x0.grad == 0.0 and c.grad == 0.0
    del x


@pytest.mark.slow
def test_deep_chain_second_derivative_under_default_recursion_limit(default_recursion_limit):
    """create_graph=True on a 100,000-gate chain builds a derivative graph just as deep."""
    n, k = 100_000, 1.000001
    x0, c = Value(1.0), Value(k)
    x = x0
    for _ in range(n):
        x = x * c
    g0, g_c = grad(x, [x0, c], create_graph=True)
    (h,) = grad(g_c, [c])  # d²(x0 c^n)/dc² = n (n - 1) c^(n-2)
    assert g0.data == pytest.approx(k**n, rel=1e-9)
    assert g_c.data == pytest.approx(n * k ** (n - 1), rel=1e-9)
    assert h == pytest.approx(n * (n - 1) * k ** (n - 2), rel=1e-8)
    del x, g0, g_c


# -- graphs hold no reference cycles ---------------------------------------------------


def cyclic_garbage(build, cls) -> list:
    """Objects of type ``cls`` that only the cycle collector could free after build().

    With the collector off, everything ``build`` drops is freed by reference counting,
    except cycles; DEBUG_SAVEALL then keeps what the collector finds in gc.garbage.
    """
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.garbage.clear()
        build()
        gc.collect()
        return [o for o in gc.garbage if type(o) is cls]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


class _ClosureNode:
    """A node in the micrograd style: its backward closure refers to the node itself."""

    def __init__(self, data, prev=()):
        self.data, self.grad, self._prev = data, 0.0, prev
        self._backward = lambda: None

    def __mul__(self, other):
        out = _ClosureNode(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward  # out -> closure -> out: a cycle
        return out


def test_cycle_check_detects_nodes_that_hold_closures():
    def build():
        a, b = _ClosureNode(2.0), _ClosureNode(3.0)
        c = a * b
        c.grad = 1.0
        c._backward()

    assert len(cyclic_garbage(build, _ClosureNode)) >= 1


def _value_workload():
    x, y = Value(0.3), Value(-1.2)
    u = x * y
    out = (u.tanh() + maximum(u, x) * minimum(y, 2.0) - abs(y) / (x * x + 1.0)) ** 2
    out = out + (x.exp() + 1.0).log().sqrt() + y.sigmoid().relu() + 2.0**x + x ** Value(2.0)
    out.backward()
    out.backward(grad=0.5)
    grad(out, [x, y])
    (g,) = grad(out, [x], create_graph=True)  # documented as cycle-free (unlike backward)
    grad(g, [x, y])
    with no_grad():
        (x * y).exp()


def test_value_graphs_hold_no_reference_cycles():
    assert cyclic_garbage(_value_workload, Value) == []


def test_gradcheck_leaves_no_reference_cycles():
    def build():
        x, y = Value(0.4), Value(1.3)
        autograd.gradcheck(lambda a, b: (a * b).tanh() + a / b, [x, y])

    assert cyclic_garbage(build, Value) == []
