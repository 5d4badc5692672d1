"""Running a scalar program: leaves in, the vectorized forward, guards, the backward."""

from __future__ import annotations

import operator
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
        self._fill = _leaf_filler(plan.leaf_sources)
        self._root_slot = slot[program.root]
        self._extra_slots = [slot[i] for i in program.extras]
        self._guards = [(g, slot[g.node]) for g in program.guards]
        self._check_against(traced)

    def _check_against(self, traced: list) -> None:
        """Run the forward on the traced leaves: every node must equal eager's number."""
        p = self.program
        buf = np.empty(self.plan.n_slots)
        for i in p.sources:
            buf[self.plan.slot[i]] = traced[i]
        with np.errstate(all="ignore"):
            self._forward(buf)
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
        buf = np.empty(self.plan.n_slots)
        self._fill(buf, flat)
        with np.errstate(all="ignore"):
            kept = self._forward(buf)
        if not np.isfinite(buf).all():
            return EAGER_THIS_CALL  # eager raises a clear error here, or gives inf/nan itself
        for guard, slot in self._guards:
            if not guard.holds(buf[slot], guard_operand(
                    guard, lambda i: buf[self.plan.slot[i]], flat)):
                return None
        backward = self._backward

        def grads(seed: Any) -> list:
            """One float per leaf of ``leaf_nodes``, in that order."""
            return backward(seed, buf, kept)

        return float(buf[self._root_slot]), grads, buf[self._extra_slots].tolist()


def _leaf_filler(sources: list) -> Any:
    """``fill(buf, flat)``: write each call's leaf values into the start of ``buf``.

    Four kinds, each written in one go where it can be: argument numbers used as they
    are (one ``itemgetter`` and one assignment), leaf nodes (their ``.data``), the trace's
    constants (one array, made once), and the rest (argument nodes, converted arguments)
    one by one.
    """
    plain, nodes, consts, other = [], [], [], []
    for s, (kind, what) in enumerate(sources):
        if kind == "ref" and not what.derive:
            plain.append((s, what.k))
        elif kind == "node":
            nodes.append((s, what))
        elif kind == "const":
            consts.append((s, what))
        else:
            other.append((s, kind, what))
    plain_slots = _index(s for s, _ in plain)
    node_slots = _index(s for s, _ in nodes)
    const_slots = _index(s for s, _ in consts)
    const_values = np.array([value for _, value in consts], dtype=float)
    ks = [k for _, k in plain]
    pick = operator.itemgetter(*ks) if len(ks) > 1 else (lambda flat: [flat[k] for k in ks])
    leaves = [n for _, n in nodes]
    read = adapter.read_data

    def fill(buf: np.ndarray, flat: list) -> None:
        if ks:
            buf[plain_slots] = pick(flat)
        if leaves:
            buf[node_slots] = np.array(read(leaves))  # (an index takes an array faster)
        if consts:
            buf[const_slots] = const_values
        for s, kind, what in other:
            buf[s] = adapter.data_of(flat[what]) if kind == "arg" else what.resolve(flat)
    return fill


def _index(slots: Any) -> Any:
    """A slice when the slots are consecutive, else an index array."""
    idx = np.fromiter(slots, dtype=np.intp)
    if idx.size and idx[-1] - idx[0] == idx.size - 1 and (np.diff(idx) == 1).all():
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx
