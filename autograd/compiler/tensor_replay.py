"""Running a Tensor program: the generated code on this call's leaves and arguments."""

from __future__ import annotations

from typing import Any

from . import adapter
from .tensor_program import generate
from .trace import Program, guard_operand


class TensorReplay:
    """Replays one traced Tensor graph; ``source`` is the generated numpy program."""

    mode = "tensor tape"

    def __init__(self, program: Program) -> None:
        self.program = program
        sources = program.sources
        # Leaf nodes first (their data is read in one pass), then values from arguments.
        nodes = [i for i in sorted(sources) if sources[i][0] != "ref"]
        refs = [i for i in sorted(sources) if sources[i][0] == "ref"]
        self.source, ns = generate(program, nodes + refs)
        exec(compile(self.source, f"<compiled {program.kind} step>", "exec"), ns)  # noqa: S102
        self._forward, self._backward = ns["forward"], ns["backward"]
        self._nodes = [sources[i] for i in nodes]
        self._fixed = all(kind == "node" for kind, _ in self._nodes)
        self._fixed_nodes = [what for _, what in self._nodes]
        self._refs = [sources[i][1] for i in refs]
        self._signature = [(program.shapes[i], program.dtypes[i]) for i in nodes + refs]
        self._grad_nodes = [sources[i] for i in program.grad_leaves]
        self._fixed_grad_nodes = None if any(kind == "arg" for kind, _ in self._grad_nodes) \
            else [what for _, what in self._grad_nodes]

    def _pick(self, pairs: list, flat: list) -> list:
        return [flat[what] if kind == "arg" else what for kind, what in pairs]

    def leaf_nodes(self, flat: list) -> list:
        """The nodes whose ``.grad`` a backward writes, in ``program.grad_leaves`` order."""
        if self._fixed_grad_nodes is not None:
            return self._fixed_grad_nodes
        return self._pick(self._grad_nodes, flat)

    def run(self, flat: list) -> Any:
        """(output data, backward, extra outputs' data) for this call, or None when a leaf
        or guard differs."""
        p = self.program
        nodes = self._fixed_nodes if self._fixed else self._pick(self._nodes, flat)
        leaf_values = adapter.read_data(nodes)
        leaf_values += [ref.resolve(flat) for ref in self._refs]
        try:
            if [(x.shape, x.dtype) for x in leaf_values] != self._signature:
                return None  # a leaf changed shape or dtype since the trace
        except AttributeError:
            return None  # not an array any more
        out, saved, watched = self._forward(leaf_values, flat)
        values = dict(zip((gd.node for gd in p.guards), watched))
        for guard in p.guards:
            if not guard.holds(values[guard.node], guard_operand(guard, values.get, flat)):
                return None
        backward = self._backward

        def grads(seed: Any) -> list:
            return backward(seed, saved)

        return out, grads, watched[len(p.guards):]
