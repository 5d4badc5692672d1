"""Every gate at the edges of floating point, against PyTorch: forward and backward.

The edges: ±max (±1e308, f32 ±3e38), ±smallest normal, ±0.0, ±subnormals, nan, ±inf.
Each test runs one gate over all edge values (unary) or all pairs (binary) and lists
every disagreement at once, so one failure shows the whole pattern. Value's documented
domain errors (ValueError for log/sqrt/fractional power of a negative, ZeroDivisionError
for x / 0 and 0 ** negative) are accepted exactly where torch's result is not finite.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from fuzz_check import DOMAIN_ERRORS, compare, to_numpy
from fuzz_graphs import GG, TT, apply_op

from autograd import Tensor, Value, grad

F64_EDGES = [1e308, -1e308, 2.2250738585072014e-308, -2.2250738585072014e-308, 0.0, -0.0,
             5e-324, -5e-324, 1e-200, 1e155, math.nan, math.inf, -math.inf, 1.0, -0.5, 2.0]
F32_EDGES = [3e38, -3e38, 1.1754944e-38, -1.1754944e-38, 0.0, -0.0, 1e-45, -1e-45, 1e-30,
             1e19, math.nan, math.inf, -math.inf, 1.0, -0.5, 2.0]
EDGES = {np.float64: F64_EDGES, np.float32: F32_EDGES}
RTOL = {np.float64: 1e-14, np.float32: 1e-6}  # a few ulps: one gate, no sums

UNARY = [("neg", {}), ("abs", {}), ("exp", {}), ("log", {}), ("sqrt", {}), ("tanh", {}),
         ("sigmoid", {}), ("relu", {}), ("square", {})] + [
    ("powc", {"c": c}) for c in (2.0, 3.0, -1.0, -2.0, 0.5, 0.0)]
BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum"]
KINDS = [("value", np.float64), ("tensor", np.float64), ("tensor", np.float32)]
KIND_IDS = ["value", "f64", "f32"]


def _atol(dtype: type) -> float:
    return float(np.finfo(dtype).tiny)  # below the smallest normal, flushing is not an error


def _run(kind: str, dtype: type, op: str, p: dict, operands: list) -> str | None:
    """``op`` on ``operands`` (floats, or equal-length lists for Tensors) in both; why not."""
    g_in = [GG.leaf(x if kind == "value" else np.array(x, dtype), dtype) for x in operands]
    t_in = [TT.leaf(x, dtype) for x in operands]
    t_out = apply_op(TT, op, t_in, p, dtype)
    try:
        g_out = apply_op(GG, op, g_in, p, dtype)
    except DOMAIN_ERRORS as e:
        if not torch.isfinite(t_out).all():
            return None  # documented: a clear error where the function has no real value
        return f"raises {type(e).__name__}: {e} where torch gives {to_numpy(t_out)!r}"
    except Exception as e:
        return f"raises {type(e).__name__}: {e}"
    rtol, atol = RTOL[dtype], _atol(dtype)
    why = compare(g_out, t_out, rtol, atol)
    if why:
        return f"forward: {why}"
    seed = np.full(np.shape(to_numpy(t_out)), 1.0, dtype)
    t_grads = torch.autograd.grad(t_out, t_in, torch.tensor(seed), allow_unused=True,
                                  materialize_grads=True)
    try:
        g_grads = grad(g_out, g_in, seed if kind == "tensor" else 1.0)
    except Exception as e:
        return f"backward raises {type(e).__name__}: {e}"
    for i, (gg, tg) in enumerate(zip(g_grads, t_grads)):
        why = compare(gg, tg, rtol, atol, check_dtype=kind == "tensor")
        if why:
            return f"gradient of operand {i}: {why}"
    return None


def _torch_takes_a_root(op: str, p: dict, x: float) -> bool:
    """torch computes ``x ** 0.5`` as sqrt(x) and ``x ** -0.5`` as 1/sqrt(x), which differ
    from IEEE pow (numpy, and gategrad) at -0.0 and -inf: pow(-0.0, -0.5) is +inf where
    1/sqrt(-0.0) is -inf, and pow(-inf, 0.5) is +inf where sqrt(-inf) is nan. There
    gategrad is checked against numpy's pow instead (``_run_against_numpy``)."""
    return op == "powc" and abs(p["c"]) == 0.5 and (x == -math.inf or x == 0
                                                     and math.copysign(1, x) < 0)


def _run_against_numpy(kind: str, dtype: type, p: dict, x: float) -> str | None:
    c = p["c"]
    node = GG.leaf(x if kind == "value" else np.array([x], dtype), dtype)
    with np.errstate(all="ignore"):
        want = np.power(np.array(x, dtype), dtype(c))
        want_grad = dtype(c) * np.power(np.array(x, dtype), dtype(c - 1))
    out = node**c
    got_grad = grad(out if kind == "value" else out.sum(), [node])[0]
    why = compare(np.reshape(to_numpy(out), ()), want, RTOL[dtype], _atol(dtype), False)
    why = why or compare(np.reshape(to_numpy(got_grad), ()), want_grad, RTOL[dtype],
                         _atol(dtype), False)
    return why and f"against numpy's pow: {why}"


