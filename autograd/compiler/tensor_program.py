"""Tensor graphs: the traced program as straight-line numpy code, forward and backward.

No node objects and no engine loop per step: one Python line per gate and per gradient.
What the trace makes visible is simplified on the way:

- a gradient stays as small as it can until a gate needs its full shape: the scalar
  upstream gradient of a loss stays a 0-d array, and ``sum``/``mean`` hand back a reshaped
  view of theirs (a broadcast that is only summed back is never materialized);
- ``x * x`` (one node twice) runs one rule on the doubled gradient, not two rules and two
  accumulations;
- a rule runs only for inputs that need a gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import gates as G
from .. import tensor_gates as T
from ..engine import fit_gradient, unbroadcast
from . import adapter
from .names import variable_names
from .trace import ArgRef, Program

# Gates whose rule may hand back the upstream gradient itself or a view of it: a leaf
# gradient taken from them is copied before it is stored.
# The built-in Tensor-only gates, whose rules already give the input's shape (a custom
# gate's rule may not, so its gradient is fitted); custom gates cannot take their names.
_TENSOR_ROWS = frozenset(g for g in vars(T).values() if isinstance(g, G.Gate))
_PASS_THROUGH = {"add", "sub", "reshape", "transpose", "broadcast_to", "neg"}


def reduce_to(c: Any, out_shape: tuple, shape: tuple) -> Any:
    """A gradient of (or broadcasting to) ``out_shape``, summed down to an input's ``shape``."""
    have = np.shape(c)
    if have == shape == out_shape:  # (have == shape alone: a broadcast not yet summed)
        return c
    return unbroadcast(c if have == out_shape else np.broadcast_to(c, out_shape), shape)


def as_dtype(c: Any, dtype: np.dtype) -> Any:
    return c if getattr(c, "dtype", None) == dtype else np.asarray(c, dtype=dtype)


def full(c: Any, shape: tuple, dtype: np.dtype) -> Any:
    """A gradient as an array of exactly ``shape`` and ``dtype`` (a view where it can)."""
    if type(c) is np.ndarray and c.shape == shape and c.dtype == dtype:
        return c
    return np.broadcast_to(np.asarray(c, dtype=dtype), shape)


def resolve(consts: tuple, flat: list) -> tuple:
    return tuple(resolve(c, flat) if isinstance(c, tuple) else
                 c.resolve(flat) if isinstance(c, ArgRef) else c for c in consts)


def _has_ref(consts: tuple) -> bool:
    return any(_has_ref(c) if isinstance(c, tuple) else isinstance(c, ArgRef) for c in consts)


