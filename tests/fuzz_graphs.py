"""Random expression graphs run twice, in gategrad and in PyTorch, and compared.

A ``Program`` is a list of leaves and a list of steps; each step applies one op to earlier
nodes (any earlier node, so a node can feed several later ones: fan-out). The same program
is interpreted with gategrad nodes and with torch tensors of the same dtype, op by op
(``fuzz_check.py`` compares them, pinning a forward difference to the op that made it).
Programs are drawn through a ``Chooser``: hypothesis ``data.draw`` in the test suite
(shrinks to a minimal graph), a numpy generator in ``benchmarks/fuzz_torch.py`` (the long
run that collects every failure).

Tensor nodes all have shapes that broadcast to ``FULL`` = (3, 4), so any two can meet in a
binary op; ops that change the shape (reductions, matmul, indexing, reshape) put it back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from autograd import Tensor, Value, grad, maximum, minimum

FULL = (3, 4)
LEAF_SHAPES = [(3, 4), (4,), (1, 4), (3, 1), ()]
SPECIALS = {  # the edges of each dtype: signed zeros, subnormals, near-overflow, inf, nan
    np.float64: [0.0, -0.0, 5e-324, -5e-324, 1e308, -1e308, 1e-308, math.inf, -math.inf,
                 math.nan],
    np.float32: [0.0, -0.0, 1e-45, -1e-45, 3e38, -3e38, 1e-38, math.inf, -math.inf, math.nan],
}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


class Chooser:
    """Where a program's random choices come from."""

    def integer(self, lo: int, hi: int) -> int:  # inclusive
        raise NotImplementedError

    def choice(self, seq: list) -> Any:
        return seq[self.integer(0, len(seq) - 1)]


class DrawChooser(Chooser):
    """Choices from hypothesis' ``data.draw`` (the test suite: derandomized, shrinking)."""

    _strategies: dict = {}  # one strategy per range: building one costs more than a draw

    def __init__(self, data: Any) -> None:
        self._data = data

    def integer(self, lo: int, hi: int) -> int:
        strategy = self._strategies.get((lo, hi))
        if strategy is None:
            from hypothesis import strategies as st

            strategy = self._strategies[lo, hi] = st.integers(lo, hi)
        return self._data.draw(strategy)


