"""Where a Tensor training step's time goes, gate by gate.

Runs bench_tensor's two-layer-net step with every gate of the table wrapped in timers:
each gate's forward and backward rules are timed on their own, and what remains of the
step is the engine's share (graph bookkeeping, topological order, gradient storing) and
the model code's. The timers add about 0.2 µs per call, counted in the gates' columns.

Run: python benchmarks/profile_gates.py [--size small] [--dtype float64] [--steps 2000]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from bench_tensor import SIZES, gategrad_step, make_problem, numpy_step

import autograd.gates as G
import autograd.tensor_gates as T

FORWARD: dict[str, float] = defaultdict(float)
BACKWARD: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def _timed(fn: Callable[..., Any], bucket: dict[str, float], name: str) -> Callable[..., Any]:
    clock = time.perf_counter

    def run(*args: Any) -> Any:
        t0 = clock()
        try:
            return fn(*args)
        finally:
            bucket[name] += clock() - t0

    return run


def instrument() -> None:
    """Replace every row of the table by a copy whose functions are timed."""
    for module in (G, T):
        for attr, row in list(vars(module).items()):
            if not isinstance(row, G.Gate):
                continue
            forward = _timed(row.array, FORWARD, row.name)

            def counted(*args: Any, _f: Callable = forward, _n: str = row.name) -> Any:
                CALLS[_n] += 1
                return _f(*args)

            rules = tuple(_timed(r, BACKWARD, row.name) for r in row.vjp)
            setattr(module, attr, dataclasses.replace(row, array=counted, vjp=rules))


def seconds_per_step(step: Callable[[], Any], n: int) -> float:
    for _ in range(min(n, 50)):
        step()
    for bucket in (FORWARD, BACKWARD, CALLS):
        bucket.clear()  # count the timed steps only
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t0) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small", choices=SIZES)
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    problem = make_problem(*SIZES[args.size], dtype=np.dtype(args.dtype).type)
    by_hand = seconds_per_step(numpy_step(problem), args.steps)
    plain = seconds_per_step(gategrad_step(problem), args.steps)
    instrument()
    total = seconds_per_step(gategrad_step(problem), args.steps) * args.steps
    us = 1e6 / args.steps
    print(f"{args.size} {SIZES[args.size]} {args.dtype}: hand-written numpy {by_hand * 1e6:.1f} µs"
          f", gategrad {plain * 1e6:.1f} µs per step ({plain / by_hand:.2f}x)\n")
    print(f"{'gate':<16}{'per step':>9}{'forward µs':>12}{'backward µs':>13}")
    for name in sorted(CALLS, key=lambda n: -(FORWARD[n] + BACKWARD[n])):
        print(f"{name:<16}{CALLS[name] / args.steps:>9.0f}{FORWARD[name] * us:>12.1f}"
              f"{BACKWARD[name] * us:>13.1f}")
    in_gates = sum(FORWARD.values()) + sum(BACKWARD.values())
    print(f"{'gates, all':<16}{'':>9}{sum(FORWARD.values()) * us:>12.1f}"
          f"{sum(BACKWARD.values()) * us:>13.1f}")
    print(f"{'engine + model':<16}{'':>9}{(total - in_gates) * us:>25.1f}   (the rest of the "
          "instrumented step: bookkeeping, topological order, storing gradients, the update)")


if __name__ == "__main__":
    main()
