"""Running a scalar program: leaves in, the vectorized forward, guards, the backward."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import adapter
from .eager import EAGER_THIS_CALL
from .scalar_program import generate
from .schedule import Schedule
from .trace import CompileError, Program, guard_operand


class ScalarReplay:
    """Replays one traced Value graph as a few dozen numpy statements (``source``)."""

    mode = "vectorized by level"

    def __init__(self, program: Program, plan: Schedule, traced: list) -> None:
        self.program = program
        self.plan = plan
        slot = plan.slot
        self._grad_nodes = [program.sources[i][1] for i in program.grad_leaves]
        self._grad_nodes_fixed = all(program.sources[i][0] == "node"
                                     for i in program.grad_leaves)
        self.source, ns = generate(plan, slot[program.root],
                                   [slot[i] for i in program.grad_leaves])
        self.source = (f"# {program.n} scalar nodes in {len(plan.groups)} groups; "
                       f"buffer of {plan.n_slots} slots\n" + self.source)
        exec(compile(self.source, "<compiled value step>", "exec"), ns)  # noqa: S102
        self._forward, self._backward = ns["forward"], ns["backward"]
        self._arg_slots = [(s, what) for s, (kind, what) in enumerate(plan.leaf_sources)
                           if kind != "node"]
        self._node_leaves = [what for kind, what in plan.leaf_sources if kind == "node"]
        self._guards = [(g, slot[g.node]) for g in program.guards]
        self._check_against(traced)

    def _check_against(self, traced: list) -> None:
        """Run the forward on the traced leaves: every node must equal eager's number."""
        p = self.program
        leaves = [0.0] * len(self.plan.leaf_sources)
        for i in p.sources:
            leaves[self.plan.slot[i]] = traced[i]
        with np.errstate(all="ignore"):
            buf, _ = self._forward(leaves)
        slots = [self.plan.slot[i] for i in range(p.n) if i in self.plan.slot]
        want = np.array([traced[i] for i in range(p.n) if i in self.plan.slot])
        got = buf[slots]
        scale = max(float(np.max(np.abs(want[np.isfinite(want)]), initial=0.0)), 1.0)
        if not np.allclose(got, want, rtol=0, atol=1e-12 * scale, equal_nan=True):
            raise CompileError("the vectorized forward disagrees with eager on the traced "
                               "values (a gate whose array forward differs from its float "
                               "one?)")

    def leaf_nodes(self, flat: list) -> list:
        p = self.program
        if self._grad_nodes_fixed:
            return self._grad_nodes
        return [flat[what] if kind == "arg" else what
                for kind, what in (p.sources[i] for i in p.grad_leaves)]

    def run(self, flat: list) -> Any:
        leaves = [None] * len(self.plan.leaf_sources)
        for s, what in self._arg_slots:
            leaves[s] = what.resolve(flat) if hasattr(what, "resolve") else \
                adapter.data_of(flat[what])
        node_data = iter(adapter.read_data(self._node_leaves))
        leaves = [next(node_data) if x is None else x for x in leaves]
        with np.errstate(all="ignore"):
            buf, kept = self._forward(leaves)
        if not np.isfinite(buf).all():
            return EAGER_THIS_CALL  # eager raises a clear error here, or gives inf/nan itself
        for guard, slot in self._guards:
            if not guard.holds(buf[slot], guard_operand(
                    guard, lambda i: buf[self.plan.slot[i]], flat)):
                return None
        backward = self._backward
        root = float(buf[self.plan.slot[self.program.root]])

        def grads(seed: Any) -> list:
            return [(g, True) for g in backward(seed, buf, kept)]

        extras = [float(buf[self.plan.slot[i]]) for i in self.program.extras]
        return root, grads, extras
