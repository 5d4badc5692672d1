"""Scalar graphs as a vectorized numpy program: one statement per group of a level.

Forward: the leaves fill the start of one flat buffer; each group gathers its inputs
(a slice or reshape where the layout allows, else an index array), runs its gate once on
the whole vector, and writes its slots. Backward runs the groups in reverse on a buffer
of gradients, scattering each rule's result to the input slots: ``+=`` on a slice, on
unique indices, or through ``np.bincount`` where an input is read more than once (never
``np.add.at`` on a view of the buffer, which copies the whole buffer per call).

A group of sums that is a matrix product (``matmul.py``: a layer of neurons on a batch)
is one ``np.matmul`` forward and two backward, ``G @ X.T`` for the weights and
``W.T @ G`` for the inputs, in place of its products, their gathers and the
``np.bincount`` of the weights' gradients. A rule whose inputs are all numbers from the
arguments is not run: nothing reads their gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import gates as G
from . import adapter
from .schedule import MATMUL, SUM, Schedule

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
    """Source defining ``forward(buf)`` -> kept and ``backward(seed, buf, kept)`` -> grads.

    The caller fills the leaf slots of ``buf`` (the start of it) before ``forward``.
    """
    em = _Emitter()
    n_leaves = len(s.leaf_sources)
    no_grad = {i for i, (kind, _) in enumerate(s.leaf_sources) if kind in ("ref", "const")}

    def wants_grad(idx: np.ndarray) -> bool:
        """Whether any of these slots needs a gradient (numbers from the arguments and
        the trace's constants need none)."""
        return not no_grad.issuperset(idx.ravel().tolist())

    fwd = ["def forward(buf):",
           f"    # buf[:{n_leaves}] holds the leaves: parameters, inputs, constants"]
    bwd_parts: list[list[str]] = []  # per group, in run order
    kept: list[str] = []
    for gi, group in enumerate(s.groups):
        if group.kind is MATMUL:
            f, b, k = _matmul(em, s, group, gi, wants_grad)
        elif group.kind is SUM:
            f, b, k = _sum(em, s, group, wants_grad)
        else:
            f, b, k = _gate(em, s, group, gi, wants_grad)
        fwd.extend("    " + line for line in f)
        bwd_parts.append(["    " + line for line in b])
        kept.extend(k)
    names = "(" + "".join(f"{k}, " for k in kept) + ")"  # "()" when nothing is kept
    fwd.append(f"    return {names}")

    bwd = ["def backward(seed, buf, kept):", f"    {names} = kept",
           f"    gb = np.zeros({s.n_slots})", f"    gb[{root_slot}] = seed"]
    for part in reversed(bwd_parts):
        bwd.extend(part)
    grads = em.const("GRAD", np.array(grad_slots, dtype=np.intp))
    bwd.append(f"    return gb[{grads}].tolist()")
    return "\n".join(fwd) + "\n\n\n" + "\n".join(bwd) + "\n", em.ns


def _inputs(s: Schedule, group: Any) -> np.ndarray:
    """(k, n) slots: row r holds input r of every member."""
    return np.array([[s.slot[j] for j in s.terms[i]] for i in group.members]).T


def _sum(em: _Emitter, s: Schedule, group: Any, wants_grad: Any) -> tuple:
    inputs = _inputs(s, group)
    members, k = group.members, inputs.shape[0]
    out = f"buf[{group.start}:{group.stop}]"
    fwd = [f"# level {group.level}: {len(members)} sum{'s' * (len(members) > 1)} of {k} "
           "terms (chains of +, added in eager's order)"]
    # Row after row, as eager's chain adds (np.sum may add pairwise): a loop of vector
    # adds for long rows, accumulate (one call) for short ones. The first term (a bias, a
    # running total) often sits apart from the rest, which the layout puts side by side:
    # then the rest is one view of the buffer.
    if len(members) >= 256:
        fwd += [f"first = {_gather(em, 'buf', inputs[0])}",
                f"terms = {_gather(em, 'buf', inputs[1:])}",
                f"total = {out}",
                "np.add(first, terms[0], out=total)",
                "for row in terms[1:]:",
                "    total += row"]
    else:
        fwd.append(f"{out} = np.add.accumulate({_gather(em, 'buf', inputs)}, axis=0)[-1]")
    bwd = [f"# level {group.level}: each term of a sum gets the sum's gradient",
           f"g = gb[{group.start}:{group.stop}]"]
    if _range_of(inputs[1:]) is not None and not set(inputs[0]) & set(inputs[1:].ravel()):
        for part in (inputs[0], inputs[1:]):
            if wants_grad(part):
                bwd += _scatter(em, part, "g")
    elif wants_grad(inputs):
        bwd += _scatter(em, inputs, "g")
    return fwd, bwd, []


def _gate(em: _Emitter, s: Schedule, group: Any, gi: int, wants_grad: Any) -> tuple:
    inputs = _inputs(s, group)
    gate = group.kind
    binary = inputs.shape[0] == 2
    name = f"{gate.name}{gi}"
    em.ns[name] = adapter.bind_forward(gate, binary, group.consts)
    out = f"buf[{group.start}:{group.stop}]"
    fwd = [f"# level {group.level}: {len(group.members)} × {_SYMBOLS.get(gate, gate.name)}"]
    args = []
    for r in range(inputs.shape[0]):
        var = f"x{gi}_{r}"
        fwd.append(f"{var} = {_gather(em, 'buf', inputs[r])}")
        args.append(var)
    if isinstance(em.ns[name], np.ufunc):
        fwd.append(f"{name}({', '.join(args)}, out={out})")
    else:
        fwd.append(f"{out} = {name}({', '.join(args)})")
    bwd = [f"# level {group.level}: {len(group.members)} × {gate.name}",
           f"g = gb[{group.start}:{group.stop}]"]
    tail = "" if binary else ", None"
    calls = [f"{em.const(f'{gate.name}_vjp{r}_', adapter.bind_rule(gate, r, binary, group.consts))}"
             f"(g, {out}, {', '.join(args)}{tail})" for r in range(inputs.shape[0])]
    if binary and np.array_equal(inputs[0], inputs[1]):  # x * x: both rules, one scatter
        calls, inputs = [" + ".join(calls)], inputs[:1]
    for r, call in enumerate(calls):
        if wants_grad(inputs[r]):  # (numbers from the arguments need no gradient)
            bwd.append(f"c = {call}")
            bwd += _scatter(em, inputs[r], "c")
    return fwd, bwd, args


def _matmul(em: _Emitter, s: Schedule, group: Any, gi: int, wants_grad: Any) -> tuple:
    dot = group.dot
    slots = np.vectorize(s.slot.__getitem__, otypes=[np.intp])
    w, x = slots(dot.w), slots(dot.x)
    (n_rows, k), n_cols = w.shape, x.shape[1]
    W, X, Z = f"W{gi}", f"X{gi}", f"Z{gi}"
    bias, axis, first = _bias(slots(dot.bias)) if dot.bias is not None else (None, None, "")
    fwd = [f"# level {group.level}: {n_rows} × {n_cols} sums {first}Σ_j w[r,j]·x[j,s], "
           f"j < {k}: one matrix product",
           f"# ({n_rows * n_cols * k:,} products never made; a matmul adds in its own order, "
           "a few roundings from eager's)",
           f"{W} = {_gather(em, 'buf', w)}  # {n_rows} × {k}",
           f"{X} = {_gather(em, 'buf', x)}  # {k} × {n_cols}",
           f"{Z} = buf[{group.start}:{group.stop}].reshape({(n_rows, n_cols)})",
           f"np.matmul({W}, {X}, out={Z})  # {Z} = {W} @ {X}"]
    bwd = [f"# level {group.level}: the matrix product's gradients are matrix products too",
           f"G = gb[{group.start}:{group.stop}].reshape({(n_rows, n_cols)})"]
    if bias is not None:
        fwd.append(f"{Z} += {_gather(em, 'buf', bias)}  # + b")
        if wants_grad(bias):
            bwd += _scatter(em, bias, "G" if axis is None else
                            f"np.add.reduce(G, axis={axis}, keepdims=True)")
    # With one row or one column, a gradient is an outer product: a broadcast multiply
    # (matmul over an inner size of 1 is several times slower).
    if wants_grad(w):  # dL/dw[r,j] = Σ_s G[r,s]·x[j,s]
        bwd += _scatter(em, w, f"G * {X}.T" if n_cols == 1 else f"G @ {X}.T")
    if wants_grad(x):  # dL/dx[j,s] = Σ_r w[r,j]·G[r,s]
        bwd += _scatter(em, x, f"{W}.T * G" if n_rows == 1 else f"{W}.T @ G")
    return fwd, bwd, [W, X]


def _bias(bias: np.ndarray) -> tuple:
    """(slots, axis summed over backward, formula) of the first terms of a product's sums:
    one per row (a neuron's bias, read by every sample) is one column broadcast along the
    row; one per column a row; else one per sum."""
    if (bias == bias[:, :1]).all():
        return bias[:, :1], 1, "b[r] + "
    if (bias == bias[:1]).all():
        return bias[:1], 0, "b[s] + "
    return bias, None, "b[r,s] + "
