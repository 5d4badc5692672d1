"""Models built on autograd: logistic regression, the two-layer net, the scalar MLP.

``import nn`` needs numpy and tqdm only; matplotlib (plots) and scikit-learn (the digits
and breast-cancer loaders) are imported inside the functions that use them.
"""

from .datasets import (
    load_breast_cancer,
    load_dataset,
    load_digits,
    make_circles,
    make_flower,
    make_moons,
    make_spiral,
    standardize,
    train_test_split,
)
from .layers import Linear, ReLU, Sequential, Sigmoid, Tanh
from .loading import load
from .losses import (
    binary_cross_entropy_with_logits,
    l2_regularization,
    multiclass_svm,
    softmax_cross_entropy,
)
from .models import Classifier, LinearClassifier, LogisticRegression, TwoLayerNet
from .module import Module
from .optim import SGD, Adam, Optimizer
from .scalar_mlp import MLP, Layer, Neuron
from .train import History, NonFiniteLossError

__all__ = [
    "Module", "load", "Linear", "ReLU", "Tanh", "Sigmoid", "Sequential",
    "binary_cross_entropy_with_logits", "softmax_cross_entropy", "multiclass_svm",
    "l2_regularization",
    "Classifier", "LogisticRegression", "LinearClassifier", "TwoLayerNet", "MLP", "Layer", "Neuron",
    "Optimizer", "SGD", "Adam", "History", "NonFiniteLossError",
    "make_flower", "make_spiral", "make_moons", "make_circles", "load_digits",
    "load_breast_cancer", "load_dataset", "standardize", "train_test_split",
]
