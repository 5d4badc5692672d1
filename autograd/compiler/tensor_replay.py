"""Running a Tensor program: the generated tape on this call's leaves, arguments and buffers."""

from __future__ import annotations

import operator
import sys
import threading
from typing import Any

import numpy as np

from . import adapter
from .tensor_program import generate
from .trace import Program, guard_operand, guarded_nodes

_SHAPE_AND_DTYPE = operator.attrgetter("shape", "dtype")
_REQUIRES_GRAD = operator.attrgetter("requires_grad")


class TensorReplay:
    """Replays one traced Tensor graph; ``source`` is the generated numpy program.

    The buffers the program writes with ``out=`` are allocated once and reused by the next
    call, unless an earlier call's loss is still alive: its backward would read them, so
    that call keeps them and the replay allocates new ones (what eager allocates anyway).
    Calls in several threads each get buffers no other call is using.
    """

    mode = "tensor tape"

    def __init__(self, program: Program) -> None:
        self.program = program
        sources = program.sources
        # Leaf nodes first (their data is read in one pass), then values from arguments
        # (the trace's constants are in the program itself).
        nodes = [i for i in sorted(sources) if sources[i][0] in ("arg", "node")]
        refs = [i for i in sorted(sources) if sources[i][0] == "ref"]
        self.source, ns, self._buffer_specs = generate(program, nodes + refs)
        exec(compile(self.source, f"<compiled {program.kind} step>", "exec"), ns)  # noqa: S102
        self._tape = ns["tape"]
        self._nodes = [sources[i] for i in nodes]
        self._fixed = all(kind == "node" for kind, _ in self._nodes)
        self._fixed_nodes = [what for _, what in self._nodes]
        self._refs = [sources[i][1] for i in refs]
        # A captured leaf frozen or unfrozen since the trace (``w.requires_grad = False``)
        # changes which gradients flow: checked per call, next to the data read.
        captured = [i for i in nodes if sources[i][0] == "node"]
        self._captured = [sources[i][1] for i in captured]
        self._captured_needs = [program.needs_grad[i] for i in captured]
        self._signature = [(program.shapes[i], program.dtypes[i]) for i in nodes + refs]
        self._grad_nodes = [sources[i] for i in program.grad_leaves]
        self._fixed_grad_nodes = None if any(kind == "arg" for kind, _ in self._grad_nodes) \
            else [what for _, what in self._grad_nodes]
        self._guarded = guarded_nodes(program)  # the nodes the tape's first yield gives
        self._lock = threading.Lock()
        self._buffers = self._allocate()
        self._unshared = self._references()  # the count when no tape holds the buffers

    def _allocate(self) -> list:
        return [np.empty(shape, dtype) for _, shape, dtype in self._buffer_specs]

    def _references(self) -> int:
        buffers = self._buffers
        return sys.getrefcount(buffers)

    def _pick(self, pairs: list, flat: list) -> list:
        return [flat[what] if kind == "arg" else what for kind, what in pairs]

    def leaf_nodes(self, flat: list) -> list:
        """The nodes whose ``.grad`` a backward writes, in ``program.grad_leaves`` order."""
        if self._fixed_grad_nodes is not None:
            return self._fixed_grad_nodes
        return self._pick(self._grad_nodes, flat)

    def run(self, flat: list) -> Any:
        """(output data, backward, extra outputs' data) for this call, or None when a leaf
        or guard differs. ``backward(seed)`` gives one (gradient, new array?) pair per
        ``program.grad_leaves`` entry."""
        nodes = self._fixed_nodes if self._fixed else self._pick(self._nodes, flat)
        if list(map(_REQUIRES_GRAD, self._captured)) != self._captured_needs:
            return None  # a captured leaf's requires_grad changed: trace again
        leaf_values = adapter.read_data(nodes)
        if self._refs:
            leaf_values += [ref.resolve(flat) for ref in self._refs]
        try:
            if list(map(_SHAPE_AND_DTYPE, leaf_values)) != self._signature:
                return None  # a leaf changed shape or dtype since the trace
        except AttributeError:
            return None  # not an array any more
        # Whether the buffers are free, and the tape taking them, as one step: a call in
        # another thread then sees them taken (the tape holds them) and allocates its own.
        with self._lock:
            if self._references() > self._unshared:  # an earlier loss may run backward
                self._buffers = self._allocate()
            tape = self._tape(leaf_values, flat, self._buffers)
        out, watched, extras = next(tape)
        if watched:
            p = self.program
            values = dict(zip(self._guarded, watched))
            for guard in p.guards:
                if not guard.holds(values[guard.node], guard_operand(guard, values.get, flat)):
                    return None
        return out, tape.send, extras
