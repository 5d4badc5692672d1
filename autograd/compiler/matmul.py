"""Recognizing matrix products in a scalar graph: sums of products over one index pattern.

A layer of neurons on a batch, written with scalars, is ``R * S`` sums (neuron ``r``,
sample ``s``), each ``b[r, s] + w[r, 0]*x[0, s] + ... + w[r, K-1]*x[K-1, s]``: the matrix
product ``W @ X`` plus a bias. Gathering the ``R*S*K`` products by index and scattering
their gradients back costs many times the one matmul (and, backward, the two) that
compute the same numbers. This module finds such sums among the k-ary sums of a level.

What counts: every product term is a ``mul`` node read by its sum alone (so nothing else
needs its value), and the operands factor exactly, ``{w[r, j], x[j, s]}`` for the sum at
``(r, s)`` and term ``j``, over a full grid of ``R`` rows and ``S`` columns. The operand
order of each product may vary (``w*x`` or ``x*w``); weights may be shared (the same node
at several places of ``W``); the first term of every sum may be a bias instead of a
product. Anything else (a missing sum, a product read elsewhere, terms of another index
pattern) is left to the general path, which is always right: the factorization is built
from the operands themselves, so a match is correct by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_TERMS = 2  # products per sum: a dot of one term is a plain multiply
MIN_SUMS = 2  # sums in a pattern: one dot product alone gains nothing


@dataclass
class Dot:
    """``out[r, s] = bias[r, s] + Σ_j w[r, j] * x[j, s]``, all entries node indices."""

    out: np.ndarray  # (R, S): the sums
    w: np.ndarray  # (R, K)
    x: np.ndarray  # (K, S)
    bias: np.ndarray | None  # (R, S): each sum's first term, or None (all terms products)
    products: np.ndarray  # the absorbed product nodes (no slot, never computed)

    def permute(self, rows: np.ndarray, cols: np.ndarray) -> None:
        """Reorder the rows and columns of the product (the layout's choice)."""
        self.out = self.out[rows][:, cols]
        self.w = self.w[rows]
        self.x = self.x[:, cols]
        if self.bias is not None:
            self.bias = self.bias[rows][:, cols]


def find_dots(sums: list, terms: dict, op0: np.ndarray, op1: np.ndarray,
              absorbable: np.ndarray) -> list[Dot]:
    """The matrix products among ``sums`` (node indices of k-ary sums with ``k`` terms each).

    ``op0[n]``, ``op1[n]``: the operands of node ``n`` when it is a ``mul``;
    ``absorbable[n]``: whether ``n`` is a ``mul`` read only by its sum (and not a guard, an
    output or the loss). Sums left out of every returned ``Dot`` stay plain sums.
    """
    if not sums:
        return []
    table = np.array([terms[i] for i in sums], dtype=np.intp)  # (m, k)
    if table.shape[1] > MIN_TERMS and absorbable[table[:, 0]].all():
        dots = _factor(np.array(sums), table, None, op0, op1, absorbable)
        if dots:
            return dots
    if table.shape[1] - 1 < MIN_TERMS:
        return []
    return _factor(np.array(sums), table[:, 1:], table[:, 0], op0, op1, absorbable)


def _factor(sums: np.ndarray, products: np.ndarray, bias: np.ndarray | None,
            op0: np.ndarray, op1: np.ndarray, absorbable: np.ndarray) -> list[Dot]:
    ok = absorbable[products].all(axis=1)  # sums whose every product may be absorbed
    if not ok.all():
        sums, products = sums[ok], products[ok]
        bias = None if bias is None else bias[ok]
    if len(sums) < MIN_SUMS:
        return []
    a, b = op0[products], op1[products]  # (m, K) each
    best: list[Dot] = []

    def merit(dots: list) -> tuple:  # most sums covered, in the fewest products
        return sum(d.out.size for d in dots), -len(dots)

    for w, x in _orientations(a, b):
        dots = _grids(sums, products, bias, w, x)
        if merit(dots) > merit(best):
            best = dots
    return best


def _orientations(a: np.ndarray, b: np.ndarray):  # noqa: ANN202 (a generator of pairs)
    """Candidate (weight, input) operand tables: as written, then by operand counts.

    For products written in mixed order (``w*x`` here, ``x*w`` there), each column ``j``
    of a true pattern reads every ``w[r, j]`` in ``S`` products and every ``x[j, s]`` in
    ``R``: putting the operand seen more often first sorts a mixed column consistently
    (when ``R != S``; otherwise the first orientation is all there is).
    """
    yield a, b
    both = np.stack([a, b])  # (2, m, K)
    k = a.shape[1]
    keys = both * k + np.arange(k)  # (node, column) pairs, one integer each
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    seen = counts[inverse.reshape(both.shape)]
    swap = seen[1] > seen[0]
    if swap.any() and not swap.all():
        yield np.where(swap, b, a), np.where(swap, a, b)


def _grids(sums: np.ndarray, products: np.ndarray, bias: np.ndarray | None,
           w: np.ndarray, x: np.ndarray) -> list[Dot]:
    """The full grids among the sums: rows are distinct weight tuples, columns input ones."""
    rows_w, row = np.unique(w, axis=0, return_inverse=True)
    cols_x, col = np.unique(x, axis=0, return_inverse=True)
    row, col = row.ravel(), col.ravel()
    n_rows = len(rows_w)
    # Components of the bipartite graph rows - columns (one edge per sum): a layer on a
    # batch is one component; sums of other patterns at the same level are others.
    parent = list(range(n_rows + len(cols_x)))

    def find(u: int) -> int:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for r, c in zip(row.tolist(), col.tolist()):
        ru, cu = find(r), find(n_rows + c)
        if ru != cu:
            parent[ru] = cu
    component = np.array([find(r) for r in row.tolist()])
    dots = []
    for comp in np.unique(component):
        members = np.flatnonzero(component == comp)
        r_ids, r_at = np.unique(row[members], return_inverse=True)
        c_ids, c_at = np.unique(col[members], return_inverse=True)
        n_r, n_c = len(r_ids), len(c_ids)
        if n_r * n_c != len(members) or len(members) < MIN_SUMS:
            continue  # not a full grid
        cell = r_at.ravel() * n_c + c_at.ravel()
        if len(np.unique(cell)) != len(members):
            continue  # two sums of the same row and column: not one product
        order = np.argsort(cell)
        picked = members[order]
        dots.append(Dot(out=sums[picked].reshape(n_r, n_c), w=rows_w[r_ids],
                        x=cols_x[c_ids].T.copy(),
                        bias=None if bias is None else bias[picked].reshape(n_r, n_c),
                        products=products[members].ravel()))
    return dots