class RandomChooser(Chooser):
    """Choices from a numpy generator (the long run in ``benchmarks/fuzz_torch.py``)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng

    def integer(self, lo: int, hi: int) -> int:
        return int(self._rng.integers(lo, hi + 1))


def draw_number(c: Chooser, dtype: type) -> float:
    """A leaf element: mostly moderate, often a small integer (ties), sometimes huge/tiny.

    One draw decoded into (kind, value): hypothesis' per-draw cost dominates the test.
    """
    u = c.integer(0, 2**22 - 1)
    kind, r = u % 20, u // 20
    if kind < 5:
        return float(r % 5 - 2)  # ties for max/min/amax, zeros for relu/abs
    if kind < 16:
        return (r % 6001 - 3000) / 1000
    if kind < 19:  # wide magnitudes, within the dtype's range
        top = 300 if dtype is np.float64 else 36
        exponent = (r // 18) % (2 * top + 1) - top
        return (1 if r % 2 else -1) * (1 + (r // 2) % 9) * 10.0**exponent
    specials = SPECIALS[dtype]
    return float(np.array(specials[r % len(specials)], dtype=dtype))


# -- the op table: name -> (arity, build(c, kind) -> params) --------------------------------
# Every op is (gategrad function, torch function) over a list of operand nodes and params.

UNARY = ["neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "square", "powc"]
BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "rconst"]
TENSOR_ONLY = ["clip", "reduce", "matmul", "matvec", "reshape_t", "index_rows", "index_cols",
               "index_pair", "softmax", "log_softmax", "cross_entropy", "astype"]
ARITY = {**dict.fromkeys(UNARY + TENSOR_ONLY + ["reduce_max"], 1),
         **dict.fromkeys(BINARY + ["matvec"], 2), "matmul": 3}
POW_CONSTANTS = [2.0, 3.0, -1.0, -2.0, 0.5, 0.0, 1.5]
RCONST = ["radd", "rsub", "rmul", "rdiv", "rpow"]
# The gate families the test suite fuzzes one at a time (mixed with GLUE ops, so each
# family's gates meet others); the long run draws from all ops at once.
FAMILIES = {
    "unary": UNARY,
    "binary": ["add", "sub", "mul", "div", "pow", "rconst"],
    "maxmin": ["maximum", "minimum", "reduce_max"],
    "reduce": ["reduce"],
    "matmul": ["matmul", "matvec"],
    "shape": ["reshape_t", "astype", "clip"],
    "index": ["index_rows", "index_cols", "index_pair"],
    "softmax": ["softmax", "log_softmax", "cross_entropy"],
}
GLUE = ["add", "mul", "tanh", "square", "sub"]
SCALAR_FAMILIES = ["unary", "binary", "maxmin"]


def _params(c: Chooser, op: str) -> dict:
    if op == "powc":
        return {"c": c.choice(POW_CONSTANTS)}
    if op == "rconst":
        return {"how": c.choice(RCONST), "k": c.choice([2.5, -1.5, 0.0, 2.0])}
    if op == "clip":
        lo = c.choice([None, -1.0, 0.0])
        return {"lo": lo, "hi": c.choice([None, 1.0, 2.0] if lo is not None else [1.0, 2.0])}
    if op in ("reduce", "reduce_max"):
        return {"how": "max" if op == "reduce_max" else c.choice(["sum", "mean", "max"]),
                "axis": c.choice([None, 0, 1, (0, 1)]), "keepdims": bool(c.integer(0, 1))}
    if op == "index_rows":
        return {"rows": [c.integer(0, 2) for _ in range(3)]}
    if op == "index_cols":
        return {"cols": [c.integer(0, 3) for _ in range(4)]}
    if op == "index_pair":
        return {"rows": [c.integer(0, 2) for _ in range(3)],
                "cols": [c.integer(0, 3) for _ in range(4)]}
    if op in ("softmax", "log_softmax"):
        return {"axis": c.integer(0, 1)}
    if op == "cross_entropy":
        return {"labels": [c.integer(0, 3) for _ in range(3)]}
    if op == "reshape_t":
        return {"how": c.integer(0, 1)}
    return {}


@dataclass
class Program:
    kind: str  # "value" or "tensor"
    dtype: type  # np.float64 or np.float32 (Value: float64)
    leaves: list  # floats (value) or arrays (tensor)
    steps: list = field(default_factory=list)  # (op, operand indices, params)
    weights: list = field(default_factory=list)  # one per sink: the output's cotangent
    second_order: bool = False

    def __repr__(self) -> str:
        lines = [f"Program({self.kind}, {np.dtype(self.dtype).name}, "
                 f"second_order={self.second_order})"]
        for i, leaf in enumerate(self.leaves):
            lines.append(f"  n{i} = leaf {np.array2string(np.asarray(leaf), precision=17)}")
        for j, (op, args, params) in enumerate(self.steps):
            names = ", ".join(f"n{a}" for a in args)
            lines.append(f"  n{len(self.leaves) + j} = {op}({names}) {params or ''}")
        return "\n".join(lines)


def draw_program(c: Chooser, kind: str, dtype: type = np.float64, family: str | None = None,
                 max_steps: int = 8, second_order: bool | None = None) -> Program:
    """A random program; ``family`` (a key of FAMILIES) mixes its ops with GLUE only."""
    n_leaves = c.integer(1, 3)
    if kind == "value":
        leaves = [draw_number(c, np.float64) for _ in range(n_leaves)]
        ops = UNARY + BINARY
    else:
        leaves = []
        for _ in range(n_leaves):
            shape = c.choice(LEAF_SHAPES)
            flat = [draw_number(c, dtype) for _ in range(int(np.prod(shape)))]
            leaves.append(np.array(flat, dtype=dtype).reshape(shape))
        ops = UNARY + BINARY + TENSOR_ONLY
    if family is not None:
        own = [op for op in FAMILIES[family] if kind == "tensor" or op in ops]
        ops = own * len(GLUE) + GLUE  # each step: a family op half of the time or more
    prog = Program(kind, dtype, leaves)
    prog.second_order = bool(c.integer(0, 3) == 0) if second_order is None else second_order
    for _ in range(c.integer(1, max_steps)):
        op = c.choice(ops)
        count = len(prog.leaves) + len(prog.steps)
        # Recent nodes are likelier operands (deep graphs); any node may be reused (fan-out).
        args = [max(0, count - 1 - c.integer(0, count - 1) // c.integer(1, 2))
                for _ in range(ARITY[op])]
        prog.steps.append((op, args, _params(c, op)))
    n_sinks = len(sinks(prog))
    for _ in range(n_sinks):
        prog.weights.append(c.choice([1.0, -1.0, 0.5, 2.0, 3.0]))
    return prog


def sinks(prog: Program) -> list:
    """The nodes no step uses: the root is a weighted sum of them."""
    used = {a for _, args, _ in prog.steps for a in args}
    total = len(prog.leaves) + len(prog.steps)
    return [i for i in range(len(prog.leaves), total) if i not in used] or [total - 1]


# -- the two interpreters ---------------------------------------------------------------


class GG:
    """gategrad's side of every op."""

    name = "gategrad"

    @staticmethod
    def leaf(x: Any, dtype: type) -> Any:
        if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
            return Value(x)
        return Tensor(np.array(x, dtype=dtype), requires_grad=True)

    @staticmethod
    def const(x: Any, like: Any) -> Any:
        return Tensor(np.asarray(x, dtype=like.dtype))

    maximum, minimum = staticmethod(maximum), staticmethod(minimum)
    exp = staticmethod(lambda x: x.exp())
    log = staticmethod(lambda x: x.log())
    sqrt = staticmethod(lambda x: x.sqrt())
    tanh = staticmethod(lambda x: x.tanh())
    sigmoid = staticmethod(lambda x: x.sigmoid())
    relu = staticmethod(lambda x: x.relu())
    clip = staticmethod(lambda x, lo, hi: x.clip(lo, hi))
    softmax = staticmethod(lambda x, axis: x.softmax(axis=axis))
    log_softmax = staticmethod(lambda x, axis: x.log_softmax(axis=axis))
    cross_entropy = staticmethod(lambda x, labels: x.cross_entropy(np.array(labels)))
    transpose = staticmethod(lambda x: x.T)
    astype = staticmethod(lambda x, dtype: x.astype(dtype))

    @staticmethod
    def reduce(x: Any, how: str, axis: Any, keepdims: bool) -> Any:
        return getattr(x, how)(axis=axis, keepdims=keepdims)

    @staticmethod
    def grad(out: Any, inputs: list, create_graph: bool) -> list:
        return grad(out, inputs, create_graph=create_graph)


