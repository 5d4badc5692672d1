"""The gate table: every gate's forward and local derivative, declared once.

A row (``row.Gate``) holds all there is to know about a gate: its forward on floats
(``scalar``) and on arrays (``array``), one derivative rule per input, the method that
applies it, how it is drawn, its domain, and how random test graphs use it. A rule
gives its input's ``down_diff = local_diff * up_diff`` and is called, by every backward
loop alike, as ``rule(g, out, *inputs, *ctx)``: ``g`` is the upstream gradient, ``out``
the gate's output, ``ctx`` its constants. The rules use arithmetic, comparisons and the
dual helpers at the bottom of this file, so the same line runs on floats (Value), numpy
arrays (Tensor) and on the nodes themselves (``create_graph=True``).

Overflow and domain, one policy: every forward answers as numpy does and never raises (a
result too large is ±inf, one with no real value nan, 0 to a negative power inf, and nan
goes through every gate). A user's Value operation outside its domain raises before it
runs, from the row's ``domain`` check: ``log`` of a number <= 0 and ``sqrt`` of a
negative one raise ValueError, division by zero ZeroDivisionError; ``x ** y`` with a
negative base and a non-integer exponent raises ValueError for Values and Tensors alike
(never a complex number). Tensors otherwise follow numpy (nan, inf). Derivative rules run
the forwards without the checks, so a second derivative at the edge of a domain is the
inf or nan numpy would give. The careful forwards live in ``forwards.py``; the
Tensor-only rows (matmul, reductions, reshaping, indexing) in ``tensor_gates.py``.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from . import forwards as F
from .node import Node
from .row import Gate

__all__ = ["Gate", "ROWS", "divide", "power", "log", "sign", "select", "values"]

G = Gate
ADD = G("add", "+", operator.add, np.add, (lambda g, out, a, b: g, lambda g, out, a, b: g),
        safe=lambda a, b: a + b,
        words="∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1: the gate passes up_diff on unchanged")
SUB = G("sub", "-", operator.sub, np.subtract,
        (lambda g, out, a, b: g, lambda g, out, a, b: -g), safe=lambda a, b: a - b,
        words="∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1")
MUL = G("mul", "*", operator.mul, np.multiply,
        (lambda g, out, a, b: g * b, lambda g, out, a, b: g * a),
        safe=lambda a, b: a.tanh() * b,  # one side bounded, so products stay bounded
        helpers=frozenset({"tanh"}),
        words="∂(a·b)/∂a = b, ∂(a·b)/∂b = a: each input gets up_diff times the other input")
DIV = G("div", "/", F.scalar_div, F.array_div,
        (lambda g, out, a, b: divide(g, b), lambda g, out, a, b: divide(-g * out, b)),
        domain=F.check_div, safe=lambda a, b: a / (b * b + 1.0),
        helpers=frozenset({"mul", "add"}),
        words="∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²")
POW = G("pow", "**", F.scalar_pow, F.array_pow,
        (lambda g, out, a, b: _pow_base(g, a, b), lambda g, out, a, b: _pow_exponent(g, out, a, b)),
        domain=F.check_pow, safe=lambda a, b: (a * a + 0.5) ** b.tanh(),
        helpers=frozenset({"mul", "add", "tanh"}),
        words="∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a")
# a ** c with c a plain number: no gradient for c, and no log(a) (so a may be negative)
POWC = G("powc", "**", F.scalar_pow, F.array_pow,
         # x**0: 0, a constant: in a second backward no 0 flows into g's graph (where
         # it would meet g's infinite factors: 0 * inf = nan)
         (lambda g, out, a, c: _pow_base(g, a, c) if c else select(False, detached(g)),),
         domain=F.check_pow, label=lambda ctx: f"**{_num(ctx[0])}",
         safe=lambda x: x.tanh() ** 3, helpers=frozenset({"tanh"}),
         words="∂(aᶜ)/∂a = c·aᶜ⁻¹ (c is a constant)")
NEG = G("neg", "-", operator.neg, np.negative, (lambda g, out, a: -g,), safe=lambda x: -x,
        words="∂(−a)/∂a = −1")
EXP = G("exp", "exp", F.scalar_exp, np.exp, (lambda g, out, a: g * out,),
        method="exp", doc="e to the power of this node (inf where that overflows).",
        cli=("exp",), safe=lambda x: x.tanh().exp(),  # squashed: deep graphs stay finite
        helpers=frozenset({"tanh"}),
        words="∂eᵃ/∂a = eᵃ: the output itself")
LOG = G("log", "log", F.scalar_log, F.array_log, (lambda g, out, a: divide(g, a),),
        method="log", doc="The natural logarithm. Raises ValueError for a Value <= 0 "
        "(a Tensor gives -inf at 0 and nan below, as numpy).", domain=F.check_log,
        cli=("log",), safe=lambda x: (x * x + 0.5).log(), helpers=frozenset({"mul", "add"}),
        words="∂ln a/∂a = 1/a")
SQRT = G("sqrt", "sqrt", F.scalar_sqrt, F.array_sqrt,
         # g / (2 sqrt(x)), divided rather than times out**-1: ±inf at ±0 (the sign of
         # zero kept), and no 1/out**2 (inf for a tiny out) in the second derivative
         (lambda g, out, a: divide(g * 0.5, out),),
         method="sqrt", doc="The square root. Raises ValueError for a negative Value "
         "(a Tensor gives nan there, as numpy).", domain=F.check_sqrt, cli=("sqrt",),
         safe=lambda x: (x * x + 0.5).sqrt(), helpers=frozenset({"mul", "add"}),
         words="∂√a/∂a = 1/(2√a)")
TANH = G("tanh", "tanh", math.tanh, np.tanh, (lambda g, out, a: g * (1 - out * out),),
         method="tanh", doc="The hyperbolic tangent, in (-1, 1).", cli=("tanh",),
         safe=lambda x: x.tanh(),
         words="∂tanh a/∂a = 1 − tanh²a: near 0 once |a| is large (saturation)")
SIGMOID = G("sigmoid", "σ", F.scalar_sigmoid, F.array_sigmoid,
            (lambda g, out, a: g * out * (1 - out),),
            method="sigmoid", doc="The logistic function 1 / (1 + e**-x), in (0, 1); "
            "stable for any x.", cli=("sigmoid",), safe=lambda x: x.sigmoid(),
            words="∂σ(a)/∂a = σ(a)·(1 − σ(a)): at most 0.25, near 0 once |a| is large")
SOFTPLUS = G("softplus", "softplus", F.scalar_softplus, F.array_softplus,
             (lambda g, out, a: g * _unary(SIGMOID, a),),
             method="softplus", doc="log(1 + e**x), computed without overflow or the loss "
             "of a small e**x next to 1 (log1p).", cli=("softplus",),
             safe=lambda x: x.softplus(),
             words="∂softplus(a)/∂a = σ(a): between 0 and 1, never exactly 0")
RELU = G("relu", "relu", F.scalar_relu, lambda x: np.maximum(x, 0),
         (lambda g, out, a: select(_nonzero(out), g),),
         method="relu", doc="max(x, 0); the gradient is 0 at 0 and nan goes through.",
         cli=("relu",), safe=lambda x: x.relu(), kinked=True,
         words="∂relu(a)/∂a = 1 where a > 0, else 0 (a unit that is never positive is dead)")
LEAKY_RELU = G("leaky_relu", "leaky relu", lambda x: x if x > 0 or x != x else 0.01 * x,
               lambda x: np.where(x > 0, x, 0.01 * x),
               (lambda g, out, a: g * (0.01 + 0.99 * (a > 0)),),
               method="leaky_relu", doc="x for x > 0, else 0.01 * x (PyTorch's default slope).",
               cli=("leaky_relu",), safe=lambda x: x.leaky_relu(), kinked=True,
               words="∂leaky_relu(a)/∂a = 1 where a > 0, else 0.01 (never quite dead)")
ABS = G("abs", "abs", abs, np.abs, (lambda g, out, a: g * sign(a),),
        method="abs", doc="The absolute value |x| (also ``abs(x)``); the gradient is "
        "sign(x), 0 at 0.", cli=("abs",), safe=lambda x: abs(x), kinked=True,
        words="∂|a|/∂a = sign(a)")
MAX: Gate
MIN: Gate
MAX = G("max", "max", F.scalar_max, np.maximum,
        (lambda g, out, a, b: _keeps(g, a, b), lambda g, out, a, b: _keeps(g, b, a)),
        cli=("max", "maximum"), safe=lambda a, b: _binary(MAX, a, b), kinked=True,
        words="max(a, b) routes up_diff to the larger input (half to each at a tie)")
MIN = G("min", "min", F.scalar_min, np.minimum,
        (lambda g, out, a, b: _keeps(g, b, a), lambda g, out, a, b: _keeps(g, a, b)),
        cli=("min", "minimum"), safe=lambda a, b: _binary(MIN, a, b), kinked=True,
        words="min(a, b) routes up_diff to the smaller input (half to each at a tie)")

ROWS: tuple[Gate, ...] = tuple(g for g in list(globals().values()) if isinstance(g, Gate))

# x where keep, else 0, the mask a constant: the gate of ``select`` when the rules run on
# nodes. A helper of the rules (as tensor_gates' scatter), not a gate users call, so it is
# not one of the ROWS (no method, no CLI name, not drawn in random graphs by itself).
SELECT = G("select", "select", lambda x, keep: select(keep, x),
           lambda x, keep: select(keep, x), (lambda g, out, x, keep: select(keep, g),),
           words="up_diff where the mask keeps the input, exactly 0 elsewhere (the mask "
           "carries no gradient)")
del G


# -- helpers of the rules: dual, they run on floats, arrays and nodes ------------------


def values(x: Any) -> Any:
    """The numbers behind ``x``: for masks and indices, which carry no gradient."""
    return x.data if isinstance(x, Node) else x


def detached(x: Any) -> Any:
    """``x`` cut from its graph: a node's constant copy; a number or an array as it is."""
    return x.detach() if isinstance(x, Node) else x  # type: ignore[attr-defined]


