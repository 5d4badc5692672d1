"""Property-based gradient testing for users: strategies, checks, and a gate localizer.

    from hypothesis import given
    from autograd.testing import expressions, assert_gradients_match

    @given(expressions(gates=["mul", "sigmoid", "max"], depth=6))
    def test_my_engine(expr):
        assert_gradients_match(expr.fn, *expr.inputs)

Needs hypothesis (``import autograd`` alone does not import it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from . import gates as G
from .custom import REGISTRY
from .engine import grad, topological_order
from .gradcheck import gradcheck
from .localize import BadGate, find_bad_gate
from .ops import values as _values
from .row import Gate
from .tensor import Tensor
from .value import Value

__all__ = ["values", "tensors", "broadcastable_shapes", "reduction_axes", "axis_permutations",
           "reshape_targets", "basic_indices", "integer_array_indices", "expressions",
           "Expression",
           "assert_gradients_match", "check_linearity", "check_fan_out",
           "check_repeated_backward", "check_no_mutation", "find_bad_gate", "BadGate"]

KINK_MARGIN = 1e-3  # gradients are compared this far, at least, from relu/abs/max kinks

# -- strategies ---------------------------------------------------------------------------


def _floats(min_value: float, max_value: float, avoid_kinks: bool) -> st.SearchStrategy:
    xs = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    return xs.filter(lambda x: abs(x) >= KINK_MARGIN) if avoid_kinks else xs


def values(min_value: float = -3.0, max_value: float = 3.0, *,
           avoid_kinks: bool = False) -> st.SearchStrategy[Value]:
    """Leaf Values with finite data in [min_value, max_value], away from 0 on request."""
    return _floats(min_value, max_value, avoid_kinks).map(Value)


def broadcastable_shapes(num_shapes: int = 2, *, min_dims: int = 0, max_dims: int = 4,
                         max_side: int = 4) -> st.SearchStrategy[tuple]:
    """Tuples of ``num_shapes`` shapes that numpy can broadcast together."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda r: r.input_shapes)


def tensors(shape: Any = None, dtype: Any = np.float64, *, min_value: float = -3.0,
            max_value: float = 3.0, avoid_kinks: bool = False,
            requires_grad: bool = True) -> st.SearchStrategy[Tensor]:
    """Tensors of ``shape`` (a tuple, a strategy, or None for 0-d to 4-d shapes)."""
    shapes = hnp.array_shapes(min_dims=0, max_dims=4, max_side=4) if shape is None else (
        shape if isinstance(shape, st.SearchStrategy) else st.just(tuple(shape)))
    width: Literal[32, 64] = 32 if np.dtype(dtype) == np.float32 else 64
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                         width=width)
    if avoid_kinks:
        elements = elements.filter(lambda x: abs(x) >= KINK_MARGIN)
    return shapes.flatmap(lambda s: hnp.arrays(dtype, s, elements=elements)).map(
        lambda a: Tensor(a, requires_grad=requires_grad))


# Arguments for the shape-changing Tensor gates: reductions, transpose, reshape, indexing.


