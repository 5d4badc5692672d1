"""Comparing a program's run in gategrad with its run in torch: values, gradients, Hessians.

``check_program`` raises ``Mismatch`` at the first difference: nan and ±inf must sit where
torch has them, finite numbers agree to ``tolerance(dtype)`` relative to the element or,
failing that, to the error bound ``fuzz_bounds.py`` carries through the graph for that
element (it scales with the magnitudes that flowed into the result, not only with the
result). Programs come from ``fuzz_graphs.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from fuzz_bounds import Bounds
from fuzz_graphs import GG, TT, Program, apply_op, sinks

from autograd.node import Node

# -- comparing ----------------------------------------------------------------------------

# gategrad's Value gives a clear error where the real function is undefined; torch gives
# nan or ±inf. That is documented design: such a step must be one where torch's result is
# not finite (or, for 0 ** negative and x / 0, infinite), and then the program stops.
DOMAIN_ERRORS = (ValueError, ZeroDivisionError)


class Mismatch(AssertionError):
    """gategrad and torch disagree; ``kind`` names the check, ``op`` the step if known."""

    def __init__(self, kind: str, op: str, detail: str, prog: Program) -> None:
        super().__init__(f"{kind} at {op}: {detail}\n{prog!r}")
        self.kind, self.op = kind, op


def tolerance(dtype: type, order: int = 1) -> float:
    """The allowance of one step, relative to the size of what it computes: rounding
    plus the freedom two libraries have in their formulas (second derivatives: 10x)."""
    return {np.float64: 1e-9, np.float32: 2e-4}[dtype] * (10 if order == 2 else 1)


def to_numpy(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy(force=True)
    if isinstance(x, Node):
        x = x.data
    return np.asarray(x)


def compare(got: Any, want: Any, rtol: float, atol: float, check_dtype: bool = True
            ) -> str | None:
    """None if ``got`` matches ``want``, else why not.

    nan must be where torch has nan, ±inf where torch has the same inf; finite numbers
    agree to ``rtol`` relative to the element plus ``atol`` (a number, or an array of
    ``want``'s shape: a bound per element, as ``within`` passes).
    """
    g, w = to_numpy(got), to_numpy(want)
    if g.shape != w.shape:
        return f"shape {g.shape} != torch {w.shape}"
    if check_dtype and g.dtype != w.dtype:
        return f"dtype {g.dtype} != torch {w.dtype}"
    g64, w64 = g.astype(np.float64), w.astype(np.float64)
    bad = np.isnan(w64) != np.isnan(g64)
    inf = np.isinf(w64) | np.isinf(g64)
    # Whether a product near the top of the range overflows depends on the order of its
    # factors ((0.5 * 2) * 1e308 is finite, 0.5 * (2 * 1e308) is not), so a finite number
    # within a factor 16 of the largest float matches an infinity of the same sign.
    near_top = np.finfo(g.dtype if g.dtype.kind == "f" else np.float64).max / 16
    with np.errstate(invalid="ignore"):
        overflow = (np.sign(g64) == np.sign(w64)) & (np.minimum(abs(g64), abs(w64)) >= near_top)
    bad |= inf & ~np.isnan(w64) & ~np.isnan(g64) & (g64 != w64) & ~overflow
    fin = np.isfinite(w64) & np.isfinite(g64)
    with np.errstate(over="ignore", invalid="ignore"):
        err = np.abs(g64 - w64)
    bad |= fin & (err > rtol * np.abs(w64) + atol)
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0]) if bad.ndim else ()
        return f"got {g64[i]!r} torch {w64[i]!r} at {i} (of got {g!r} / torch {w!r})"
    return None


def check_program(prog: Program) -> bool:
    """Run ``prog`` in both frameworks; raise ``Mismatch`` at the first difference.

    Returns whether a comparison needed the error bound (the strict test failed)."""
    import warnings

    t_nodes = [TT.leaf(v, prog.dtype) for v in prog.leaves]
    bounds = Bounds(prog, t_nodes, tolerance(prog.dtype), float(np.finfo(prog.dtype).tiny))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _check(prog, t_nodes, bounds)
    return bounds.used


def _check(prog: Program, t_nodes: list, bounds: Bounds) -> None:
    """``check_program``'s work: forward step by step, then gradients and Hessians."""
    dtype = prog.dtype
    g_nodes = [GG.leaf(v, dtype) for v in prog.leaves]
    for op, args, p in prog.steps:
        t_out = apply_op(TT, op, [t_nodes[a] for a in args], p, dtype)
        try:
            g_out = apply_op(GG, op, [g_nodes[a] for a in args], p, dtype)
        except DOMAIN_ERRORS as e:
            if not torch.isfinite(t_out).all():
                return  # documented: see DOMAIN_ERRORS
            raise Mismatch("raises", op, f"{type(e).__name__}: {e} where torch gives "
                           f"{to_numpy(t_out)!r}", prog) from e
        except Exception as e:
            raise Mismatch("raises", op, f"{type(e).__name__}: {e}", prog) from e
        if _reference_differs_by_design(op, p, t_nodes, args, t_out, g_out):
            return
        g_nodes.append(g_out)
        t_nodes.append(t_out)
        why = within(g_out, t_out, bounds.eps, lambda: bounds.forward(len(t_nodes) - 1))
        if why:
            raise Mismatch("forward", op, why, prog)
    _check_gradients(prog, g_nodes, t_nodes, bounds,
                     _torch_pow_hessian_wrong(prog, t_nodes))


def within(got: Any, want: Any, eps: float, bound: Any, check_dtype: bool = True,
           dtype: Any = None) -> str | None:
    """None if ``got`` is within ``eps`` of ``want`` relative to each element, or else
    within ``bound()`` (per element, flat: see ``fuzz_bounds``), else why not. The bound
    contains the strict ``eps`` test and is only computed when that fails.

    With ``dtype`` (gradients), an element whose bound passes the dtype's largest number
    is not compared, nan included: the terms summed into it overflow the dtype (so
    ``inf - inf``), or, at second order, an IEEE product ``0 · inf`` sits among them that
    a rule which selects instead of multiplying gives as 0 (``fuzz_bounds``). Except
    gategrad's nan where torch has a number: the bound has no signs, so it cannot tell
    whether the infinite terms cancel, and such a nan has been a gategrad defect.
    """
    want_np = to_numpy(want)
    tiny = float(np.finfo(want_np.dtype).tiny) if want_np.dtype.kind == "f" else 0.0
    why = compare(got, want, eps, tiny, check_dtype)
    if why:
        allowed = np.reshape(bound(), want_np.shape)
        if dtype is not None:
            got_np = to_numpy(got)
            # not gategrad's nan where torch has a number: that one is worth a look
            skip = (allowed >= np.finfo(dtype).max) & (np.isnan(want_np) | ~np.isnan(got_np))
            got = np.where(skip, want_np, got_np).astype(got_np.dtype)
        why = compare(got, want, 0.0, allowed, check_dtype)
    return why


def _reference_differs_by_design(op: str, p: dict, t_nodes: list, args: list, t_out: Any,
                                 g_out: Any) -> bool:
    """Steps where gategrad and torch both follow their own documented rules, which
    differ; the program is checked up to there and stops (as for DOMAIN_ERRORS).

    - matmul whose result is not finite: numpy's BLAS sums the products in its own order
      (and fused), so where IEEE summation of inf and -inf gives nan it may give ±inf,
      and back again in the gradients. Accepted rather than slowing every matmul down
      with a check; gategrad's matmul is numpy's.
    - ``x ** 0.5`` and ``x ** -0.5`` at -0.0 or -inf: torch computes them as sqrt(x) and
      1/sqrt(x) (-inf at -0.0, nan at -inf), gategrad as IEEE pow does (numpy's
      ``power``: +inf at -0.0, 0 at -inf); test_edge_values checks those against numpy.
    """
    if op in ("matmul", "matvec"):
        return not (np.isfinite(to_numpy(t_out)).all() and np.isfinite(to_numpy(g_out)).all())
    if op == "powc" and abs(p["c"]) == 0.5:
        x = to_numpy(t_nodes[args[0]])
        return bool(np.any((x == -np.inf) | ((x == 0) & np.signbit(x))))
    return False


def _torch_pow_hessian_wrong(prog: Program, t_nodes: list) -> bool:
    """Whether a tensor ** tensor step has a zero base or a zero exponent.

    torch 2.13's double backward of pow is wrong there (its first-order rules are masked
    with where(), so d/dy of the base rule is 0 at y == 0 and the zero-base rule gives
    nan): its Hessian of x**y at y = 0 is not even symmetric. Those second derivatives are
    checked against the closed form in test_edge_values.py instead of against torch.
    """
    for op, args, p in prog.steps:
        if op == "pow":
            base, exponent = t_nodes[args[0]], t_nodes[args[1]]
        elif op == "rconst" and p["how"] == "rpow":
            base, exponent = torch.tensor(abs(p["k"])), t_nodes[args[0]]
        else:
            continue
        if bool((base == 0).any()) or bool((exponent == 0).any()):
            return True
    return False


def _root(B: Any, nodes: list, prog: Program) -> Any:
    root = None
    for w, i in zip(prog.weights, sinks(prog)):
        term = nodes[i] * w
        term = term if prog.kind == "value" else term.sum()
        root = term if root is None else root + term
    return root


def _check_gradients(prog: Program, g_nodes: list, t_nodes: list, bounds: Bounds,
                     skip_hessian: bool) -> None:
    n = len(prog.leaves)
    g_root, t_root = _root(GG, g_nodes, prog), _root(TT, t_nodes, prog)
    create = prog.second_order
    try:
        g_grads = GG.grad(g_root, g_nodes[:n], create)
    except Exception as e:
        raise Mismatch("raises", "backward", f"{type(e).__name__}: {e}", prog) from e
    # torch's gradient of every node: the leaves' are the reference, all are the bounds'
    every = TT.grad(t_root, t_nodes, create)
    t_grads = every[:n]
    for i, (gg, tg) in enumerate(zip(g_grads, t_grads)):
        why = within(gg, tg, bounds.eps, lambda i=i: bounds.gradients(every)[0][i],
                     check_dtype=prog.kind == "tensor", dtype=prog.dtype)
        if why:
            raise Mismatch("gradient", f"leaf n{i}", why, prog)
    if create:
        _check_second_order(prog, g_nodes[:n], t_nodes[:n], g_grads, t_grads, skip_hessian,
                            lambda v: bounds.hessian(every, v, tolerance(prog.dtype, 2)))


def _check_second_order(prog: Program, g_leaves: list, t_leaves: list, g_grads: list,
                        t_grads: list, skip_torch: bool, hessian_bounds: Any) -> None:
    """Hessian-vector products: d/dx of sum(grad_i * v_i) with v = 1, -2, 4, ..."""
    g_s, t_s = 0.0, 0.0
    v = [(-2.0) ** i if i else 1.0 for i in range(len(g_leaves))]
    for i, (gg, tg) in enumerate(zip(g_grads, t_grads)):
        g_term, t_term = gg * v[i], tg * v[i]
        if prog.kind == "tensor":
            g_term = g_term.sum() if isinstance(g_term, Node) else float(np.sum(g_term))
            t_term = t_term.sum()
        g_s, t_s = g_s + g_term, t_s + t_term
    if not isinstance(g_s, Node):
        g_hess = [np.zeros_like(to_numpy(x)) for x in g_leaves]
    else:
        try:
            g_hess = GG.grad(g_s, g_leaves, False)
        except Exception as e:
            raise Mismatch("raises", "second backward", f"{type(e).__name__}: {e}",
                           prog) from e
    if skip_torch:  # gategrad's second backward ran; torch is no reference here (see
        return  # _torch_pow_hessian_wrong)
    if t_s.requires_grad:
        t_hess = TT.grad(t_s, t_leaves, False)
    else:
        t_hess = [torch.zeros_like(x) for x in t_leaves]
    for i, (gh, th) in enumerate(zip(g_hess, t_hess)):
        why = within(gh, th, tolerance(prog.dtype, 2), lambda i=i: hessian_bounds(v)[i],
                     check_dtype=False, dtype=prog.dtype)
        if why:
            raise Mismatch("second derivative", f"leaf n{i}", why, prog)
