"""compile's arguments and its loss's backward: clear errors, and create_graph by eager."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from autograd.compiler import CompileError


def _square(a):
    return a * a


@pytest.mark.parametrize("fn, options, error, match", [
    (3, {}, TypeError, "expected a function"),
    (_square, {"check": "yes"}, TypeError, "check must be"),
    (_square, {"check": -1}, TypeError, "check must be"),
    (_square, {"retrace": 1}, TypeError, "retrace must be"),
    (_square, {"max_traces": 0}, ValueError, "max_traces must be"),
    (_square, {"max_traces": 2.5}, TypeError, "max_traces must be"),
    (_square, {"max_traces": True}, TypeError, "max_traces must be"),
    (_square, {"max_traces": np.int64(0)}, ValueError, "max_traces must be"),
    (_square, {"vectorize": "auto"}, TypeError, "vectorize must be"),
])
def test_bad_options_are_refused_before_any_trace(fn, options, error, match):
    with pytest.raises(error, match=match):
        autograd.compile(fn, **options)


def test_numpy_integers_are_accepted_as_counts():
    step = autograd.compile(_square, max_traces=np.int64(3), check=np.int32(2))
    assert (step.max_traces, step.checks_left) == (3, 2)
    assert step(Value(3.0)).data == 9.0


def test_the_function_must_return_a_scalar_node():
    with pytest.raises(CompileError, match="must return a Value or Tensor"):
        autograd.compile(lambda a: 1.0)(Value(1.0))
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(CompileError, match=r"scalar loss .*shape \(3,\)"):
        autograd.compile(lambda x: w * x)(np.ones(3))
    step = autograd.compile(lambda x: (w * x).sum().reshape(1, 1))  # one element: a loss
    step(np.ones(3))
    assert step(np.ones(3)).item() == 3.0


def test_create_graph_runs_that_call_eagerly_and_gives_second_derivatives():
    w = Value(1.5)
    step = autograd.compile(lambda x: w * w * w * x, vectorize=True)
    step(2.0)
    out = step(2.0)
    out.backward(create_graph=True)
    first = w.grad
    assert isinstance(first, Value) and first.data == 3 * 1.5**2 * 2.0
    w.grad = 0.0
    first.backward()
    assert w.grad == 6 * 1.5 * 2.0

    t = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    tstep = autograd.compile(lambda x: (t * t * t * x).sum())
    tstep(np.ones(2))
    tstep(np.ones(2)).backward(create_graph=True)
    assert isinstance(t.grad, Tensor) and t.grad.data.tolist() == [3.0, 12.0]
    g = t.grad
    t.grad = None
    g.sum().backward()
    assert t.grad.tolist() == [6.0, -12.0]


def test_a_leaf_written_between_the_call_and_backward_is_refused_as_eager_does():
    w = Tensor(np.ones(2), requires_grad=True)
    step = autograd.compile(lambda x: (w * x).sum())
    step(np.ones(2))
    out = step(np.ones(2))
    w.data = np.zeros(2)
    with pytest.raises(RuntimeError, match="modified after"):
        out.backward()
    assert w.grad is None  # nothing half-done
    eager = (w * np.ones(2)).sum()
    w.data = np.ones(2)
    with pytest.raises(RuntimeError, match="modified after"):
        eager.backward()


def test_graph_walkers_refuse_a_compiled_loss(tmp_path):
    w = Value(2.0)
    step = autograd.compile(lambda x: w * x, vectorize=True)
    step(1.0)
    out = step(1.0)
    with pytest.raises(TypeError, match="compiled step"):
        autograd.grad(out, [w])
    import viz

    with pytest.raises(TypeError, match="compiled step"):
        viz.backward_steps(out, tmp_path / "steps.html")
    assert not (tmp_path / "steps.html").exists()
    out.backward()
    assert w.grad == 1.0 and out.grad == 1.0


def test_several_losses_alive_at_once_each_backward_its_own_call():
    W = Tensor(np.array([[1.0, -2.0], [0.5, 1.5]]), requires_grad=True)

    def fn(x):
        return ((x @ W).tanh() * (x @ W)).sum()

    step = autograd.compile(fn)
    x1, x2 = np.array([[1.0, 2.0]]), np.array([[-3.0, 0.5]])
    step(x1)
    first, second = step(x1), step(x2)  # the second replay must not overwrite the first's
    first.backward()
    got = W.grad
    W.grad = None
    fn(x1).backward()
    np.testing.assert_array_equal(got, W.grad)
    W.grad = None
    second.backward()
    got = W.grad
    W.grad = None
    fn(x2).backward()
    np.testing.assert_array_equal(got, W.grad)


def test_replays_in_several_threads_agree_with_eager_and_lose_no_gradient():
    import threading

    w = Value(0.5)
    step = autograd.compile(lambda xs: sum(((w * x).tanh() * w for x in xs), Value(0.0)),
                            vectorize=True)
    step([1.0, 2.0])
    rows = [[0.1 * k, -0.2 * k] for k in range(8)]
    want = [step.fn(r).data for r in rows]
    got = {}

    def work(k):
        for _ in range(25):
            out = step(rows[k])
            out.backward()
            got[k] = out.data

    w.grad = 0.0
    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # numpy's tanh and math's may differ in the last bit: equal to an ulp or so
    assert [got[k] for k in range(8)] == pytest.approx(want, rel=1e-14, abs=1e-16)
    expected = 0.0
    for r in rows:  # every backward's contribution arrived
        w2 = Value(0.5)
        out = sum(((w2 * x).tanh() * w2 for x in r), Value(0.0))
        out.backward()
        expected += 25 * w2.grad
    assert w.grad == pytest.approx(expected, rel=1e-12)
