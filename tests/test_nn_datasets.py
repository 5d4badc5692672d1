"""Data sets: the courses' generators, scikit-learn's loaders, split and standardize."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import nn


def _course_planar_dataset():
    """deeplearning.ai's load_planar_dataset, as the course writes it (global numpy seed)."""
    state = np.random.get_state()
    try:
        np.random.seed(1)
        m, N, D, a = 400, 200, 2, 4
        X = np.zeros((m, D))
        Y = np.zeros((m, 1), dtype="uint8")
        for j in range(2):
            ix = range(N * j, N * (j + 1))
            t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
            r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
            X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
            Y[ix] = j
        return X.T, Y.T
    finally:
        np.random.set_state(state)


def test_flower_is_the_courses_data_with_samples_in_rows():
    X, y = nn.make_flower()
    X_course, Y_course = _course_planar_dataset()
    assert X.shape == (400, 2) and X.dtype == np.float64
    assert y.shape == (400,) and y.dtype == np.int64
    np.testing.assert_array_equal(X, X_course.T)
    np.testing.assert_array_equal(y, Y_course.ravel())


def test_spiral_has_k_arms_of_n_points():
    X, y = nn.make_spiral(n_per_class=50, n_classes=4, seed=3)
    assert X.shape == (200, 2) and list(np.bincount(y)) == [50] * 4
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() == pytest.approx(1.0)
    np.testing.assert_array_equal(X, nn.make_spiral(50, 4, seed=3)[0])


@pytest.mark.parametrize("make", [nn.make_moons, nn.make_circles])
def test_moons_and_circles_are_balanced_seeded_and_shuffled(make):
    X, y = make(n_samples=101, seed=2)
    assert X.shape == (101, 2) and sorted(np.bincount(y)) == [50, 51]
    np.testing.assert_array_equal(X, make(n_samples=101, seed=2)[0])
    assert not np.array_equal(X, make(n_samples=101, seed=3)[0])
    assert 0 < y[:50].mean() < 1  # shuffled, not sorted by class


def test_circles_have_the_inner_class_inside():
    X, y = nn.make_circles(400, noise=0.0, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_scikit_learn_loaders_return_float_x_and_int_y():
    X, y = nn.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))
    X, y = nn.load_breast_cancer()
    assert X.shape == (569, 30) and set(np.unique(y)) == {0, 1}


def test_loaders_name_the_extra_when_scikit_learn_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"needs scikit-learn.*gategrad\[datasets\]"):
        nn.load_digits()


def test_load_dataset_by_name():
    X, y = nn.load_dataset("flower")
    np.testing.assert_array_equal(X, nn.make_flower()[0])
    assert nn.load_dataset("spiral", seed=5)[0].shape == (300, 2)
    with pytest.raises(ValueError, match="unknown dataset 'iris'"):
        nn.load_dataset("iris")


def test_train_test_split_is_a_seeded_partition():
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20)
    X_tr, X_te, y_tr, y_te = nn.train_test_split(X, y, test_size=0.25, seed=1)
    assert len(X_te) == 5 and len(X_tr) == 15
    assert sorted(np.r_[y_tr, y_te]) == list(range(20))
    np.testing.assert_array_equal(X_tr[:, 0] / 2, y_tr)  # rows stay with their labels
    np.testing.assert_array_equal(nn.train_test_split(X, y, seed=1)[3], y_te)


def test_stratified_split_keeps_class_shares():
    X, y = nn.make_flower()
    _, _, y_tr, y_te = nn.train_test_split(X, y, test_size=0.25, stratify=True)
    assert list(np.bincount(y_te)) == [50, 50] and list(np.bincount(y_tr)) == [150, 150]


def test_train_test_split_errors():
    with pytest.raises(ValueError, match="X has 3 samples but y has 2"):
        nn.train_test_split(np.zeros((3, 1)), np.zeros(2))
    with pytest.raises(ValueError, match=r"test_size must be a finite number in \(0, 1\)"):
        nn.train_test_split(np.zeros((3, 1)), np.zeros(3), test_size=1.5)


def test_standardize_uses_the_training_statistics():
    rng = np.random.default_rng(0)
    train, test = rng.normal(5, 3, (100, 3)), rng.normal(5, 3, (20, 3))
    train[:, 2] = 7.0  # a constant column is centred, not divided by zero
    s_train, s_test = nn.standardize(train, test)
    np.testing.assert_allclose(s_train[:, :2].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(s_train[:, :2].std(axis=0), 1)
    np.testing.assert_array_equal(s_train[:, 2], 0.0)
    np.testing.assert_allclose(s_test, (test - train.mean(0)) / np.r_[train[:, :2].std(0), 1])
    assert isinstance(nn.standardize(train), np.ndarray)
    with pytest.raises(ValueError, match="array 1 has shape"):
        nn.standardize(train, np.zeros((2, 5)))
