"""Breaking one derivative rule of the gate table for a while: how the fuzzer's own tests
(``test_fuzz_bounds.py``) and ``benchmarks/fuzz_injection.py`` show it catches bugs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from autograd.gates import Gate


@contextmanager
def rule_replaced(row: Gate, k: int, make: Callable) -> Iterator[None]:
    """``row``'s rule ``k`` replaced by ``make(rule)`` inside the block, restored after
    (the rows are frozen dataclasses; every backward reads ``row.vjp`` when it runs)."""
    vjp = row.vjp
    rules = list(vjp)
    rules[k] = make(vjp[k])
    object.__setattr__(row, "vjp", tuple(rules))
    try:
        yield
    finally:
        object.__setattr__(row, "vjp", vjp)


def relative(by: float) -> Callable:
    """For ``rule_replaced``: the rule's result times ``1 + by``."""
    return lambda rule: lambda *a: rule(*a) * (1 + by)
