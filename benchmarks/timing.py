"""How the benchmarks time what they compare: every call on its own clock, peers in turns.

Three habits every script shares, written once here:

- ``clock``: one call, its seconds and its result (a fit that also has to be scored);
- ``seconds``: the seconds of each of ``repeat`` calls, every one kept: the results files
  hold all the timings, the medians are taken from them (``medians``);
- ``interleaved``: peers compared in one run take turns call by call, so a slow moment of
  the shared machine hits all of them alike instead of whichever ran then.

``time.perf_counter`` throughout; nothing here warms up or drops outliers: a script that
wants a warm-up calls its step once before timing it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def clock(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[float, T]:
    """Seconds taken by one call ``fn(*args, **kwargs)``, and what it returned."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def _call(fn: Callable[[], Any]) -> float:
    """Seconds of one call of ``fn`` with its result dropped inside the timing: freeing
    what a step made (a graph of 65,000 Values) is part of the step, as in training."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def seconds(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Seconds of each of ``repeat`` calls of ``fn``, in order (its results dropped
    inside the timing)."""
    return [_call(fn) for _ in range(repeat)]


def interleaved(fns: Mapping[str, Callable[[], Any]], repeat: int) -> dict[str, list[float]]:
    """Seconds of each of ``repeat`` calls of every function in ``fns``, taking turns:
    the first of each, then the second of each, ... (per name, in order)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            times[name].append(_call(fn))
    return times


def medians(runs: Mapping[str, Sequence[float]]) -> dict[str, float]:
    """The median of each list of timings, under the same names."""
    return {name: statistics.median(times) for name, times in runs.items()}
