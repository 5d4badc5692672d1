"""SGD (with momentum) and Adam: the update formulas, in-place updates, Values and errors."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, Value


def _param(values) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_sgd_is_p_minus_lr_grad_in_place():
    p = _param([1.0, 2.0])
    array = p.data
    p.grad = np.array([0.5, -1.0])
    nn.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, 2.1])
    assert p.data is array  # the same array object, updated in place


def test_sgd_with_momentum_follows_the_velocity_formula():
    p = _param([1.0])
    opt = nn.SGD([p], lr=0.1, momentum=0.9)
    v, x = 0.0, 1.0
    for g in (1.0, 2.0, -1.0):
        p.grad = np.array([g])
        opt.step()
        v = 0.9 * v - 0.1 * g
        x += v
        assert p.data[0] == pytest.approx(x)


def test_adam_matches_the_paper():
    p = _param([1.0, -2.0])
    opt = nn.Adam([p], lr=0.01)
    m = v = np.zeros(2)
    x = np.array([1.0, -2.0])
    for t, g in enumerate(([0.3, -0.1], [0.2, 0.4], [-0.5, 0.1]), start=1):
        g = np.array(g)
        p.grad = g.copy()
        opt.step()
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        x = x - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        np.testing.assert_allclose(p.data, x, rtol=1e-6)


@pytest.mark.parametrize("make", [lambda ps: nn.SGD(ps, 0.1), lambda ps: nn.SGD(ps, 0.1, 0.9),
                                  lambda ps: nn.Adam(ps, 0.1)])
def test_optimizers_update_value_parameters_too(make):
    a, b = Value(1.0), Value(-1.0)
    opt = make([a, b])
    for _ in range(50):
        opt.zero_grad()
        loss = (a - 3) ** 2 + (b + 2) ** 2
        loss.backward()
        opt.step()
    assert a.data == pytest.approx(3.0, abs=0.3) and b.data == pytest.approx(-2.0, abs=0.3)


def test_a_parameter_without_gradient_is_skipped():
    used, unused = _param([1.0]), _param([5.0])
    used.grad = np.array([1.0])
    nn.Adam([used, unused], lr=0.1).step()
    assert unused.data[0] == 5.0 and used.data[0] < 1.0


def test_zero_grad_clears():
    p, v = _param([1.0]), Value(2.0)
    p.grad, v.grad = np.ones(1), 3.0
    nn.SGD([p, v]).zero_grad()
    assert p.grad is None and v.grad == 0.0


def test_bad_arguments_are_named():
    p = _param([1.0])
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got -1"):
        nn.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="momentum must be a finite number in"):
        nn.SGD([p], momentum=1.5)
    with pytest.raises(ValueError, match="betas"):
        nn.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="empty"):
        nn.SGD([])
    with pytest.raises(TypeError, match="parameter 0 is a Tensor that does not require grad"):
        nn.SGD([Tensor([1.0])])
