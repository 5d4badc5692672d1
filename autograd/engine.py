"""The backward engine: a topological order, then the chain rule at every gate.

The engine reads the fields of ``node.Node``: ``data``, ``grad``, ``_gate`` (a row of the
gate table, or None for a leaf), the inputs ``_a``/``_b`` and the gate's constants
``_ctx``, and what a gate saved, ``_saved``. All three loops call every rule the same
way, ``rule(g, out, *inputs, *ctx)`` (plus ``saved`` last for a gate that saves). Nodes
hold no closures, so a graph has no reference cycles and is freed by reference counting
the moment it is dropped.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from .node import Node, _clock


class _GradMode(threading.local):
    enabled = True  # a class attribute: every thread starts with recording on


_mode = _GradMode()


def is_grad_enabled() -> bool:
    return _mode.enabled


class _GradModeSetter(contextlib.ContextDecorator):
    """Sets the recording mode of this thread inside a ``with`` block or a decorated call.

    Reusable, as PyTorch's: one object may be entered again, nested or later (the modes
    it replaced wait on a stack), and as a decorator each call gets its own copy, so
    calls in several threads do not share that stack.
    """

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(_mode.enabled)
        _mode.enabled = self._enabled

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._previous.pop()

    def _recreate_cm(self) -> _GradModeSetter:
        return type(self)(self._enabled)


def no_grad() -> _GradModeSetter:
    """Build no graph inside this block (in this thread): results are plain leaves.

    Also a decorator: ``@no_grad()``; the object may be reused.
    """
    return _GradModeSetter(False)


def enable_grad() -> _GradModeSetter:
    """Record graphs again inside this block, even within ``no_grad()``."""
    return _GradModeSetter(True)


_KEEP = object()


def topological_order(root: Any, reset_grad: Any = _KEEP) -> list:
    """Every node ``root`` depends on, each listed before all of its inputs.

    Depth-first, with an explicit stack instead of recursion, so a chain of a million
    nodes needs no recursion limit. A node stays on the stack until both its inputs are
    done (it is looked at again after each), then joins the order. With ``reset_grad``,
    intermediate nodes get that ``.grad`` as they join (backward's fresh start, without
    a second pass over the graph).
    """
    reset = reset_grad is not _KEEP
    # A node stamped at the clock's present time was made after the last write anywhere,
    # so none of its inputs can have been written since it used them: one comparison.
    clock = _clock[0]
    order: list[Node] = []
    seen = {root}
    stack = [root]
    push, pop, emit, mark = stack.append, stack.pop, order.append, seen.add
    while stack:
        node = stack[-1]
        a = node._a
        if a is not None and a not in seen:
            mark(a)
            push(a)
            continue
        b = node._b
        if b is not None and b not in seen:
            mark(b)
            push(b)
            continue
        pop()
        emit(node)
        if reset and a is not None:
            node.grad = reset_grad
            made = node._version  # see Node: an input stamped later was written since
            if made != clock and (made < 0 or a._version > made
                                  or b is not None and b._version > made):
                raise RuntimeError(_modified(node))
    order.reverse()
    return order


def _modified(node: Node) -> str:
    """Which of ``node`` and its inputs had ``.data`` set after the forward pass used it."""
    made = node._version
    written = [n for n in node._prev if n._version > made] if made >= 0 else [node]
    gate = node._gate.name if node._gate is not None else "?"
    return (f"{_describe((written or [node])[0])} was modified after it was used by the {gate!r} "
            "gate: its .data was set between the forward pass and backward(), which "
            "would mix old and new values. Run the forward pass again after changing "
            "data (and take optimizer steps after backward()).")


def _describe(node: Node) -> str:
    kind = type(node).__name__
    label = f" {node.label!r}" if node.label else ""
    if node._is_scalar:
        return f"{kind}{label} (data={node._data!r})"
    return f"{kind}{label} of shape {node._data.shape}"


# One lock per backward call (not per node): backward calls in several threads that
# share a leaf take turns, so no ``leaf.grad += ...`` is lost between a read and a write.
# Pure-Python backward holds the GIL anyway, so turns cost no parallelism there.
_backward_lock = threading.RLock()


def run_backward(root: Any, seed: Any, create_graph: bool = False,
                 retain_graph: bool = True) -> None:
    """Fill ``.grad`` on ``root`` and every node it depends on.

    Leaves accumulate into their ``.grad``; intermediate nodes start from zero in every
    call, so a second backward never reads a stale value. Safe to call from several
    threads at once (the calls take turns).
    """
    with _backward_lock:
        _run_backward(root, seed, create_graph, retain_graph)


def _run_backward(root: Any, seed: Any, create_graph: bool, retain_graph: bool) -> None:
    order = topological_order(root, reset_grad=root._zero_grad)
    if create_graph and not isinstance(seed, Node):
        seed = type(root)(seed)  # so that even a constant gradient comes out as a node
    root._take_grad(seed)
    if create_graph:
        with enable_grad():
            _backward_nodes(order)
    elif root._is_scalar:
        _backward_scalars(order)
    else:
        _backward_arrays(order, retain_graph)


def _backward_scalars(order: list[Node]) -> None:
    # Value graphs: _backward_arrays without the checks no Value needs (None gradients,
    # requires_grad, saved buffers, shape fitting); they would cost 1.12x on the backward
    # of micrograd's MLP step (65,140 nodes, median of 15 alternating runs).
    for node in order:
        gate = node._gate
        if gate is None:
            continue
        # A node with a gate has its input ``_a`` (annotations only: no cost at run time).
        a: Node = node._a  # type: ignore[assignment]
        b, g, out, ctx = node._b, node.grad, node._data, node._ctx
        if b is None:
            a.grad += gate.vjp[0](g, out, a._data, *ctx)
        else:
            rule_a, rule_b = gate.vjp
            x, y = a._data, b._data
            if ctx:
                a.grad += rule_a(g, out, x, y, *ctx)
                b.grad += rule_b(g, out, x, y, *ctx)
            else:  # the same call; spelled without ``*()``, which costs 1.7x this loop
                a.grad += rule_a(g, out, x, y)
                b.grad += rule_b(g, out, x, y)


def _backward_arrays(order: list[Node], retain_graph: bool = True) -> None:
    for node in order:
        gate = node._gate
        g = node.grad
        if gate is None or g is None:
            continue
        a: Node = node._a  # type: ignore[assignment]
        b, out, ctx = node._b, node._data, node._ctx
        if gate.saves:
            ctx = (*ctx, node._saved)
            if not retain_graph:
                node._saved = None  # release what the gate saved
        if b is None:
            if a.requires_grad:
                _store(a, gate.vjp[0](g, out, a._data, *ctx), g, gate.name)
        else:
            rule_a, rule_b = gate.vjp
            if a.requires_grad:
                _store(a, rule_a(g, out, a._data, b._data, *ctx), g, gate.name)
            if b.requires_grad:
                _store(b, rule_b(g, out, a._data, b._data, *ctx), g, gate.name)


def _store(parent: Node, down: Any, g: Any, gate: str = "") -> None:
    """Add ``down`` into ``parent.grad``, fitted to the parent's shape and dtype."""
    data = parent._data
    if type(down) is not np.ndarray or down.shape != data.shape or down.dtype != data.dtype:
        down = fit_gradient(down, data, gate)
    old = parent.grad
    if old is None:
        # Own every stored gradient: never a view of another gradient or an input.
        parent.grad = down if down.base is None and down is not g else down.copy()
    elif isinstance(old, Node):  # a gradient graph left by create_graph: add a node
        parent.grad = old + down
    else:
        old += down  # ours alone (see above), so adding in place is safe


