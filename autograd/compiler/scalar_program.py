"""Scalar graphs as a vectorized numpy program: one statement per group of a level.

Forward: the leaves fill the start of one flat buffer; each group gathers its inputs
(a slice or reshape where the layout allows, else an index array), runs its gate once on
the whole vector, and writes its slots. Backward runs the groups in reverse on a buffer
of gradients, scattering each rule's result to the input slots: ``+=`` on a slice, on
unique indices, or through ``np.bincount`` where an input is read more than once (never
``np.add.at`` on a view of the buffer, which copies the whole buffer per call).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import gates as G
from . import adapter
from .schedule import SUM, Schedule

_SYMBOLS = {G.ADD: "+", G.SUB: "-", G.MUL: "*", G.DIV: "/"}


class _Emitter:
    def __init__(self) -> None:
        self.ns: dict = {"np": np}
        self.count = 0

    def const(self, prefix: str, value: object) -> str:
        self.count += 1
        name = f"{prefix}{self.count}"
        self.ns[name] = value
        return name


def _range_of(idx: np.ndarray) -> tuple | None:
    """(start, stop) when ``idx`` is consecutive slots, else None."""
    flat = idx.ravel()
    if flat.size and flat[-1] - flat[0] == flat.size - 1 and \
            np.array_equal(flat, np.arange(flat[0], flat[0] + flat.size)):
        return int(flat[0]), int(flat[0] + flat.size)
    return None


def _gather(em: _Emitter, buf: str, idx: np.ndarray) -> str:
    r = _range_of(idx)
    if r is not None:
        view = f"{buf}[{r[0]}:{r[1]}]"
        return view if idx.ndim == 1 else f"{view}.reshape({idx.shape})"
    return f"{buf}[{em.const('IDX', idx)}]"


def _scatter(em: _Emitter, idx: np.ndarray, c: str) -> list:
    """Lines adding ``c`` (shaped like ``idx``, or broadcasting to it) into ``gb[idx]``."""
    r = _range_of(idx)
    if r is not None:
        view = f"gb[{r[0]}:{r[1]}]" + ("" if idx.ndim == 1 else f".reshape({idx.shape})")
        if idx.ndim == 1:
            return [f"{view} += {c}"]
        return [f"view = {view}", f"view += {c}"]
    flat = idx.ravel()
    unique, inverse = np.unique(flat, return_inverse=True)
    if unique.size == flat.size:
        return [f"gb[{em.const('IDX', idx)}] += {c}"]
    weights = c if idx.ndim == 1 else f"np.broadcast_to({c}, {idx.shape}).ravel()"
    return [f"gb[{em.const('U', unique)}] += np.bincount({em.const('INV', inverse)}, "
            f"{weights}, minlength={unique.size})"]


def generate(s: Schedule, root_slot: int, grad_slots: list) -> tuple[str, dict]:
    """Source defining ``forward(L)`` -> (buf, kept) and ``backward(seed, buf, kept)``."""
    em = _Emitter()
    n_leaves = len(s.leaf_sources)
    fwd = ["def forward(L):", f"    buf = np.empty({s.n_slots})",
           f"    buf[:{n_leaves}] = L  # the leaves: parameters, inputs, constants"]
    # (group, input slots, its rules or None for a sum, the rules' argument names)
    bwd_groups: list[tuple[Any, np.ndarray, Any, list[str]]] = []
    kept = []
    for gi, group in enumerate(s.groups):
        members = group.members
        out = f"buf[{group.start}:{group.stop}]"
        inputs = np.array([[s.slot[j] for j in s.terms[i]] for i in members]).T
        if group.kind is SUM:
            k = inputs.shape[0]
            fwd.append(f"    # level {group.level}: {len(members)} sums of {k} terms "
                       f"(chains of +, added in order)")
            # Row after row, as eager's chain adds (np.sum may add pairwise): a loop of
            # vector adds for long rows, accumulate (one call) for short ones. The first
            # term (a bias, a running total) often sits apart from the rest, which the
            # layout puts side by side: then the rest is one view of the buffer.
            if len(members) >= 256:
                fwd.append(f"    first = {_gather(em, 'buf', inputs[0])}")
                fwd.append(f"    terms = {_gather(em, 'buf', inputs[1:])}")
                fwd.append(f"    total = {out}")
                fwd.append("    np.add(first, terms[0], out=total)")
                fwd.append("    for row in terms[1:]:")
                fwd.append("        total += row")
            else:
                fwd.append(f"    {out} = np.add.accumulate({_gather(em, 'buf', inputs)}, "
                           "axis=0)[-1]")
            bwd_groups.append((group, inputs, None, []))
            continue
        gate = group.kind
        binary = inputs.shape[0] == 2
        name = f"{gate.name}{gi}"
        em.ns[name] = adapter.bind_forward(gate, binary, group.consts)
        symbol = _SYMBOLS.get(gate, gate.name)
        fwd.append(f"    # level {group.level}: {len(members)} × {symbol}")
        args = []
        for r in range(inputs.shape[0]):
            var = f"x{gi}_{r}"
            fwd.append(f"    {var} = {_gather(em, 'buf', inputs[r])}")
            args.append(var)
            kept.append(var)
        if isinstance(em.ns[name], np.ufunc):
            fwd.append(f"    {name}({', '.join(args)}, out={out})")
        else:
            fwd.append(f"    {out} = {name}({', '.join(args)})")
        rules = [em.const(f"{gate.name}_vjp{r}_",
                          adapter.bind_rule(gate, r, binary, group.consts))
                 for r in range(inputs.shape[0])]
        bwd_groups.append((group, inputs, rules, args))
    fwd.append(f"    return buf, ({', '.join(kept)},)")

    bwd = ["def backward(seed, buf, kept):", f"    ({', '.join(kept)},) = kept",
           f"    gb = np.zeros({s.n_slots})", f"    gb[{root_slot}] = seed"]
    for group, inputs, rules, args in reversed(bwd_groups):
        g = f"gb[{group.start}:{group.stop}]"
        if rules is None:
            bwd.append(f"    # level {group.level}: each term of a sum gets the sum's gradient")
            bwd.append(f"    g = {g}")
            if _range_of(inputs[1:]) is not None and not set(inputs[0]) & set(inputs[1:].ravel()):
                bwd.extend("    " + line for line in _scatter(em, inputs[0], "g"))
                bwd.extend("    " + line for line in _scatter(em, inputs[1:], "g"))
            else:
                bwd.extend("    " + line for line in _scatter(em, inputs, "g"))
            continue
        bwd.append(f"    # level {group.level}: {len(group.members)} × {group.kind.name}")
        bwd.append(f"    g = {g}")
        out = f"buf[{group.start}:{group.stop}]"
        tail = "" if len(args) == 2 else ", None"
        for r, rule in enumerate(rules):
            bwd.append(f"    c = {rule}(g, {out}, {', '.join(args)}{tail})")
            bwd.extend("    " + line for line in _scatter(em, inputs[r], "c"))
    grads = em.const("GRAD", np.array(grad_slots, dtype=np.intp))
    bwd.append(f"    return gb[{grads}].tolist()")
    return "\n".join(fwd) + "\n\n\n" + "\n".join(bwd) + "\n", em.ns
