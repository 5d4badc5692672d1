"""The fuzzer's error bounds (``fuzz_bounds.py``): loose enough for reference noise, tight
enough for bugs.

Reference noise: programs where torch's rounding differs from gategrad's by far more than
a step's tolerance of the result, each accepted because of the magnitudes that flowed
into the result. Bugs: a gate table rule perturbed by one part in a million, or with its
sign swapped, must fail the same random programs that pass unperturbed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from fuzz_check import Mismatch, check_program
from fuzz_graphs import Program, RandomChooser, draw_program
from fuzz_inject import relative, rule_replaced

from autograd import gates

F32, F64 = np.float32, np.float64
ONES = np.ones((3, 4))


def _with(a: np.ndarray, at: tuple, x: float) -> np.ndarray:
    a = a.copy()
    a[at] = x
    return a


# Programs where torch and gategrad round differently by far more than eps · |result|.
NOISE = {
    # an f32 mean over ±3e38 keeps rounding of that size; the add after it inherits it
    "inherited rounding": Program(
        "tensor", F32, [_with(_with(ONES, (0, 1), -3e38), (1, 2), 3e38).astype(F32)],
        [("mul", [0, 0], {}), ("reduce", [0], {"how": "mean", "axis": None,
                                               "keepdims": False}), ("add", [1, 2], {})],
        [1.0]),
    # (mean(x) - x) averaged: terms of size 2.5 cancel to 0 in both, rounding differs
    "cancelled mean": Program(
        "tensor", F32, [np.array([[1.0], [1.0], [2.513]], F32)],
        [("reduce", [0], {"how": "mean", "axis": (0, 1), "keepdims": False}),
         ("sub", [1, 0], {}), ("reduce", [2], {"how": "mean", "axis": None,
                                              "keepdims": False}),
         ("reduce", [3], {"how": "max", "axis": 1, "keepdims": True})], [1.0]),
    # the gradient is a sum of products of size 6e6 that cancel exactly
    "log_softmax times a large x": Program(
        "tensor", F32, [np.array(1.0, F32), np.array([1, -6e6, 1, 1], F32)],
        [("mul", [0, 1], {}), ("log_softmax", [2], {"axis": 0})], [1.0]),
    "cross_entropy of (5e18)²": Program(
        "tensor", F32, [np.array(5e18, F32)],
        [("mul", [0, 0], {}), ("cross_entropy", [1], {"labels": [0, 2, 0]}),
         ("cross_entropy", [1], {"labels": [2, 3, 1]})], [1.0, 1.0]),
    # x·y / y at a tiny y: the division's second-order terms a/b³ and 1/b² cancel
    "x·y / y": Program(
        "tensor", F64, [np.array(5e-47), _with(ONES, (1, 3), 3e-33)],
        [("mul", [0, 1], {}), ("div", [2, 1], {})], [1.0], second_order=True),
    "3x / x": Program(
        "tensor", F32, [np.array([[1, 1, 1, 6e-4]], F32)],
        [("add", [0, 0], {}), ("add", [1, 0], {}), ("div", [2, 0], {})], [1.0],
        second_order=True),
    # log_softmax over three equal copies of 4e266 is exactly -log 3; torch's Hessian
    # keeps rounding of size 1e250 from x - logsumexp(x)
    "log_softmax(x)·x at 4e266": Program(
        "tensor", F64, [np.array([[1, 1, 1, 4e266]])],
        [("log_softmax", [0], {"axis": 0}), ("mul", [1, 0], {})], [1.0],
        second_order=True),
    # torch's Hessian is nan, gategrad's the exact value: a zero curvature (relu's)
    # times an infinite tangent, 0 · inf, multiplied in torch's double backward
    "relu(x²) at x = inf": Program(
        "tensor", F64, [_with(ONES, (1, 3), math.inf)],
        [("square", [0], {}), ("relu", [1], {})], [1.0], second_order=True),
    "relu(1/x) at x = 0": Program(
        "tensor", F64, [_with(ONES, (2, 3), 0.0)],
        [("powc", [0], {"c": -1.0}), ("relu", [1], {})], [-1.0], second_order=True),
    # terms of size 2.5e50 (1/y², past float32's range: inf - inf in torch) cancel to a
    # remainder 1.5e31 below their float64 rounding: 0 in gategrad and in torch's float64
    "x/y - (x/y)² at x = 1e-45, y = -9e-26": Program(
        "tensor", F32, [np.array([[1, 1e-45, 1, 1]], F32),
                        _with(ONES, (2, 1), -9e-26).astype(F32)],
        [("div", [0, 1], {}), ("square", [2], {}), ("sub", [2, 3], {})], [1.0],
        second_order=True),
    # an infinite upstream gradient into cross_entropy: gategrad's inf · (p - 1) is -inf,
    # torch's log_softmax backward sums inf · p - inf = nan
    "cross_entropy under an infinite gradient": Program(
        "tensor", F64, [_with(ONES, (1, 1), math.inf), ONES],
        [("cross_entropy", [1], {"labels": [1, 2, 2]}), ("mul", [0, 2], {})], [1.0]),
    # a matmul's gradient sums products of size 1e308: -inf in one order, nan in another
    "matmul gradient past the range": Program(
        "tensor", F64, [_with(ONES, (2, 2), -1e308), _with(ONES, (1, 2), -1.0),
                        np.array(1.0)],
        [("matmul", [2, 0, 1], {}), ("mul", [3, 1], {})], [2.0]),
}


@pytest.mark.parametrize("name", list(NOISE))
def test_reference_noise_is_accepted(name):
    check_program(NOISE[name])


# 3x / x differed from torch's own double backward of a / b; the fuzzer's division
# (below) now gives gategrad's numbers exactly, so that case no longer shows the bound.
@pytest.mark.parametrize("name", [name for name in NOISE if name != "3x / x"])
def test_noise_exceeds_the_strict_tolerance(name, monkeypatch):
    """The cases above are not vacuous: each differs from torch beyond eps · |result|."""
    import fuzz_check

    strict = fuzz_check.within

    def strict_only(got, want, eps, bound, check_dtype=True, dtype=None):
        return strict(got, want, eps, lambda: np.zeros(np.size(fuzz_check.to_numpy(want))),
                      check_dtype, dtype)

    monkeypatch.setattr(fuzz_check, "within", strict_only)
    with pytest.raises(Mismatch):
        check_program(NOISE[name])


def test_the_reference_divides_without_squaring_at_second_order():
    """x·y / y at y = -1e308: torch's own second derivative of a / b squares b (inf), so
    it dropped a term of size 1e-308 that cancels another; the fuzzer's division (its
    rule divides twice, at every order) gives the exact 0, as gategrad does."""
    prog = Program("tensor", F64, [np.array(1.0), _with(ONES, (1, 0), -1e308)],
                   [("mul", [0, 1], {}), ("div", [2, 1], {})], [1.0], second_order=True)
    check_program(prog)


def _programs(count: int) -> list:
    chooser = RandomChooser(np.random.default_rng(7))
    return [draw_program(chooser, "tensor", F64, "binary", second_order=False)
            for _ in range(count)]


# (row, which rule, how it is broken)
INJECTED = {
    "sub's rule for b, sign swapped": (gates.SUB, 1, lambda r: lambda *a: -r(*a)),
    "mul's rule for a, 1e-6 relative": (gates.MUL, 0, relative(1e-6)),
    "div's rule for b, 1e-6 relative": (gates.DIV, 1, relative(1e-6)),
    "pow's rule for the exponent, 1e-6 relative": (gates.POW, 1, relative(1e-6)),
}
CAUGHT = 3  # programs that must fail before the injected bug counts as caught


@pytest.mark.parametrize("name", list(INJECTED))
def test_an_injected_bug_is_caught(name):
    row, which, broken = INJECTED[name]
    programs = _programs(40)
    for prog in programs:  # the same programs pass with the table as it is
        check_program(prog)
    caught = 0
    with rule_replaced(row, which, broken):
        for prog in programs:
            try:
                check_program(prog)
            except Mismatch as m:
                assert m.kind == "gradient", m
                caught += 1
                if caught == CAUGHT:
                    return
    pytest.fail(f"only {caught} of {len(programs)} programs caught {name}")


def test_a_perturbed_forward_is_caught():
    """exp's array forward one part in a million too large fails at the exp step."""
    row = gates.EXP
    array = row.array
    object.__setattr__(row, "array", lambda x: array(x) * (1 + 1e-6))
    try:
        prog = Program("tensor", F64, [np.array([0.5, -1.0, 2.0, math.pi])],
                       [("exp", [0], {})], [1.0])
        with pytest.raises(Mismatch, match="forward at exp"):
            check_program(prog)
    finally:
        object.__setattr__(row, "array", array)


def test_gategrads_nan_past_the_range_is_still_caught():
    """Past the dtype's range the bound leaves an element unchecked, but not gategrad's
    nan where torch has a number: x**0's rule as it was (a 0 still connected to the
    upstream gradient, so 0 * inf = nan at second order) fails again."""
    from autograd.gates import select

    x = _with(ONES, (2, 1), 0.0)
    prog = Program("tensor", F64, [x],
                   [("powc", [0], {"c": -2.0}), ("powc", [1], {"c": 0.0}),
                    ("square", [1], {}), ("mul", [3, 2], {})], [-1.0], second_order=True)
    check_program(prog)
    pole = lambda rule: lambda g, out, a, c: rule(g, out, a, c) if c else select(False, g)
    with rule_replaced(gates.POWC, 0, pole):
        with pytest.raises(Mismatch, match="got np.float64.nan. torch np.float64.-inf."):
            check_program(prog)
