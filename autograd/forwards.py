"""Forwards that need care: one overflow and domain policy for floats and arrays.

Every forward here answers as numpy does and never raises: a result too large is ±inf,
a result with no real value is nan (0 to a negative power is inf). The float and the
array version of a gate therefore agree everywhere, so a derivative rule can run on
either. The errors a user sees (log of a negative Value, division by zero, a negative
base to a fractional power) are raised by each row's ``domain`` check before a gate runs,
never by its forward: see ``gates.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

INF = math.inf


def scalar_pow(a: float, b: float) -> float:
    """``a ** b`` on floats, as numpy's power: inf on overflow and for 0 to a negative
    power, nan (never a complex number) for a negative base to a fractional power."""
    if not (math.isfinite(a) and math.isfinite(b)):  # numpy's rules at ±inf and nan, e.g.
        with np.errstate(all="ignore"):  # (-inf) ** 0.5 is nan (numpy takes a sqrt there)
            return float(np.power(a, b))
    if _no_real_power(a, b):
        return math.nan
    if a == 0 and b < 0:  # -0.0 to an odd negative power is -inf, as in numpy
        odd = float(b).is_integer() and int(b) % 2 == 1
        return -INF if odd and math.copysign(1.0, a) < 0 else INF
    try:
        return float(a**b)
    except OverflowError:  # |a ** b| too large: keep the sign an odd power gives it
        return -INF if a < 0 and int(b) % 2 else INF


def _no_real_power(a: float, b: float) -> bool:
    """A finite negative base to a finite non-integer power (IEEE pow: ±inf on either
    side has a value, ``(-inf) ** -0.5`` is 0 and ``(-0.5) ** inf`` too)."""
    return -INF < a < 0 and math.isfinite(b) and not float(b).is_integer()


def array_pow(a: Any, b: Any) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.power(a, b)


def scalar_div(a: float, b: float) -> float:
    """``a / b`` on floats: ±inf for a nonzero number over 0 (the sign of 0 counts), nan
    for 0 / 0."""
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(INF, a) * math.copysign(1.0, b)
    return a / b


def array_div(a: Any, b: Any) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.divide(a, b)


def scalar_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def scalar_log(x: float) -> float:
    """-inf at 0, nan below (and at nan)."""
    if x > 0:
        return math.log(x)
    return -INF if x == 0 else math.nan


def array_log(x: Any) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


def scalar_sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else math.nan


def array_sqrt(x: Any) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.sqrt(x)


def scalar_sigmoid(x: float) -> float:
    # Two branches so that exp never overflows: stable for any finite x.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # nan stays nan here
    return e / (1.0 + e)


def array_sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def scalar_softplus(x: float) -> float:
    # log(1 + e**x) = max(x, 0) + log1p(e**-|x|): exp never overflows, and log1p keeps a
    # tiny e**-|x| that 1 + e**-|x| would round away.
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(scalar_exp(x)) if x == x else x


def array_softplus(x: Any) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # nan in, nan out: no warning
        return np.logaddexp(x, 0)


def scalar_relu(x: float) -> float:
    return x if x > 0 or x != x else 0.0  # nan passes through, as np.maximum does


def scalar_max(a: float, b: float) -> float:
    return a if a >= b or a != a else b  # a nan on either side wins, as np.maximum


def scalar_min(a: float, b: float) -> float:
    return a if a <= b or a != a else b


# -- the domain checks: the user-facing errors, raised before a gate runs ---------------


def check_log(x: Any) -> None:
    if not isinstance(x, np.ndarray) and x <= 0:
        raise ValueError(f"log of {x!r}: the logarithm is defined for positive numbers only")


def check_sqrt(x: Any) -> None:
    if not isinstance(x, np.ndarray) and x < 0:
        raise ValueError(f"sqrt of {x!r}: the square root is real for x >= 0 only")


def check_div(a: Any, b: Any) -> None:
    if not isinstance(b, np.ndarray) and not isinstance(a, np.ndarray) and b == 0:
        raise ZeroDivisionError(f"division of {a!r} by zero")


def check_pow(a: Any, b: Any) -> None:
    """A negative base to a non-integer power has no real value: a ValueError, for floats
    and arrays alike (numpy would give nan, Python a complex number)."""
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        if _no_real_power(a, b):
            raise ValueError(
                f"negative base {a!r} to the non-integer power {b!r} has no real value")
        if a == 0 and b < 0:
            raise ZeroDivisionError(f"0.0 cannot be raised to the negative power {b!r}")
        return
    a, b = np.asarray(a), np.asarray(b)
    with np.errstate(invalid="ignore"):
        fractional = np.isfinite(b) & (b != np.floor(b))
        if not fractional.any():  # t ** 2, the usual case: no pass over the base at all
            return
        bad = (a < 0) & (a > -INF) & fractional
    if np.any(bad):
        i = tuple(int(k) for k in np.unravel_index(int(np.argmax(bad)), bad.shape))
        base = np.broadcast_to(a, bad.shape)[i].item()
        exp = np.broadcast_to(b, bad.shape)[i].item()
        raise ValueError(f"negative base {base!r} to the non-integer power {exp!r} "
                         f"(at index {i}) has no real value")