def _keepdims_shape(shape: tuple, axis: Any) -> tuple:
    if axis is None:
        return (1,) * len(shape)
    axes = {axis} if isinstance(axis, int) else set(axis)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def generate(p: Program, leaf_order: list) -> tuple[str, dict]:
    """Python source defining ``forward(L, flat)`` and ``backward(g, V)``, and its namespace.

    ``forward`` takes the leaves' data ``L`` (in ``leaf_order``) and the flat
    arguments; it returns the output, every value backward needs, and the values of the guarded
    nodes and then the extra outputs.
    ``backward`` returns one gradient per ``p.grad_leaves`` entry (None where none flows)
    and whether each is an array of its own.
    """
    names = variable_names(p.labels)
    ns: dict = {"np": np, "reduce_to": reduce_to, "as_dtype": as_dtype, "full": full,
                "resolve": resolve, "fit_gradient": fit_gradient,
                "bind_forward": adapter.bind_forward, "bind_rule": adapter.bind_rule}
    fwd = ["def forward(L, flat):"]
    for slot, i in enumerate(leaf_order):
        kind, what = p.sources[i]
        where = {"arg": f"argument {what}", "ref": f"from argument {getattr(what, 'k', '')}",
                 "node": "captured leaf"}[kind]
        fwd.append(f"    {names[i]} = L[{slot}]  # {where}, {p.shapes[i]} {np.dtype(p.dtypes[i])}")
    bwd_setup = []
    for i in sorted(p.steps):
        step = p.steps[i]
        gate, binary = step.gate, len(step.inputs) == 2
        fname = f"{gate.name}_{i}"
        args = ", ".join(names[j] for j in step.inputs)
        if _has_ref(step.consts):  # constants from this call's arguments
            ns[f"G{i}"], ns[f"K{i}"] = gate, step.consts
            fwd.append(f"    C{i} = resolve(K{i}, flat)")
            fwd.append(f"    {fname} = bind_forward(G{i}, {binary}, C{i})")
            for k in range(len(step.inputs)):
                fwd.append(f"    {fname}_vjp{k} = bind_rule(G{i}, {k}, {binary}, C{i})")
                bwd_setup.append(f"{fname}_vjp{k}")
        else:
            ns[fname] = adapter.bind_forward(gate, binary, step.consts)
            for k in range(len(step.inputs)):
                ns[f"{fname}_vjp{k}"] = adapter.bind_rule(gate, k, binary, step.consts)
        shape = f"  # {p.shapes[i]}"
        if adapter.saves(gate):
            fwd.append(f"    {names[i]}, s{i} = {fname}({args}){shape}")
        else:
            fwd.append(f"    {names[i]} = {fname}({args}){shape}")
    values = [names[i] for i in range(p.n)] + [f"s{i}" for i in sorted(p.steps)
                                                 if adapter.saves(p.steps[i].gate)]
    values += bwd_setup
    guard_values = "".join(names[i] + ", " for i in [gd.node for gd in p.guards] + p.extras)
    fwd.append(f"    return {names[p.root]}, ({', '.join(values)},), ({guard_values})")

    bwd = ["def backward(g, V):", f"    ({', '.join(values)},) = V",
           f"    g_{names[p.root]} = g"]
    compact = {p.root: False}  # may this gradient be smaller than its node (broadcasting)?
    owned = {p.root: False}
    for i in sorted(p.steps, reverse=True):
        if i not in compact:
            continue  # no gradient reached it (its users need none)
        step = p.steps[i]
        gate, binary = step.gate, len(step.inputs) == 2
        fname, gi = f"{gate.name}_{i}", f"g_{names[i]}"
        args = ", ".join(names[j] for j in step.inputs) if binary else names[step.inputs[0]]
        tail = "" if binary else (f", s{i}" if adapter.saves(gate) else ", None")
        bwd.append(f"    # {gate.name} {names[i]} {p.shapes[i]}")
        elementwise = gate in adapter.ELEMENTWISE
        if not elementwise and compact[i] and gate not in (T.SUM, T.MEAN):
            bwd.append(f"    {gi} = full({gi}, {p.shapes[i]}, np.{np.dtype(p.dtypes[i])})")
            compact[i] = False
        # x * x: the two rules give the same product, so one rule on the doubled gradient
        same = binary and step.inputs[0] == step.inputs[1] and gate is G.MUL
        for k, j in enumerate(step.inputs[:1] if same else step.inputs):
            if not p.needs_grad[j]:
                continue
            c = f"c{i}_{k}"
            fresh = gate.name not in _PASS_THROUGH
            small = compact[i] and elementwise
            if gate in (T.SUM, T.MEAN):
                axis = step.consts[0]
                target = _keepdims_shape(p.shapes[j], axis)
                g_src = gi if not compact[i] else \
                    f"full({gi}, {p.shapes[i]}, np.{np.dtype(p.dtypes[i])})"
                expr = f"{g_src}.reshape({target})"
                if gate is T.MEAN:
                    count = int(np.prod(p.shapes[j])) // max(int(np.prod(target)), 1)
                    expr += f" * {1.0 / max(count, 1)!r}"
                else:
                    fresh = False
                small = True
            elif same:  # x * x: one rule on the doubled gradient
                expr = f"{fname}_vjp0({gi} + {gi}, {names[i]}, {args})"
            else:
                expr = f"{fname}_vjp{k}({gi}, {names[i]}, {args}{tail})"
            bwd.append(f"    {c} = {expr}")
            if elementwise and p.shapes[j] != p.shapes[i]:
                bwd.append(f"    {c} = reduce_to({c}, {p.shapes[i]}, {p.shapes[j]})")
                small, fresh = False, True
            elif not elementwise and gate not in _TENSOR_ROWS:
                bwd.append(f"    {c} = fit_gradient({c}, {names[j]})")  # a custom gate
            if p.dtypes[j] != p.dtypes[i]:
                bwd.append(f"    {c} = as_dtype({c}, np.{np.dtype(p.dtypes[j])})")
                fresh = True
            gj = f"g_{names[j]}"
            if j in compact:
                bwd.append(f"    {gj} = {gj} + {c}")
                compact[j] = compact[j] and small
                owned[j] = True
            else:
                bwd.append(f"    {gj} = {c}")
                compact[j], owned[j] = small, fresh and not small
    results = []
    for i in p.grad_leaves:
        if i not in compact:
            results.append("(None, False)")
            continue
        gi = f"g_{names[i]}"
        bwd.append(f"    {gi}_full = full({gi}, {p.shapes[i]}, np.{np.dtype(p.dtypes[i])})")
        results.append(f"({gi}_full, {owned[i]} and {gi}_full is {gi})")
    bwd.append(f"    return [{', '.join(results)}]")
    return "\n".join(fwd) + "\n\n\n" + "\n".join(bwd) + "\n", ns