def sign(x: Any) -> Any:
    """-1, 0 or 1, as a constant: a step has no gradient to record.

    0 at nan, as PyTorch's ``sgn`` (numpy's ``sign`` gives nan): abs'(nan) is 0 in both
    frameworks, where relu passes its gradient at nan (PyTorch's masks, followed here).
    """
    x = values(x)
    if isinstance(x, np.ndarray):
        return np.sign(np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0))
    return float((x > 0) - (x < 0))


def power(x: Any, e: Any) -> Any:
    """``x ** e``, never an error: inf for 0 to a negative power or on overflow, nan for a
    negative base to a fractional power. On nodes, the pow gate without its domain check."""
    if isinstance(e, Node):
        return _binary(POW, x, e)
    if isinstance(x, Node):
        return x._apply(POWC, float(e))
    if isinstance(x, np.ndarray) or isinstance(e, np.ndarray):
        return F.array_pow(x, e)
    return F.scalar_pow(x, e)


def divide(a: Any, b: Any) -> Any:
    """``a / b``, never an error: ±inf for a number over 0, nan for 0 / 0 (as numpy). On
    nodes, the div gate without its domain check."""
    if isinstance(a, Node) or isinstance(b, Node):
        return _binary(DIV, a, b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return F.array_div(a, b)
    return F.scalar_div(a, b)


def log(x: Any) -> Any:
    """The natural log, never an error: -inf at 0 and nan below (as numpy)."""
    return _unary(LOG, x)


def _unary(gate: Gate, x: Any) -> Any:
    """A one-input gate on a float, an array or a node (without its domain check)."""
    if isinstance(x, Node):
        return x._apply(gate)
    return gate.array(x) if isinstance(x, np.ndarray) else gate.scalar(x)  # type: ignore[misc]


def _binary(gate: Gate, a: Any, b: Any) -> Any:
    """A two-input gate on nodes (one side may be a number or an array)."""
    node = a if isinstance(a, Node) else b
    return node._binary(gate, a, b)


def select(keep: Any, x: Any) -> Any:
    """``x`` where ``keep``, else 0: chosen, not multiplied by a 0/1 mask.

    A mask that multiplies turns an inf or nan in ``x`` into nan where it should block
    it (``inf * 0``); a selection gives exactly 0 there, as PyTorch's masked rules do.
    ``keep`` is a constant (a bool or a boolean array, compared on the numbers); ``x`` a
    float, an array or a node (then the select gate, whose own gradient is selected).
    """
    if type(x) is float and type(keep) is bool:  # Value's backward: the hot case first
        return x if keep else 0.0
    keep = values(keep)
    if isinstance(x, Node):
        return x._apply(SELECT, keep)
    if isinstance(x, np.ndarray) or isinstance(keep, np.ndarray):
        return np.where(keep, x, 0)  # a Python 0 takes x's dtype (float32 stays)
    return x if keep else 0.0


def _nonzero(out: Any) -> Any:
    # relu passes its gradient where its output is not 0: where x > 0 and, as in PyTorch,
    # where x is nan (one comparison, on the output the rule is given anyway)
    if type(out) is float:
        return out != 0
    return values(out) != 0


def _keeps(g: Any, a: Any, b: Any) -> Any:
    """Share of ``g`` that max(a, b) routes to ``a``: all of it, half at a tie, none when
    ``a < b``. A nan on either side compares false, so both sides keep ``g`` (nan goes
    through, as in PyTorch); the winner gets exactly ``g`` (never halved and doubled)."""
    av, bv = values(a), values(b)
    tie = av == bv
    return select(np.logical_not(av < bv),
                  select(tie, g * 0.5) + select(np.logical_not(tie), g))


def _one_where(x: Any, mask: Any) -> Any:
    """``x`` with 1 in place of its (zero) elements under ``mask``, a constant.

    Subtracts ``0 - mask`` rather than adding ``mask``: ``-0.0 + 0`` is +0.0, which
    would lose the sign of a zero (``(-0.0) ** -3`` is -inf). The derivatives in ``x``
    are untouched.
    """
    if isinstance(mask, np.ndarray):  # in x's dtype: float32 must not become float64
        mask = mask.astype(values(x).dtype)
    return x - (0.0 - mask)


def _pow_base(g: Any, a: Any, b: Any) -> Any:
    # b * a**(b-1). At a == b == 0 that is 0 * 0**-1 (nan): the base is taken as 1 there,
    # which leaves the derivatives in a and b untouched (so the second derivative d/db of
    # this is a**(b-1) = 1/a at b == 0, as it must be). At b == 0 with a**(b-1) inf or
    # nan (a tiny or nan), the limit 0 is selected rather than multiplied by it.
    # g * (b * a**(b-1)), as PyTorch groups it: g * b may underflow to 0 (g small, b
    # subnormal) or overflow (b huge, and in the second derivative b * (b-1)) where b *
    # a**(b-1) is a plain number.
    av, bv = values(a), values(b)
    p = power(_one_where(a, (av == 0) & (bv == 0)), b - 1)
    return g * (b * select((bv != 0) | np.isfinite(values(p)), p))


def _pow_exponent(g: Any, out: Any, a: Any, b: Any) -> Any:
    # d(a**b)/db = a**b * log(a). Where a == 0 and b >= 0, a**b is 0 (or 1) and the limit
    # is 0, as in PyTorch; log(0) would turn that into nan, so the log is taken of 1 there.
    # Where a == 0 and b < 0 it is inf * log(0) = -inf, as it is.
    return g * out * log(_one_where(a, (values(a) == 0) & (values(b) >= 0)))


def _num(x: float) -> str:
    return "0" if x == 0 else f"{x:.4g}"
