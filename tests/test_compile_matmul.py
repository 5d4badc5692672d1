"""Sums of products over one index pattern compile to a matrix product, and only those.

A layer of scalar neurons on a batch (``z[r, s] = b[r] + Σ_j w[r, j] * x[j, s]``) becomes
``np.matmul`` in the compiled program; irregular patterns keep the general path. Either
way the compiled step must give eager's loss (to a few roundings: a matrix product adds
in its own order) and eager's gradients (within 1e-12 of the largest), over several calls
with the leaves changing between them.
"""

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.compiler.matmul import find_dots

STEPS = 3


def _layer(w, x, bias, flip):
    """The R × S sums ``bias[r] + Σ_j w[r][j] * x[j][s]`` (``flip[r][s][j]``: write x*w)."""
    out = []
    for r, row in enumerate(w):
        for s in range(len(x[0])):
            terms = [x[j][s] * wj if flip[r][s][j] else wj * x[j][s] for j, wj in enumerate(row)]
            out.append(sum(terms, bias[r]) if bias is not None else sum(terms[1:], terms[0]))
    return out


def _compare(fn, leaves, args=()):
    """Compiled and eager over STEPS calls, the leaves moving between calls."""
    step = autograd.compile(fn, vectorize=True)
    for k in range(STEPS):
        for n in leaves:
            n.grad = 0.0
        got = step(*args)
        got.backward()
        got_grads = np.array([n.grad for n in leaves])
        for n in leaves:
            n.grad = 0.0
        want = fn(*args)
        want.backward()
        want_grads = np.array([n.grad for n in leaves])
        np.testing.assert_allclose(got.data, want.data, rtol=1e-13, atol=1e-13)
        scale = max(np.abs(want_grads).max(), 1e-300)
        np.testing.assert_allclose(got_grads, want_grads, rtol=0, atol=1e-12 * scale)
        for i, n in enumerate(leaves):
            n.data = n.data * 0.9 + 0.05 * ((i + k) % 3 - 1)
    return step


def _matrix(draw, rows, cols, label):
    values = draw(st.lists(st.floats(-2, 2), min_size=rows * cols, max_size=rows * cols))
    return [[Value(values[r * cols + c], f"{label}{r}{c}") for c in range(cols)]
            for r in range(rows)]


def _mixed_loss(sums):
    # Each sum enters the loss differently (a product with a leaf), so no symmetry hides
    # a gradient sent to the wrong place. Smooth (tanh, not relu): a sum that is exactly
    # 0 in eager's order may be a rounding away from 0 in a matmul's, which at relu's
    # kink would send the gradient of the other side.
    return sum(((z * (0.5 + 0.1 * i)).tanh() for i, z in enumerate(sums)), Value(0.0))


@st.composite
def layers(draw):
    """A layer on a batch: sizes, weights, inputs, biases or not, operand order."""
    n_rows, inner, n_cols = draw(st.integers(1, 4)), draw(st.integers(2, 4)), \
        draw(st.integers(1, 4))
    if n_rows * n_cols < 2:
        n_cols = 2
    w = _matrix(draw, n_rows, inner, "w")
    x = _matrix(draw, inner, n_cols, "x")
    bias = [Value(b, "b") for b in draw(st.lists(st.floats(-1, 1), min_size=n_rows,
                                                  max_size=n_rows))] \
        if draw(st.booleans()) else None
    order = draw(st.sampled_from(["w*x", "x*w", "mixed"]))
    flip = [[[order == "x*w" or order == "mixed" and draw(st.booleans())
              for _ in range(inner)] for _ in range(n_cols)] for _ in range(n_rows)]
    return w, x, bias, flip, order


@settings(max_examples=60, deadline=None)
@given(layers())
def test_a_layer_on_a_batch_is_one_matmul(layer):
    w, x, bias, flip, order = layer
    leaves = [v for row in w + x for v in row] + (bias or [])
    step = _compare(lambda: _mixed_loss(_layer(w, x, bias, flip)), leaves)
    # Mixed operand order is sorted out by how often each operand is read, which tells
    # weights from inputs unless the grid is square. Two products and no bias are one
    # add, not a chain: nothing to recognize.
    chain = bias is not None or len(x) > 2
    matched = _matched_sums(step)  # (each checked exact)
    if chain and (order != "mixed" or len(w) != len(x[0])):
        assert step.source.count("np.matmul(") == 1, step.source
        assert matched == len(w) * len(x[0])
    elif not chain:
        assert matched == 0


