"""How a compiled step keys its arguments: a table of floats is read in bulk, and any
change in its structure (a row more, a longer row, an int where a float was) retraces."""

import numpy as np
import pytest

import autograd
from autograd import Value
from autograd.compiler.trace import flatten


def _model():
    ws = [Value(0.5), Value(-1.5)]

    def fn(rows):
        return sum(sum(w * x for w, x in zip(ws, row)) for row in rows)
    return ws, fn


def _eager(ws, rows):
    return sum(sum(w.data * x for w, x in zip(ws, row)) for row in rows)


def test_a_table_of_floats_is_keyed_by_its_two_lengths_and_flattened_row_by_row():
    rows = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    flat, key, args, _ = flatten((rows,), {})
    assert flat == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0] and args[0] is rows
    assert flatten(([[9.0, 8.0], [7.0, 6.0], [5.0, 4.0]],), {})[1] == key
    for other in ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0, 0.0]] * 3,
                  [[1.0, 2.0], [3.0, 4.0], [5.0, 6]], [[1.0, 2.0], [3.0], [5.0, 6.0]],
                  [[1.0, 2.0], (3.0, 4.0), [5.0, 6.0]]):
        assert flatten((other,), {})[1] != key, other


def test_fresh_flattening_of_a_table_makes_new_float_objects():
    rows = [[1.0, 2.0], [3.0, 4.0]]
    flat, _, args, _ = flatten((rows,), {}, fresh=True)
    assert args[0] == rows and args[0] is not rows
    assert all(a is not b for a, b in zip(flat, [1.0, 2.0, 3.0, 4.0]))
    assert all(a is b for a, b in zip(flat, [x for row in args[0] for x in row]))


@pytest.mark.parametrize("vectorize", [True, False])
def test_a_table_argument_changing_shape_retraces_and_new_values_replay(vectorize):
    ws, fn = _model()
    step = autograd.compile(fn, vectorize=vectorize)
    rng = np.random.default_rng(1)
    traces = []
    for shape in [(4, 2), (4, 2), (5, 2), (4, 2), (3, 2), (5, 2)]:
        rows = rng.standard_normal(shape).tolist()
        assert step(rows).data == pytest.approx(_eager(ws, rows), rel=1e-12)
        traces.append(step.traces)
    assert traces == [1, 1, 2, 2, 3, 3]
    rows = rng.standard_normal((4, 2)).tolist()
    rows[1][0] = 2  # an int where a float was: another structure
    assert step(rows).data == pytest.approx(_eager(ws, rows), rel=1e-12)
    assert step.traces == 4


def test_a_literal_equal_to_a_float_of_a_table_is_not_taken_for_it():
    w = Value(2.0)
    step = autograd.compile(lambda rows: sum(w ** 2.0 * row[0] + row[1] for row in rows),
                            vectorize=True)
    assert step([[2.0, 1.0], [1.0, 2.0]]).data == 4.0 * 3.0 + 3.0
    assert step([[1.0, 5.0], [1.0, 1.0]]).data == 4.0 * 2.0 + 6.0  # the exponent stays 2
    assert step.traces == 1


def test_labels_changed_in_place_between_calls_are_read_and_checked_again():
    from autograd import Tensor

    W = Tensor(np.linspace(-1.0, 1.0, 12).reshape(4, 3), requires_grad=True)
    X = np.random.default_rng(2).standard_normal((5, 4))
    y = np.array([0, 1, 2, 1, 0])
    step = autograd.compile(lambda X, y: (Tensor(X) @ W).cross_entropy(y))
    step(X, y)
    for new in ([2, 2, 0, 1, 1], [1, 0, 0, 0, 2]):
        y[:] = new  # the same array, written in place
        W.grad = None
        got = step(X, y)
        got.backward()
        eager_W = Tensor(W.data.copy(), requires_grad=True)
        want = (Tensor(X) @ eager_W).cross_entropy(np.array(new))
        want.backward()
        assert got.item() == pytest.approx(want.item(), rel=1e-12)
        np.testing.assert_allclose(W.grad, eager_W.grad, rtol=1e-12)
    for bad, match in ((3, "label 3 is out of range"), (-1, "label -1 is out of range")):
        y[2] = bad
        with pytest.raises(ValueError, match=match):
            step(X, y)
        with pytest.raises(ValueError, match=match):
            (Tensor(X) @ W).cross_entropy(y)
    assert step.traces == 1
