"""``compile(fn)``: trace on the first call, replay on the next; retrace when a call differs."""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine import grad as eager_grad
from ..tensor import Tensor
from ..value import Value
from . import adapter
from .aliasing import aliasing, identity_positions
from .captures import find_captures
from .cost import choose_scalar_replay
from .eager import (
    EAGER_THIS_CALL,
    Eager,
    backward_eagerly,
    refuse_graph_walk,
    refuse_written_leaves,
)
from .tensor_replay import TensorReplay
from .trace import (
    CompileError,
    Recorder,
    args_unchanged,
    build,
    check_options,
    flatten,
    guard_sites,
    tracing,
)

MAX_STRUCTURES = 16  # argument structures (shapes, dtypes, ints) a step keeps traces for


class GuardError(CompileError):
    """A replay's guard failed and the step was compiled with ``retrace=False``."""


class CompiledValue(Value):
    """The loss a compiled step returns (a Value): ``backward()`` runs the compiled backward
    (``create_graph=True`` runs this call's function eagerly instead)."""

    __slots__ = ("_run_backward",)
    _run_backward: Callable[[Any, bool], None]

    def backward(self, grad: float = 1.0, create_graph: bool = False) -> None:
        seed = Value._check_seed(grad)
        if isinstance(seed, Value) and not create_graph:
            seed = seed.data
        self._run_backward(seed, create_graph)
        adapter.set_output_grad(self, seed)

    @staticmethod
    def _check_seed(grad: Any) -> Any:  # what autograd.grad and viz.backward_steps call
        refuse_graph_walk()


class CompiledTensor(Tensor):
    """The loss a compiled step returns (a Tensor): ``backward()`` runs the compiled backward
    (``create_graph=True`` runs this call's function eagerly instead)."""

    __slots__ = ("_run_backward",)
    _run_backward: Callable[[Any, bool], None]

    def backward(self, grad: Any = None, create_graph: bool = False,
                 retain_graph: bool | None = None) -> None:
        seed = Tensor._check_seed(self, grad)
        if isinstance(seed, Tensor) and not create_graph:  # the compiled backward: arrays
            seed = np.array(seed.data, dtype=self.dtype)
        self._run_backward(seed, create_graph)
        adapter.set_output_grad(self, seed)

    def _check_seed(self, grad: Any) -> Any:
        refuse_graph_walk()