@settings(max_examples=40, deadline=None)
@given(layers(), st.data())
def test_shared_weights_still_one_matmul(layer, data):
    # The same weight node at several places of W (tied neurons, a repeated weight):
    # its gradient is the sum over every place.
    w, x, bias, flip, _ = layer
    cells = [(r, j) for r in range(len(w)) for j in range(len(w[0]))]
    src, dst = data.draw(st.sampled_from(cells)), data.draw(st.sampled_from(cells))
    w[dst[0]][dst[1]] = w[src[0]][src[1]]
    flip = [[[False] * len(x) for _ in x[0]] for _ in w]
    distinct = {tuple(map(id, row)) for row in w}
    leaves = list({id(v): v for row in w + x for v in row}.values()) + (bias or [])
    step = _compare(lambda: _mixed_loss(_layer(w, x, bias, flip)), leaves)
    # Two identical rows would be the same sums twice; two products and no bias are one
    # add, not a chain.
    if len(distinct) == len(w) and (bias is not None or len(x) > 2):
        assert step.source.count("np.matmul(") == 1, step.source
        assert _matched_sums(step) == len(w) * len(x[0])


def _grid(n_rows=3, inner=3, n_cols=4):
    w = [[Value(0.1 * (r + 1) - 0.07 * j, "w") for j in range(inner)] for r in range(n_rows)]
    x = [[Value(0.2 * s - 0.1 * j + 0.05, "x") for s in range(n_cols)] for j in range(inner)]
    b = [Value(0.01 * r, "b") for r in range(n_rows)]
    return w, x, b, [v for row in w + x for v in row] + b


@st.composite
def broken_grids(draw):
    """A layer on a batch with one flaw: a sum left out, a product also read elsewhere,
    or one term reading another sample's input."""
    flaw = draw(st.sampled_from(["missing", "read elsewhere", "other sample"]))
    n_rows, inner = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    n_cols = draw(st.integers(2 if flaw == "other sample" else 1, 4))
    if n_rows * n_cols < 2:
        n_rows = 2
    cell = draw(st.integers(0, n_rows - 1)), draw(st.integers(0, n_cols - 1))
    j = draw(st.integers(0, inner - 1))
    w = _matrix(draw, n_rows, inner, "w")
    x = _matrix(draw, inner, n_cols, "x")
    b = [Value(0.1 * r, "b") for r in range(n_rows)]
    return flaw, cell, j, w, x, b


@settings(max_examples=60, deadline=None)
@given(broken_grids())
def test_a_flawed_grid_is_only_matched_where_exact(case):
    flaw, (fr, fs), fj, w, x, b = case
    n_rows, inner, n_cols = len(w), len(x), len(x[0])

    def fn():
        sums, extra = [], Value(0.0)
        for r in range(n_rows):
            for s in range(n_cols):
                if flaw == "missing" and (r, s) == (fr, fs):
                    continue
                products = []
                for j in range(inner):
                    col = (s + 1) % n_cols if flaw == "other sample" and (r, s, j) == \
                        (fr, fs, fj) else s
                    products.append(w[r][j] * x[j][col])
                if flaw == "read elsewhere" and (r, s) == (fr, fs):
                    extra = products[fj] * 3.0
                sums.append(sum(products, b[r]))
        return _mixed_loss(sums) + extra

    leaves = [v for row in w + x for v in row] + b
    step = _compare(fn, leaves)
    # Full sub-grids may still be products (a row, or a column, that the flaw leaves
    # whole), each one exact; a sum with a product read elsewhere never is one.
    matched = _matched_sums(step)
    if flaw != "other sample":
        assert matched <= n_rows * n_cols - 1


def _matched_sums(step):
    """How many sums the compiled step computes as matrix products, each checked to be
    exactly its first term plus Σ_j w[r, j] * x[j, s] in the traced program."""
    plan, program = step._last.plan, step._last.program
    count = 0
    for group in plan.groups:
        dot = group.dot
        if dot is None:
            continue
        for (r, c), z in np.ndenumerate(dot.out):
            terms = plan.terms[z]
            if dot.bias is not None:
                assert terms[0] == dot.bias[r, c]
                terms = terms[1:]
            for j, p in enumerate(terms):
                assert program.steps[p].gate.name == "mul"
                assert sorted(program.steps[p].inputs) == sorted((dot.w[r, j], dot.x[j, c]))
        count += dot.out.size
    return count


def test_a_grid_next_to_other_sums_of_the_same_level():
    # Sums of the same length at the same depth that belong to no grid stay plain sums
    # beside the recognized product.
    w, x, b, leaves = _grid()
    flip = [[[False] * 3 for _ in range(4)] for _ in range(3)]
    odd = [Value(0.3, "p"), Value(-0.4, "q"), Value(0.7, "u")]

    def fn():
        sums = _layer(w, x, b, flip)
        stray = odd[0] * odd[1] + odd[1] * odd[2] + odd[2] * odd[0] + b[0]
        return _mixed_loss(sums) + stray * 2.0

    step = _compare(fn, leaves + odd)
    assert step.source.count("np.matmul(") == 1


