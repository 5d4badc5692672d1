"""Hypothesis strategies for the Tensor tests: shapes, broadcastable pairs, bounded arrays.

Everything is kept small (at most 4 dimensions, at most 4 per dimension) so that the
central differences of ``gradcheck`` stay cheap.
"""

from __future__ import annotations

import numpy as np
from conftest import floats
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_DIMS = 4
MAX_SIDE = 4


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 1,
           max_side: int = MAX_SIDE) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes from 0-d (a scalar array) to 4-d."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


@st.composite
def broadcastable_pairs(draw, max_dims: int = MAX_DIMS, max_side: int = MAX_SIDE):
    """Two shapes that broadcast together, with size-1 dims and missing leading dims.

    Returns ``(shape_a, shape_b, result_shape)``.
    """
    result = draw(shapes(min_dims=0, max_dims=max_dims, max_side=max_side))
    pair = []
    for _ in range(2):
        drop = draw(st.integers(0, len(result)))  # missing leading dims
        own = []
        for n in result[drop:]:
            own.append(1 if draw(st.booleans()) and draw(st.booleans()) else n)
        pair.append(tuple(own))
    return pair[0], pair[1], np.broadcast_shapes(pair[0], pair[1])


def away_from_zero(lo: float = 0.1, hi: float = 3.0) -> st.SearchStrategy[float]:
    """Finite floats with ``lo <= |x| <= hi``, both signs."""
    return st.tuples(st.sampled_from([-1.0, 1.0]), floats(lo, hi)).map(lambda t: t[0] * t[1])


def arrays(shape, elements: st.SearchStrategy[float] | None = None, dtype=np.float64):
    """float64 arrays of ``shape`` with finite, bounded values (default in [-3, 3])."""
    return hnp.arrays(dtype, shape, elements=floats() if elements is None else elements)


def positive_arrays(shape, lo: float = 0.2, hi: float = 3.0):
    return arrays(shape, floats(lo, hi))


def nonzero_arrays(shape, lo: float = 0.1, hi: float = 3.0):
    return arrays(shape, away_from_zero(lo, hi))


@st.composite
def distinct_arrays(draw, shape):
    """Arrays whose values are pairwise at least 0.3 apart (no ties for max)."""
    size = int(np.prod(shape, dtype=int))
    order = draw(st.permutations(list(range(size))))
    noise = draw(hnp.arrays(np.float64, (size,), elements=floats(-0.1, 0.1)))
    base = draw(floats(-2.0, 2.0))
    values = base + 0.5 * np.asarray(order, dtype=np.float64) + noise
    return values.reshape(shape)


@st.composite
def grid_arrays(draw, shape, offset: float):
    """Values ``0.5 k + offset + noise`` with ``|noise| <= 0.1``: two such arrays with
    offsets differing by 0.25 never come closer than 0.05 (no ties for maximum/minimum)."""
    k = draw(hnp.arrays(np.int64, shape, elements=st.integers(-6, 6)))
    noise = draw(hnp.arrays(np.float64, shape, elements=floats(-0.1, 0.1)))
    return 0.5 * k + offset + noise


# -- small helpers shared by the Tensor test files (no hypothesis) ---------------------


def sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting by brute force: every element of ``grad`` is added to the input
    element it was broadcast from (found by broadcasting that input's flat indices)."""
    size = int(np.prod(shape, dtype=int))
    source = np.broadcast_to(np.arange(size).reshape(shape), grad.shape)
    out = np.bincount(source.ravel(), weights=np.asarray(grad, dtype=np.float64).ravel(),
                      minlength=size)
    return out.reshape(shape)


def numerical_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar function ``f`` (numpy in, float out) at ``x``."""
    x = np.array(x, dtype=np.float64)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        hi = f(x)
        x[idx] = old - eps
        lo = f(x)
        x[idx] = old
        out[idx] = (hi - lo) / (2 * eps)
    return out


def check_gradients(fn, inputs) -> bool:
    """``autograd.gradcheck`` of ``fn`` on ``inputs``.

    A one-element output that is not 0-d is reshaped to ``()`` first: gradcheck itself
    fails on such outputs (see ``test_gradcheck_one_element_non_scalar_output`` in
    test_tensor_higher_order.py), and the gate tests should report gate errors only.
    """
    from autograd import gradcheck

    def scalar_safe(*args):
        out = fn(*args)
        return out.reshape(()) if out.size == 1 and out.ndim else out

    return gradcheck(scalar_safe, inputs)