def _backward_nodes(order: list[Node]) -> None:
    # create_graph: the rules run on the nodes themselves, so every gradient is a graph.
    for node in order:
        gate = node._gate
        if gate is None or node.grad is None:
            continue
        args = (node.grad, node, *node._prev, *node._rule_ctx())
        for parent, rule in zip(node._prev, gate.vjp):
            if parent.requires_grad:
                parent._take_grad(rule(*args))


def unbroadcast(grad: Any, shape: tuple) -> Any:
    """Sum ``grad`` down to ``shape``: the one place where broadcasting is undone.

    Uses only ``.sum`` and ``.reshape``, which numpy arrays and Tensors both have.
    """
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def fit_gradient(down: Any, data: np.ndarray, gate: str = "") -> np.ndarray:
    """``down`` as an array of ``data``'s shape and dtype.

    Always an ndarray: a sum down to 0-d gives a numpy scalar, which ``+=`` cannot update
    in place.
    """
    if np.shape(down) != data.shape:
        down = np.asarray(down)
        if down.ndim >= data.ndim:
            down = unbroadcast(down, data.shape)
        if down.shape != data.shape:
            who = f"gate {gate!r}" if gate else "a gate"
            raise ValueError(f"{who}'s rule gave a gradient of shape {down.shape} for an "
                             f"input of shape {data.shape}: it must have the input's shape "
                             "(or a shape numpy broadcasting makes from it)")
    if type(down) is not np.ndarray or down.dtype != data.dtype:
        down = np.asarray(down, dtype=data.dtype)
    return down


def grad(output: Any, inputs: Sequence[Any], grad_output: Any = None,
         create_graph: bool = False) -> list:
    """Gradients of ``output`` with respect to each of ``inputs``, leaving ``.grad`` as it was.

    ``inputs`` is a list of nodes (or one node). An input that ``output`` does not depend
    on gets a zero gradient; a Tensor input must have ``requires_grad=True``.
    """
    if not isinstance(output, Node):
        raise TypeError(f"grad: output is a {type(output).__name__}, not a Value or Tensor "
                        "(the result of a computation on them)")
    inputs = [inputs] if isinstance(inputs, Node) else list(inputs)
    for i, node in enumerate(inputs):
        if not isinstance(node, Node):
            raise TypeError(f"grad: inputs[{i}] is a {type(node).__name__}, not a Value or Tensor")
        if not node.requires_grad:
            raise ValueError(f"grad: inputs[{i}] does not require grad (make it with "
                             "requires_grad=True)")
    root: Any = output
    seed = root._check_seed(grad_output)
    with _backward_lock:  # .grad is borrowed and given back: no backward may run meanwhile
        nodes = topological_order(output)
        saved = [(node, node.grad) for node in nodes]
        try:
            for node in nodes:
                node.grad = node._zero_grad
            run_backward(output, seed, create_graph)
            in_graph = set(nodes)
            return [node.grad if node in in_graph else node._zeros() for node in inputs]
        finally:
            for node, old in saved:
                node.grad = old
