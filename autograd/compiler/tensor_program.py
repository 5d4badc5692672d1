"""Tensor graphs: the traced program as one straight-line numpy function, forward and backward.

The generated ``tape(L, flat, B)`` is a generator: its first ``next()`` runs the forward and
yields the loss; each ``send(seed)`` after that runs the backward and yields the leaves'
gradients. Forward and backward share one frame, so what backward needs is simply still
there (no tuple of saved values packed and unpacked), and no node object is made per step.

The built-in gates compile to the numpy statements themselves (``tensor_kernels.py``);
any other gate calls its row's forward and rules. Large arrays are written with ``out=``
into buffers ``B`` allocated once per compiled step and reused by every call (the replay
gives a call fresh ones while an earlier loss that may still run its backward holds them).
The loss, extra outputs and leaf gradients are new arrays each call: nothing handed to
the user is ever overwritten by a later call. What the trace makes visible is simplified:

- a gradient stays as small as it can until a gate needs its full shape: the scalar
  upstream gradient of a loss stays a 0-d value, ``sum``/``mean`` hand back a reshaped
  view of theirs (a broadcast that is only summed back is never materialized);
- ``x * x`` (one node twice) runs one rule on the doubled gradient (``(g + g) * x``);
- a gradient that is ours alone is updated in place (``+=``, relu's mask, ``-g``);
- a rule runs only for inputs that need a gradient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import gates as G
from .. import tensor_gates as T
from ..engine import fit_gradient, unbroadcast
from . import adapter
from .names import variable_names
from .trace import ArgRef, Program, guarded_nodes

# The built-in Tensor-only gates, whose rules already give the input's shape (a custom
# gate's rule may not, so its gradient is fitted); custom gates cannot take their names.
_TENSOR_ROWS = frozenset(g for g in vars(T).values() if isinstance(g, G.Gate))
# Gates whose rule may hand back the upstream gradient itself or a view of it.
_VIEWS = {"add", "sub", "reshape", "transpose", "broadcast_to", "neg", "scatter"}
BUFFER_MIN_BYTES = 16384  # smaller arrays are cheap to allocate anew (no page faults)


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


def _resolving(consts: tuple, name: str) -> str:
    """The expression of ``consts`` (held as ``name``) with each ``ArgRef`` resolved from
    ``flat``: what ``resolve`` does, written out (no walk of the tuple per call)."""
    if not _has_ref(consts):
        return name
    items = [_resolving(c, f"{name}[{k}]") if isinstance(c, tuple) else
             f"{name}[{k}].resolve(flat)" if isinstance(c, ArgRef) else f"{name}[{k}]"
             for k, c in enumerate(consts)]
    return f"({', '.join(items)},)"


def _has_ref(consts: tuple) -> bool:
    return any(_has_ref(c) if isinstance(c, tuple) else isinstance(c, ArgRef) for c in consts)


# Names the generated code makes itself: a node labelled so is called v<index>_ instead.
_GENERATED = re.compile(
    r"^(np|math|full|reduce_to|as_dtype|fit_gradient|bind_forward|bind_rule|finite|L|flat|"
    r"B|seed|u?int\d+|float\d+|bool_?)$|^(buf|g|ROWS)_|^(c|s|C|K|G|top|total|shifted|share)"
    r"\d+(_\d+)?$|^[a-z_]+_\d+(_vjp\d+)?$")


@dataclass
class Grad:
    """A gradient variable of the generated backward, as the generator knows it."""

    var: str
    shape: tuple | None  # its exact shape; None: a rule decides (it broadcasts to the node's)
    mutable: bool = False  # ours alone: may be overwritten in place
    fresh: bool = False  # a new array each call: may become a leaf's .grad as it is


def broadcast_shape(*shapes: tuple | None) -> tuple | None:
    """The shape numpy broadcasts ``shapes`` to; None if any is unknown (None)."""
    known = [s for s in shapes if s is not None]
    return None if len(known) < len(shapes) else np.broadcast_shapes(*known)


class Emitter:
    """Writes the generated function line by line; the kernels call back into it."""

    def __init__(self, p: Program) -> None:
        self.p = p
        self.names = [name if not _GENERATED.match(name) else f"v{i}_"
                      for i, name in enumerate(variable_names(p.labels))]
        self.ns: dict = {"np": np, "reduce_to": reduce_to, "as_dtype": as_dtype, "full": full,
                         "fit_gradient": fit_gradient,
                         "bind_forward": adapter.bind_forward, "bind_rule": adapter.bind_rule}
        self.lines: list[str] = []
        self.buffers: list[tuple[str, tuple, Any]] = []  # (name, shape, dtype)
        self.consts: dict[int, str] = {}  # node -> the name of its constants tuple
        self.grads: dict[int, Grad] = {}
        self.grad_leaves = set(p.grad_leaves)
        self.outputs = {p.root, *p.extras}  # handed to the user: never in a buffer
        self._count = 0
        self.buffer_of: dict[int, str] = {}  # node -> the buffer its forward value is in
        self.readers = [0] * p.n  # how many gate inputs read each node
        for step in p.steps.values():
            for j in step.inputs:
                self.readers[j] += 1
        self.watched = self.outputs | set(guarded_nodes(p))  # read after the forward

    # -- helpers the kernels use --------------------------------------------------------

    def emit(self, line: str) -> None:
        self.lines.append("        " + line if self._in_backward else "    " + line)

    _in_backward = False

    def fresh_name(self, base: str) -> str:
        self._count += 1
        return f"{base}_{self._count}"

    @staticmethod
    def is_large(shape: tuple | None, dtype: Any) -> bool:
        """Whether an array pays for a buffer of its own."""
        if not shape:  # unknown (None) or 0-d
            return False
        return int(np.prod(shape)) * np.dtype(dtype).itemsize >= BUFFER_MIN_BYTES

    def buffer(self, shape: tuple, dtype: Any, base: str) -> str | None:
        """The name of a new preallocated buffer, or None when the array is too small."""
        if not self.is_large(shape, dtype):
            return None
        name = f"buf_{base}"
        self.buffers.append((name, shape, np.dtype(dtype)))
        return name

    def out_for(self, j: int, shape: tuple | None, dtype: Any, base: str) -> str:
        """``, out=<buffer>`` for a new gradient of node ``j``, or "" (a leaf's gradient
        is handed to the user: a new array, never a buffer)."""
        if shape is None or j in self.grad_leaves and j not in self.grads:
            return ""  # (a later contribution to a leaf is added to the first: a buffer)
        name = self.buffer(shape, dtype, base)
        return f", out={name}" if name else ""

    def new(self, expr: str, j: int, shape: tuple | None, base: str) -> Grad:
        """A new gradient array for node ``j``: ``expr`` may end in ``{out}``."""
        var = self.fresh_name(base)
        out = self.out_for(j, shape, self.p.dtypes[j], var) if "{out}" in expr else ""
        self.emit(f"{var} = {expr.format(out=out)}")
        owned = shape is not None and len(shape) > 0  # 0-d results are numpy scalars
        return Grad(var, shape, owned, owned and not out)

    def const(self, i: int) -> str:
        """The name of node ``i``'s constants (resolved this call when they come from
        the arguments)."""
        if i not in self.consts:
            consts = self.p.steps[i].consts
            name = f"C{i}"
            if _has_ref(consts):
                self.ns[f"K{i}"] = consts
                self.emit(f"{name} = {_resolving(consts, f'K{i}')}  # from this call's "
                          "arguments")
            else:
                self.ns[name] = consts
            self.consts[i] = name
        return self.consts[i]

    def dtype(self, i: int) -> str:
        """The name of node ``i``'s dtype in the generated code (a dtype object, which
        compares with an array's ``.dtype`` faster than the scalar type ``np.float32``)."""
        name = f"{np.dtype(self.p.dtypes[i])}"
        self.ns[name] = np.dtype(name)
        return name

    def full_grad(self, i: int, g: Grad) -> Grad:
        """Node ``i``'s gradient at its full shape (a broadcast view if it was smaller)."""
        shape = self.p.shapes[i]
        if g.shape == shape:
            return g
        var = self.fresh_name(f"g_{self.names[i]}_full")
        self.emit(f"{var} = full({g.var}, {shape}, {self.dtype(i)})")
        return Grad(var, shape)

    # -- forward ------------------------------------------------------------------------

    def forward(self, i: int) -> None:
        from .tensor_kernels import FORWARD

        p, names = self.p, self.names
        step = p.steps[i]
        gate, binary, shape = step.gate, len(step.inputs) == 2, p.shapes[i]
        args = [names[j] for j in step.inputs]
        comment = f"  # {gate.name} {shape}"
        kernel = FORWARD.get(gate)
        expr = kernel(self, i, args) if kernel is not None else None
        if expr == "":
            return  # the kernel wrote its statements itself
        if expr is not None:
            buf = None if i in self.outputs or "{out}" not in expr else \
                self._donor(i) or self.buffer(shape, p.dtypes[i], names[i])
            if buf:
                self.buffer_of[i] = buf
                if buf != f"buf_{names[i]}":
                    comment += ", in place: its input is not read again"
            out = f", out={buf}" if buf else ""
            self.emit(f"{names[i]} = {expr.format(out=out)}{comment}")
            return
        fname = f"{gate.name}_{i}"
        if step.consts and _has_ref(step.consts):  # constants from this call's arguments
            self.ns[fname] = adapter.bind_forward(gate, binary, ())  # gate.array itself
            call = f"{fname}({', '.join(args)}, *{self.const(i)})"
        else:
            self.ns[fname] = adapter.bind_forward(gate, binary, step.consts)
            call = f"{fname}({', '.join(args)})"
        target = f"{names[i]}, s{i}" if adapter.saves(gate) else names[i]
        self.emit(f"{target} = {call}{comment}")
        if i in self.outputs and shape:  # a gate's rows may hand back a view of a buffer,
            self.emit(f"{names[i]} = np.array({names[i]})")  # which the next call overwrites

    def _donor(self, i: int) -> str | None:
        """The buffer of an input that ``i`` may overwrite: an intermediate of the same
        shape and dtype read by ``i`` alone, whose value no backward rule reads."""
        from .tensor_kernels import READS

        p = self.p
        for j in p.steps[i].inputs:
            if (j in self.buffer_of and self.readers[j] == 1 and j not in self.watched
                    and p.shapes[j] == p.shapes[i] and p.dtypes[j] == p.dtypes[i]
                    and "inputs" not in READS.get(p.steps[i].gate, "inputs")
                    and "out" not in READS.get(p.steps[j].gate, "out")):
                return self.buffer_of.pop(j)
        return None

    # -- backward -----------------------------------------------------------------------

    def backward(self, i: int) -> None:
        from .tensor_kernels import BACKWARD

        p, names = self.p, self.names
        step = p.steps[i]
        gate = step.gate
        g = self.grads[i]
        self.emit(f"# {gate.name} {names[i]} {p.shapes[i]}")
        same = len(step.inputs) == 2 and step.inputs[0] == step.inputs[1] and gate is G.MUL
        wanted = [(k, j) for k, j in enumerate(step.inputs[:1] if same else step.inputs)
                  if p.needs_grad[j]]
        exclusive = len(wanted) == 1 and len(set(step.inputs)) == len(step.inputs) or same
        kernel = BACKWARD.get(gate)
        for k, j in wanted:
            c = kernel(self, i, k, g, exclusive) if kernel is not None else None
            if c is None:
                c = self._rule(i, k, g, same)
            if gate in adapter.ELEMENTWISE:
                c = self.fit(c, i, j)
            if p.dtypes[j] != p.dtypes[i]:
                var = self.fresh_name(f"c{i}")
                self.emit(f"{var} = as_dtype({c.var}, {self.dtype(j)})")
                owned = c.shape is not None and len(c.shape) > 0
                c = Grad(var, c.shape, owned, owned)
            self._accumulate(j, c)

    def _rule(self, i: int, k: int, g: Grad, same: bool) -> Grad:
        """Input ``k``'s gradient through the gate's own rule (a gate with no kernel)."""
        p, names = self.p, self.names
        step = p.steps[i]
        gate, binary, j = step.gate, len(step.inputs) == 2, step.inputs[k]
        elementwise = gate in adapter.ELEMENTWISE
        if not elementwise:
            g = self.full_grad(i, g)
        rule = f"{gate.name}_{i}_vjp{k}"
        if step.consts and _has_ref(step.consts):
            self.emit(f"{rule} = bind_rule(G{i}, {k}, {binary}, {self.const(i)})")
            self.ns[f"G{i}"] = gate
        else:
            self.ns[rule] = adapter.bind_rule(gate, k, binary, step.consts)
        args = ", ".join(names[x] for x in step.inputs)
        tail = "" if binary else (f", s{i}" if adapter.saves(gate) else ", None")
        upstream = f"{g.var} + {g.var}" if same else g.var
        var = self.fresh_name(f"c{i}")
        self.emit(f"{var} = {rule}({upstream}, {names[i]}, {args}{tail})")
        if elementwise:
            return Grad(var, None)
        if gate not in _TENSOR_ROWS:  # a custom gate: its rule's answer is fitted
            self.emit(f"{var} = fit_gradient({var}, {names[j]})")
            return Grad(var, p.shapes[j])
        fresh = gate.name not in _VIEWS
        return Grad(var, p.shapes[j], fresh, fresh)

    def fit(self, c: Grad, i: int, j: int) -> Grad:
        """An elementwise gate's contribution summed down to input ``j``'s shape (only
        over the axes broadcasting stretched; a smaller gradient stays small)."""
        out_shape, shape = self.p.shapes[i], self.p.shapes[j]
        if c.shape == shape or out_shape == shape and c.shape is None:
            return c
        var = self.fresh_name(f"c{i}")
        if c.shape is None or not _summed_axes(out_shape, shape):
            if c.shape is not None and len(c.shape) <= len(shape):
                return c  # already broadcasts to the input: nothing to sum
            self.emit(f"{var} = reduce_to({c.var}, {out_shape}, {shape})")
            return Grad(var, shape)
        src = c.var if c.shape == out_shape else f"np.broadcast_to({c.var}, {out_shape})"
        lead = len(out_shape) - len(shape)
        if lead:
            src = f"np.add.reduce({src}, axis={tuple(range(lead))})"
        kept = tuple(a for a, n in enumerate(shape) if n == 1 and out_shape[lead + a] != 1)
        if kept:
            src = f"np.add.reduce({src}, axis={kept}, keepdims=True)"
        self.emit(f"{var} = {src}  # summed over the broadcast axes")
        owned = len(shape) > 0
        return Grad(var, shape, owned, owned)

    def _accumulate(self, j: int, c: Grad) -> None:
        old = self.grads.get(j)
        if old is None:
            self.grads[j] = c
            return
        shape = broadcast_shape(old.shape, c.shape)
        var = f"g_{self.names[j]}"
        if shape and old.mutable and old.shape == shape:
            self.emit(f"{old.var} += {c.var}")
        elif shape and c.mutable and c.shape == shape:
            self.emit(f"np.add({old.var}, {c.var}, out={c.var})")
            self.grads[j] = c
        else:
            self.emit(f"{var} = {old.var} + {c.var}")
            owned = bool(shape)
            self.grads[j] = Grad(var, shape, owned, owned)


