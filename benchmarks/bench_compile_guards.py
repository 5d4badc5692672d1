"""What a compiled step's per-call checks for replaced leaves and aliased arguments cost.

Each call of a compiled step checks that the objects through which the function reaches
its captured leaves (a model's layers, neurons, weight lists) still hold the same leaves
(``autograd/compiler/captures.py``). Measured here on the workloads of
``bench_compile.py``: the same compiled step with the check and with it switched off,
taking turns in one process, and the check alone. Also the check that the call's
arguments alias as the trace's did (``autograd/compiler/aliasing.py``), alone.

Run: python benchmarks/bench_compile_guards.py [--repeat 41]
Writes benchmarks/results/bench_compile_guards.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_compile import gategrad_loss, mlp_loss, mlp_step  # noqa: E402
from bench_tensor import SIZES, make_problem, sgd_step  # noqa: E402
from bench_value import two_moons  # noqa: E402
from record import table, write  # noqa: E402
from timing import interleaved, medians  # noqa: E402

import autograd  # noqa: E402
from autograd.compiler.aliasing import aliasing  # noqa: E402
from autograd.compiler.trace import flatten  # noqa: E402
from nn import MLP  # noqa: E402


def check_alone(step: Any, repeat: int) -> float:
    """Median seconds of one ``captured.changed()`` call (1,000 calls per timing)."""
    captured = step._last.program.captured
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(1000):
            captured.changed()
        times.append((time.perf_counter() - t0) / 1000)
    return statistics.median(times)


def aliasing_alone(step: Any, args: tuple, repeat: int) -> float:
    """Median seconds of one aliasing check of ``args`` (1,000 calls per timing)."""
    program, flat = step._last.program, flatten(args, {})[0]
    positions, captured = program.identity_positions, program.captured_ids
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(1000):
            aliasing(flat, positions, captured)
        times.append((time.perf_counter() - t0) / 1000)
    return statistics.median(times)


def unchecked(step: Any) -> Any:
    """The step with its traced program's per-call check switched off."""
    step._last.program.captured = None
    return step


def row(workload: str, checked_step: Callable, unchecked_step: Callable, compiled: Any,
        args: tuple, repeat: int) -> dict:
    checked_step()  # both trace on their first call
    unchecked_step()
    check = check_alone(compiled, repeat)
    alias = aliasing_alone(compiled, args, repeat)
    unchecked(unchecked_step.compiled)
    t = medians(interleaved({"checked": checked_step, "unchecked": unchecked_step}, repeat))
    captured = compiled._last.program.captured
    return {"workload": workload, "leaves_found": captured.found,
            "checked_ms": t["checked"] * 1e3, "unchecked_ms": t["unchecked"] * 1e3,
            "check_us": check * 1e6, "check_share": check / t["unchecked"],
            "aliasing_us": alias * 1e6, "aliasing_share": alias / t["unchecked"]}


def scalar_mlp(n: int, repeat: int) -> dict:
    X, y = two_moons(n)
    rows, ys = X.tolist(), y.tolist()
    steps = []
    for _ in range(2):
        model = MLP(2, [16, 16, 1], seed=1)
        fn = autograd.compile(mlp_loss(model))
        step = mlp_step(model, fn, rows, ys)
        step.compiled = fn  # type: ignore[attr-defined]
        steps.append(step)
    return row(f"scalar MLP(2,[16,16,1]) step, {n} points", steps[0], steps[1],
               steps[0].compiled, (rows, ys), repeat)


def tensor_net(size: str, repeat: int) -> dict:
    p = make_problem(*SIZES[size], np.float64)
    steps = []
    for _ in range(2):
        loss, params = gategrad_loss(p, written_out=False)
        fn = autograd.compile(loss)
        step = sgd_step(lambda fn=fn: fn(p["X"], p["y"]), params)
        step.compiled = fn  # type: ignore[attr-defined]
        steps.append(step)
    return row(f"two-layer Tensor step, {size} {SIZES[size]}", steps[0], steps[1],
               steps[0].compiled, (p["X"], p["y"]), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=41)
    args = parser.parse_args()
    rows = [scalar_mlp(100, args.repeat), scalar_mlp(1000, max(5, args.repeat // 4)),
            tensor_net("small", args.repeat)]
    cells = [[r["workload"], str(r["leaves_found"]), f"{r['unchecked_ms']:.3f} ms",
              f"{r['checked_ms']:.3f} ms", f"{r['check_us']:.1f} µs",
              f"{r['check_share']:.1%}", f"{r['aliasing_us']:.2f} µs",
              f"{r['aliasing_share']:.1%}"] for r in rows]
    columns = ["workload", "captured leaves", "step, check off", "step, check on",
               "the check alone", "check / step", "aliasing check alone", "aliasing / step"]
    for line in [columns, *cells]:
        print(" | ".join(line))
    write("bench_compile_guards", command=" ".join(sys.argv), runs={"rows": rows},
          medians={r["workload"]: r["check_us"] for r in rows},
          tables={"guards": table(columns, cells)}, packages=["numpy"],
          notes="the check alone is the median of 1,000-call timings; the steps take turns")


if __name__ == "__main__":
    main()
