"""Level scheduling of a scalar program: which nodes run together, and where each lives.

Nodes of one gate at one depth (level) form a group that runs as one numpy statement on
a flat buffer. Left-deep chains of ``add`` (``b + w0*x0 + w1*x1 + ...``, what ``sum``
builds) become one k-ary sum, added in eager's order. Slots are laid out top-down, each
group's inputs in the order its consumers read them, so that most gathers of inputs are
slices or reshapes of the buffer rather than copies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import gates as G
from .trace import ArgRef, Program

SUM = "sum"  # the kind of a merged chain of adds


@dataclass
class Group:
    level: int
    kind: Any  # SUM, or a gate
    consts: tuple
    members: list = field(default_factory=list)  # node indices, in slot order
    start: int = 0  # first slot

    @property
    def stop(self) -> int:
        return self.start + len(self.members)


@dataclass
class Schedule:
    groups: list  # in run order
    terms: dict  # node -> input nodes (k of them for a merged sum)
    slot: dict  # node -> slot in the buffer
    leaf_sources: list  # per leaf slot: ("ref", ArgRef) or ("node", node)
    n_slots: int


def schedule(p: Program) -> Schedule:
    uses = Counter(j for step in p.steps.values() for j in step.inputs)
    # Nodes whose value is read after the forward keep a slot of their own (no merging).
    guarded = {gd.node for gd in p.guards} | {gd.other[0] for gd in p.guards
                                              if isinstance(gd.other, tuple)} | set(p.extras)
    terms: dict = {}  # in node order: p.steps is
    steps = p.steps
    add = G.ADD
    for i, step in steps.items():
        if step.gate is add:
            a, b = step.inputs
            if a in terms and steps[a].gate is add and uses[a] == 1 and a not in guarded:
                chain = terms.pop(a)  # a is absorbed: its list grows into this sum's
                chain.append(b)
                terms[i] = chain
                continue
        terms[i] = list(step.inputs)

    level = {i: 0 for i in p.sources}
    groups: dict = {}
    for i in terms:
        ins = terms[i]
        depth = 1 + (max(map(level.__getitem__, ins)) if len(ins) > 2 else
                     max(level[ins[0]], level[ins[-1]]))
        level[i] = depth
        step = p.steps[i]
        merged = len(ins) > 2
        key = (depth, SUM, len(ins)) if merged else \
            (depth, step.gate, _hashable(step.consts) if step.consts else ())
        if key not in groups:
            groups[key] = Group(level[i], (SUM if merged else step.gate),
                                () if merged else step.consts)
        groups[key].members.append(i)
    ordered = sorted(groups.values(), key=lambda g: g.level)

    # Top-down: each node's place is where its first consumer reads it.
    place: dict = {}
    leaf_place: dict = {}
    for rank, group in enumerate(reversed(ordered)):
        group.members.sort(key=lambda i: place.get(i, (0, 0, i)))
        for pos, i in enumerate(group.members):
            for r, j in enumerate(terms[i]):
                target = leaf_place if j in p.sources else place
                target.setdefault(j, (rank, r, pos))

    slot: dict = {}
    leaf_sources: list = []
    by_ref: dict = {}
    for i in sorted(p.sources, key=lambda i: leaf_place.get(i, (-1, 0, i))):
        kind, what = p.sources[i]
        if kind == "ref":
            if what not in by_ref:
                by_ref[what] = len(leaf_sources)
                leaf_sources.append((kind, what))
            slot[i] = by_ref[what]
        else:
            slot[i] = len(leaf_sources)
            leaf_sources.append(("arg" if kind == "arg" else "node", what))
    next_slot = len(leaf_sources)
    for group in ordered:
        group.start = next_slot
        for i in group.members:
            slot[i] = next_slot
            next_slot += 1
    return Schedule(ordered, terms, slot, leaf_sources, next_slot)


def _hashable(consts: tuple) -> tuple:
    return tuple(c if not isinstance(c, np.ndarray) else id(c) for c in consts)


def has_arg_constants(p: Program) -> bool:
    return any(isinstance(c, ArgRef) for s in p.steps.values() for c in s.consts)