def test_numbers_as_inputs_are_live_and_get_no_gradient():
    # A first layer reads the batch as floats: each w * 0.5 makes a leaf of its own for
    # the number, all of them one argument slot; a new batch is read on the next call.
    w, _, b, leaves = _grid()
    batches = [[[0.5, -1.0, 0.25, 2.0], [1.5, 0.5, -0.5, 0.0], [0.1, 0.2, 0.3, 0.4]],
               [[-0.5, 1.0, 0.75, 1.0], [0.5, 0.5, 0.5, 0.5], [0.4, 0.3, 0.2, 0.1]]]

    def fn(x):
        flip = [[[False] * 3 for _ in range(4)] for _ in range(3)]
        return _mixed_loss(_layer(w, x, b, flip))

    for batch in batches:
        step = _compare(fn, leaves[:9] + leaves[-3:], (batch,))
        assert step.source.count("np.matmul(") == 1
        assert re.search(r"\+= W\d+\.T @ G", step.source) is None  # no gradient for numbers


def _check_dot(dot, terms, op0, op1):
    """Every sum of ``dot`` is its bias plus, term by term, w[r, j] times x[j, s]."""
    for (r, s), z in np.ndenumerate(dot.out):
        first, *products = terms[z]
        assert dot.bias[r, s] == first
        for j, p in enumerate(products):
            assert {int(op0[p]), int(op1[p])} == {int(dot.w[r, j]), int(dot.x[j, s])}
            assert p in dot.products


def test_find_dots_on_an_index_table():
    # The recognizer alone: 2 × 3 sums of a bias and 2 products, node indices by hand.
    # Nodes 0-3: w (2 × 2), 4-9: x (2 × 3), 10-11: biases, 12-23: products, 24-29: sums.
    w = np.arange(4).reshape(2, 2)
    x = np.arange(4, 10).reshape(2, 3)
    n = 30
    op0, op1 = np.full(n, -1), np.full(n, -1)
    absorbable = np.zeros(n, dtype=bool)
    terms, sums, product = {}, [], 12
    for r in range(2):
        for s in range(3):
            row = [10 + r]
            for j in range(2):
                op0[product], op1[product] = (w[r, j], x[j, s]) if s != 1 else \
                    (x[j, s], w[r, j])  # the middle column written x*w
                absorbable[product] = True
                row.append(product)
                product += 1
            sums.append(24 + 3 * r + s)
            terms[sums[-1]] = row
    (dot,) = find_dots(sums, terms, op0, op1, absorbable)
    assert sorted(dot.out.ravel()) == sums and sorted(dot.products) == list(range(12, 24))
    _check_dot(dot, terms, op0, op1)
    # One product read elsewhere: its sum is left out, and so is every sum that would
    # need it for a full grid. (The middle column alone, written x*w, is a 1 × 2 product
    # of its own: x[:, 1] as the row, each w row a column.)
    absorbable[17] = False
    dots = find_dots(sums, terms, op0, op1, absorbable)
    for dot in dots:
        _check_dot(dot, terms, op0, op1)
        assert 26 not in dot.out and 17 not in dot.products
    assert sorted(z for d in dots for z in d.out.ravel()) == [25, 28]


def test_a_program_of_sums_only():
    # No gate group keeps its inputs for the backward: the program still compiles.
    a, b, c = Value(1.0, "a"), Value(-2.0, "b"), Value(0.5, "c")
    step = _compare(lambda: a + b + c + a, [a, b, c])
    assert step.mode == "vectorized by level" and "= kept" in step.source


def test_what_a_comparison_reads_stays_in_eagers_order():
    # A guard compares the loss: a matmul could round a tie to the other side and every
    # replay would trace again, so nothing under a comparison becomes a product.
    w, x, b, leaves = _grid()
    flip = [[[False] * 3 for _ in range(4)] for _ in range(3)]

    def fn():  # (no tanh: its math and numpy forms may differ in the last bit)
        sums = _layer(w, x, b, flip)
        loss = sum((z * (0.5 + 0.1 * i) * z for i, z in enumerate(sums)), Value(0.0))
        return loss * 2.0 if loss > -1e9 else loss

    step = autograd.compile(fn, vectorize=True)
    for _ in range(STEPS):
        got, want = step(), fn()
        assert got.data == want.data and step.traces == 1
        for n in leaves:
            n.data = n.data * 0.9 + 0.01
    assert "np.matmul(" not in step.source
