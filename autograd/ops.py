"""Functions that run on floats, numpy arrays and nodes alike.

Derivative rules are written with these (and with arithmetic), so one rule serves Value
(floats), Tensor (arrays) and ``create_graph=True`` (nodes, so the gradient is itself a
graph). Use them in the rules of your own gates too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .node import Node


def is_node(x: Any) -> bool:
    return isinstance(x, Node)


def values(x: Any) -> Any:
    """The numbers behind ``x``: for masks and indices, which carry no gradient."""
    return x.data if isinstance(x, Node) else x


def exp(x: Any) -> Any:
    if isinstance(x, Node):
        return x.exp()
    return np.exp(x) if isinstance(x, np.ndarray) else math.exp(x)


def log(x: Any) -> Any:
    """The natural log; in a rule, -inf at 0 and nan below (as numpy), never an error.

    On nodes (``create_graph``) it is the log gate with that same forward, so a second
    derivative at the edge of the domain gives a number where the first one did.
    """
    if isinstance(x, Node):
        from .functions import apply_gate
        from .gates import RULE_LOG

        return apply_gate(RULE_LOG, x)
    return quiet_log(x)


def quiet_log(x: Any) -> Any:
    """log on floats or arrays: -inf at 0 and nan below, with no error or warning."""
    if isinstance(x, np.ndarray):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def power(x: Any, e: Any) -> Any:
    """``x ** e``; in a rule, 0 to a negative power is inf (as numpy), never an error."""
    if isinstance(e, Node):
        from .functions import apply_gate
        from .gates import RULE_POW

        return apply_gate(RULE_POW, x, e)
    if isinstance(x, Node):
        from .gates import RULE_POWC

        return x._apply(RULE_POWC, float(e))
    return quiet_power(x, e)


def quiet_power(x: Any, e: Any) -> Any:
    """x ** e on floats or arrays: inf for 0 to a negative power, nan for a negative base
    to a fractional one (never complex), with no error or warning."""
    if isinstance(x, np.ndarray) or isinstance(e, np.ndarray):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.power(x, e)
    if x == 0 and e < 0:
        return math.inf
    return math.nan if x < 0 and not float(e).is_integer() else x**e


def tanh(x: Any) -> Any:
    if isinstance(x, Node):
        return x.tanh()
    return np.tanh(x) if isinstance(x, np.ndarray) else math.tanh(x)


def sigmoid(x: Any) -> Any:
    if isinstance(x, Node):
        return x.sigmoid()
    from .gates import SIGMOID

    return SIGMOID.array(x) if isinstance(x, np.ndarray) else SIGMOID.scalar(x)


def sign(x: Any) -> Any:
    """-1, 0 or 1, as a constant: a step has no gradient to record."""
    x = values(x)
    if isinstance(x, np.ndarray):
        return np.sign(x)
    return float((x > 0) - (x < 0))