def _summed_axes(out_shape: tuple, shape: tuple) -> bool:
    """Whether broadcasting ``shape`` to ``out_shape`` stretched an axis (so summing back
    is needed)."""
    lead = len(out_shape) - len(shape)
    return any(n != 1 for n in out_shape[:lead]) or any(
        n == 1 and out_shape[lead + a] != 1 for a, n in enumerate(shape))


def generate(p: Program, leaf_order: list) -> tuple[str, dict, list]:
    """Python source defining the generator ``tape(L, flat, B)``, its namespace, and the
    buffers it needs as (name, shape, dtype).

    ``L`` holds the leaves' data (in ``leaf_order``), ``flat`` the call's flat arguments,
    ``B`` the buffers. ``next()`` yields (output, guarded nodes' values, extra outputs);
    each ``send(seed)`` yields one (gradient, new array?) pair per ``p.grad_leaves`` entry
    ((None, False) where none flows).
    """
    em = Emitter(p)
    names = em.names
    head = ["def tape(L, flat, B):"]
    for slot, i in enumerate(leaf_order):
        kind, what = p.sources[i]
        where = {"arg": f"argument {what}", "ref": f"from argument {getattr(what, 'k', '')}",
                 "node": "captured leaf"}[kind]
        head.append(f"    {names[i]} = L[{slot}]  # {where}, {p.shapes[i]} "
                    f"{np.dtype(p.dtypes[i])}")
    for i in sorted(p.sources):
        kind, what = p.sources[i]
        if kind == "const":  # a number or array of the function's own: frozen
            em.ns[f"K{i}"] = what
            shown = f"{what.item()!r:.20}" if np.size(what) == 1 else str(p.shapes[i])
            head.append(f"    {names[i]} = K{i}  # constant {shown} {np.dtype(p.dtypes[i])}")
    em.emit("# -- forward --")
    for i in sorted(p.steps):
        em.forward(i)
    guards = "".join(names[i] + ", " for i in guarded_nodes(p))
    extras = "".join(names[i] + ", " for i in p.extras)
    em.emit(f"seed = yield {names[p.root]}, ({guards}), ({extras})")
    em.emit("while True:  # each backward() sends its seed")
    em._in_backward = True
    em.emit("# -- backward --")
    if p.shapes[p.root] == ():  # numpy scalars: the cheapest arithmetic there is
        em.emit(f"g_{names[p.root]} = seed[()]  # a scalar until it meets an array")
        em.grads[p.root] = Grad(f"g_{names[p.root]}", ())
    else:
        em.grads[p.root] = Grad("seed", p.shapes[p.root])
    for i in sorted(p.steps, reverse=True):
        if i in em.grads:  # else no gradient reached it (its users need none)
            em.backward(i)
    results = []
    for i in p.grad_leaves:
        g = em.grads.get(i)
        if g is None:
            results.append("(None, False)")
        elif g.fresh and g.shape == p.shapes[i]:
            results.append(f"({g.var}, True)")
        else:
            results.append(f"(full({g.var}, {p.shapes[i]}, {em.dtype(i)}), False)")
    em.emit(f"seed = yield [{', '.join(results)}]")
    if em.buffers:
        head.append(f"    {', '.join(name for name, _, _ in em.buffers)}, = B"
                    "  # preallocated, reused by every call")
    return "\n".join(head + em.lines) + "\n", em.ns, em.buffers