def _sum_to(g: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    """``g`` summed over the axes broadcasting added to ``shape``."""
    while g.dim() > len(shape):
        g = g.sum(0)
    for i, n in enumerate(shape):
        if n == 1 and g.shape[i] != 1:
            g = g.sum(i, keepdim=True)
    return g


class _Divide(torch.autograd.Function):
    """a / b with d/db = -g * (a / b) / b. torch's own rule, -g * a / (b * b), squares b
    first: b * b underflows to 0 for |b| < 1e-162 (f64) and the gradient becomes nan
    where the true one is a finite number, so the reference would be wrong there. The
    rule divides with this function again, so second derivatives never square b either
    (b * b overflowing at |b| > 1e154 dropped a term that cancels another)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return (_sum_to(_Divide.apply(g, b), a.shape),
                _sum_to(-_Divide.apply(g * _Divide.apply(a, b), b), b.shape))


class TT:
    """PyTorch's side of every op (same dtype; Value as 0-d float64 tensors)."""

    name = "torch"

    @staticmethod
    def leaf(x: Any, dtype: type) -> Any:
        arr = np.array(x, dtype=dtype)
        return torch.tensor(arr, dtype=TORCH_DTYPE[dtype], requires_grad=True)

    @staticmethod
    def const(x: Any, like: Any) -> Any:
        return torch.tensor(np.asarray(x), dtype=like.dtype)

    maximum, minimum = staticmethod(torch.maximum), staticmethod(torch.minimum)
    exp, log, sqrt = staticmethod(torch.exp), staticmethod(torch.log), staticmethod(torch.sqrt)
    tanh, sigmoid = staticmethod(torch.tanh), staticmethod(torch.sigmoid)
    relu = staticmethod(torch.relu)
    clip = staticmethod(lambda x, lo, hi: torch.clamp(x, lo, hi))
    softmax = staticmethod(lambda x, axis: torch.softmax(x, dim=axis))
    log_softmax = staticmethod(lambda x, axis: torch.log_softmax(x, dim=axis))
    cross_entropy = staticmethod(
        lambda x, labels: torch.nn.functional.cross_entropy(x, torch.tensor(labels)))
    transpose = staticmethod(lambda x: x.T)
    astype = staticmethod(lambda x, dtype: x.to(TORCH_DTYPE[dtype]))

    @staticmethod
    def reduce(x: Any, how: str, axis: Any, keepdims: bool) -> Any:
        dim = (0, 1) if axis is None else axis
        fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax}[how]
        return fn(x, dim=dim, keepdim=keepdims)

    @staticmethod
    def grad(out: Any, inputs: list, create_graph: bool) -> list:
        return list(torch.autograd.grad(out, inputs, create_graph=create_graph,
                                        allow_unused=True, materialize_grads=True))


