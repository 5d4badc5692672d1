"""Data sets, offline: the courses' toy data made with numpy, and scikit-learn's loaders.

Every function returns ``X`` (N, D) float64 with samples in rows and ``y`` (N,) int64
labels ``0..K-1``. The generators take a ``seed`` and give the same data for the same seed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .init import as_generator
from .validation import boolean, check_features, positive_int, real_number

Dataset = tuple[np.ndarray, np.ndarray]
MAX_SAMPLES = 10_000_000  # 160 MB of 2-d points: refused before allocating, not after


def make_flower(m: int = 400, noise: float = 0.2, seed: int = 1) -> Dataset:
    """The deeplearning.ai planar data set (``load_planar_dataset``): a flower of two classes.

    Each class is ``m/2`` points along petals of radius ``r = 4 sin(4t)``, with the angle
    ``t`` and the radius both jittered by ``noise``. With the defaults it is the course's
    exact data (its code seeds numpy's legacy generator with 1), in rows instead of
    columns: ``X`` is (400, 2).
    """
    m = positive_int(m, "make_flower: m", MAX_SAMPLES)
    if m < 2 or m % 2:
        raise ValueError(f"make_flower: m must be an even number >= 2, got {m!r}")
    noise = real_number(noise, "make_flower: noise", 0)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) \
            or not 0 <= seed < 2**32:
        raise ValueError(f"make_flower: seed must be an int in [0, 2**32), got {seed!r:.60}")
    rng = np.random.RandomState(seed)  # the legacy generator: the course's draws, in order
    n, a = m // 2, 4
    X = np.zeros((m, 2))
    y = np.zeros(m, dtype=np.int64)
    for j in range(2):
        ix = slice(n * j, n * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + rng.randn(n) * noise
        r = a * np.sin(4 * t) + rng.randn(n) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def make_spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                seed: int | None = 0) -> Dataset:
    """cs231n's spiral: ``n_classes`` arms of ``n_per_class`` points, not linearly separable."""
    n_per_class = positive_int(n_per_class, "make_spiral: n_per_class", MAX_SAMPLES)
    n_classes = positive_int(n_classes, "make_spiral: n_classes", MAX_SAMPLES)
    if n_classes < 2:
        raise ValueError(f"make_spiral: n_classes must be >= 2, got {n_classes}")
    positive_int(n_per_class * n_classes, "make_spiral: n_per_class * n_classes", MAX_SAMPLES)
    noise = real_number(noise, "make_spiral: noise", 0)
    rng = as_generator(seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for j in range(n_classes):
        ix = slice(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1, n_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, n_per_class) + rng.standard_normal(n_per_class) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: int | None = 0) -> Dataset:
    """Two interleaving half circles (as scikit-learn's ``make_moons``)."""
    n_samples, noise = _size_and_noise("make_moons", n_samples, noise)
    rng = as_generator(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.r_[np.c_[np.cos(t_out), np.sin(t_out)],
              np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]]
    y = np.r_[np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)]
    return _shuffled(X + rng.standard_normal(X.shape) * noise, y, rng)


def make_circles(n_samples: int = 200, noise: float = 0.1, factor: float = 0.5,
                 seed: int | None = 0) -> Dataset:
    """A small circle (class 1, radius ``factor``) inside a large one (class 0, radius 1)."""
    n_samples, noise = _size_and_noise("make_circles", n_samples, noise)
    factor = real_number(factor, "make_circles: factor", 0, 1, low_open=True, high_open=True)
    rng = as_generator(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.r_[np.c_[np.cos(t_out), np.sin(t_out)],
              factor * np.c_[np.cos(t_in), np.sin(t_in)]]
    y = np.r_[np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)]
    return _shuffled(X + rng.standard_normal(X.shape) * noise, y, rng)


