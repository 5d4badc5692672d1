"""Tracing: run the loss function once, eagerly, and record its graph as a flat program.

The program lists the nodes inputs-first. A leaf says where its value comes from on a
replay: an argument node (``args[k].data``), an argument number or array, possibly through
the conversion a Tensor applied to it (``as_array``, ``_labels``, ``_lift``), a constant
(a leaf the call itself wrapped a number or array in, such as the ``1`` of ``1 + v``: no
one else holds that node, so its value is frozen and it gets no gradient), or the leaf
node itself (parameters and anything else captured: their ``.data`` is read on every
call). A gate step says which gate ran on which nodes with which constants; a constant
that came from an argument is an ``ArgRef`` and is recomputed per call.

While the function runs, comparisons and ``float``/``item`` on nodes are recorded as guards:
the structure of the graph may depend on them, so a replay checks that each gives the same
answer and otherwise traces again.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import numbers
import operator
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..node import Node
from . import adapter


class CompileError(RuntimeError):
    """A function cannot be compiled or replayed as asked."""


@dataclass(frozen=True)
class ArgRef:
    """A value computed per call from flat argument ``k`` (through ``derive``, if any)."""

    k: int
    derive: tuple = ()  # (fn, rest) pairs, applied in order: fn(x, *rest)

    def resolve(self, flat: list) -> Any:
        x = flat[self.k]
        for fn, rest in self.derive:
            x = fn(x, *rest)
        return x


@dataclass
class Step:
    gate: Any
    inputs: tuple  # node indices
    consts: tuple  # the gate's constants, ArgRefs where they come from arguments


@dataclass
class Guard:
    node: int  # index of the node whose value was read
    op: str  # "lt", "le", "gt", "ge", "eq", "ne", or "read" (.data, float, item...)
    other: Any  # a node index (int wrapped in a tuple), an ArgRef, or a constant
    result: Any
    where: str = ""  # what read it, and where: ".data at loss.py:12"

    def holds(self, value: Any, other: Any) -> bool:
        got = value if self.op == "read" else _COMPARE[self.op](value, other)
        return bool(np.array_equal(got, self.result))


_SYMBOL = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
_COMPARE = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
            "eq": operator.eq, "ne": operator.ne}


@dataclass
class Program:
    """A traced graph: ``sources[i]`` for leaves, ``steps[i]`` for gate outputs."""

    kind: str  # "value" or "tensor"
    n: int
    sources: dict = field(default_factory=dict)  # leaf index -> ("arg", k) | ("ref", ArgRef)
    #                                                | ("node", node) | ("const", data)
    steps: dict = field(default_factory=dict)  # node index -> Step
    shapes: list = field(default_factory=list)
    dtypes: list = field(default_factory=list)
    needs_grad: list = field(default_factory=list)  # per node: does a gradient flow here
    labels: list = field(default_factory=list)
    traced: list = field(default_factory=list)  # each node's number at trace (Values only)
    grad_leaves: list = field(default_factory=list)  # leaf indices whose .grad is written
    guards: list = field(default_factory=list)
    # Arguments no node reads directly, with their traced values: floats, arrays
    arg_floats: tuple = ([], [])  # (positions, values)
    arg_arrays: list = field(default_factory=list)  # (position, array)
    root: int = 0
    extras: list = field(default_factory=list)  # other outputs, by node index
    returns_tuple: bool = False
    unreplayable: str = ""  # why this trace cannot be replayed ("" when it can)
    captured: Any = None  # captures.Captures: where the captured leaves were found
    # Which arguments were the same object, or a captured leaf (see aliasing.py)
    identity_positions: tuple = ()  # flat positions of the node and array arguments
    captured_ids: dict = field(default_factory=dict)  # id(captured leaf) -> -1 - j
    aliasing: tuple = ()  # the pattern at the trace: () when nothing was shared

    def __len__(self) -> int:
        return self.n


def check_options(fn: Any, check: Any, retrace: Any, max_traces: Any, vectorize: Any) -> None:
    """``compile``'s arguments, refused with a clear error before anything is traced."""
    if not callable(fn):
        raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
    if not (isinstance(check, (bool, np.bool_))
            or isinstance(check, numbers.Integral) and int(check) >= 0):
        raise TypeError(f"compile: check must be True, False or a number of calls >= 0, got "
                        f"{check!r:.60}")
    if not isinstance(retrace, (bool, np.bool_)):
        raise TypeError(f"compile: retrace must be True or False, got {retrace!r:.60}")
    if isinstance(max_traces, (bool, np.bool_)) or not isinstance(max_traces, numbers.Integral):
        raise TypeError(f"compile: max_traces must be an int >= 1, got {max_traces!r:.60}")
    if max_traces < 1:
        raise ValueError(f"compile: max_traces must be an int >= 1, got {max_traces}")
    if vectorize is not None and not isinstance(vectorize, (bool, np.bool_)):
        raise TypeError(f"compile: vectorize must be True, False or None, got "
                        f"{vectorize!r:.60}")


