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
    (_square, {"vectorize": "auto"}, TypeError, "vectorize must be"),
])
def test_bad_options_are_refused_before_any_trace(fn, options, error, match):
    with pytest.raises(error, match=match):
        autograd.compile(fn, **options)


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
