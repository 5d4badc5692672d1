"""What a trace freezes: the operands the function wraps in leaves of its own.

The ``1`` of ``1 + v`` becomes a leaf node while tracing; nobody else holds it, so a
replay keeps its value in the program and gives it no gradient. Numbers from the
arguments stay live, and parameters stay leaves whose ``.data`` is read on every call.
"""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value


def _kinds(step):
    return [kind for kind, _ in step._last.program.sources.values()]


def _hinge(ws, b):
    def loss(rows, ys):
        scores = [sum((w * x for w, x in zip(ws, row)), b) for row in rows]
        return sum((1 + -y * s).relu() for y, s in zip(ys, scores)) * (1.0 / len(ys))
    return loss


@pytest.mark.parametrize("vectorize", [True, False])
def test_the_functions_own_numbers_are_constants_and_parameter_changes_follow_eager(
        vectorize):
    rng = np.random.default_rng(0)
    rows, ys = rng.standard_normal((40, 3)).tolist(), rng.choice([-1.0, 1.0], 40).tolist()
    ws, b = [Value(float(v)) for v in rng.standard_normal(3)], Value(0.1)
    eager_ws, eager_b = [Value(w.data) for w in ws], Value(b.data)
    step = autograd.compile(_hinge(ws, b), vectorize=vectorize)
    eager = _hinge(eager_ws, eager_b)
    for _ in range(4):
        for p in [*ws, b, *eager_ws, eager_b]:
            p.grad = 0.0
        got, want = step(rows, ys), eager(rows, ys)
        got.backward()
        want.backward()
        assert got.data == pytest.approx(want.data, rel=1e-12)
        for p, q in zip([*ws, b], [*eager_ws, eager_b]):
            assert p.grad == pytest.approx(q.grad, rel=1e-9, abs=1e-12)
        for p, q in zip([*ws, b], [*eager_ws, eager_b]):  # a step of SGD on both
            p.data -= 0.5 * p.grad
            q.data -= 0.5 * q.grad
    program = step._last.program if step.mode != "eager" else None
    if program is not None:
        kinds = _kinds(step)
        # 1 and -y per row, 0 of sum() per row and the 1/n: frozen; ws and b: leaves
        assert kinds.count("node") == 4
        assert kinds.count("const") >= 2 * len(rows)
        assert all(program.sources[i][0] == "node" for i in program.grad_leaves)
    assert step.traces == 1


def test_a_number_from_an_argument_stays_live():
    ws = [Value(float(k)) for k in range(1, 9)]
    step = autograd.compile(lambda c: sum(w * c + 1.0 for w in ws), vectorize=True)
    for c in (2.0, 3.0, -1.5):
        for w in ws:
            w.grad = 0.0
        out = step(c)
        out.backward()
        assert out.data == sum(w.data * c + 1.0 for w in ws)
        assert [w.grad for w in ws] == [c] * len(ws)
    assert step.traces == 1
    assert "const" in _kinds(step) and "ref" in _kinds(step)


def test_a_literal_wrapped_by_the_function_gets_no_gradient_and_is_not_written():
    w = Value(2.0)
    step = autograd.compile(lambda x: sum(w * xi + 3.0 for xi in x) * 0.5, vectorize=True)
    step([1.0, 2.0, 3.0])
    loss = step([1.0, 2.0, 4.0])
    loss.backward()
    assert loss.data == pytest.approx(0.5 * (2.0 * 7.0 + 9.0))
    assert w.grad == pytest.approx(0.5 * 7.0)
    assert step._last.program.grad_leaves == [
        i for i, (kind, _) in step._last.program.sources.items() if kind == "node"]


def test_a_tensor_of_the_functions_own_is_a_constant_of_the_program():
    W = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)

    def loss(X):
        return ((X @ W) * 2.0 + 1).sum() * 0.25

    step = autograd.compile(loss)
    X = np.ones((4, 2))
    step(X)
    for scale in (1.0, -0.5):
        W.data = W.data * scale + 0.25
        W.grad = None
        got = step(X)
        got.backward()
        eager_W = Tensor(W.data.copy(), requires_grad=True)
        want = ((Tensor(X) @ eager_W) * 2.0 + 1).sum() * 0.25
        want.backward()
        assert got.item() == pytest.approx(want.item(), rel=1e-12)
        np.testing.assert_allclose(W.grad, eager_W.grad, rtol=1e-12)
    assert "const" in _kinds(step)
    assert "# constant" in step.source
    assert step.traces == 1
