"""The one place the compiler touches node internals and the gate table's calling convention.

Everything else in ``autograd.compiler`` works on the flat program ``trace.py`` records and
calls gates only through the functions here. When nodes or rules change shape (more fields
in a gate row, one calling convention for every rule, saved buffers in their own slot),
this file is what changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import gates as G
from .. import tensor as tensor_module
from .. import value as value_module
from ..engine import _backward_lock, _describe, is_grad_enabled, topological_order
from ..node import Node, _clock
from ..tensor import Tensor
from ..value import Value

# Gates whose forward and rules work element by element and broadcast: their rules take an
# upstream gradient of any shape that broadcasts to the output.
# Every row of gates.py is one (the Tensor-only rows live in tensor_gates.py).
ELEMENTWISE = frozenset(G.ROWS)


# -- reading nodes ----------------------------------------------------------------------

def graph_inputs_first(root: Node) -> list:
    """Every node ``root`` depends on, each after all of its inputs."""
    order = topological_order(root)
    order.reverse()
    return order


def describe(node: Node) -> tuple:
    """(gate, data, first input, second input or None, constants, label, needs grad) of a
    node in one call: tracing reads every node of the graph once."""
    gate = node._gate
    ctx = node._ctx  # the constants alone: saved buffers sit in ``node._saved``
    return gate, node.data, node._a, node._b, ctx, node.label, node.requires_grad


def data_of(node: Node) -> Any:
    return node.data


def needs_grad(node: Node) -> bool:
    return node.requires_grad


def is_value(node: Any) -> bool:
    return type(node) is Value or isinstance(node, Value)


def read_data(nodes: list) -> list:
    """The current ``.data`` of each node: a compiled step's live leaves, read per call
    (from the slot behind the property: a scalar step reads hundreds per call)."""
    return [n._data for n in nodes]


def add_value_grads(nodes: list, grads: list) -> None:
    """Accumulate float gradients into Value leaves, as eager's ``a.grad += ...`` does."""
    for n, g in zip(nodes, grads):
        n.grad += g


def add_tensor_grad(node: Tensor, down: np.ndarray, owned: bool) -> None:
    """Accumulate into a Tensor leaf's ``.grad`` (``down`` already of its shape and dtype)."""
    old = node.grad
    if old is None:
        node.grad = down if owned else down.copy()
    else:
        old += down


def new_output(cls: type, data: Any) -> Any:
    """A leaf of ``cls`` (a Value or Tensor subclass) holding a compiled step's loss: what
    ``cls(data)`` makes (a float, or a one-element array of its own that requires grad),
    without the constructor's checks of data the step computed itself (once per call)."""
    out: Any = object.__new__(cls)
    if issubclass(cls, Value):
        out._data, out.grad = float(data), 0.0
    else:
        out._data, out.grad, out.requires_grad, out._saved = np.array(data), None, True, None
    out._version = _clock[0]
    out.label = ""
    out._gate = out._a = out._b = None
    out._ctx = ()
    return out


def set_output_grad(node: Node, seed: Any) -> None:
    node.grad = seed


# Eager backward calls take turns on this lock while they write leaves' gradients; a
# compiled backward's writes take the same turns.
backward_lock = _backward_lock


def clock() -> int:
    """The write clock's time (see ``Node``): it moves on at every write of a leaf's data."""
    return _clock[0]


def written_since(node: Node, time: int) -> bool:
    """Whether ``node.data`` was set after the write clock showed ``time``."""
    return node._version > time or node._version < 0


def describe_node(node: Node) -> str:
    return _describe(node)


# -- what tracing watches --------------------------------------------------------------

