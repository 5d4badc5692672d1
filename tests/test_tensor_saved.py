"""What a gate saves for backward is released after use, unless retain_graph=True."""

import numpy as np
import pytest

from autograd import Tensor
from autograd.tensor_gates import CROSS_ENTROPY

RNG = np.random.default_rng(0)
LABELS = np.array([0, 2, 1, 1])


def _loss():
    scores = Tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    loss = (scores * 2.0).cross_entropy(LABELS)
    return scores, loss


def _saved(loss):
    assert loss._gate is CROSS_ENTROPY
    return loss._saved


def _expected_grad(scores):
    s = scores.data * 2.0
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(4), LABELS] -= 1
    return 2.0 * p / 4


def test_the_softmax_is_saved_in_forward_and_released_by_backward():
    scores, loss = _loss()
    probs = _saved(loss)
    assert isinstance(probs, np.ndarray) and np.allclose(probs.sum(1), 1.0)
    loss.backward()
    assert _saved(loss) is None
    np.testing.assert_allclose(scores.grad, _expected_grad(scores), rtol=1e-12, atol=1e-15)


def test_retain_graph_keeps_it_and_a_second_backward_is_right_either_way():
    scores, loss = _loss()
    loss.backward(retain_graph=True)
    assert _saved(loss) is not None
    loss.backward()  # uses the kept softmax, then releases it
    assert _saved(loss) is None
    loss.backward()  # recomputes it
    np.testing.assert_allclose(scores.grad, 3 * _expected_grad(scores), rtol=1e-12)


def test_the_saved_softmax_is_not_changed_by_backward():
    scores, loss = _loss()
    before = _saved(loss).copy()
    loss.backward(retain_graph=True)
    np.testing.assert_array_equal(_saved(loss), before)


@pytest.mark.parametrize("requires_grad", [False, True])
def test_nothing_is_saved_when_no_graph_is_recorded(requires_grad):
    from autograd import no_grad

    scores = Tensor(RNG.standard_normal((4, 3)), requires_grad=requires_grad)
    if requires_grad:
        with no_grad():
            loss = scores.cross_entropy(LABELS)
    else:
        loss = scores.cross_entropy(LABELS)
    assert loss._ctx == () and loss._saved is None and loss._gate is None