@st.composite
def reduction_axes(draw: Any, ndim: int) -> int | tuple[int, ...] | None:
    """The ``axis`` argument of a reduction (``sum``, ``mean``, ``max``) over an array of
    ``ndim`` dimensions: None, an int (maybe negative) or a tuple of distinct axes (some
    written as negative numbers)."""
    kind = draw(st.sampled_from(["none", "int", "tuple"] if ndim else ["none"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(a - ndim if draw(st.booleans()) else a for a in chosen)


@st.composite
def axis_permutations(draw: Any, ndim: int) -> tuple[int, ...]:
    """An argument for ``transpose``: a permutation of ``range(ndim)``, each axis maybe
    written as a negative number."""
    perm = draw(st.permutations(list(range(ndim))))
    return tuple(a - ndim if draw(st.booleans()) else a for a in perm)


@st.composite
def reshape_targets(draw: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """An argument for ``reshape``: a new shape with as many elements as ``shape`` (its
    sides other than 1, permuted, some merged, 1s inserted, maybe one written as -1)."""
    dims = [n for n in shape if n != 1]
    dims = list(draw(st.permutations(dims)))
    # merge some neighbours, add some 1s
    merged: list[int] = []
    for n in dims:
        if merged and draw(st.booleans()):
            merged[-1] *= n
        else:
            merged.append(n)
    for _ in range(draw(st.integers(0, 2))):
        merged.insert(draw(st.integers(0, len(merged))), 1)
    if merged and draw(st.booleans()):
        merged[draw(st.integers(0, len(merged) - 1))] = -1
    return tuple(merged)


@st.composite
def _slices(draw: Any, n: int) -> slice:
    start = draw(st.one_of(st.none(), st.integers(-n - 1, n)))
    stop = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
    step = draw(st.one_of(st.none(), st.sampled_from([1, 2, -1, -2])))
    return slice(start, stop, step)


@st.composite
def basic_indices(draw: Any, shape: tuple[int, ...]) -> tuple[int | slice, ...]:
    """A basic index for an array of ``shape``: a tuple of slices (any start, stop, step,
    out of range too) and ints (negative ones too), one per leading dimension."""
    used = draw(st.integers(1, len(shape)))
    index: list[int | slice] = []
    for n in shape[:used]:
        if draw(st.booleans()):
            index.append(draw(st.integers(-n, n - 1)))
        else:
            index.append(draw(_slices(n)))
    return tuple(index)


@st.composite
def integer_array_indices(draw: Any, shape: tuple[int, ...]) -> tuple[Any, ...]:
    """An advanced index for an array of ``shape``: integer arrays (with repeats and
    negative entries) for the first one or two dimensions, maybe followed by a slice."""
    k = draw(st.integers(1, min(2, len(shape))))
    length = draw(st.integers(1, 5))
    index: list[Any] = []
    for n in shape[:k]:
        index.append(np.asarray(draw(st.lists(st.integers(-n, n - 1), min_size=length,
                                              max_size=length)), dtype=np.int64))
    if len(shape) > k and draw(st.booleans()):
        index.append(slice(None))
    return tuple(index)


def _random_graph_rows() -> dict[str, Gate]:
    """The rows random graphs draw from, by name: every row of the table with a ``safe``
    use (how a graph applies it with operands kept in its domain), ``@gate`` ones too."""
    rows = [*G.ROWS, *REGISTRY.values()]
    return {row.name: row for row in rows if row.safe is not None and row.scalar is not None}


GATE_NAMES = tuple(_random_graph_rows())  # the built-in ones
# The other gates each of those brings along to keep its operands in range (and every
# graph adds up its sinks with "add"; a Tensor graph ends in "sum").
HELPER_GATES = {row.name: set(row.helpers) for row in G.ROWS if row.helpers}


@dataclass
class Expression:
    """A random graph: ``fn(*inputs)`` rebuilds it; ``output`` is one build of it."""

    program: list = field(repr=False)
    inputs: list
    output: Any = field(repr=False)
    gates: set = field(default_factory=set)

    def fn(self, *inputs: Any) -> Any:
        return _run(self.program, list(inputs), _random_graph_uses())

    def __iter__(self) -> Any:  # ``output, inputs = expr``
        return iter((self.output, self.inputs))


def _random_graph_uses() -> dict[str, Callable[..., Any]]:
    """How random graphs apply each gate, by name: its row's ``safe`` use."""
    return {name: row.safe for name, row in _random_graph_rows().items()
            if row.safe is not None}


def _run(program: list, pool: list, uses: dict[str, Callable[..., Any]]) -> Any:
    """Replay ``program``, steps ``(name, i, j)`` that apply ``uses[name]`` to nodes ``i``
    and ``j`` of the pool (``j`` None for a one-input use) and add the result to it.

    The output adds up every node no later step consumed, so every gate and input drawn
    lies on a path to it. The grader replays its own programs here too, with the
    student's gate among the uses.
    """
    pool = list(pool)
    consumed: set[int | None] = set()
    for name, i, j in program:
        use = uses[name]
        pool.append(use(pool[i]) if j is None else use(pool[i], pool[j]))
        consumed.update((i, j))
    sinks = [node for k, node in enumerate(pool) if k not in consumed]
    out = sum(sinks[1:], sinks[0])
    return out.sum() if isinstance(out.data, np.ndarray) else out


@st.composite
def expressions(draw: Any, gates: Sequence[str] = GATE_NAMES, depth: int = 8,
                n_inputs: int = 3, shape: tuple | None = None) -> Expression:
    """A random computation graph over ``gates``, with reuse (fan-out), ``depth`` gates deep.

    Inputs are Values, or Tensors of ``shape``; a Tensor graph ends in a sum. Operands
    are drawn from all nodes made so far, so nodes feed several gates; the output adds up
    the nodes nothing consumed, so every input and gate drawn reaches it. Graphs whose
    kinked gates (relu, abs, max, min) sit within ``KINK_MARGIN`` of their kink are
    rejected, so central differences are meaningful.
    """
    rows = _random_graph_rows()
    unknown = set(gates) - set(rows)
    if unknown or not gates:
        raise ValueError(f"unknown gates {sorted(unknown)}; choose from {tuple(rows)}")
    leaf = values(avoid_kinks=True) if shape is None else tensors(shape, avoid_kinks=True)
    inputs = [draw(leaf) for _ in range(n_inputs)]
    for k, node in enumerate(inputs):
        node.label = f"x{k}"
    program, used = [], set()
    for step in range(depth):
        name = draw(st.sampled_from(sorted(gates)))
        size = n_inputs + step
        i = draw(st.integers(0, size - 1))
        j = None if rows[name].arity == 1 else draw(st.integers(0, size - 1))
        if rows[name].kinked and j == i:  # max(x, x) is a tie by construction
            j = (i + 1) % size
        program.append((name, i, j))
        used.add(name)
    expr = Expression(program, inputs, _run(program, inputs, _random_graph_uses()), used)
    assume(_kinks_are_clear(expr.output))
    return expr


def _kinks_are_clear(output: Any) -> bool:
    """Whether every kinked gate (its row says so) under ``output`` is at least
    ``KINK_MARGIN`` from its kink: a one-input gate from 0, a two-input one from a tie."""
    for node in topological_order(output):
        gate = node._gate
        if gate is None or not gate.kinked:
            continue
        a = np.asarray(node._a.data)
        gap = np.abs(a) if node._b is None else np.abs(a - np.asarray(node._b.data))
        if np.any(gap < KINK_MARGIN):
            return False
    return True


# -- checks -------------------------------------------------------------------------------


def assert_gradients_match(fn: Callable[..., Any], *inputs: Any, eps: float = 1e-6,
                           atol: float = 1e-5, rtol: float = 1e-3,
                           fast: bool = False) -> None:
    """Engine vs central differences; on a mismatch, the report also names the bad gate."""
    gradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol, fast=fast, localize=True)


def _close(a: Any, b: Any, what: str, rtol: float = 1e-9, atol: float = 1e-12) -> None:
    a, b = np.asarray(_values(a), float), np.asarray(_values(b), float)
    if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=atol):
        raise AssertionError(f"{what}: {a!r} != {b!r}")


def check_linearity(fn: Callable[..., Any], *inputs: Any, alpha: float = 2.5) -> None:
    """backward(α·g) == α·backward(g): the chain rule is linear in the upstream gradient."""
    out = fn(*inputs)
    seed = np.random.default_rng(0).standard_normal(np.shape(out.data))
    base = grad(out, inputs, grad_output=seed if seed.ndim else float(seed))
    scaled = grad(out, inputs, grad_output=alpha * seed if seed.ndim else alpha * float(seed))
    for i, (b, s) in enumerate(zip(base, scaled)):
        _close(s, alpha * _values(b), f"input {i}: backward(α·g) differs from α·backward(g)")


def check_fan_out(fn: Callable[..., Any], *inputs: Any) -> None:
    """Inputs used by two copies of the graph get the sum of both paths: twice the grad."""
    once = grad(fn(*inputs), inputs)
    twice = grad(fn(*inputs) + fn(*inputs), inputs)
    for i, (o, t) in enumerate(zip(once, twice)):
        _close(t, 2 * _values(o), f"input {i}: reused twice, its gradient is not doubled")


def check_repeated_backward(fn: Callable[..., Any], *inputs: Any) -> None:
    """A second backward adds into leaves; intermediate nodes are recomputed, not added."""
    saved = [x.grad for x in inputs]
    try:
        for x in inputs:
            x.grad = x._zeros()
        out = fn(*inputs)
        seed = np.ones(np.shape(out.data)) if np.ndim(out.data) else None
        out.backward(seed)
        first = [np.copy(_values(x.grad)) for x in inputs]
        inner = {id(n): np.copy(n.grad) for n in topological_order(out) if n._gate is not None}
        out.backward(seed)
        for i, (x, g) in enumerate(zip(inputs, first)):
            _close(x.grad, 2 * g, f"input {i}: a second backward did not accumulate")
        for n in topological_order(out):
            if n._gate is not None:
                _close(n.grad, inner[id(n)], f"intermediate {n._gate.name!r} node: stale grad")
    finally:
        for x, g in zip(inputs, saved):
            x.grad = g


def check_no_mutation(fn: Callable[..., Any], *inputs: Any) -> None:
    """Forward and backward leave every input's data as it was."""
    before = [np.copy(x.data) for x in inputs]
    grad(fn(*inputs), inputs)
    for i, (x, b) in enumerate(zip(inputs, before)):
        if not np.array_equal(np.asarray(x.data), b):
            raise AssertionError(f"input {i}: its data was changed by forward or backward")
from .torch_check import assert_matches_torch  # noqa: E402,F401  (PyTorch imported on call)
