"""Functions that run on floats, numpy arrays and nodes alike.

Derivative rules are written with these (and with arithmetic), so one rule serves Value
(floats), Tensor (arrays) and ``create_graph=True`` (nodes, so the gradient is itself a
graph). Use them in the rules of your own gates too. None of them raises at the edge of
a domain: they give inf or nan as numpy does (see the gates module).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import forwards as F
from .gates import divide, log, power, select, sign, values
from .node import Node

__all__ = ["is_node", "values", "exp", "log", "power", "divide", "tanh", "sigmoid", "sign",
           "select"]


def is_node(x: Any) -> bool:
    return isinstance(x, Node)


def exp(x: Any) -> Any:
    if isinstance(x, Node):
        return x.exp()
    return np.exp(x) if isinstance(x, np.ndarray) else F.scalar_exp(x)


def tanh(x: Any) -> Any:
    if isinstance(x, Node):
        return x.tanh()
    return np.tanh(x) if isinstance(x, np.ndarray) else math.tanh(x)


def sigmoid(x: Any) -> Any:
    if isinstance(x, Node):
        return x.sigmoid()
    return F.array_sigmoid(x) if isinstance(x, np.ndarray) else F.scalar_sigmoid(x)
