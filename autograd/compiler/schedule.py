"""Level scheduling of a scalar program: which nodes run together, and where each lives.

Nodes of one gate at one depth (level) form a group that runs as one numpy statement on
a flat buffer. Left-deep chains of ``add`` (``b + w0*x0 + w1*x1 + ...``, what ``sum``
builds) become one k-ary sum, added in eager's order. Slots are laid out top-down, each
group's inputs in the order its consumers read them, so that most gathers of inputs are
slices or reshapes of the buffer rather than copies. Sums of products over one index
pattern (a layer of neurons on a batch) become one matrix product (``matmul.py``): their
products get no slot at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import gates as G
from .matmul import Dot, find_dots
from .trace import ArgRef, Program, guarded_nodes

SUM = "sum"  # the kind of a merged chain of adds
MATMUL = "matmul"  # the kind of a group of sums that is one matrix product (``dot``)


@dataclass
class Group:
    level: int
    kind: Any  # SUM, or a gate
    consts: tuple
    members: list = field(default_factory=list)  # node indices, in slot order
    start: int = 0  # first slot
    dot: Dot | None = None  # for MATMUL: the product, members are ``dot.out`` row by row

    @property
    def stop(self) -> int:
        return self.start + len(self.members)


@dataclass
class Schedule:
    groups: list  # in run order
    terms: dict  # node -> input nodes (k of them for a merged sum)
    slot: dict  # node -> slot in the buffer
    leaf_sources: list  # per leaf slot: a source of ``Program.sources`` (refs shared)
    n_slots: int


def schedule(p: Program) -> Schedule:
    uses = Counter(j for step in p.steps.values() for j in step.inputs)
    # Nodes whose value is read after the forward keep a slot of their own (no merging).
    guarded = set(guarded_nodes(p)) | set(p.extras)
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
    ordered = _with_matmuls(p, terms, uses, guarded, list(groups.values()))
    ordered.sort(key=lambda g: g.level)

    # Top-down: each node's place is where its first consumer reads it.
    place: dict = {}
    leaf_place: dict = {}

    def put(j: int, where: tuple) -> None:
        (leaf_place if j in p.sources else place).setdefault(j, where)

    for rank, group in enumerate(reversed(ordered)):
        if group.dot is not None:
            _lay_out_dot(group, place, rank, put)
            continue
        group.members.sort(key=lambda i: place.get(i, (0, 0, i)))
        for pos, i in enumerate(group.members):
            for r, j in enumerate(terms[i]):
                put(j, (rank, r, pos))

    slot: dict = {}
    leaf_sources: list = []
    by_ref: dict = {}
    # Leaves of one argument share a slot: it goes where the first of them is read.
    ref_place: dict = {}
    for i, (kind, what) in p.sources.items():
        if kind == "ref" and i in leaf_place:
            ref_place[what] = min(ref_place.get(what, leaf_place[i]), leaf_place[i])

    def leaf_key(i: int) -> tuple:
        kind, what = p.sources[i]
        if kind == "ref" and what in ref_place:
            return ref_place[what]
        return leaf_place.get(i, (-1, 0, i))

    for i in sorted(p.sources, key=leaf_key):
        kind, what = p.sources[i]
        if kind == "ref":
            if what not in by_ref:
                by_ref[what] = len(leaf_sources)
                leaf_sources.append((kind, what))
            slot[i] = by_ref[what]
        else:
            slot[i] = len(leaf_sources)
            leaf_sources.append((kind, what))
    next_slot = len(leaf_sources)
    for group in ordered:
        group.start = next_slot
        for i in group.members:
            slot[i] = next_slot
            next_slot += 1
    return Schedule(ordered, terms, slot, leaf_sources, next_slot)


def _with_matmuls(p: Program, terms: dict, uses: Counter, guarded: set,
                  groups: list) -> list:
    """The groups, with the sums that are matrix products moved into MATMUL groups and
    their products dropped from the ``mul`` groups."""
    sum_groups = [g for g in groups if g.kind is SUM]
    if not sum_groups:
        return groups
    op0 = np.full(p.n, -1, dtype=np.intp)
    op1 = np.full(p.n, -1, dtype=np.intp)
    absorbable = np.zeros(p.n, dtype=bool)
    # Leaves of one argument number are one slot: one operand (each ``w * 0.5`` makes
    # a leaf of its own for the 0.5, which the layout puts in the argument's slot).
    same: dict = {}
    canon = {i: same.setdefault(what, i) for i, (kind, what) in p.sources.items()
             if kind == "ref"}
    mul = G.MUL
    for i, step in p.steps.items():
        if step.gate is mul and not step.consts:
            a, b = step.inputs
            op0[i], op1[i] = canon.get(a, a), canon.get(b, b)
            absorbable[i] = uses[i] == 1 and i not in guarded and i != p.root
    exact = _compared(p)
    absorbed: set = set()
    out = []
    for group in groups:
        if group.kind is not SUM:
            out.append(group)
            continue
        dots = find_dots([i for i in group.members if i not in exact], terms, op0, op1,
                         absorbable)
        taken: set = set()
        for dot in dots:
            taken.update(dot.out.ravel().tolist())
            absorbed.update(dot.products.tolist())
            out.append(Group(group.level, MATMUL, (), dot.out.ravel().tolist(), dot=dot))
        group.members = [i for i in group.members if i not in taken]
        if group.members:
            out.append(group)
    if not absorbed:
        return out
    for group in out:
        if group.kind is mul:
            group.members = [i for i in group.members if i not in absorbed]
    return [g for g in out if g.members]


def _compared(p: Program) -> set:
    """The nodes a comparison guard depends on. Their sums stay in eager's order: a matmul
    could round a value that ties the comparison (a 0 compared with 0) to the other side,
    and every replay would then trace again."""
    stack = [gd.node for gd in p.guards if gd.op != "read"] + [
        gd.other[0] for gd in p.guards if gd.op != "read" and isinstance(gd.other, tuple)]
    seen: set = set()
    while stack:
        i = stack.pop()
        if i not in seen:
            seen.add(i)
            if i in p.steps:
                stack.extend(p.steps[i].inputs)
    return seen


def _lay_out_dot(group: Group, place: dict, rank: int, put: Any) -> None:
    """Order a product's rows and columns as its consumers read them, then place its
    inputs so that they read as blocks: ``X`` row by row, then ``W``, then the biases."""
    dot = group.dot
    assert dot is not None

    def where(i: int) -> tuple:
        return place.get(i, (0, 0, i))

    rows = np.array(sorted(range(dot.out.shape[0]), key=lambda r: where(dot.out[r, 0])))
    cols = np.array(sorted(range(dot.out.shape[1]), key=lambda c: where(dot.out[0, c])))
    dot.permute(rows, cols)
    group.members = dot.out.ravel().tolist()
    blocks = [dot.x, dot.w] + ([] if dot.bias is None else [dot.bias])
    for role, block in enumerate(blocks):
        for pos, j in enumerate(block.ravel().tolist()):
            put(j, (rank, role, pos))


def _hashable(consts: tuple) -> tuple:
    return tuple(c if not isinstance(c, np.ndarray) else id(c) for c in consts)


def has_arg_constants(p: Program) -> bool:
    return any(isinstance(c, ArgRef) for s in p.steps.values() for c in s.consts)
