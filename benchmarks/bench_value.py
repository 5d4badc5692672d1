"""Scalar engine against micrograd, side by side in one process; prints ratios.

(a) micrograd's MLP(2, [16, 16, 1]) on 100 two-moons points against nn.MLP, the same
    network on gategrad's Value: one full training step (forward, mean hinge loss + L2,
    backward, SGD update), garbage collector on and off;
(b) a 100,000-term sum of products, forward + backward;
(c) bytes per graph node (tracemalloc), for the step-(a) graph.

Run: python benchmarks/bench_value.py [--repeat 7]      (needs the `bench` extra)
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import threading
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import record
import timing

from autograd import Value
from autograd.engine import topological_order
from nn import MLP

try:
    import micrograd.nn as mg_nn
    from micrograd.engine import Value as MgValue
except ImportError:  # pragma: no cover - the bench extra is missing
    raise SystemExit("micrograd is not installed: pip install -e '.[bench]'") from None


def two_moons(n: int, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    X = np.column_stack([x, y]) + rng.normal(0, noise, (n, 2))
    return X, np.where(upper, 1.0, -1.0)


def demo_loss(model: Any, value: type, X: np.ndarray, y: np.ndarray) -> Any:
    """micrograd's demo loss (mean hinge + L2): the forward pass of a training step."""
    inputs = [list(map(value, row)) for row in X.tolist()]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y.tolist(), scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def training_step(model: Any, value: type, X: np.ndarray, y: np.ndarray) -> Any:
    """micrograd's demo step: forward, mean hinge + L2, backward, SGD; returns the loss."""
    total = demo_loss(model, value, X, y)
    for p in model.parameters():
        p.grad = 0.0
    total.backward()
    for p in model.parameters():
        p.data -= 0.1 * p.grad
    return total


def timed(fn: Callable[[], Any], repeat: int, gc_on: bool) -> list[float]:
    """Seconds of each of ``repeat`` calls of ``fn`` (its result dropped inside the timing,
    as in training)."""
    gc.collect()
    was = gc.isenabled()
    (gc.enable if gc_on else gc.disable)()
    try:
        return timing.seconds(fn, repeat)
    finally:
        (gc.enable if was else gc.disable)()
        gc.collect()


def sum_of_products(value: type, n: int = 100_000) -> None:
    xs = [value(random.random()) for _ in range(n)]
    ws = [value(random.random()) for _ in range(n)]
    total = sum((x * w for x, w in zip(xs, ws)), value(0.0))
    total.backward()


def deep_recursion(fn: Callable[..., Any], *args: Any) -> None:
    """Run ``fn`` where micrograd's recursive topological sort can go 200,000 deep."""
    old_limit, old_stack = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1 << 30)
    try:
        worker = threading.Thread(target=fn, args=args)
        worker.start()
        worker.join()
    finally:
        sys.setrecursionlimit(old_limit)
        threading.stack_size(old_stack)


def bytes_per_node(make_graph: Callable[[], Any], count: Callable[[Any], int]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        root = make_graph()
        root.backward()
        used = tracemalloc.get_traced_memory()[0] - base
        return used / count(root)
    finally:
        tracemalloc.stop()


def count_micrograd(root: Any) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for p in stack.pop()._prev:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    X, y = two_moons(100)
    random.seed(1337)
    ours, theirs = MLP(2, [16, 16, 1], seed=1337), mg_nn.MLP(2, [16, 16, 1])
    nodes = len(topological_order(training_step(ours, Value, X, y)))
    runs: dict[str, dict[str, list[float]]] = {}
    for gc_on in (True, False):
        runs[f"(a) MLP step, gc {'on' if gc_on else 'off'}"] = {
            "micrograd": timed(lambda: training_step(theirs, MgValue, X, y), args.repeat, gc_on),
            "gategrad": timed(lambda: training_step(ours, Value, X, y), args.repeat, gc_on)}
    try:
        sum_of_products(MgValue)
    except RecursionError:
        print("(b) micrograd: RecursionError at the default recursion limit "
              f"({sys.getrecursionlimit()}); timed below with the limit raised to 10^6")
    for gc_on in (True, False):
        runs[f"(b) 100k sum of products, gc {'on' if gc_on else 'off'}"] = {
            "micrograd": timed(lambda: deep_recursion(sum_of_products, MgValue), args.repeat,
                               gc_on),
            "gategrad": timed(lambda: sum_of_products(Value), args.repeat, gc_on)}
    medians = {case: timing.medians(libs) for case, libs in runs.items()}

    print(f"{'benchmark':<44} {'micrograd':>10} {'gategrad':>10} {'speed-up':>9}")
    for name, t in medians.items():
        print(f"{name:<44} {t['micrograd'] * 1e3:8.1f}ms {t['gategrad'] * 1e3:8.1f}ms "
              f"{t['micrograd'] / t['gategrad']:8.1f}x")
    # The graph of one step, then its backward (after an update, the weights would have
    # changed under the graph: gategrad refuses that backward, micrograd mixes values).
    b_mg = bytes_per_node(lambda: demo_loss(theirs, MgValue, X, y), count_micrograd)
    b_gg = bytes_per_node(lambda: demo_loss(ours, Value, X, y),
                          lambda r: len(topological_order(r)))
    print(f"{'(c) bytes per node (tracemalloc)':<44} {b_mg:10.0f} {b_gg:10.0f} "
          f"{b_mg / b_gg:8.1f}x")
    medians["(c) bytes per node"] = {"micrograd": b_mg, "gategrad": b_gg}

    described = {
        "(a) MLP step, gc on": f"(a) `MLP(2, [16, 16, 1])` step on 100 two-moons points "
                               f"({nodes:,} nodes), gc on",
        "(a) MLP step, gc off": "(a) the same, gc off",
        "(b) 100k sum of products, gc on": "(b) 100,000-term sum of products, forward + "
                                           "backward, gc on ¹",
        "(b) 100k sum of products, gc off": "(b) the same, gc off ¹"}
    rows = [[described[case], f"{t['micrograd'] * 1e3:.1f} ms", f"{t['gategrad'] * 1e3:.1f} ms",
             f"**{t['micrograd'] / t['gategrad']:.1f}x**"]
            for case, t in medians.items() if case in described]
    rows.append(["(c) bytes per node (tracemalloc, graph (a) after backward)", f"{b_mg:.0f}",
                 f"{b_gg:.0f}", f"**{b_mg / b_gg:.1f}x**"])
    a_on, a_off = medians["(a) MLP step, gc on"], medians["(a) MLP step, gc off"]
    summary = [
        ["`MLP(2, [16, 16, 1])` training step, 100 points, gc on",
         f"**{a_on['micrograd'] / a_on['gategrad']:.1f}x faster than micrograd**"],
        ["the same, gc off", f"{a_off['micrograd'] / a_off['gategrad']:.1f}x"],
        ["bytes per node", f"{b_gg:.0f} (micrograd: {b_mg:.0f})"]]
    record.write("bench_value", command=record.command_line(), runs=runs, medians=medians,
                 tables={"steps": record.table(
                     ["benchmark", "micrograd", "gategrad", "speed-up"], rows),
                     "summary": record.table(["scalar `Value`s", "gategrad"], summary)},
                 packages=["numpy", "micrograd"])


if __name__ == "__main__":
    main()
