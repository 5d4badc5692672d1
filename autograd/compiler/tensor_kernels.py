"""The numpy statements the built-in Tensor gates compile to, forward and backward.

Each forward kernel gives the expression of a gate's output, the same numpy call its row
makes (so the loss is bit for bit eager's); ``{out}`` marks where ``out=<buffer>`` may go.
Each backward kernel writes one input's gradient and returns it as a ``Grad``, updating the
upstream gradient in place when it is ours alone; it returns None to leave a case to the
gate's own rule. A gate missing here runs its row's forward and rules (``tensor_program``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import gates as G
from .. import tensor_gates as T
from .tensor_program import Emitter, Grad, broadcast_shape


def _call(fn: str, n: int, operator: str | None = None) -> Callable:
    """A forward kernel calling the numpy function ``fn`` (``operator`` when it has no
    buffer: ``a + b`` costs less than ``np.add(a, b)``)."""
    def forward(em: Emitter, i: int, args: list) -> str:
        if operator is not None and n == 2:
            large = em.is_large(em.p.shapes[i], em.p.dtypes[i]) and i not in em.outputs
            return f"{fn}({args[0]}, {args[1]}{{out}})" if large else \
                f"{args[0]} {operator} {args[1]}"
        return f"{fn}({', '.join(args)}{{out}})"
    return forward


def _reduction(ufunc: str) -> Callable:
    """``sum``/``amax``/``mean`` as the ufunc reduction ``ndarray.sum``/``max``/``mean``
    run (bit for bit the same), without their Python wrapper."""
    def forward(em: Emitter, i: int, args: list) -> str | None:
        axis, keepdims = em.p.steps[i].consts
        x = em.p.steps[i].inputs[0]
        size = int(np.prod(em.p.shapes[x]))
        reduce = f"np.{ufunc}.reduce({args[0]}, axis={axis!r}, keepdims={keepdims!r})"
        if em.p.steps[i].gate is not T.MEAN:
            return reduce
        if not size:
            return None  # mean over nothing: the row keeps numpy quiet about 0/0
        return _mean(reduce, size // max(int(np.prod(em.p.shapes[i])), 1), em.p.dtypes[x],
                     axis is None and not keepdims)
    return forward


def _mean(total: str, count: int, dtype: Any, scalar: bool) -> str | None:
    """What ``ndarray.mean`` does after its sum (``total``): one division by the count,
    which for float32 numpy runs in float64 and rounds back (None: leave it to the row)."""
    if dtype == np.float64:
        return f"{total} / {count}"
    if dtype == np.float32 and scalar:
        return f"np.float32(np.float64({total}) / {count})"
    return None


def _cross_entropy_forward(em: Emitter, i: int, args: list) -> str | None:
    """The row's forward written out (``tensor_gates._cross_entropy``, the same numpy
    calls), with the row indices made once and the softmax divided in place."""
    scores, v = args[0], em.names[i]
    shape = em.p.shapes[em.p.steps[i].inputs[0]]
    if len(shape) != 2 or not shape[1]:
        return None
    em.ns[f"ROWS_{shape[0]}"] = np.arange(shape[0])
    dtype = em.p.dtypes[i]
    shifted = em.buffer(shape, dtype, f"shifted{i}")
    exp = em.buffer(shape, dtype, f"s{i}")
    labels = f"{em.const(i)}[0]"
    em.emit(f"# cross_entropy {v}: log-softmax of {scores} at the labels, mean; the softmax "
            "is saved")
    em.emit(f"top{i} = np.maximum.reduce({scores}, axis=1, keepdims=True)")
    # The row is quiet where a max is not finite; where all are, nothing below can warn:
    # quiet always is the same, and costs less than looking.
    em.emit("with np.errstate(divide='ignore', invalid='ignore'):")
    em.emit(f"    shifted{i} = np.subtract({scores}, top{i}"
            f"{f', out={shifted}' if shifted else ''})")
    em.emit(f"    s{i} = np.exp(shifted{i}{f', out={exp}' if exp else ''})")
    em.emit(f"    total{i} = np.add.reduce(s{i}, axis=1, keepdims=True)")
    picked = f"np.log(total{i}[:, 0]) - shifted{i}[ROWS_{shape[0]}, {labels}]"
    mean = _mean(f"np.add.reduce({picked}, axis=None)", shape[0], dtype, True) or \
        f"({picked}).mean()"
    em.emit(f"    {v} = {mean}")
    em.emit(f"    np.divide(s{i}, total{i}, out=s{i})")
    return ""


def _relu(em: Emitter, i: int, args: list) -> str:
    return f"np.maximum({args[0]}, 0{{out}})"


def _getitem(em: Emitter, i: int, args: list) -> str:
    return f"{args[0]}[{em.const(i)}[0]]"


FORWARD: dict[Any, Callable] = {
    G.ADD: _call("np.add", 2, "+"), G.SUB: _call("np.subtract", 2, "-"),
    G.MUL: _call("np.multiply", 2, "*"), G.NEG: _call("np.negative", 1),
    G.EXP: _call("np.exp", 1), G.TANH: _call("np.tanh", 1), G.RELU: _relu,
    T.MATMUL: _call("np.matmul", 2, "@"), T.SUM: _reduction("add"),
    T.MEAN: _reduction("add"), T.AMAX: _reduction("maximum"), T.GETITEM: _getitem,
    T.CROSS_ENTROPY: _cross_entropy_forward,
}


# -- backward --------------------------------------------------------------------------


def _input(em: Emitter, i: int, k: int) -> int:
    return em.p.steps[i].inputs[k]


def _pass(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad:
    """``add``'s rule: the upstream gradient itself (still ours if no other input takes it)."""
    return Grad(g.var, g.shape, g.mutable and exclusive, g.fresh and exclusive)


