"""The micrograd-style MLP on scalar Values."""

from __future__ import annotations

import pytest

import nn
from autograd import Value


def test_mlp_takes_floats_or_values_and_returns_one_value_for_one_output():
    mlp = nn.MLP(3, [4, 4, 1], seed=0)
    out_floats = mlp([1.0, -2.0, 0.5])
    out_values = mlp([Value(1.0), Value(-2.0), Value(0.5)])
    assert isinstance(out_floats, Value) and out_floats.data == out_values.data
    assert len(nn.MLP(3, [4, 2], seed=0)([1.0, 2.0, 3.0])) == 2


def test_mlp_has_micrograds_parameter_count_and_layout():
    mlp = nn.MLP(2, [16, 16, 1], seed=0)
    assert len(mlp.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
    assert [n.nonlin for layer in mlp.layers for n in layer.neurons[:1]] == [True, True, False]
    # parameters() (fast path) and named_parameters() (the Module walk) agree on order
    assert mlp.parameters() == [p for _, p in mlp.named_parameters()]


def test_backward_reaches_every_input_and_weight():
    mlp = nn.MLP(2, [3, 1], seed=1)
    x = [Value(0.5), Value(-1.5)]
    out = mlp(x)
    out.backward()
    h = [n(x) for n in mlp.layers[0].neurons]
    assert all(isinstance(p.grad, float) for p in mlp.parameters())
    assert mlp.layers[1].neurons[0].b.grad == 1.0  # d out / d b of the linear output unit
    assert [w.grad for w in mlp.layers[1].neurons[0].w] == [hi.data for hi in h]


def test_a_wrong_number_of_inputs_is_an_error_not_a_silent_truncation():
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        nn.MLP(2, [1])([1.0, 2.0, 3.0])


@pytest.mark.parametrize("nin,nouts", [(0, [1]), (2, []), (2, [3, 0]), (2.0, [1])])
def test_bad_sizes_are_rejected(nin, nouts):
    with pytest.raises(ValueError, match="MLP"):
        nn.MLP(nin, nouts)


def test_training_the_scalar_mlp_with_sgd_lowers_micrograds_hinge_loss():
    X, y = nn.make_moons(30, seed=0)
    targets = [1.0 if label else -1.0 for label in y]
    mlp = nn.MLP(2, [8, 1], seed=0)
    opt = nn.SGD(mlp.parameters(), lr=0.05)
    losses = []
    for _ in range(15):
        scores = [mlp(row) for row in X.tolist()]
        loss = sum((1 + -t * s).relu() for t, s in zip(targets, scores)) * (1 / len(scores))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    assert losses[-1] < losses[0]
