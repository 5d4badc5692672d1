"""Reads of a node's value inside a traced function are guards; tracing is per thread.

``.data``, ``==``, ``numpy()``, ``np.asarray``, ``argmax``, ``bool`` read the value the
way comparisons and ``float()`` do: the replay must check the value is what the trace
saw, or it would reuse a number that eager computes anew.
"""

import threading

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from autograd.compiler import CompileError


def _follow(fn, leaf, new_values, x=3.0):
    """The compiled step and eager agree on every call as ``leaf.data`` moves."""
    step = autograd.compile(fn, vectorize=True)
    for v in new_values:
        leaf.data = v
        leaf.grad = 0.0 if isinstance(leaf, Value) else None
        got = step(x)
        got.backward()
        g = leaf.grad
        leaf.grad = 0.0 if isinstance(leaf, Value) else None
        want = fn(x)
        want.backward()
        np.testing.assert_array_equal(got.data, want.data)
        np.testing.assert_array_equal(g, leaf.grad)
    return step


def test_branching_on_dot_data_retraces_when_the_value_moves():
    w = Value(2.0)
    step = _follow(lambda x: w * x if w.data > 0 else w * x * x, w, [2.0, 2.0, -1.0, -1.0])
    assert step.traces == 2  # a read guard: the value itself, so a new value traces again


def test_dot_data_used_as_a_constant_is_not_frozen():
    w = Value(1.0)
    step = _follow(lambda x: (w - w.data) ** 2 + w * x, w, [1.0, 2.0, 3.0])
    assert step.traces == 3


def test_value_equality_is_a_guard():
    w = Value(0.0)
    step = _follow(lambda x: w * x if w == 0 else w * x * x, w, [0.0, 0.0, 2.0, 2.0])
    assert step.traces == 2  # == records the answer against the other side, as < does


@pytest.mark.parametrize("read", [
    lambda t: t.numpy().sum() > 0,
    lambda t: np.asarray(t).sum() > 0,
    lambda t: t.data.sum() > 0,
    lambda t: t.argmax() == 1,
    lambda t: bool((t > 0).all()),
])
def test_tensor_value_reads_are_guards(read):
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)

    def fn(x):
        return (t * x).sum() if read(t) else (t * x * x).sum()

    step = autograd.compile(fn)
    x = np.array([2.0, 2.0])
    for data in ([1.0, 2.0], [1.0, 2.0], [-1.0, -2.0], [-1.0, -2.0]):
        t.data = np.array(data)
        assert step(x).item() == fn(x).item()
    assert step.traces == 2


def test_endless_dot_data_reads_raise_a_clear_error():
    w = Value(1.0)
    step = autograd.compile(lambda x: w * w.data * x, vectorize=True, max_traces=2)
    for v in (1.0, 2.0):
        w.data = v
        step(1.0)
    w.data = 3.0
    with pytest.raises(CompileError, match=r"\.data at test_compile_reads\.py:\d+"):
        step(1.0)  # the message says which read keeps changing, and where


def test_the_engines_own_reads_are_not_guards():
    # cross_entropy, indexing by labels, _lift... read .data inside autograd: no guard.
    w = Tensor(np.array([[0.5, -0.5], [0.25, 1.0]]), requires_grad=True)

    def fn(x, y):
        s = x @ w + 1.0
        return s.cross_entropy(y) + (s - s.max(axis=1, keepdims=True))[np.arange(2), y].sum()

    step = autograd.compile(fn)
    y = np.array([0, 1])
    for k in range(4):
        w.data = w.data * 0.5 + k
        step(np.eye(2) * (k + 1), y)
    assert step.traces == 1 and not step._last.program.guards


def test_a_literal_equal_to_a_float_argument_is_not_taken_for_it():
    # Python shares equal float literals of a module: 1.0 here and the argument 1.0 may be
    # one object. The captured leaf and the exponent must stay what the function says.
    w = Value(1.0)
    step = autograd.compile(lambda x: w ** 2.0 + w * x, vectorize=True)
    assert step(1.0).data == 2.0
    w.data = 3.0
    assert step(2.0).data == 15.0
    step = autograd.compile(lambda x, p: w ** 2.0 * x + p, vectorize=True)
    step(1.0, 2.0)
    assert step(1.0, 5.0).data == 14.0  # p is live; the exponent is still 2


def test_a_compiled_step_called_inside_a_trace_is_inlined():
    w = Value(1.5)
    inner = autograd.compile(lambda x: w * x, vectorize=True)
    outer = autograd.compile(lambda x: inner(x) * inner(x + 1.0), vectorize=True)
    for v in (1.5, 2.0, -1.0):
        w.data, w.grad = v, 0.0
        out = outer(2.0)
        out.backward()
        assert out.data == (v * 2.0) * (v * 3.0) and w.grad == 2 * v * 6.0
    assert outer.traces == 1 and outer.mode == "vectorized by level"


def test_tracing_in_one_thread_leaves_another_threads_eager_code_alone():
    w = Value(2.0)
    inside, release = threading.Event(), threading.Event()

    def slow(x):
        out = w * x
        inside.set()
        assert release.wait(10)
        return out if out > 0 else -out

    step = autograd.compile(slow, vectorize=True)
    tracer = threading.Thread(target=step, args=(3.0,))
    tracer.start()
    assert inside.wait(10)  # the classes are patched now, for the tracing thread
    seen = {}

    def eager_work():
        v = Value(-1.0)
        seen["cmp"] = (v < 0, v == -1.0, float(v), v.data)
        y = np.array([1.0, 0.0])
        seen["const"] = (1.0 - Tensor(y))._gate  # needs no gradient: a plain constant
        other = autograd.compile(lambda x: w * x * x, vectorize=True)
        seen["other"] = other(2.0).data  # a second trace waits for the first

    worker = threading.Thread(target=eager_work)
    worker.start()
    worker.join(0.5)
    release.set()
    tracer.join(10)
    worker.join(10)
    assert seen["cmp"] == (True, True, -1.0, -1.0) and seen["const"] is None
    assert seen["other"] == 8.0
    program = step._last.program
    assert len(program.guards) == 1  # only the tracing thread's own comparison
    assert step(5.0).data == 10.0 and step.traces == 1


def test_a_guarded_method_the_class_inherits_is_patched_and_given_back(monkeypatch):
    from autograd.compiler import adapter

    class Peeking:
        def peek(self):
            return self.numpy().sum()

    class PeekTensor(Tensor, Peeking):
        pass

    monkeypatch.setattr(adapter, "GUARDED_READS",
                        [*adapter.GUARDED_READS, (PeekTensor, "peek", "read")])
    w = PeekTensor(np.array([1.0, 2.0]), requires_grad=True)
    step = autograd.compile(lambda x: (w * x).sum() if w.peek() > 0 else (w * x * x).sum())
    step(np.ones(2))
    assert "peek" not in PeekTensor.__dict__ and PeekTensor.peek is Peeking.peek
    w.data = -w.data
    assert step(np.full(2, 2.0)).item() == -12.0 and step.traces == 2
