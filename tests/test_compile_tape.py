"""The compiled Tensor tape's buffers: reused across calls, never seen by the user.

A compiled Tensor step writes its large intermediates into buffers allocated once. What
the user holds must behave as eager's: a loss or an extra output from one call does not
change when the next call runs; an earlier loss still runs its own backward; a ``.grad``
the user was handed is updated in place only while it is the leaf's ``.grad`` (as eager
and PyTorch accumulate), and never once the user has set ``.grad`` to None.
"""

import re

import numpy as np
import pytest

import autograd
from autograd import Tensor

RNG = np.random.default_rng(3)
N, D, H, C = 64, 48, 40, 5  # (64, 40) float64 is 20 KB: large enough for a buffer


def _params(dtype=np.float64):
    shapes = {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}
    return [Tensor((RNG.standard_normal(s) * 0.3).astype(dtype), requires_grad=True, label=k)
            for k, s in shapes.items()]


def _loss_fn(params, written_out=True):
    W1, b1, W2, b2 = params

    def loss(X, y):
        hidden = (X @ W1 + b1).relu()
        scores = hidden @ W2 + b2
        l2 = (W1 * W1).sum() + (W2 * W2).sum()
        if not written_out:
            return scores.cross_entropy(y) + 1e-3 * l2, scores
        shifted = scores - scores.max(axis=1, keepdims=True)
        picked = shifted[np.arange(len(y)), y]
        return (shifted.exp().sum(axis=1).log() - picked).mean() + 1e-3 * l2, scores
    return loss


def _batch(dtype=np.float64):
    return RNG.standard_normal((N, D)).astype(dtype), RNG.integers(0, C, N)


def _eager_grads(loss_fn, params, X, y):
    for p in params:
        p.grad = None
    loss, _ = loss_fn(X, y)
    loss.backward()
    grads = [p.grad.copy() for p in params]
    for p in params:
        p.grad = None
    return float(loss.data), grads