def apply_op(B: Any, op: str, xs: list, p: dict, dtype: type) -> Any:
    """One step on backend ``B`` (GG or TT); ``xs`` are the operand nodes."""
    x = xs[0]
    if op in UNARY:
        if op == "neg":
            return -x
        if op == "abs":
            return abs(x)
        if op == "square":
            return x * x
        if op == "powc":
            return x ** p["c"]
        return getattr(B, op)(x)
    y = xs[1] if len(xs) > 1 else None
    if op in ("add", "sub", "mul", "div", "pow"):
        if op == "div" and B is TT:
            return _Divide.apply(x, y)
        return {"add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y,
                "div": lambda: x / y, "pow": lambda: x ** y}[op]()
    if op in ("maximum", "minimum"):
        return getattr(B, op)(x, y)
    if op == "rconst":
        k = p["k"]
        return {"radd": lambda: k + x, "rsub": lambda: k - x, "rmul": lambda: k * x,
                "rdiv": lambda: k / x if B is GG else _Divide.apply(B.const(k, x), x),
                "rpow": lambda: abs(k) ** x}[p["how"]]()
    # Tensor-only ops: broadcast the operand to FULL first (x * ones keeps nan, inf, -0.0).
    full = [v * B.const(np.ones(FULL), v) for v in xs]
    x = full[0]
    if op == "clip":
        return B.clip(x, p["lo"], p["hi"])
    if op in ("reduce", "reduce_max"):
        out = B.reduce(x, p["how"], p["axis"], p["keepdims"])
        return out.reshape(3, 1) if p["axis"] == 1 and not p["keepdims"] else out
    if op == "matmul":  # (3,4) @ (4,3) @ (3,4)
        return x @ B.transpose(full[1]) @ full[2]
    if op == "matvec":  # (3,4) @ (4,) -> (3,) -> (3,1)
        return (x @ full[1][0]).reshape(3, 1)
    if op == "reshape_t":
        return B.transpose(x.reshape(4, 3)) if p["how"] else x.reshape(2, 6).reshape(3, 4)
    if op == "index_rows":
        return x[p["rows"]]
    if op == "index_cols":
        return x[:, p["cols"]]
    if op == "index_pair":  # a (3, 4) gather with repeats in both axes
        return x[np.array(p["rows"])[:, None], np.array(p["cols"])[None, :]]
    if op in ("softmax", "log_softmax"):
        return getattr(B, op)(x, p["axis"])
    if op == "cross_entropy":
        return B.cross_entropy(x, p["labels"])
    if op == "astype":  # a round trip through the other float type
        other = np.float32 if dtype is np.float64 else np.float64
        return B.astype(B.astype(x, other), dtype)
    raise ValueError(f"unknown op {op!r}")