def _negate(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad:
    if exclusive and g.mutable:
        em.emit(f"np.negative({g.var}, out={g.var})")
        return g
    return em.new(f"np.negative({g.var}{{out}})", _input(em, i, k), g.shape, f"c{i}")


def _sub(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad:
    if k == 0:
        return _pass(em, i, k, g, exclusive)
    fitted = em.fit(g, i, _input(em, i, k))  # sum first, then negate the smaller array
    return _negate(em, i, k, fitted, exclusive or fitted is not g)


def _times(em: Emitter, i: int, k: int, g: Grad, exclusive: bool, factor: int) -> Grad:
    """``g * factor``: in place when ``g`` is ours and already of the result's shape."""
    names = em.names
    shape = broadcast_shape(g.shape, em.p.shapes[factor])
    if exclusive and g.mutable and g.shape == shape:
        em.emit(f"np.multiply({g.var}, {names[factor]}, out={g.var})")
        return g
    return em.new(f"np.multiply({g.var}, {names[factor]}{{out}})", _input(em, i, k), shape,
                  f"c{i}")


def _mul(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad:
    a, b = em.p.steps[i].inputs
    if a == b:  # x * x: both rules give g * x, so one rule on the doubled gradient
        shape = broadcast_shape(g.shape, em.p.shapes[a])
        return em.new(f"np.multiply({g.var} + {g.var}, {em.names[a]}{{out}})", a, shape,
                      f"c{i}")
    return _times(em, i, k, g, exclusive, b if k == 0 else a)


def _exp(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad:
    return _times(em, i, k, g, exclusive, i)  # ∂eᵃ/∂a is the output itself


def finite(g: Any) -> bool:
    """Whether ``g`` holds no inf or nan: its largest and smallest elements are finite
    (two reads, and no warning, where a sum of inf and -inf would warn)."""
    return math.isfinite(np.maximum.reduce(g, axis=None)) and \
        math.isfinite(np.minimum.reduce(g, axis=None))


def _relu_grad(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad:
    """g where the output is not 0, else exactly 0. A product with the mask runs ~10x
    faster than a masked write (no branch per element) and is the same unless g holds an
    inf or nan (inf * 0 is nan where relu gives 0): ``finite`` tells, at the cost of a
    read, and sends such a g to the masked write."""
    out = em.names[i]
    em.ns["finite"] = finite
    shape = broadcast_shape(g.shape, em.p.shapes[i])
    if g.mutable and g.shape == em.p.shapes[i]:  # in place
        em.emit(f"if finite({g.var}):")
        em.emit(f"    np.multiply({g.var}, {out} != 0, out={g.var})")
        em.emit("else:")
        em.emit(f"    np.copyto({g.var}, 0, where={out} == 0)")
        return g
    return em.new(f"np.multiply({g.var}, {out} != 0) if finite({g.var}) else "
                  f"np.where({out} != 0, {g.var}, 0)", _input(em, i, k), shape, f"c{i}")


def _matmul(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad | None:
    a, b = em.p.steps[i].inputs
    if len(em.p.shapes[a]) != 2 or len(em.p.shapes[b]) != 2:
        return None
    g = em.full_grad(i, g)
    names = em.names
    if k == 0:
        return em.new(f"np.matmul({g.var}, {names[b]}.T{{out}})", a, em.p.shapes[a], f"c{i}")
    return em.new(f"np.matmul({names[a]}.T, {g.var}{{out}})", b, em.p.shapes[b], f"c{i}")


def _spread(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad:
    """``sum``/``mean``: the gradient reshaped to the input's rank, left to broadcast."""
    x = _input(em, i, k)
    axis, _ = em.p.steps[i].consts
    shape = em.p.shapes[x]
    axes = set(range(len(shape))) if axis is None else \
        {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
    target = tuple(1 if a in axes else n for a, n in enumerate(shape))
    if g.shape == ():  # a scalar broadcasts to any shape as it is
        if em.p.steps[i].gate is T.SUM:
            return Grad(g.var, ())
        count = int(np.prod([shape[a] for a in axes]))
        return em.new(f"{g.var} * {1.0 / max(count, 1)!r}", x, (), f"c{i}")
    if g.shape != em.p.shapes[i]:
        g = em.full_grad(i, g)
    if em.p.steps[i].gate is T.MEAN:
        count = int(np.prod([shape[a] for a in axes]))
        return em.new(f"{g.var}.reshape({target}) * {1.0 / max(count, 1)!r}", x, target,
                      f"c{i}")
    var = em.fresh_name(f"c{i}")
    em.emit(f"{var} = {g.var}.reshape({target})")
    return Grad(var, target, g.mutable and len(target) > 0)


def _unique_index(index: Any, out_shape: tuple, ndim: int) -> bool:
    """Whether no position is picked twice: a basic index, or ``x[rows, cols]`` with the
    rows a constant ``arange`` and one result per row."""
    items = index if isinstance(index, tuple) else (index,)
    if all(isinstance(j, (int, np.integer, slice)) or j is None or j is Ellipsis
           for j in items):
        return True
    return len(items) == ndim and len(out_shape) == 1 and any(
        isinstance(j, np.ndarray) and j.ndim == 1 and j.dtype.kind in "iu"
        and np.array_equal(j, np.arange(out_shape[0])) for j in items)


def _scatter(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad | None:
    x = _input(em, i, k)
    index, shape = em.p.steps[i].consts[0], em.p.shapes[x]
    if g.shape is None:
        g = em.full_grad(i, g)  # (assignment broadcasts a smaller gradient by itself)
    c = em.new(f"np.zeros({shape}, dtype={em.dtype(x)})", x, shape, f"c{i}")
    if _unique_index(index, em.p.shapes[i], len(shape)):
        em.emit(f"{c.var}[{em.const(i)}[0]] = {g.var}")
    else:
        em.emit(f"np.add.at({c.var}, {em.const(i)}[0], {g.var})")
    return c


def _cross_entropy(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad | None:
    if g.shape != ():
        return None
    x = _input(em, i, k)
    n = em.p.shapes[x][0]
    em.ns[f"ROWS_{n}"] = np.arange(n)
    share = em.fresh_name(f"share{i}")
    em.emit(f"{share} = {g.var} / {n}  # (softmax - one_hot) / n, times the seed")
    c = em.new(f"np.multiply(s{i}, {share}{{out}})", x, em.p.shapes[x], f"c{i}")
    em.emit(f"{c.var}[ROWS_{n}, {em.const(i)}[0]] -= {share}")
    return c


def _max_share(em: Emitter, i: int, k: int, g: Grad, exclusive: bool) -> Grad | None:
    """``amax``: the gradient to the elements equal to the max, split evenly at a tie."""
    x = _input(em, i, k)
    axis, keepdims = em.p.steps[i].consts
    shape, dtype = em.p.shapes[x], em.dtype(x)
    if axis is None or not shape:
        return None
    axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
    kept = tuple(1 if a in axes else n for a, n in enumerate(shape))
    top = em.names[i] if keepdims else f"{em.names[i]}.reshape({kept})"
    if g.shape != em.p.shapes[i]:
        g = em.full_grad(i, g)
    up = g.var if keepdims else f"{g.var}.reshape({kept})"
    mask = em.fresh_name(f"top{i}")
    em.emit(f"{mask} = {em.names[x]} == {top}")
    return em.new(f"np.multiply({mask}, {up} / np.add.reduce({mask}, axis={axis!r}, "
                  f"keepdims=True, dtype={dtype}){{out}})", x, shape, f"c{i}")


# What each kernel's backward reads of the forward's values: a gate missing here (its
# own rules) may read them all. An input no rule reads may be overwritten in place.
READS: dict[Any, str] = {
    G.ADD: "", G.SUB: "", G.NEG: "", T.SUM: "", T.MEAN: "", T.GETITEM: "",
    G.RELU: "out", G.EXP: "out", G.MUL: "inputs", T.MATMUL: "inputs",
    T.AMAX: "inputs out", T.CROSS_ENTROPY: "saved",
}

BACKWARD: dict[Any, Callable] = {
    G.ADD: _pass, G.SUB: _sub, G.NEG: _negate, G.MUL: _mul, G.EXP: _exp,
    G.RELU: _relu_grad, T.MATMUL: _matmul, T.AMAX: _max_share, T.SUM: _spread, T.MEAN: _spread,
    T.GETITEM: _scatter, T.CROSS_ENTROPY: _cross_entropy,
}