# -- flattening arguments --------------------------------------------------------------

def flatten(args: tuple, kwargs: dict, fresh: bool = False) -> tuple:
    """(flat items, structure key, the arguments rebuilt) for one call.

    Lists and tuples are walked; nodes, floats and arrays are live items (their key holds
    type, shape, dtype); ints, bools, strings and None are part of the key (a new value
    retraces); any other object is keyed by identity. Numpy float scalars become floats.

    ``fresh`` (for the call that traces): every float becomes a new float object. The
    trace tells a number that came from an argument by its identity, and Python shares
    float objects (one module's equal literals are one object): without this, a literal
    ``1.0`` in the function would be taken for an argument ``1.0``, and follow it.
    """
    flat: list = []
    key: list = []

    def walk(x: Any) -> Any:
        if type(x) is np.ndarray:  # a data set's array: the first question, not the last
            key.append(("array", x.shape, x.dtype))
            flat.append(x)
            return x
        if type(x) is list and (not x or type(x[0]) is float and  # the common case
                                set(map(type, x)) == _FLOAT):
            key.append(("floats", len(x)))
            if fresh:
                x = [item * 1.0 for item in x]  # float arithmetic makes a new object
            flat.extend(x)
            return x
        rows = _float_rows(x)
        if rows is not None:  # a table of floats (a data set's rows), checked in bulk
            key.append(("float rows", len(x), len(x[0])))
            if fresh:
                x = [[item * 1.0 for item in row] for row in x]
                rows = [item for row in x for item in row]
            flat.extend(rows)
            return x
        if isinstance(x, (list, tuple)) and not isinstance(x, Node):
            key.append((type(x), len(x)))
            items = [walk(item) for item in x]
            return items if type(x) is list else tuple(items) if type(x) is tuple \
                else type(x)(*items)
        if isinstance(x, Node):
            shape = () if adapter.is_value(x) else getattr(x, "shape")  # noqa: B009 (a Tensor)
            dtype = None if adapter.is_value(x) else getattr(x, "dtype")  # noqa: B009
            key.append(("node", type(x), shape, dtype, bool(adapter.needs_grad(x))))
        elif isinstance(x, (float, np.floating)) and not isinstance(x, bool):
            x = float(x) * 1.0 if fresh else float(x)
            key.append(("float",))
        elif isinstance(x, np.ndarray):
            key.append(("array", x.shape, x.dtype))
        elif x is None or isinstance(x, (bool, int, str, np.integer, np.bool_)):
            key.append(("static", type(x), x))
            return x
        else:
            key.append(("object", id(x)))
            return x
        flat.append(x)
        return x

    rebuilt_args = tuple(walk(a) for a in args)
    rebuilt_kwargs = {name: walk(kwargs[name]) for name in sorted(kwargs)}
    return flat, tuple(key), rebuilt_args, rebuilt_kwargs


_FLOAT = {float}


def _float_rows(x: Any) -> list | None:
    """The items of ``x``, row by row, when it is a list of at least two lists of floats
    of one length (else None): its key is its two lengths, checked at C speed."""
    if type(x) is not list or len(x) < 2 or type(x[0]) is not list:
        return None
    if set(map(type, x)) != {list} or len(set(map(len, x))) != 1:
        return None
    items = list(itertools.chain.from_iterable(x))
    if set(map(type, items)) != _FLOAT:
        return None
    return items


