"""The derivative rule of each gate, in words, for the explorer's node panel.

These are descriptions for people, never used to compute anything: every number the
explorer shows comes from the gate's own rule in the gate table (see ``explain.py``).
A test checks that every gate in the table has its sentence here.
"""

from __future__ import annotations

from typing import Any

RULES = {
    "add": "∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1: the gate passes up_diff on unchanged",
    "sub": "∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1",
    "mul": "∂(a·b)/∂a = b, ∂(a·b)/∂b = a: each input gets up_diff times the other input",
    "div": "∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²",
    "pow": "∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a",
    "powc": "∂(aᶜ)/∂a = c·aᶜ⁻¹ (c is a constant)",
    "neg": "∂(−a)/∂a = −1",
    "exp": "∂eᵃ/∂a = eᵃ: the output itself",
    "log": "∂ln a/∂a = 1/a",
    "sqrt": "∂√a/∂a = 1/(2√a)",
    "tanh": "∂tanh a/∂a = 1 − tanh²a: near 0 once |a| is large (saturation)",
    "sigmoid": "∂σ(a)/∂a = σ(a)·(1 − σ(a)): at most 0.25, near 0 once |a| is large",
    "relu": "∂relu(a)/∂a = 1 where a > 0, else 0 (a unit that is never positive is dead)",
    "leaky_relu": "∂leaky_relu(a)/∂a = 1 where a > 0, else 0.01 (never quite dead)",
    "abs": "∂|a|/∂a = sign(a)",
    "max": "max(a, b) routes up_diff to the larger input (half to each at a tie)",
    "min": "min(a, b) routes up_diff to the smaller input (half to each at a tie)",
    "matmul": "C = A @ B: ∂L/∂A = ∂L/∂C @ Bᵀ, ∂L/∂B = Aᵀ @ ∂L/∂C",
    "sum": "every summed element gets up_diff (spread back over the summed axes)",
    "mean": "every element gets up_diff / n, n the number of elements averaged",
    "amax": "the largest element gets up_diff (shared at ties), the others 0",
    "reshape": "up_diff reshaped back to the input's shape",
    "transpose": "up_diff transposed back",
    "getitem": "up_diff goes back to the picked positions, 0 everywhere else",
    "scatter": "each position gets the up_diff of the place it was written to",
    "broadcast_to": "up_diff summed over the axes that broadcasting stretched",
    "log_softmax": "∂/∂x = up − softmax(x)·Σ up (the sum along the axis)",
    "softmax": "∂/∂x = s·(up − Σ up·s), s = softmax(x)",
    "cross_entropy": "∂CE/∂logits = (softmax(logits) − one_hot(target)) / n",
    "cast": "up_diff cast back to the input's dtype",
    "clip": "up_diff passes where the input is inside [lo, hi], 0 outside",
}


def rule_text(node: Any) -> str:
    """The derivative rule of the gate that made ``node``; "" for a leaf."""
    gate = node._gate
    if gate is None:
        return ""
    return RULES.get(gate.name, f"the {gate.name} gate's rule (no description yet)")
