"""Guards and retracing: a compiled step replays only what it traced, else traces again."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from autograd.compiler import CompileError, GuardError


def _branchy(a):
    # Structure depends on data through Python control flow: a guard is recorded.
    return a * a * 3.0 if a > 0 else a * -2.0


def test_control_flow_on_a_comparison_retraces_with_the_right_branch():
    step = autograd.compile(_branchy, vectorize=True)
    a = Value(2.0)
    assert step(a).data == 12.0  # traces
    assert step(Value(1.0)).data == 3.0  # replays: the guard a > 0 still holds
    assert step.traces == 1
    b = Value(-1.5)
    out = step(b)  # the guard fails: traced again, the other branch
    assert out.data == 3.0 and step.traces == 2
    out.backward()
    assert b.grad == -2.0
    c = Value(-4.0)
    out = step(c)  # replays the second trace
    out.backward()
    assert out.data == 8.0 and c.grad == -2.0 and step.traces == 2


def test_a_failed_guard_raises_when_retracing_is_off():
    step = autograd.compile(_branchy, retrace=False, vectorize=True)
    step(Value(2.0))
    step(Value(2.0))
    with pytest.raises(GuardError, match="guard"):
        step(Value(-2.0))


def test_endless_retracing_raises_a_clear_error():
    def reads_its_value(a):
        return a * float(a)  # the number itself steers the graph: every value is a new trace

    step = autograd.compile(reads_its_value, max_traces=3, vectorize=True)
    for x in (1.0, 2.0, 3.0):
        assert step(Value(x)).data == x * x
    with pytest.raises(CompileError, match="control flow"):
        step(Value(4.0))


def test_reading_a_node_the_loss_does_not_use_runs_eagerly():
    def fn(a):
        side = a * 2.0
        return a * 3.0 if side > 1 else a * 5.0

    step = autograd.compile(fn, vectorize=True)
    step(Value(1.0))
    assert step.mode == "eager" and "does not depend on" in step.source
    assert step(Value(0.1)).data == pytest.approx(0.5)


def test_new_shapes_and_dtypes_retrace_and_old_ones_replay():
    w = Tensor(np.ones(3), requires_grad=True)
    step = autograd.compile(lambda x: (x @ w).sum())
    for rows, dtype in [(2, np.float64), (5, np.float64), (2, np.float32), (2, np.float64)]:
        x = np.arange(rows * 3, dtype=dtype).reshape(rows, 3)
        w.grad = None
        out = step(x)
        out.backward()
        assert out.item() == pytest.approx(x.sum())
        np.testing.assert_allclose(w.grad, x.sum(axis=0))
    assert step.traces == 3  # the last call replays the first trace


def test_a_leaf_passed_as_an_argument_may_be_replaced():
    step = autograd.compile(lambda w, x: (w * x).sum(), vectorize=True)
    step(Tensor([1.0, 2.0], requires_grad=True), np.array([3.0, 4.0]))
    w2 = Tensor([5.0, 6.0], requires_grad=True)
    out = step(w2, np.array([1.0, 1.0]))
    out.backward()
    assert out.item() == 11.0 and w2.grad.tolist() == [1.0, 1.0] and step.traces == 1


def test_a_replaced_captured_leaf_retraces():
    params = [Value(2.0)]
    step = autograd.compile(lambda x: params[0] * x, check=True, vectorize=True)
    step(3.0)
    params[0] = Value(10.0)  # a new object where the traced one was
    out = step(3.0)
    out.backward()
    assert out.data == 30.0 and params[0].grad == 3.0 and step.traces == 2
    assert step(4.0).data == 40.0 and step.traces == 2  # the new trace replays


def test_check_passes_on_a_faithful_replay():
    w = Value(0.5)
    step = autograd.compile(lambda xs: sum((w * x).relu() for x in xs), check=2,
                            vectorize=True)
    for xs in ([1.0, -2.0], [3.0, 4.0], [-1.0, 2.0]):
        w.grad = 0.0
        step(xs).backward()
    assert w.grad == 2.0 and step.checks_left == 0


def test_numbers_as_arguments_are_live_and_ints_are_structure():
    w = Value(1.5)
    step = autograd.compile(lambda x, n: w * x * n, vectorize=True)
    assert step(2.0, 3).data == 9.0
    assert step(4.0, 3).data == 18.0 and step.traces == 1  # a new float: replayed
    assert step(4.0, 2).data == 12.0 and step.traces == 2  # a new int: traced again


def test_a_nan_where_eager_raises_gives_eagers_error():
    step = autograd.compile(lambda a: (a - 1.0).log(), vectorize=True)
    step(Value(3.0))
    with pytest.raises(ValueError, match="log"):
        step(Value(0.5))


def test_extra_outputs_come_back_as_constants_and_others_are_refused():
    w = Tensor(np.array([1.0, -2.0]), requires_grad=True)

    def fn(x):
        scores = x * w
        return scores.relu().sum(), scores

    step = autograd.compile(fn)
    step(np.array([1.0, 1.0]))
    loss, scores = step(np.array([3.0, 1.0]))
    assert loss.item() == 3.0 and scores.data.tolist() == [3.0, -2.0]
    assert not scores.requires_grad
    with pytest.raises(CompileError, match="not part of the loss"):
        autograd.compile(lambda x: ((x * w).sum(), Tensor(1.0)))(np.ones(2))


def test_the_cache_keeps_a_bounded_number_of_structures():
    from autograd.compiler.step import MAX_STRUCTURES

    w = Tensor(np.ones(1), requires_grad=True)
    step = autograd.compile(lambda x: (x * w).sum())
    for n in range(1, MAX_STRUCTURES + 5):
        assert step(np.ones(n)).item() == n
    assert len(step._cache) == MAX_STRUCTURES
    assert step(np.ones(MAX_STRUCTURES + 4)).item() == MAX_STRUCTURES + 4  # still cached
    assert step.traces == MAX_STRUCTURES + 4


def test_without_a_graph_the_step_runs_eagerly():
    w = Tensor(np.ones(2), requires_grad=True)
    step = autograd.compile(lambda x: (x * w).sum())
    with autograd.no_grad():
        out = step(np.ones(2))
    assert step.mode == "eager" and not out.requires_grad
    with autograd.no_grad():
        assert step(np.full(2, 3.0)).item() == 6.0


def test_arithmetic_on_an_argument_that_needs_no_gradient_is_replayed_not_frozen():
    # Eagerly, ``1.0 - Tensor(y)`` is a constant (nothing in it needs a gradient); the
    # trace must still record it, or every replay would reuse the first call's labels.
    w = Tensor(np.array([0.3, -0.2, 0.5]), requires_grad=True)

    def loss(x, y):
        target = Tensor(y, dtype=np.float64)
        z = x @ w
        return (target * (-z).exp() + (1.0 - target) * z.exp()).mean()

    step = autograd.compile(loss)
    rng = np.random.default_rng(0)
    for _ in range(4):
        x, y = rng.normal(size=(5, 3)), rng.integers(0, 2, 5)
        w.grad = None
        compiled = step(x, y)
        compiled.backward()
        g_compiled = w.grad.copy()
        w.grad = None
        eager = loss(x, y)
        eager.backward()
        assert compiled.item() == eager.item()
        np.testing.assert_allclose(g_compiled, w.grad, rtol=1e-12)


def test_numbers_and_arrays_captured_from_outside_are_constants_of_the_trace():
    # The documented contract (as jax.jit's): what the function reads from outside that
    # is not a node is frozen at the trace; pass it as an argument to keep it live.
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    scale, offset = 2.0, np.array([0.5, 0.5])
    frozen = autograd.compile(lambda x: (w * x * scale + offset).sum())
    live = autograd.compile(lambda x, scale, offset: (w * x * scale + offset).sum())
    x = np.ones(2)
    assert frozen(x).item() == live(x, scale, offset).item() == 7.0
    scale, offset = 3.0, np.array([1.0, 1.0])
    assert frozen(x).item() == 7.0  # the traced constants
    assert live(x, scale, offset).item() == 11.0 and live.traces == 1  # live arguments


def test_check_catches_what_no_guard_sees():
    # Randomness inside the function is frozen by the trace: check=True says so.
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    rng = np.random.default_rng(0)
    step = autograd.compile(lambda x: (w * x * rng.normal(size=2)).sum(), check=True)
    step(np.ones(2))
    with pytest.raises(CompileError, match="disagree on the loss"):
        step(np.ones(2))


def test_a_comparison_between_two_tensor_nodes_replays_and_retraces():
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((4, 4)), requires_grad=True)

    def f(x):
        a, b = (x @ W).sum(), (x * 2.0).sum()
        return a * 2.0 + b if a > b else a * 3.0 + b
    step = autograd.compile(f)
    for _ in range(8):
        x = Tensor(rng.standard_normal((4, 4)))
        assert float(step(x).data) == pytest.approx(float(f(x).data))
    program = step._last.program
    assert [isinstance(gd.other, tuple) for gd in program.guards] == [True]


def test_a_compared_large_node_is_not_overwritten_before_its_guard_reads_it():
    from autograd.compiler.tensor_program import BUFFER_MIN_BYTES
    n = BUFFER_MIN_BYTES // 8 + 1  # past the size that gets a reusable buffer
    w = Tensor(np.ones(n), requires_grad=True)

    def f(x):
        a, b = x * w, x * 2.0  # their buffers could be reused once the add has read them
        c = ((a + b) * 3.0) * 4.0
        return (c * 5.0).sum() if bool((a > b).all()) else (c * 7.0).sum()
    step = autograd.compile(f)
    for sign in (1.0, -1.0, 1.0, -1.0):
        x = Tensor(np.full(n, sign))
        assert float(step(x).data) == pytest.approx(float(f(x).data))


def test_freezing_and_unfreezing_a_captured_leaf_retraces():
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((3, 3)), requires_grad=True)
    B = Tensor(rng.standard_normal(3))
    step = autograd.compile(lambda x: ((x @ W) + B).sum())
    x = Tensor(rng.standard_normal((2, 3)))
    step(x).backward()
    W.grad = None
    W.requires_grad, B.requires_grad = False, True  # freeze one, unfreeze the other
    step(x).backward()
    assert W.grad is None
    np.testing.assert_allclose(B.grad, np.full(3, 2.0))  # two rows of ones, summed
    W.requires_grad, B.requires_grad, B.grad = True, False, None
    step(x).backward()  # the first trace fits again
    np.testing.assert_allclose(W.grad, np.repeat(x.data.sum(0)[:, None], 3, axis=1))
    assert B.grad is None
    assert step.traces == 2