# -- recording while the function runs -------------------------------------------------

# Tracing patches classes and modules (below), so one trace runs at a time: a second
# thread that wants to trace waits here. Threads that are not tracing meanwhile run the
# originals (every patch checks whose call it is), so their eager code is unaffected.
_lock = threading.RLock()
_tracing = threading.local()  # .depth: traces in progress in this thread


_INHERITED = object()  # a patched name the class did not define itself


def tracing() -> bool:
    """Whether this thread is tracing (a compiled step called inside one runs eagerly,
    so that the outer trace sees its whole graph)."""
    return getattr(_tracing, "depth", 0) > 0


class _DtypeOf:
    """Stands in for the node ``_lift`` matches dtypes against (it reads only the data's
    dtype), so that the trace keeps no graph alive."""

    def __init__(self, dtype: np.dtype) -> None:
        self.data = self._data = np.empty(0, dtype)


def _internal_globals() -> set[int]:
    """The global namespaces of autograd's own modules: a read of a node's value from
    there is the engine at work, not the traced function looking at a number."""
    return {id(vars(m)) for name, m in list(sys.modules.items())
            if (name == "autograd" or name.startswith("autograd.")) and m is not None}


class Recorder:
    def __init__(self) -> None:
        self.reads: list = []  # (node, op, other, result, what read it and where)
        self.derived: dict = {}  # id(result) -> (input, fn, rest)
        self.keep: list = []  # keeps recorded objects alive, so ids stay unique
        self.made: set = set()  # ids of the leaves the call's operands were wrapped in
        self.thread = threading.get_ident()
        self.internal = _internal_globals()

    def run(self, fn: Callable, args: tuple, kwargs: dict) -> Any:
        with _lock:
            originals: list[tuple[Any, str, Any]] = []  # (class or module, name, original)
            _tracing.depth = getattr(_tracing, "depth", 0) + 1
            try:
                for cls, name, op in adapter.GUARDED_READS:
                    # The class's own entry (absent when it inherits the method: then the
                    # wrapper is removed again rather than left on the class).
                    originals.append((cls, name, cls.__dict__.get(name, _INHERITED)))
                    setattr(cls, name, self._reader(getattr(cls, name), op))
                cls, name = adapter.DATA_PROPERTY
                prop = inspect.getattr_static(cls, name)
                originals.append((cls, name, cls.__dict__.get(name, _INHERITED)))
                setattr(cls, name, property(self._reader(prop.fget, "read"), prop.fset,
                                            doc=prop.__doc__))
                for module, name in adapter.OPERAND_CONVERSIONS:
                    originals.append((module, name, getattr(module, name)))
                    setattr(module, name, self._deriver(getattr(module, name), name))
                for module, name, wrap in adapter.TRACED_MAKERS:
                    originals.append((module, name, getattr(module, name)))
                    setattr(module, name, self._mine(wrap(getattr(module, name)),
                                                     getattr(module, name)))
                for module, name in adapter.CONSTANT_MAKERS:
                    originals.append((module, name, getattr(module, name)))
                    setattr(module, name, self._mine(self._maker(getattr(module, name)),
                                                     getattr(module, name)))
                return fn(*args, **kwargs)
            finally:
                _tracing.depth -= 1
                for owner, name, original in reversed(originals):
                    if original is _INHERITED:
                        delattr(owner, name)
                    else:
                        setattr(owner, name, original)

    def _mine(self, traced: Callable, original: Callable) -> Callable:
        """``traced`` in this thread, ``original`` in any other."""
        thread, get_ident = self.thread, threading.get_ident

        def either(*args: Any, **kwargs: Any) -> Any:
            return (traced if get_ident() == thread else original)(*args, **kwargs)
        return either

    def _user_line(self) -> str:
        """Where this thread's traced code read a node's value ("file.py:12"), or "" when
        the read is autograd's own (or another thread's)."""
        if threading.get_ident() != self.thread:
            return ""
        frame = sys._getframe(2)
        if id(frame.f_globals) in self.internal:
            return ""
        return f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_lineno}"

    def _reader(self, method: Callable, op: str) -> Callable:
        def read(node: Any, *other: Any, **options: Any) -> Any:
            result = method(node, *other, **options)
            where = self._user_line() if result is not NotImplemented else ""
            if where:
                name = "." + method.__name__ if op == "read" else _SYMBOL[op]
                if op == "read":  # the guard: the whole value, as it is now
                    self.reads.append((node, op, None, adapter.copy_of_data(node),
                                       f"{name} at {where}"))
                else:
                    self.reads.append((node, op, other[0], result, f"{name} at {where}"))
            return result
        return read

    def _maker(self, make: Callable) -> Callable:
        """``make`` (which wraps an operand in a new leaf), noting the leaves it makes."""
        def wrap(x: Any) -> Any:
            out = make(x)
            if out is not x:
                self.made.add(id(out))
                self.keep.append(out)
            return out
        return wrap

    def _deriver(self, fn: Callable, name: str) -> Callable:
        thread, get_ident = self.thread, threading.get_ident

        def derive(x: Any, *rest: Any, **options: Any) -> Any:
            out = fn(x, *rest, **options)
            if out is not x and get_ident() == thread:
                to_node = name in adapter.CONVERSIONS_TO_NODES
                if to_node and rest and rest[0] is not None:
                    rest = (_DtypeOf(adapter.data_of(rest[0]).dtype),)  # no graph kept
                # A replay calls it again on the new argument, with the same options.
                again = functools.partial(fn, **options) if options else fn
                self.derived[id(out)] = (x, again, rest, to_node)
                self.keep.append((out, x))
            return out
        return derive


