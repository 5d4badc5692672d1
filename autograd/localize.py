"""Which gate is wrong: each gate's local derivative checked on its own."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import fit_gradient, no_grad, topological_order


@dataclass
class BadGate:
    """A gate whose local derivative disagrees with central differences at its inputs.

    ``analytical`` is what the gate's rule sends down to input ``input_index`` for a random
    upstream gradient g (projected on a random direction when the input is an array);
    ``numerical`` is the same quantity from central differences of the gate's forward.
    """

    gate: str
    input_index: int
    inputs: list
    analytical: float
    numerical: float

    def __str__(self) -> str:
        shown = ", ".join(_short(x) for x in self.inputs)
        return (f"gate {self.gate!r} is wrong for its input {self.input_index}: at inputs "
                f"({shown}) its rule gives {self.analytical!r}, central differences give "
                f"{self.numerical!r} (both: the gradient the gate sends to that input, "
                f"local derivative × g, for a random upstream gradient g; for arrays, "
                f"summed along a random direction)")


def _short(x: Any) -> str:
    return repr(float(x)) if np.ndim(x) == 0 else f"array{np.shape(x)}"


def find_bad_gate(root: Any, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3) -> BadGate | None:
    """Check each gate of ``root``'s graph on its own; name the first that is wrong.

    Each gate's rule for each input is compared with a central difference of the gate's
    forward at the values it saw, both projected on a random upstream gradient. Points
    where the difference is unstable (a kink: it changes with eps) are passed over.
    """
    rng = np.random.default_rng(0)
    for node in reversed(topological_order(root)):  # inputs first: the first wrong gate
        gate = node._gate
        if gate is None:
            continue
        xs = [p.data for p in node._prev]
        scalar = not isinstance(node.data, np.ndarray)
        forward = gate.scalar if scalar else gate.array
        attrs = node._ctx
        rule_args = node._rule_ctx()
        if gate.saves:  # the forward also returns what it saves
            forward = (lambda *args, _f=forward: _f(*args)[0])
        g = float(rng.standard_normal()) if scalar else rng.standard_normal(node.data.shape)
        for i, rule in enumerate(gate.vjp):
            down = rule(g, node.data, *xs, *rule_args)
            x = np.asarray(xs[i], dtype=float)
            u = rng.standard_normal(x.shape)
            ana = float(np.sum(fit_gradient(down, x) * u))
            num = directional_difference(forward, xs, i, u, g, attrs, eps, scalar)
            check = directional_difference(forward, xs, i, u, g, attrs, eps * 10, scalar)
            if not math.isfinite(num) or abs(num - check) > atol + rtol * abs(num) * 10:
                continue  # a kink or a cliff: no stable numerical derivative here
            if not abs(ana - num) <= atol + rtol * abs(num):
                return BadGate(gate.name, i, xs, ana, num)
    return None


def directional_difference(forward: Callable, xs: list, i: int, u: Any, g: Any, ctx: tuple,
                           eps: float, scalar: bool) -> float:
    """The central difference of ``forward(*xs, *ctx)`` as input ``i`` moves along ``u``,
    projected on the upstream gradient ``g``: ``sum(g * (f(x + eps u) - f(x - eps u))) /
    (2 eps)``. With ``u = g = 1`` on floats, the plain derivative in input ``i``. nan where
    the forward refuses a shifted input."""
    def at(shift: float) -> Any:
        args = list(xs)
        moved = np.asarray(xs[i], dtype=float) + shift * u
        args[i] = float(moved) if scalar else moved
        try:
            with no_grad(), np.errstate(all="ignore"):
                return np.asarray(forward(*args, *ctx), dtype=float)
        except (ValueError, ZeroDivisionError, OverflowError):
            return np.asarray(math.nan)

    return float(np.sum(g * (at(eps) - at(-eps)))) / (2 * eps)
