"""Running a Tensor program: the generated code on this call's leaves and arguments."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import adapter
from .tensor_program import generate
from .trace import Program, guard_operand


class TensorReplay:
    """Replays one traced Tensor graph; ``source`` is the generated numpy program."""

    mode = "tensor tape"

    def __init__(self, program: Program) -> None:
        self.program = program
        self.source, ns = generate(program)
        exec(compile(self.source, f"<compiled {program.kind} step>", "exec"), ns)  # noqa: S102
        self._forward, self._backward = ns["forward"], ns["backward"]
        self._leaves = [(i, *program.sources[i]) for i in sorted(program.sources)]

    def leaf_nodes(self, flat: list) -> list:
        """The nodes whose ``.grad`` a backward writes, in ``program.grad_leaves`` order."""
        p = self.program
        return [flat[p.sources[i][1]] if p.sources[i][0] == "arg" else p.sources[i][1]
                for i in p.grad_leaves]

    def run(self, flat: list) -> Any:
        """(output data, backward, extra outputs' data) for this call, or None when a leaf
        or guard differs."""
        p = self.program
        nodes = [flat[what] if kind == "arg" else what for _, kind, what in self._leaves
                 if kind != "ref"]
        data = iter(adapter.read_data(nodes))
        leaf_values = []
        for i, kind, what in self._leaves:
            x = what.resolve(flat) if kind == "ref" else next(data)
            if np.shape(x) != p.shapes[i] or getattr(x, "dtype", None) != p.dtypes[i]:
                return None  # a leaf changed shape or dtype since the trace
            leaf_values.append(x)
        out, saved, watched = self._forward(leaf_values, flat)
        values = dict(zip((gd.node for gd in p.guards), watched))
        for guard in p.guards:
            if not guard.holds(values[guard.node], guard_operand(guard, values.get, flat)):
                return None
        backward = self._backward

        def grads(seed: Any) -> list:
            return backward(seed, saved)

        return out, grads, watched[len(p.guards):]