# -- building the program --------------------------------------------------------------

def build(result: Any, flat: list, recorder: Recorder) -> Program:
    """The program of the graph under the loss, its leaves matched to the arguments.

    ``result`` is the loss, or a tuple of the loss and other nodes it depends on (extra
    outputs, such as the scores: a replay gives back their data, without gradient).
    """
    extras: tuple[Any, ...] = ()
    returns_tuple = isinstance(result, tuple)
    if returns_tuple and result:
        result, extras = result[0], result[1:]
    if not isinstance(result, Node) or not all(isinstance(x, Node) for x in extras):
        raise CompileError("the compiled function must return a Value or Tensor (the loss), "
                           "or a tuple of the loss and other nodes, got "
                           f"{type(result).__name__}")
    root = result
    kind = "value" if adapter.is_value(root) else "tensor"
    if kind == "tensor" and np.size(adapter.data_of(root)) != 1:
        raise CompileError(f"the compiled function must return a scalar loss (one element), "
                           f"got a Tensor of shape {np.shape(adapter.data_of(root))}: reduce "
                           "it (.sum(), .mean())")
    order = adapter.graph_inputs_first(root)
    index = {id(node): i for i, node in enumerate(order)}
    arg_node = {id(x): k for k, x in enumerate(flat) if isinstance(x, Node)}
    arg_item = {id(x): k for k, x in enumerate(flat) if not isinstance(x, Node)}
    used: set = set()

    def ref(obj: Any) -> ArgRef | None:
        """``obj`` as computed from an argument, following the recorded conversions."""
        chain: list[tuple[Callable, Any]] = []
        while True:
            k = arg_item.get(id(obj))
            if k is not None:
                used.add(k)
                return ArgRef(k, tuple(reversed(chain)))
            step = recorder.derived.get(id(obj))
            if step is None:
                return None
            source, fn, rest, takes_data = step
            chain.append((_data_of_result(fn) if takes_data else fn, rest))
            obj = source

    def live_consts(consts: tuple) -> tuple:
        out: list[Any] = []
        for c in consts:
            if isinstance(c, tuple):
                out.append(live_consts(c))
            elif isinstance(c, (float, np.ndarray)):
                out.append(ref(c) or c)
            else:
                out.append(c)
        return tuple(out)

    program = Program(kind=kind, n=len(order), root=len(order) - 1)
    scalar = kind == "value"
    traced, needs, labels, steps = program.traced, program.needs_grad, program.labels, \
        program.steps
    for i, node in enumerate(order):
        gate, data, a, b, consts, label, grad = adapter.describe(node)
        if scalar:
            traced.append(data)
        else:
            program.shapes.append(data.shape)
            program.dtypes.append(data.dtype)
        needs.append(bool(grad))
        labels.append(label)
        if gate is None:
            if id(node) in arg_node:
                program.sources[i] = ("arg", arg_node[id(node)])
                used.add(arg_node[id(node)])
            else:
                r = ref(data)  # the argument itself, or converted
                if r is None and not scalar:
                    r = ref(node)  # a _lift-ed argument (a number, an int array)
                if r is not None:
                    program.sources[i] = ("ref", r)
                elif id(node) in recorder.made:  # a number of the function's own, wrapped
                    program.sources[i] = ("const", data)
                    needs[-1] = False  # (nothing reads its gradient)
                else:
                    program.sources[i] = ("node", node)
            if grad and program.sources[i][0] in ("arg", "node"):
                program.grad_leaves.append(i)
            continue
        inputs = (index[id(a)],) if b is None else (index[id(a)], index[id(b)])
        steps[i] = Step(gate, inputs, live_consts(consts) if consts else ())

    for node in extras:
        if id(node) not in index:
            raise CompileError("an extra output of the compiled function is not part of the "
                               "loss's graph: return only nodes the loss depends on")
        program.extras.append(index[id(node)])
    program.returns_tuple = returns_tuple
    for node, op, other, result, where in recorder.reads:
        if id(node) not in index:
            program.unreplayable = (f"the function read the value of a {type(node).__name__} "
                                    "that the loss does not depend on (through a comparison, "
                                    "float() or item()), so a replay cannot check it")
            break
        if isinstance(other, Node):
            if id(other) not in index:
                program.unreplayable = "a comparison with a node the loss does not depend on"
                break
            other = (index[id(other)],)
        elif isinstance(other, (float, np.ndarray)):
            other = ref(other) or other
        program.guards.append(Guard(index[id(node)], op, other, result, where))
    unread = [(k, x) for k, x in enumerate(flat) if k not in used and not isinstance(x, Node)]
    program.arg_floats = ([k for k, x in unread if type(x) is float],
                          [x for _, x in unread if type(x) is float])
    program.arg_arrays = [(k, x) for k, x in unread if type(x) is not float]
    return program


