"""Weight initialization: the course's small random numbers, Xavier and He, zeros, large.

Every initializer takes the weight's shape ``(n_in, n_out)`` and a numpy ``Generator``,
so a model built from one seed is the same model every time. Biases start at zero in
every scheme: the random weights alone break the symmetry between hidden units.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Initializer = Callable[[tuple[int, int], np.random.Generator], np.ndarray]


def small_random(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """``randn * 0.01``, the course's default: small enough to keep tanh/sigmoid unsaturated."""
    return rng.standard_normal(shape) * 0.01


def xavier(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Glorot normal, std ``sqrt(2 / (n_in + n_out))``: keeps tanh/sigmoid layers' variance."""
    n_in, n_out = shape
    return rng.standard_normal(shape) * np.sqrt(2.0 / (n_in + n_out))


def he(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """He normal, std ``sqrt(2 / n_in)``: relu zeroes half its inputs, so twice Xavier's."""
    return rng.standard_normal(shape) * np.sqrt(2.0 / shape[0])


def zeros(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """All zeros. Every hidden unit then computes the same thing and gets the same gradient,
    so they stay identical forever: the symmetry the course warns about. For demos only."""
    return np.zeros(shape)


def large(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """``randn * 10``, the course's counter-example: tanh/sigmoid units start saturated, their
    local derivatives near 0, so the gradients vanish. For demos (the training report shows
    it in the per-layer gradient norms)."""
    return rng.standard_normal(shape) * 10.0


INITIALIZERS: dict[str, Initializer] = {
    "small": small_random, "xavier": xavier, "he": he, "zeros": zeros, "large": large,
}


def get_initializer(name: str | Initializer) -> Initializer:
    """The initializer called ``name`` (or ``name`` itself when it is already a function)."""
    if callable(name):
        return name
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown init {name!r}; choose one of {sorted(INITIALIZERS)} "
                         "or pass a function (shape, rng) -> array") from None


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A numpy Generator from a seed (an int), an existing Generator, or None (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed must be an int, a numpy Generator or None, got "
                        f"{type(seed).__name__}: {seed!r:.60}")
    if seed is not None and seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed}")
    return np.random.default_rng(seed)
