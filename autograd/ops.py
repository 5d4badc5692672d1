"""Functions that run on floats, numpy arrays and nodes alike.

Derivative rules are written with these (and with arithmetic), so one rule serves Value
(floats), Tensor (arrays) and ``create_graph=True`` (nodes, so the gradient is itself a
graph). Use them in the rules of your own gates too. None of them raises at the edge of
a domain: they give inf or nan as numpy does (see the gates module).
"""

from __future__ import annotations

from typing import Any

from . import gates as G
from .gates import _unary, divide, log, power, select, sign, values
from .node import Node

__all__ = ["is_node", "values", "exp", "log", "power", "divide", "tanh", "sigmoid", "sign",
           "select"]


def is_node(x: Any) -> bool:
    return isinstance(x, Node)


def exp(x: Any) -> Any:
    """e ** x (inf where that overflows): the exp gate's forward, or the gate on a node."""
    return _unary(G.EXP, x)


def tanh(x: Any) -> Any:
    """The hyperbolic tangent: the tanh gate's forward, or the gate on a node."""
    return _unary(G.TANH, x)


def sigmoid(x: Any) -> Any:
    """The logistic function: the sigmoid gate's forward, or the gate on a node."""
    return _unary(G.SIGMOID, x)
