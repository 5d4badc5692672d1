"""Initializers: scale, reproducibility, and the symmetry that zero initialization keeps."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn.init import he, small_random, xavier


@pytest.mark.parametrize("init,std", [
    (small_random, 0.01), (xavier, np.sqrt(2 / (400 + 600))), (he, np.sqrt(2 / 400)),
])
def test_initializers_have_their_standard_deviation(init, std):
    w = init((400, 600), np.random.default_rng(0))
    assert w.shape == (400, 600)
    assert w.std() == pytest.approx(std, rel=0.02) and abs(w.mean()) < std / 50


def test_a_seed_makes_a_model_reproducible():
    a = nn.TwoLayerNet(3, 5, 2, init="xavier", seed=7)
    b = nn.TwoLayerNet(3, 5, 2, init="xavier", seed=7)
    c = nn.TwoLayerNet(3, 5, 2, init="xavier", seed=8)
    np.testing.assert_array_equal(a.fc1.weight.data, b.fc1.weight.data)
    np.testing.assert_array_equal(a.fc2.weight.data, b.fc2.weight.data)
    assert not np.array_equal(a.fc1.weight.data, c.fc1.weight.data)
    assert nn.MLP(2, [3, 1], seed=1).parameters()[0].data == \
        nn.MLP(2, [3, 1], seed=1).parameters()[0].data


def test_seed_must_be_an_int_or_generator():
    with pytest.raises(TypeError, match="seed must be an int"):
        nn.TwoLayerNet(2, 2, 2, seed="1")


def test_an_initializer_can_be_a_function():
    net = nn.TwoLayerNet(2, 3, 2, init=lambda shape, rng: np.full(shape, 0.5))
    np.testing.assert_array_equal(net.fc1.weight.data, 0.5)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_zero_init_keeps_every_hidden_unit_identical_and_random_init_breaks_it(activation):
    """The course's warning: with equal weights every hidden unit computes the same thing,
    gets the same gradient, and stays the same as the others however long it trains."""
    X, y = nn.make_flower()
    zero = nn.TwoLayerNet(2, 4, 1, activation=activation, loss="bce", init="zeros")
    zero.fit(X, y, epochs=20, lr=1.2, verbose=False)
    W1, W2 = zero.fc1.weight.data, zero.fc2.weight.data
    for unit in range(1, 4):  # every hidden unit (a column of W1) equals the first
        np.testing.assert_array_equal(W1[:, unit], W1[:, 0])
        np.testing.assert_array_equal(W2[unit], W2[0])
    np.testing.assert_array_equal(zero.fc1.bias.data, zero.fc1.bias.data[0])
    if activation == "sigmoid":  # σ(0) = 1/2 ≠ 0: the weights did move, all together
        assert np.abs(W1).max() > 0 and np.abs(W2).max() > 0

    rand = nn.TwoLayerNet(2, 4, 1, activation=activation, loss="bce", init="small", seed=0)
    rand.fit(X, y, epochs=20, lr=1.2, verbose=False)
    W1 = rand.fc1.weight.data
    assert all(not np.allclose(W1[:, unit], W1[:, 0]) for unit in range(1, 4))