def _assert_grads(got, want):
    scale = max(float(np.max(np.abs(w))) for w in want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("written_out", [True, False])
def test_the_tape_uses_buffers_and_the_source_says_so(written_out):
    params = _params()
    step = autograd.compile(_loss_fn(params, written_out))
    X, y = _batch()
    step(X, y)[0].backward()
    assert step.mode == "tensor tape"
    assert "out=buf_" in step.source and "preallocated" in step.source
    assert "in place" in step.source  # relu and the bias add overwrite X @ W1's buffer
    # W1 * W1: one rule on the doubled (scalar) gradient, not two rules and two sums
    assert len(re.findall(r"np\.multiply\((\w+) \+ \1, W1\)", step.source)) == 1


def test_a_loss_and_its_extra_output_do_not_change_when_the_next_call_runs():
    params = _params()
    step = autograd.compile(_loss_fn(params))
    X1, y1 = _batch()
    X2, y2 = _batch()
    loss1, scores1 = step(X1, y1)
    kept = (float(loss1.data), scores1.data.copy())
    loss2, scores2 = step(X2, y2)
    assert float(loss1.data) == kept[0] and np.array_equal(scores1.data, kept[1])
    assert float(loss2.data) != kept[0] and not np.array_equal(scores2.data, kept[1])


def test_an_earlier_loss_runs_its_own_backward_after_a_later_call():
    params = _params()
    fn = _loss_fn(params)
    step = autograd.compile(fn)
    X1, y1 = _batch()
    X2, y2 = _batch()
    step(X1, y1)  # the trace
    want1, want2 = _eager_grads(fn, params, X1, y1), _eager_grads(fn, params, X2, y2)
    loss1, _ = step(X1, y1)
    loss2, _ = step(X2, y2)  # loss1 is alive: this call must not take its buffers
    loss2.backward()
    got2 = [p.grad.copy() for p in params]
    for p in params:
        p.grad = None
    loss1.backward()
    _assert_grads([p.grad for p in params], want1[1])
    _assert_grads(got2, want2[1])
    assert float(loss1.data) == want1[0] and float(loss2.data) == want2[0]


def test_buffers_are_reused_once_no_loss_holds_them():
    params = _params()
    step = autograd.compile(_loss_fn(params))
    X, y = _batch()
    step(X, y)[0].backward()  # the trace
    step(X, y)[0].backward()
    replay = step._last
    before = [id(b) for b in replay._buffers]
    assert before  # the net is large enough to have buffers
    for _ in range(3):
        loss, _ = step(X, y)
        loss.backward()
        del loss
    assert [id(b) for b in replay._buffers] == before


def test_a_grad_handed_to_the_user_accumulates_as_eager_and_is_left_alone_after():
    params = _params()
    fn = _loss_fn(params)
    step = autograd.compile(fn)
    X, y = _batch()
    step(X, y)  # the trace
    _, want = _eager_grads(fn, params, X, y)
    step(X, y)[0].backward()
    first = [p.grad for p in params]
    _assert_grads(first, want)
    step(X, y)[0].backward()  # .grad is not None: added in place, as eager does
    assert all(p.grad is g for p, g in zip(params, first))
    _assert_grads(first, [2 * w for w in want])
    kept = [g.copy() for g in first]
    for p in params:
        p.grad = None  # the user keeps the arrays but hands the leaves new ones
    step(X, y)[0].backward()
    step(X, y)[0].backward()
    for g, k in zip(first, kept):
        np.testing.assert_array_equal(g, k)  # never written behind the user's back
    _assert_grads([p.grad for p in params], [2 * w for w in want])


def test_backward_twice_on_one_loss_adds_twice_as_eager():
    params = _params()
    fn = _loss_fn(params)
    step = autograd.compile(fn)
    X, y = _batch()
    step(X, y)
    _, want = _eager_grads(fn, params, X, y)
    loss, _ = step(X, y)
    loss.backward()
    loss.backward(np.array(0.5))
    _assert_grads([p.grad for p in params], [1.5 * w for w in want])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_stays_float32_through_the_tape(dtype):
    params = _params(dtype)
    step = autograd.compile(_loss_fn(params, written_out=False))
    X, y = _batch(dtype)
    for _ in range(2):
        for p in params:
            p.grad = None
        loss, scores = step(X, y)
        loss.backward()
    assert loss.dtype == dtype and scores.dtype == dtype
    assert all(p.grad.dtype == dtype for p in params)


@pytest.mark.parametrize("seed", [1.0, np.inf])
def test_relu_blocks_an_inf_gradient_exactly_as_eager(seed):
    # relu's compiled backward multiplies by the mask when the gradient is finite (fast);
    # inf * 0 would be nan where relu must give exactly 0, so such a gradient is masked
    x = Tensor(RNG.standard_normal((64, 40)), requires_grad=True)
    w = RNG.standard_normal((64, 40))
    w[::3, ::2] = np.inf  # an inf upstream gradient, also where x < 0

    def loss():
        return (x.relu() * Tensor(w)).sum() + x.relu().sum()

    step = autograd.compile(loss)
    got = []
    with np.errstate(invalid="ignore"):  # inf - inf and 0 * inf, in both engines alike
        for _ in range(3):  # trace, replay
            x.grad = None
            step().backward(np.array(seed))
            got.append(x.grad.copy())
        x.grad = None
        loss().backward(np.array(seed))
    for g in got:
        np.testing.assert_array_equal(g, x.grad)
    assert np.isnan(got[-1]).sum() == np.isnan(x.grad).sum()


def test_labels_that_look_like_the_programs_own_names_are_renamed():
    # a label may be anything: "np", "seed", "buf_x", "c3_1" or "float32" must not shadow
    # what the generated code calls by that name
    names = ["np", "seed", "buf_x", "c3_1", "float32", "full", "add_2", "g_w"]
    leaves = [Tensor(RNG.standard_normal((3, 4)), requires_grad=True, label=n) for n in names]

    def loss():
        total = leaves[0]
        for x in leaves[1:]:
            total = (total * x).relu() + x
        return total.sum()

    step = autograd.compile(loss)
    for _ in range(2):
        for x in leaves:
            x.grad = None
        step().backward()
    got = [x.grad.copy() for x in leaves]
    for x in leaves:
        x.grad = None
    loss().backward()
    _assert_grads(got, [x.grad for x in leaves])
