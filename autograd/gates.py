"""The gate table: every gate's forward and local derivative, declared once.

A gate's ``vjp`` holds one rule per input, ``rule(g, out, *inputs, *attrs)``, giving that
input's ``down_diff = local_diff * up_diff``: ``g`` is the upstream gradient (``up_diff``),
``out`` the gate's output, ``attrs`` the gate's constant arguments (an exponent, an axis).
One rule per input lets the engine skip inputs that need no gradient. The rules use only
arithmetic, comparisons and the few dual helpers below, so the same line runs on Python
floats (Value), numpy arrays (Tensor) and on nodes themselves (``create_graph=True``: the
gradient is then built as a graph). A gate takes one or two nodes; constants go in attrs.

``scalar`` is the forward on Python floats, ``array`` the forward on numpy arrays; they
are the same function where one works for both (``operator.add``). Tensor-only gates
(matmul, reductions, reshaping, indexing) live in ``tensor_gates.py`` in this same form.
"""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .ops import log, power, quiet_log, quiet_power, sign, values


@dataclass(frozen=True, slots=True, eq=False)
class Gate:
    name: str
    symbol: str  # how the gate is drawn
    scalar: Callable[..., Any] | None  # forward on floats (None: Tensor-only gate)
    array: Callable[..., Any]  # forward on numpy arrays
    vjp: tuple[Callable[..., Any], ...]  # one rule per input
    # A gate that saves: its array forward returns (out, saved), and its rules get
    # ``saved`` as their last argument, or None once a backward has released it.
    saves: bool = False

    def __repr__(self) -> str:
        return f"Gate({self.name!r})"


# -- helpers of the rules ---------------------------------------------------------------


def _wins(g: Any, a: Any, b: Any) -> Any:
    """Share of ``g`` that max(a, b) routes to ``a``: all of it, half at a tie, or none.

    Written as a sum so the winner gets exactly ``g`` (halving first would lose a
    subnormal ``g``); the masks are constants, compared on the numbers.
    """
    return g * (a > b) + (g * 0.5) * (values(a) == values(b))


def _pow_base(g: Any, out: Any, a: Any, b: Any) -> Any:
    # b * a**(b-1); where b == 0 the power is a**0 = 1, not 0**-1 (0 * inf would be nan):
    # a**0 is constant, so its gradient is 0 everywhere, also at a == 0.
    return g * b * power(a, b - 1 + (values(b) == 0))


def _pow_exponent(g: Any, out: Any, a: Any) -> Any:
    # d(a**b)/db = a**b * log(a). Where a == 0, a**b is 0 (b > 0) and the limit is 0, as
    # in PyTorch; log(0) would turn that into nan, so the log is taken of 1 there instead.
    return g * out * log(a + (values(a) == 0))


# -- forwards that need care on floats ------------------------------------------------


def _scalar_pow(a: float, b: float) -> float:
    if a < 0 and not float(b).is_integer():
        raise ValueError(f"negative base {a!r} to the non-integer power {b!r} has no real value")
    try:
        return a**b
    except ZeroDivisionError:
        raise ZeroDivisionError(f"0.0 cannot be raised to the negative power {b!r}") from None


def _array_pow(a: np.ndarray, b: Any) -> np.ndarray:
    bad = (np.asarray(a) < 0) & (np.asarray(b) != np.floor(b))
    if np.any(bad):
        i = tuple(int(k) for k in np.unravel_index(int(np.argmax(bad)), bad.shape))
        base = np.broadcast_to(a, bad.shape)[i].item()
        exp = np.broadcast_to(b, bad.shape)[i].item()
        raise ValueError(
            f"negative base {base!r} to the non-integer power {exp!r} (at index {i}) "
            "has no real value"
        )
    return np.power(a, b)


def _scalar_sigmoid(x: float) -> float:
    # Two branches so that exp never overflows: stable for any finite x.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _array_sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _scalar_log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log of {x!r}: the logarithm is defined for positive numbers only")
    return math.log(x)


def _scalar_sqrt(x: float) -> float:
    if x < 0:
        raise ValueError(f"sqrt of {x!r}: the square root is real for x >= 0 only")
    return math.sqrt(x)


def _scalar_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf  # as numpy and PyTorch do, rather than stopping the forward pass


def _scalar_div(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(f"division of {a!r} by zero")
    return a / b


# -- the table ------------------------------------------------------------------------

G = Gate
ADD = G("add", "+", operator.add, np.add, (lambda g, out, a, b: g, lambda g, out, a, b: g))
SUB = G("sub", "-", operator.sub, np.subtract,
        (lambda g, out, a, b: g, lambda g, out, a, b: -g))
MUL = G("mul", "*", operator.mul, np.multiply,
        (lambda g, out, a, b: g * b, lambda g, out, a, b: g * a))
DIV = G("div", "/", _scalar_div, np.divide,
        (lambda g, out, a, b: g / b, lambda g, out, a, b: -g * out / b))
POW = G("pow", "**", _scalar_pow, _array_pow,
        (_pow_base, lambda g, out, a, b: _pow_exponent(g, out, a)))
# a ** c with c a plain number: no gradient for c, and no log(a) (so a may be negative)
POWC = G("powc", "**", _scalar_pow, _array_pow, (_pow_base,))
NEG = G("neg", "-", operator.neg, np.negative, (lambda g, out, a: -g,))
EXP = G("exp", "exp", _scalar_exp, np.exp, (lambda g, out, a: g * out,))
LOG = G("log", "log", _scalar_log, np.log, (lambda g, out, a: g / a,))
SQRT = G("sqrt", "sqrt", _scalar_sqrt, np.sqrt,
         (lambda g, out, a: g * 0.5 * power(out, -1),))  # inf at 0, not an error
TANH = G("tanh", "tanh", math.tanh, np.tanh, (lambda g, out, a: g * (1 - out * out),))
SIGMOID = G("sigmoid", "σ", _scalar_sigmoid, _array_sigmoid,
            (lambda g, out, a: g * out * (1 - out),))
RELU = G("relu", "relu", lambda x: x if x > 0 else 0.0, lambda x: np.maximum(x, 0),
         (lambda g, out, a: g * (a > 0),))
ABS = G("abs", "abs", abs, np.abs, (lambda g, out, a: g * sign(a),))
MAX = G("max", "max", lambda a, b: a if a >= b or a != a else b, np.maximum,
        (lambda g, out, a, b: _wins(g, a, b), lambda g, out, a, b: _wins(g, b, a)))
MIN = G("min", "min", lambda a, b: a if a <= b or a != a else b, np.minimum,
        (lambda g, out, a, b: _wins(g, b, a), lambda g, out, a, b: _wins(g, a, b)))
del G

# The rows derivative rules use when they run on nodes (create_graph): the same gates,
# but giving inf or nan where the user-facing forward raises a clear error, so that a
# gradient graph is built wherever the plain gradient is a number.
RULE_POW = dataclasses.replace(POW, scalar=quiet_power, array=quiet_power)
RULE_POWC = dataclasses.replace(POWC, scalar=quiet_power, array=quiet_power)
RULE_LOG = dataclasses.replace(LOG, scalar=quiet_log, array=quiet_log)
