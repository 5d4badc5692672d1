"""Every public constructor and function in nn refuses a bad argument with an error that
names it, before allocating anything: wrong types, bools as ints, nan, negative and huge
sizes."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.init import as_generator

NAN = float("nan")


def _logits(*shape: int) -> Tensor:
    return Tensor(np.zeros(shape), requires_grad=True)


def _params():
    return nn.Linear(2, 2).parameters()


BAD_CALLS = [
    (lambda: nn.TwoLayerNet(2, 4, 3, seed=-1), ValueError, "seed must be an int >= 0"),
    (lambda: nn.TwoLayerNet(2, 4, 3, seed=2.5), TypeError, "seed must be an int"),
    (lambda: nn.TwoLayerNet(2, True, 3), ValueError, "n_hidden must be a positive int"),
    (lambda: nn.TwoLayerNet(2, 10**6, 10**6), ValueError, "the weight's size is"),
    (lambda: nn.LogisticRegression(3, seed=-5), ValueError, "seed must be an int >= 0"),
    (lambda: as_generator(-1), ValueError, "seed must be an int >= 0"),
    (lambda: nn.Linear(2, 2, name=3), TypeError, "name must be a str"),
    (lambda: nn.MLP(2, np.array([[3, 1]])), ValueError, "nouts must be a non-empty list"),
    (lambda: nn.MLP(2, []), ValueError, "nouts must be a non-empty list"),
    (lambda: nn.MLP(2, [3, 0]), ValueError, "each of nouts must be a positive int"),
    (lambda: nn.MLP(2, [10**5, 10**5]), ValueError, "MLP: its parameters is"),
    (lambda: nn.MLP(2, [3], seed="x"), TypeError, "seed must be an int"),
    (lambda: nn.Neuron(-1), ValueError, "Neuron: nin must be a positive int"),
    (lambda: nn.Neuron(2, nonlin="no"), TypeError, "nonlin must be True or False"),
    (lambda: nn.Layer(2, 0), ValueError, "Layer: nout must be a positive int"),
    (lambda: nn.make_moons(n_samples=-3), ValueError, "n_samples must be a positive int, got -3"),
    (lambda: nn.make_moons(0), ValueError, "n_samples must be a positive int, got 0"),
    (lambda: nn.make_moons(1), ValueError, "n_samples must be >= 2"),
    (lambda: nn.make_moons(10**12), ValueError, "over the limit"),
    (lambda: nn.make_moons(noise=NAN), ValueError, "make_moons: noise must be a finite"),
    (lambda: nn.make_moons(noise=-0.1), ValueError, "make_moons: noise"),
    (lambda: nn.make_moons(50.5), ValueError, "n_samples must be a positive int"),
    (lambda: nn.make_moons(seed=-1), ValueError, "seed must be an int >= 0"),
    (lambda: nn.make_circles(factor=NAN), ValueError, "factor must be a finite number"),
    (lambda: nn.make_circles(noise=float("inf")), ValueError, "make_circles: noise"),
    (lambda: nn.make_spiral(2.5), ValueError, "n_per_class must be a positive int"),
    (lambda: nn.make_spiral(10, True), ValueError, "n_classes must be a positive int"),
    (lambda: nn.make_spiral(10**6, 10**6), ValueError, "over the limit"),
    (lambda: nn.make_spiral(noise=NAN), ValueError, "make_spiral: noise"),
    (lambda: nn.make_flower(400.0), ValueError, "m must be a positive int"),
    (lambda: nn.make_flower(seed=-1), ValueError, "make_flower: seed must be an int"),
    (lambda: nn.make_flower(noise=NAN), ValueError, "make_flower: noise"),
    (lambda: nn.train_test_split(np.zeros((10, 2)), np.zeros(10), NAN), ValueError,
     "test_size must be a finite number"),
    (lambda: nn.train_test_split(np.zeros((10, 2)), np.zeros(10), True), ValueError,
     "test_size"),
    (lambda: nn.train_test_split(np.zeros((10, 2)), np.zeros(10), stratify="yes"), TypeError,
     "stratify must be True or False"),
    (lambda: nn.standardize(np.array([[1.0, NAN]])), ValueError, "non-finite value"),
    (lambda: nn.standardize(np.zeros((3, 2)), np.zeros((3, 3))), ValueError,
     "standardize: array 1 has shape"),
    (lambda: nn.SGD(_params(), momentum=NAN), ValueError, "momentum must be a finite"),
    (lambda: nn.SGD(_params(), momentum=True), ValueError, "momentum"),
    (lambda: nn.Adam(_params(), betas=(0.9,)), ValueError, "betas must be a pair"),
    (lambda: nn.Adam(_params(), betas=(0.9, NAN)), ValueError, "betas"),
    (lambda: nn.l2_regularization([], NAN), ValueError, "reg must be a finite"),
    (lambda: nn.load("nowhere", max_parameters=True), ValueError, "max_parameters"),
    (lambda: nn.binary_cross_entropy_with_logits(_logits(4), np.zeros(1)), ValueError,
     r"y must be numbers of the logits' shape \(4,\), got float64 of shape \(1,\)"),
    (lambda: nn.binary_cross_entropy_with_logits(_logits(2), np.array([0, 2])), ValueError,
     r"y must be in \[0, 1\]"),
    (lambda: nn.multiclass_svm(_logits(4, 3), np.zeros(2, int)), ValueError,
     "do not match in length"),
    (lambda: nn.multiclass_svm(_logits(2, 3), np.array([0, 3])), ValueError,
     "y\\[1\\] = 3 is not a valid label"),
    (lambda: nn.multiclass_svm(_logits(2, 3), np.array([0, 1]), delta=NAN), ValueError,
     "delta must be a finite"),
]


@pytest.mark.parametrize(("call", "kind", "message"), BAD_CALLS,
                         ids=[m for _, _, m in BAD_CALLS])
def test_a_bad_argument_is_a_clear_error(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_fit_refuses_a_non_boolean_verbose():
    X, y = nn.make_moons(20)
    with pytest.raises(TypeError, match="verbose must be True or False"):
        nn.TwoLayerNet(2, 3, 2).fit(X, y, epochs=1, verbose="quiet")


def test_an_mlp_takes_its_sizes_from_any_sequence():
    assert nn.MLP(2, np.array([3, 1]), seed=0).nouts == [3, 1]
    assert nn.MLP(2, (3, 1), seed=np.int64(0)).nouts == [3, 1]