class CompiledStep:
    """A function traced once and replayed; see ``autograd.compile``."""

    __name__: str  # the function's, set by functools.update_wrapper

    def __init__(self, fn: Callable, check: bool | int = False, retrace: bool = True,
                 max_traces: int = 8, vectorize: bool | None = None) -> None:
        check_options(fn, check, retrace, max_traces, vectorize)
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.checks_left = (3 if check is True else int(check)) if check else 0
        self.retrace = retrace
        self.max_traces = int(max_traces)  # np.int64(3) too
        self.vectorize = vectorize
        self.traces = 0  # how many times the function was traced
        self._cache: dict = {}  # structure key -> list of replays, most recent first
        self._last: Any = None
        # The cache and counters are shared by calls in several threads: changed under it
        # (replays themselves run outside it, in parallel).
        self._lock = threading.RLock()

    def reset(self) -> None:
        """Forget every trace: the next call traces again (after replacing a captured leaf)."""
        with self._lock:
            self._cache.clear()
            self._last = None

    @property
    def source(self) -> str:
        """The generated program of the last call's trace."""
        return self._last.source if self._last is not None else "# not traced yet\n"

    @property
    def mode(self) -> str:
        return self._last.mode if self._last is not None else "not traced"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if tracing():  # called inside another step's trace: that trace records our graph
            return self.fn(*args, **kwargs)
        flat, key, args, kwargs = flatten(args, kwargs)
        with self._lock:
            replays = self._cache.get(key)
            if replays is None:
                if len(self._cache) >= MAX_STRUCTURES:  # a small cache: the oldest goes
                    del self._cache[next(iter(self._cache))]
                replays = self._cache[key] = []
            candidates = list(replays)  # another thread may add or drop one meanwhile
        for replay in candidates:
            if isinstance(replay, Eager):
                self._last = replay
                return self.fn(*args, **kwargs)
            if not args_unchanged(replay.program, flat) or replay.program.aliasing != aliasing(
                    flat, replay.program.identity_positions, replay.program.captured_ids):
                continue  # another trace may fit (same structure, other values or aliasing)
            replaced = replay.program.captured and replay.program.captured.changed()
            if replaced:  # a captured leaf is a new object: this trace is stale for good
                with self._lock:
                    if replay in replays:
                        replays.remove(replay)
                if not self.retrace:
                    raise GuardError(f"compile({self.__name__}): {replaced} since the trace "
                                     "(a captured leaf was replaced) and retrace=False; pass "
                                     "such leaves as arguments")
                break
            outcome = replay.run(flat)
            if outcome is EAGER_THIS_CALL:  # e.g. a nan where eager raises a clear error
                return self.fn(*args, **kwargs)
            if outcome is not None:
                self._last = replay
                out, grads, extras = outcome
                return self._result(replay, flat, out, grads, extras, args, kwargs)
        if replays and not self.retrace:
            raise GuardError(
                f"compile({self.__name__}): a replay's guard failed (the graph's structure "
                "depends on values that changed: a comparison, float() or item() on a node, "
                "or an argument no node reads) and retrace=False")
        if len(replays) >= self.max_traces:
            reads = guard_sites(replays)
            raise CompileError(
                f"compile({self.__name__}): traced {len(replays)} times for arguments of the "
                "same structure: its graph depends on values through Python control flow "
                "(comparisons, .data, float(), item()) that change from call to call"
                f"{' (' + reads + ')' if reads else ''}. A value read only to log it can be "
                "returned instead (fn returns (loss, node)) and read outside. Otherwise call "
                f"it uncompiled, or raise max_traces (now {self.max_traces})")
        return self._trace(replays, flat, args, kwargs)

    def _trace(self, replays: list, flat: list, args: tuple, kwargs: dict) -> Any:
        flat, _, args, kwargs = flatten(args, kwargs, fresh=True)
        # Tracing makes many small objects while the whole graph is alive: the cyclic
        # collector would walk that graph again and again (it finds nothing: nodes hold no
        # cycles), so it waits until the trace is done.
        collecting = gc.isenabled()
        gc.disable()
        try:
            recorder = Recorder()
            out = recorder.run(self.fn, args, kwargs)
            program = build(out, flat, recorder)
            program.captured = find_captures(program, self.fn, args, kwargs, flat)
            program.identity_positions = identity_positions(flat)
            program.aliasing = aliasing(flat, program.identity_positions, program.captured_ids)
            if program.unreplayable:
                replay: Any = Eager(program.unreplayable)
            elif not program.steps:  # no gate recorded (a leaf, or traced under no_grad)
                replay = Eager("the function returned a leaf: there is no graph to replay")
            elif program.kind == "tensor":
                replay = TensorReplay(program)
            else:
                replay = choose_scalar_replay(program, self.vectorize)
        finally:
            if collecting:
                gc.enable()
        with self._lock:
            self.traces += 1
            replays.insert(0, replay)
            self._last = replay
        return out

    def _result(self, replay: Any, flat: list, out: Any, grads: Callable, extras: list,
                args: tuple, kwargs: dict) -> Any:
        nodes = replay.leaf_nodes(flat)
        scalar = replay.program.kind == "value"  # gradients come as one float per leaf
        expected = None
        checking = False
        if self.checks_left:
            with self._lock:
                checking = self.checks_left > 0
                self.checks_left -= checking
        if checking:
            expected = self.fn(*args, **kwargs)
            if isinstance(expected, tuple):
                for got, node in zip(extras, expected[1:]):
                    _check_close(got, adapter.data_of(node), "an extra output")
                expected = expected[0]
            _check_close(out, adapter.data_of(expected), "the loss")

        clock = adapter.clock()

        def run_backward(seed: Any, create_graph: bool = False) -> None:
            if adapter.clock() != clock:  # something was written since: was it a leaf read?
                refuse_written_leaves(replay.program, flat, clock)
            if create_graph:  # second derivatives: this one call's graph, built eagerly
                backward_eagerly(self.fn, args, kwargs, seed)
                return
            contributions = grads(seed)
            if expected is not None:
                # Leaves of both graphs (not the constants each trace makes anew).
                in_eager = {id(n) for n in adapter.graph_inputs_first(expected)}
                values = contributions if scalar else [c for c, _ in contributions]
                pairs = [(n, c) for n, c in zip(nodes, values)
                         if c is not None and id(n) in in_eager]
                eager = eager_grad(expected, [n for n, _ in pairs], grad_output=seed)
                for (node, got), want in zip(pairs, eager):
                    _check_close(got, want, f"the gradient of {node!r:.60}")
            with adapter.backward_lock:  # as eager's: backward calls sharing a leaf take turns
                _write(nodes, contributions, scalar)
            # (the loss's own .grad is set by its backward: a closure holding the loss
            # would make a cycle, and keep the replay's buffers until the collector runs)

        result = adapter.new_output(CompiledValue if scalar else CompiledTensor, out)
        result._run_backward = run_backward
        result.label = "loss (compiled)"
        if not replay.program.returns_tuple:
            return result
        kind = Value if replay.program.kind == "value" else Tensor
        return (result, *(kind(x) for x in extras))


def _write(nodes: list, contributions: list, scalar: bool) -> None:
    """Add a replay's gradients into the leaves: one float per Value leaf (a Value
    graph), or ``(array, owned)`` per Tensor leaf (``None`` where no gradient reaches)."""
    if scalar:
        adapter.add_value_grads(nodes, contributions)
        return
    for node, (c, owned) in zip(nodes, contributions):
        if c is not None:
            adapter.add_tensor_grad(node, c, owned)


def _check_close(got: Any, want: Any, what: str) -> None:
    tol = 1e-5 if np.asarray(got).dtype == np.float32 else 1e-10
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    scale = max(float(np.max(np.abs(want), initial=0.0)), 1.0)
    if got.shape != want.shape or not np.allclose(got, want, rtol=0, atol=tol * scale,
                                                  equal_nan=True):
        raise CompileError(f"compile(check=True): the compiled step and eager disagree on "
                           f"{what}: {got!r:.200} vs eager {want!r:.200}")