# Reads of a node's value by the traced code: (class, method, guard op). A comparison
# records its operand and answer; "read" records the whole value (the code may do anything
# with it). Reads from inside autograd itself are not recorded (see trace.Recorder).
GUARDED_READS = [(Value, "__lt__", "lt"), (Value, "__le__", "le"), (Value, "__gt__", "gt"),
                 (Value, "__ge__", "ge"), (Value, "__eq__", "eq"), (Value, "__ne__", "ne"),
                 (Value, "__float__", "read"), (Value, "item", "read"),
                 (Tensor, "__lt__", "lt"), (Tensor, "__le__", "le"), (Tensor, "__gt__", "gt"),
                 (Tensor, "__ge__", "ge"), (Tensor, "item", "read"), (Tensor, "__bool__", "read"),
                 (Tensor, "__array__", "read"), (Tensor, "numpy", "read"),
                 (Tensor, "argmax", "read")]
# ``node.data`` itself, read from the traced code: a "read" too.
DATA_PROPERTY = (Node, "data")


def copy_of_data(node: Node) -> Any:
    """The node's value now, kept for a guard (an array is copied: the optimizer may
    write the leaf's array in place)."""
    data = node._data
    return data.copy() if isinstance(data, np.ndarray) else data


# Conversions a Tensor applies to an operand before it becomes data or a gate constant,
# as (module, function name): recorded while tracing so that a replay can apply them again
# to a new argument. ``_lift`` returns a node (a replay takes its data).
OPERAND_CONVERSIONS = [(tensor_module, "as_array"), (tensor_module, "_labels"),
                       (tensor_module, "_lift")]
CONVERSIONS_TO_NODES = {"_lift"}


def recording_every_gate(node_maker: Callable) -> Callable:
    """Tensor's node maker, made to keep the gate of results that need no gradient too.

    Eagerly, ``1.0 - Tensor(y)`` is a plain constant: nothing in it needs a gradient. A
    trace must record it as a gate all the same, or a replay would reuse the first call's
    ``y`` for every later one (a silently wrong loss).
    """
    def make(data: Any, gate: Any, a: Any, b: Any, ctx: tuple, saved: Any = None) -> Any:
        out = node_maker(data, gate, a, b, ctx, saved)
        if out._gate is None and is_grad_enabled():  # under no_grad nothing is recorded
            out._gate, out._a, out._b, out._ctx, out._saved = gate, a, b, ctx, saved
        return out
    return make


# Functions replaced while tracing, as (module, name, wrapper).
TRACED_MAKERS = [(tensor_module, "_node", recording_every_gate)]

# The functions that wrap a plain operand (the ``1`` of ``1 + v``, the ``0.5`` of
# ``t * 0.5``) in a new leaf node, as (module, name): a trace records the leaves they make
# in its call. The user never holds those nodes, so a replay may keep them as constants.
CONSTANT_MAKERS = [(value_module, "_constant"), (tensor_module, "_constant")]


# -- calling gates ------------------------------------------------------------------------

def saves(gate: Any) -> bool:
    """Whether the gate's forward returns ``(out, saved)`` for its rules."""
    return gate.saves


def bind_forward(gate: Any, binary: bool, consts: tuple) -> Callable:
    """``f(a)`` or ``f(a, b)`` running the gate's array forward with its constants.

    A saving gate's ``f`` returns ``(out, saved)``.
    """
    fwd = gate.array  # called as gate.array(*inputs, *consts), as the engine does
    if not consts:
        return fwd
    if binary:
        return lambda a, b: fwd(a, b, *consts)
    return lambda a: fwd(a, *consts)


def bind_rule(gate: Any, i: int, binary: bool, consts: tuple) -> Callable:
    """``r(g, out, a, b)`` (binary) or ``r(g, out, a, saved)`` giving input ``i``'s gradient."""
    rule = gate.vjp[i]  # rule(g, out, *inputs, *consts), plus ``saved`` last if it saves
    if binary:
        if gate.saves:
            raise NotImplementedError(f"compile: a two-input gate that saves ({gate.name})")
        if not consts:
            return rule
        return lambda g, out, a, b: rule(g, out, a, b, *consts)
    if gate.saves:
        return lambda g, out, a, saved: rule(g, out, a, *consts, saved)
    return lambda g, out, a, saved: rule(g, out, a, *consts)