def _data_of_result(fn: Callable) -> Callable:
    return lambda x, *rest: fn(x, *rest).data


def args_unchanged(program: Program, flat: list) -> bool:
    """Whether the arguments no node reads directly still equal their traced values."""
    keys, floats = program.arg_floats  # compared as one list, at C speed
    if not keys and not program.arg_arrays:
        return True
    return [flat[k] for k in keys] == floats and all(
        np.array_equal(flat[k], value) for k, value in program.arg_arrays)


def guarded_nodes(program: Program) -> list[int]:
    """The nodes whose values the guards read after the forward: each compared or read
    node, and the other side of a comparison between two nodes (in guard order, once)."""
    nodes = [gd.node for gd in program.guards]
    nodes += [gd.other[0] for gd in program.guards if isinstance(gd.other, tuple)]
    return list(dict.fromkeys(nodes))


def guard_operand(guard: Guard, values: Callable, flat: list) -> Any:
    """The other side of a guard's comparison on this call."""
    other = guard.other
    if isinstance(other, tuple):
        return values(other[0])
    if isinstance(other, ArgRef):
        return other.resolve(flat)
    return other


def guard_sites(replays: list) -> str:
    """Where the traces' guarded reads happened, for an error message: "x > at f.py:3"."""
    sites = [g.where for r in replays if r.program is not None for g in r.program.guards
             if g.where]
    unique = list(dict.fromkeys(sites))
    return ", ".join(unique[:4]) + (", ..." if len(unique) > 4 else "")