def _size_and_noise(who: str, n_samples: Any, noise: Any) -> tuple[int, float]:
    """Two classes need two samples at least; noise is a standard deviation."""
    n_samples = positive_int(n_samples, f"{who}: n_samples", MAX_SAMPLES)
    if n_samples < 2:
        raise ValueError(f"{who}: n_samples must be >= 2 (one per class), got {n_samples}")
    return n_samples, real_number(noise, f"{who}: noise", 0)


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Dataset:
    order = rng.permutation(len(X))
    return X[order], y[order]


def load_digits() -> Dataset:
    """scikit-learn's 8x8 handwritten digits: 1797 samples, 64 pixels (0..16), 10 classes."""
    return _sklearn("load_digits")


def load_breast_cancer() -> Dataset:
    """scikit-learn's Wisconsin breast-cancer set: 569 samples, 30 features; 1 = benign."""
    return _sklearn("load_breast_cancer")


def _sklearn(loader: str) -> Dataset:
    try:
        import sklearn.datasets  # optional: the datasets extra
    except ImportError:
        raise ImportError(f"{loader} needs scikit-learn, which is not installed: "
                          "pip install 'gategrad[datasets]'") from None
    bunch = getattr(sklearn.datasets, loader)()  # ships with scikit-learn: no download
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)


DATASETS: dict[str, Callable[..., Dataset]] = {
    "flower": make_flower, "spiral": make_spiral, "moons": make_moons,
    "circles": make_circles, "digits": load_digits, "breast_cancer": load_breast_cancer,
}


def load_dataset(name: str, seed: int | None = None) -> Dataset:
    """A data set by name (the keys of ``DATASETS``); ``seed`` for the generated ones
    (None: each generator's default, e.g. the course's own flower)."""
    try:
        make = DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(DATASETS)}") from None
    if seed is None or name in ("digits", "breast_cancer"):
        return make()
    return make(seed=seed)


def standardize(X_train: np.ndarray, *others: np.ndarray) -> Any:
    """Scale every column to mean 0 and std 1 using ``X_train``'s statistics.

    Returns ``X_train`` scaled, or the tuple ``(X_train, *others)`` all scaled with the
    training set's mean and std when more arrays are given (a test set must not leak into
    them). A constant column (e.g. an always-blank pixel) is centred but not divided.
    """
    X_train = check_features(X_train, np.shape(X_train)[-1] if np.ndim(X_train) else 0,
                             "standardize: X_train")
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    scaled = []
    for i, X in enumerate((X_train, *others)):
        X = check_features(X, X_train.shape[1], f"standardize: array {i}")
        scaled.append((X - mean) / std)
    return scaled[0] if not others else tuple(scaled)


def train_test_split(X: Any, y: Any, test_size: float = 0.25, seed: int | None = 0,
                     stratify: bool = False) -> tuple[np.ndarray, ...]:
    """``X_train, X_test, y_train, y_test`` after a seeded shuffle (scikit-learn's order).

    ``test_size`` is a fraction in (0, 1). With ``stratify=True`` every class keeps its
    share in both parts.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim != 1:
        raise ValueError(f"train_test_split: X must have samples in rows and y be 1-d, got "
                         f"shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} samples but y has {len(y)}")
    real_number(test_size, "train_test_split: test_size", 0, 1, low_open=True,
                high_open=True)
    boolean(stratify, "train_test_split: stratify")
    rng = as_generator(seed)
    if stratify:
        chosen: list[np.ndarray] = []
        for label in np.unique(y):
            members = rng.permutation(np.flatnonzero(y == label))
            chosen.append(members[:int(round(len(members) * test_size))])
        in_test = np.sort(np.concatenate([np.empty(0, np.int64), *chosen]).astype(np.int64))
        train = rng.permutation(np.setdiff1d(np.arange(len(y)), in_test))
        test = rng.permutation(in_test)
    else:
        order = rng.permutation(len(X))
        n_test = int(np.ceil(len(X) * test_size))
        test, train = order[:n_test], order[n_test:]
    if len(train) == 0 or len(test) == 0:
        raise ValueError(f"train_test_split: {len(X)} samples leave an empty part with "
                         f"test_size={test_size}")
    return X[train], X[test], y[train], y[test]