def _report(failures: list) -> None:
    assert not failures, f"{len(failures)} disagreement(s) with torch:\n" + "\n".join(failures)


@pytest.mark.parametrize("op, p", UNARY, ids=[f"{o}{p.get('c', '')}" for o, p in UNARY])
@pytest.mark.parametrize("kind, dtype", KINDS, ids=KIND_IDS)
def test_unary_gate_at_edge_values_matches_torch(kind, dtype, op, p):
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for x in EDGES[dtype]:
            if _torch_takes_a_root(op, p, x):
                why = _run_against_numpy(kind, dtype, p, x)
            else:
                why = _run(kind, dtype, op, p, [x] if kind == "value" else [[x]])
            if why:
                failures.append(f"{op}{p or ''}({x!r}): {why}")
    _report(failures)


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("kind, dtype", KINDS, ids=KIND_IDS)
def test_binary_gate_at_edge_value_pairs_matches_torch(kind, dtype, op):
    failures = []
    edges = EDGES[dtype]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for a in edges:
            for b in edges:
                why = _run(kind, dtype, op, {}, [a, b] if kind == "value" else [[a], [b]])
                if why:
                    failures.append(f"{op}({a!r}, {b!r}): {why}")
    _report(failures)


@pytest.mark.parametrize("how", ["sum", "mean", "max"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_reductions_at_edge_values_match_torch(dtype, how):
    edges = EDGES[dtype]
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for a in edges:
            for b in edges:
                x = np.array([[a, b], [b, 1.0]], dtype)
                for axis in (None, 0, 1):
                    gx, tx = Tensor(x, requires_grad=True), TT.leaf(x, dtype)
                    g_out = getattr(gx, how)(axis=axis)
                    t_out = TT.reduce(tx, how, axis, False)
                    why = compare(g_out, t_out, RTOL[dtype], _atol(dtype))
                    if not why:
                        seed = np.ones(t_out.shape, dtype)
                        (tg,) = torch.autograd.grad(t_out, [tx], torch.tensor(seed))
                        why = compare(grad(g_out, [gx], seed)[0], tg, RTOL[dtype],
                                      _atol(dtype))
                    if why:
                        failures.append(f"{how}({x.tolist()}, axis={axis}): {why}")
    _report(failures)


# -- softmax family at huge logits -------------------------------------------------------

NONFINITE_ROWS = [[math.inf, 1.0, 1.0], [-math.inf, 1.0, 1.0], [math.nan, 1.0, 1.0],
                  [-math.inf, -math.inf, 1.0]]
LOGIT_ROWS = {  # rows whose exact softmax is easy: ties, and steps of 1 at a large offset
    np.float64: [[1e16] * 3, [-1e16] * 3, [1e16, 0.0, -1e16], [1e3, 1e3 + 1, 1e3 + 2],
                 [1e15, 1e15 + 1, 1e15 + 2], [1e308, 1e308, 0.0], *NONFINITE_ROWS],
    np.float32: [[1e7] * 3, [-1e7] * 3, [1e7, 0.0, -1e7], [1e3, 1e3 + 1, 1e3 + 2],
                 [1e7, 1e7 + 1, 1e7 + 2], [3e38, 3e38, 0.0], *NONFINITE_ROWS],
}


def _softmax_family(x, which: str, torch_side: bool):
    labels = [0] * x.shape[0]
    if torch_side:
        return {"log_softmax": lambda: torch.log_softmax(x, dim=1),
                "softmax": lambda: torch.softmax(x, dim=1),
                "cross_entropy": lambda: torch.nn.functional.cross_entropy(
                    x, torch.tensor(labels))}[which]()
    return {"log_softmax": lambda: x.log_softmax(axis=1), "softmax": lambda: x.softmax(axis=1),
            "cross_entropy": lambda: x.cross_entropy(labels)}[which]()


@pytest.mark.parametrize("which", ["log_softmax", "softmax", "cross_entropy"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_softmax_family_at_huge_logits_matches_torch(dtype, which):
    """Forward and gradient against torch computed in float64 from the same inputs (f32:
    the exact answer rounded once), to a few ulps of the output's own dtype."""
    failures = []
    for row in LOGIT_ROWS[dtype]:
        x = np.array([row], dtype)
        gx = Tensor(x, requires_grad=True)
        tx = torch.tensor(x.astype(np.float64), requires_grad=True)
        g_out = _softmax_family(gx, which, False)
        t_out = _softmax_family(tx, which, True)
        want = t_out.detach().numpy().astype(dtype)
        why = compare(g_out, want, 4 * RTOL[dtype], 4 * RTOL[dtype])
        if not why:
            seed = np.linspace(1.0, 2.0, want.size).reshape(want.shape)
            (tg,) = torch.autograd.grad(t_out, [tx], torch.tensor(seed))
            (gg,) = grad(g_out, [gx], seed.astype(dtype))
            why = compare(gg, tg.numpy().astype(dtype), 4 * RTOL[dtype], 4 * RTOL[dtype])
        if why:
            failures.append(f"{which}({row}) {np.dtype(dtype).name}: {why}")
    _report(failures)


# -- single reproductions -----------------------------------------------------------------


def test_value_relu_of_nan_is_nan_as_in_torch():
    assert math.isnan(Value(math.nan).relu().data)


def test_value_power_that_overflows_gives_inf_not_an_error():
    assert Value(1e155) ** 2 == math.inf  # torch: tensor(1e155) ** 2 == inf
    assert (Value(1e155) ** Value(2.0)).data == math.inf


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_backward_of_reciprocal_of_a_tiny_number_is_minus_inf(kind):
    x = Value(1e-200) if kind == "value" else Tensor([1e-200], requires_grad=True)
    (g,) = grad((x**-1) if kind == "value" else (x**-1).sum(), [x])
    assert float(to_numpy(g).reshape(-1)[0]) == -math.inf  # d/dx 1/x = -1/x² = -1e400


@pytest.mark.parametrize("kind", ["value", "tensor"])
@pytest.mark.parametrize("x0", [2.0, 0.5, 3.0])
def test_hessian_of_power_at_zero_exponent_is_exact_and_symmetric(kind, x0):
    """The Hessian of x**y at y = 0, against its closed form (not torch: torch 2.13 gives
    d/dy(d/dx) = 0 there, its base rule being masked where y == 0, while its d/dx(d/dy)
    is 1/x: an asymmetric Hessian). With f = x**y:
    f_xx = y(y-1)x**(y-2) = 0, f_xy = f_yx = x**(y-1)(1 + y log x) = 1/x, f_yy = log(x)**2.
    """
    if kind == "value":
        x, y = Value(x0), Value(0.0)
        out = x**y
    else:
        x, y = Tensor([x0], requires_grad=True), Tensor([0.0], requires_grad=True)
        out = (x**y).sum()
    gx, gy = grad(out, [x, y], create_graph=True)
    if kind == "tensor":
        gx, gy = gx.sum(), gy.sum()
    hessian = [[float(to_numpy(h).reshape(-1)[0]) for h in grad(g, [x, y])] for g in (gx, gy)]
    expected = [[0.0, 1 / x0], [1 / x0, math.log(x0) ** 2]]
    np.testing.assert_allclose(hessian, expected, rtol=1e-12, atol=1e-300)


# -- nn's losses at the edges ------------------------------------------------------------


def _exact_bce(z: float, y: float) -> tuple[float, float]:
    """The loss and its gradient for one logit in float64, from forms with no cancelling
    terms: loss = y·softplus(-z) + (1-y)·softplus(z), d/dz = (1-y)·σ(z) - y·σ(-z), with
    softplus(t) = logaddexp(0, t) and σ(t) = exp(-softplus(-t)). Not torch: torch's own
    formula cancels (z = -40, y = 0 gives loss 0, exact 4.25e-18; z = 20, y = 1 gives the
    gradient -2.06115369e-9, exact -2.0611536182e-9)."""
    with np.errstate(over="ignore"):
        loss = y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)
        sig = lambda t: np.exp(-np.logaddexp(0.0, -t))  # noqa: E731
        return float(loss), float((1 - y) * sig(z) - y * sig(-z))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_binary_cross_entropy_with_logits_at_edge_logits_is_exact(dtype):
    """One sample per call (the mean of one), each loss and gradient compared with the
    exact value (``_exact_bce``) rounded once to the dtype, to a few ulps."""
    from nn.losses import binary_cross_entropy_with_logits

    big = 1e16 if dtype is np.float64 else 1e7
    top = 1e308 if dtype is np.float64 else 3e38
    failures = []
    for z in [0.0, -0.0, 1e-20, 1.0, 20.0, 40.0, -40.0, 100.0, big, -big, top, -top]:
        for y in (0.0, 1.0):
            z_in = np.array([z], dtype)
            want_loss, want_grad = _exact_bce(float(z_in[0]), y)
            gz = Tensor(z_in, requires_grad=True)
            g_loss = binary_cross_entropy_with_logits(gz, np.array([y]))
            why = compare(g_loss, np.array(want_loss, dtype), 4 * RTOL[dtype], _atol(dtype))
            if not why:
                (gg,) = grad(g_loss, [gz])
                why = compare(gg, np.array([want_grad], dtype), 4 * RTOL[dtype], _atol(dtype))
            if why:
                failures.append(f"bce_with_logits(z={z!r}, y={y}): {why}")
    _report(failures)
