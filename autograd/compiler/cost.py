"""Whether a scalar graph pays to vectorize: a cost model, else eager.

A vectorized group costs a few numpy calls (~15 µs forward and backward, whatever its
size) plus ~30 ns per node; eager costs ~1.2 µs per node. Wide graphs (an MLP on a batch:
thousands of nodes per group) gain 50-250x; deep narrow ones (an RNN-like chain: one node
per group) would lose, and run eagerly.
"""

from __future__ import annotations

from typing import Any

from .eager import Eager
from .scalar_replay import ScalarReplay
from .schedule import has_arg_constants, schedule
from .trace import CompileError, Program

GROUP_COST = 15e-6  # seconds per group, forward + backward
NODE_COST = 0.03e-6  # seconds per node vectorized
EAGER_NODE_COST = 1.2e-6  # seconds per node, eager forward + backward


def choose_scalar_replay(program: Program, vectorize: bool | None = None) -> Any:
    """The replay for a Value program: vectorized when the cost model (or ``vectorize``)
    says so, else eager."""
    if has_arg_constants(program):
        return Eager("a gate's constant (an exponent) comes from an argument")
    plan = schedule(program)
    vectorized = len(plan.groups) * GROUP_COST + program.n * NODE_COST
    eager = program.n * EAGER_NODE_COST
    if vectorize is False or vectorize is None and vectorized > 0.7 * eager:
        why = "vectorize=False" if vectorize is False else (
            f"{program.n} nodes in {len(plan.groups)} level groups (~"
            f"{program.n / len(plan.groups):.1f} nodes per group): too narrow to pay for "
            "vectorizing")
        return Eager(why)
    try:
        return ScalarReplay(program, plan, program.traced)
    except CompileError as e:
        return Eager(str(e))
