"""How far gategrad may honestly be from torch: an error bound per node, carried through.

Two correct implementations of a program round differently (summation order, fused
steps, another formula for the same rule), and a later step can magnify that difference:
``(a + b) - a`` turns rounding at the size of ``a`` into a large relative error of a
small result. So the tolerance of a result scales with the magnitudes that flowed into
it, not with the result alone. Every node carries a bound on how far two correct
implementations may be apart, per element (first-order running error analysis, in
float64 from torch's values; ``eps`` is the allowance of one step, ``fuzz_check``'s
``tolerance(dtype)``: rounding plus the freedom of formula between two libraries).

Each step ``y = f(x_1, ..., x_k)`` (all operands as one vector ``x``) contributes its
local Jacobian ``J`` and its local second derivatives ``T[o] = d²y_o / dx dx``, taken by
torch's autograd at torch's values (``Step``). ``|A| v`` is a product with
absolute values in which ``0 · inf`` counts 0 (an exact zero stays exact).

Forward values (leaves are exact, ``e = 0``)::

    e_y = |J| e_x + eps · (|y| + |J| |x|  if f sums its operands (SUMS) else |y|)

Selection gates (relu, abs, clip, maximum, minimum, max reductions) are 1-Lipschitz, but
``|J|`` sees only the winner, and in a near-tie rounding may pick the other operand, so
``e_y`` is at least the largest ``e`` among the operands it selects from.

Gradients: the root ``R = Σ w · sum(sink)`` is exact; ``ḡ`` is torch's adjoint of a node::

    r_x += |J|ᵀ r_y + eps · |J|ᵀ |ḡ_y| + (Σ_o |ḡ_y,o| |T[o]|) e_x

(the upstream error carried back; the rounding of the products summed, at their own
magnitude, not at their possibly cancelled sum; the gate's curvature times the error
of the point its rule is evaluated at). A one-input gate's rule may read its output
(tanh's ``1 - y²``, sigmoid's ``y (1 - y)``): an output off by ``e_y`` is the exact
output of an input off by ``e_y / |J|``, which ``e_x`` then includes.

Hessian-vector products ``h = d/dx Σ_i v_i dR/dx_i`` differentiate the backward pass;
they are sums of the terms ``ḡ_y · T · (tangent)`` over steps. Their magnitude is the
same pass in absolute values: tangents ``τ_y = |J| τ_x`` from ``|v|``, adjoints
``α_x += |J|ᵀ α_y`` from ``|w|``, second adjoints ``β_x += |J|ᵀ β_y + (Σ_o α_o |T[o]|) τ_x``,
and the bound, with ``eps2 = 10 eps``::

    b = eps2 · β + c,   c_x += |J|ᵀ c_y + (Σ_o r_o |T[o]|) τ_x + (Σ_o β_o |T[o]|) e_x

(a division's cancelling second-order terms, ``2a/b³`` against ``1/b²``, enter β at
their own size). A zero curvature times an infinite tangent (relu after ``x²`` at
``x = inf``) is IEEE's nan in torch's double backward, which multiplies, and an exact 0
in gategrad's, which selects: such a term counts as inf in β, and ``fuzz_check`` leaves
an element whose bound passes the dtype's range unchecked (its terms overflow). So
does a gradient: where the terms ``|J|ᵀ |ḡ|`` a gradient sums (nan entries of ``J`` left
out) pass the dtype's range, or an infinite upstream gradient meets a finite nonzero
derivative, the sum is ±inf in one order and ``inf - inf`` in another (torch's
cross_entropy backward splits ``inf · (p - 1)`` into ``inf · p - inf``), so its bound is inf.
Left out: third derivatives (a Hessian evaluated at a point off by ``e``) and errors of
the tangents; ``eps2`` is ten times ``eps`` for them.

Non-finite elements get bound 0: nan and ±inf must sit where torch has them. Every
rounding term adds ``tiny``, the dtype's smallest normal number: below it a result has
no relative accuracy (torch's ``x ** -2`` is ``1 / (x * x)``, 0 where ``x * x``
overflows and the exact result is a subnormal 1e-315). The bounds are computed only
for a program whose check failed the strict ``eps · |result| + tiny``, which every bound
contains, so a passing program costs nothing extra.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from fuzz_graphs import FULL, TENSOR_ONLY, TT, UNARY, Program, apply_op, sinks
from torch.autograd.functional import jacobian

# Steps whose result is a sum of their operands (or of products of them): their rounding
# is at the size of the terms, which may cancel.
SUMS = {"add", "sub", "rconst", "matmul", "matvec", "reduce", "softmax", "log_softmax",
        "cross_entropy"}
# 1-Lipschitz gates that pick one operand: the op that picks the largest error instead.
SELECTIONS = {"relu", "abs", "clip", "maximum", "minimum", "reduce_max"}


def absdot(a: np.ndarray, v: np.ndarray, ieee: bool = False) -> np.ndarray:
    """``|a| @ v`` for ``v >= 0`` contracting ``v`` with ``a``'s last axis, where
    ``0 · inf`` and ``0 · nan`` count 0 (or, ``ieee``, inf: IEEE's nan, a term of any
    size) and any other nan in ``a`` counts as inf."""
    a = _magnitude(a)
    with np.errstate(invalid="ignore", over="ignore"):
        zero = 0.0 if not ieee else np.where(np.isinf(a) | np.isinf(v), np.inf, 0.0)
        terms = np.where((a == 0) | (v == 0), zero, a * v)
    return terms.sum(axis=-1)


def _magnitude(a: np.ndarray) -> np.ndarray:
    """``|a|`` with nan (a product of 0 and inf, or worse) counted as inf."""
    return np.where(np.isnan(a), np.inf, np.abs(a))


def _sum_copies(a: np.ndarray, origin: np.ndarray, m: int, axes: tuple) -> np.ndarray:
    """``a`` (>= 0) with each of ``axes`` (over the inputs of f) summed onto the ``m``
    operand elements the inputs are copies of."""
    for axis in axes:
        shape = list(a.shape)
        shape[axis] = m
        out = np.zeros(shape)
        np.add.at(np.moveaxis(out, axis, 0), origin, np.moveaxis(a, axis, 0))
        a = out
    return a


def _abs_finite(x: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(x), np.abs(x), 0.0)


def flat64(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().numpy(force=True)
    return np.asarray(x, dtype=np.float64).reshape(-1)


class Step:
    """One step's local derivatives at torch's operand values, flattened and in absolute
    values: ``J`` (out, m) and ``T`` (out, m, m) over the operands concatenated (``slots``).

    A tensor-only op first broadcasts its operands to FULL (``x * ones``): its derivatives
    are taken with respect to the broadcast copies and summed back in absolute values, as
    the backward pass sums them (a gradient that is a sum of cancelling terms over the
    copies keeps their rounding). A matmul's are taken at its operands' absolute values:
    for a product of sums that is the size of the terms, not of their (cancelled) sums.
    """

    def __init__(self, op: str, args: list, p: dict, operands: list) -> None:
        xs = [x.detach().to(torch.float64) for x in operands]
        copies = [np.arange(x.numel()).reshape(x.shape) for x in xs]
        if op in TENSOR_ONLY:
            copies = [np.broadcast_to(c, FULL) for c in copies]
            xs = [torch.broadcast_to(x, FULL) for x in xs]
            if op in ("matmul", "matvec"):
                xs = [x.abs() for x in xs]
        shapes, sizes = [x.shape for x in xs], [x.numel() for x in xs]

        def f(z: torch.Tensor) -> torch.Tensor:
            parts = [q.reshape(s) for q, s in zip(torch.split(z, sizes), shapes)]
            return apply_op(TT, op, parts, p, np.float64).reshape(-1)

        z = torch.cat([x.reshape(-1) for x in xs])
        self.op, self.args, self.p = op, args, p
        self.slots = np.cumsum([0, *(x.numel() for x in operands)])
        # the operand element each (broadcast) input of f is a copy of
        origin = np.concatenate([c.reshape(-1) + self.slots[k] for k, c in enumerate(copies)])
        m = self.slots[-1]
        J = jacobian(f, z, vectorize=True).numpy()
        self.J = _sum_copies(_magnitude(J), origin, m, axes=(1,))
        # without its nan entries (0 · inf in a rule): the sure terms, for overflow
        self.J_sure = _sum_copies(np.where(np.isnan(J), 0.0, np.abs(J)), origin, m, axes=(1,))
        T = jacobian(lambda u: jacobian(f, u, create_graph=True, vectorize=True), z,
                     vectorize=True).numpy()
        self.abs_T = _sum_copies(_magnitude(T), origin, m, axes=(1, 2))

    def split(self, v: np.ndarray) -> list:
        return [v[self.slots[k]:self.slots[k + 1]] for k in range(len(self.args))]

    def curvature(self, weights: np.ndarray, v: np.ndarray, ieee: bool = False
                  ) -> np.ndarray:
        """``(Σ_o weights_o |T[o]|) v``: how much the rule's gradient moves when the
        operands move by ``v``, weighted by the upstream gradient's size (``ieee``: see
        ``absdot``)."""
        weighted = absdot(np.moveaxis(self.abs_T, 0, -1), weights)  # (m, m)
        return absdot(weighted, v, ieee)


class Bounds:
    """The bounds of one program, from torch's nodes; steps' derivatives taken once."""

    def __init__(self, prog: Program, t_nodes: list, eps: float, tiny: float) -> None:
        self.prog, self.t, self.eps, self.floor = prog, t_nodes, eps, tiny
        self.n = len(prog.leaves)
        self._steps: dict[int, Step] = {}
        self._e: list[np.ndarray] = [np.zeros(flat64(x).size) for x in t_nodes[:self.n]]
        self._memo: dict[str, Any] = {}

    @property
    def used(self) -> bool:
        """Whether any bound was computed (a strict comparison failed)."""
        return bool(self._steps)

    def step(self, j: int) -> Step:
        if j not in self._steps:
            op, args, p = self.prog.steps[j]
            self._steps[j] = Step(op, args, p, [self.t[a] for a in args])
        return self._steps[j]

    def operands(self, s: Step, per_node: list) -> np.ndarray:
        return np.concatenate([per_node[a] for a in s.args])

    def forward(self, node: int) -> np.ndarray:
        """The bound of ``node``'s value (flat)."""
        while len(self._e) <= node:
            j = len(self._e) - self.n
            s = self.step(j)
            y = flat64(self.t[self.n + j])
            e = absdot(s.J, self.operands(s, self._e))
            size = _abs_finite(y)
            if s.op in SUMS:
                size = size + absdot(s.J, _abs_finite(self.operands(s, self._values())))
            e = e + self.eps * size + self.floor
            if s.op in SELECTIONS or s.op == "reduce" and s.p["how"] == "max":
                e = np.maximum(e, self._selected(s))
            self._e.append(np.where(np.isfinite(y), e, 0.0))
        return self._e[node]

    def _values(self) -> list:
        return [flat64(x) for x in self.t]

    def _selected(self, s: Step) -> np.ndarray:
        """The largest operand error each element of a selection step may pick."""
        errs = [torch.tensor(self._e[a]).reshape(self.t[a].shape) for a in s.args]
        if s.op in ("relu", "abs"):
            out = errs[0]
        elif s.op == "clip":
            out = torch.broadcast_to(errs[0], FULL)
        elif s.op in ("maximum", "minimum"):
            out = torch.maximum(*errs)
        else:  # a max reduction: the same reduction of the errors
            out = apply_op(TT, "reduce", errs, {**s.p, "how": "max"}, np.float64)
        return flat64(out)

    def gradients(self, adjoints: list) -> tuple[list, list]:
        """The bounds ``r`` of every node's gradient and the magnitudes ``α`` of the
        adjoints, given torch's adjoints of every node (computed once per program)."""
        if "gradients" not in self._memo:
            self._memo["gradients"] = self._gradients(adjoints)
        return self._memo["gradients"]

    def _gradients(self, adjoints: list) -> tuple[list, list]:
        self.forward(len(self.t) - 1)
        g = [_abs_finite(flat64(a)) for a in adjoints]
        g_inf = [np.where(np.isnan(x), 0.0, np.abs(x)) for x in map(flat64, adjoints)]
        top = np.finfo(self.prog.dtype).max
        r = [np.zeros_like(x) for x in g]
        alpha = [np.zeros_like(x) for x in g]
        for w, i in zip(self.prog.weights, sinks(self.prog)):
            alpha[i] = alpha[i] + abs(w)
        finite = [np.isfinite(flat64(a)) for a in adjoints]
        for j in range(len(self.prog.steps) - 1, -1, -1):
            s, y = self.step(j), self.n + j
            r[y] = np.where(finite[y] | np.isinf(r[y]), r[y], 0.0)  # else exact
            e_x = self.operands(s, self._e)
            if s.op in UNARY:  # its rule may read the output: see the module docstring
                with np.errstate(divide="ignore", invalid="ignore"):
                    seen = self._e[y] / np.diagonal(s.J)
                e_x = e_x + np.where(np.isfinite(seen), seen, 0.0)
            back_r = absdot(s.J.T, r[y]) + self.eps * absdot(s.J.T, g[y]) + self.floor
            back_r = back_r + s.curvature(g[y], e_x)
            back_alpha = absdot(s.J.T, alpha[y])
            # terms past the dtype's range (or an infinite upstream gradient times a
            # finite nonzero derivative): their sum may be ±inf or inf - inf = nan
            back_r = np.where(absdot(s.J_sure.T, g_inf[y]) >= top, np.inf, back_r)
            for a, dr, da in zip(s.args, s.split(back_r), s.split(back_alpha)):
                r[a] = r[a] + dr
                alpha[a] = alpha[a] + da
        return [np.where(f | np.isinf(x), x, 0.0) for f, x in zip(finite, r)], alpha

    def hessian(self, adjoints: list, v: list, eps2: float) -> list:
        """The bounds of the Hessian-vector product at each leaf, ``v`` per leaf
        (computed once per program)."""
        if "hessian" not in self._memo:
            self._memo["hessian"] = self._hessian(adjoints, v, eps2)
        return self._memo["hessian"]

    def _hessian(self, adjoints: list, v: list, eps2: float) -> list:
        r, alpha = self.gradients(adjoints)
        tau = [np.full(self._e[i].size, abs(v[i])) for i in range(self.n)]
        for j in range(len(self.prog.steps)):
            s = self.step(j)
            tau.append(absdot(s.J, self.operands(s, tau)))
        beta = [np.zeros_like(x) for x in tau]
        c = [np.zeros_like(x) for x in tau]
        for j in range(len(self.prog.steps) - 1, -1, -1):
            s, y = self.step(j), self.n + j
            tau_x, e_x = self.operands(s, tau), self.operands(s, self._e)
            back_beta = absdot(s.J.T, beta[y]) + s.curvature(alpha[y], tau_x, ieee=True)
            back_c = (absdot(s.J.T, c[y]) + s.curvature(r[y], tau_x)
                      + s.curvature(beta[y], e_x))
            for a, db, dc in zip(s.args, s.split(back_beta), s.split(back_c)):
                beta[a] = beta[a] + db
                c[a] = c[a] + dc
        return [eps2 * beta[i] + c[i] + self.floor for i in range(self.n)]
