"""The same code at two commits, side by side: the scalar and the tensor training step.

Each measurement runs in a fresh subprocess with one tree first on ``sys.path``; the two
trees take turns, so machine noise hits both alike. Writes
``benchmarks/results/before_after.json`` (medians, in ms, and the new/old ratios).

Run: git worktree add /tmp/base <commit>
     python benchmarks/bench_before_after.py --base /tmp/base [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# One timing: prints the median of `repeat` steps in ms. Runs inside the tree under test.
PROBE = {
    "scalar step (MLP 2-16-16-1, 100 points)": """
import sys, time, statistics
sys.path.insert(0, "benchmarks")
from bench_value import two_moons, training_step
from autograd import Value
from nn import MLP
X, y = two_moons(100); model = MLP(2, [16, 16, 1])
training_step(model, Value, X, y)
ts = []
for _ in range(5):
    t0 = time.perf_counter(); training_step(model, Value, X, y); ts.append(time.perf_counter() - t0)
print(statistics.median(ts) * 1e3)
""",
}
TENSOR_PROBE = """
import sys, time, statistics
import numpy as np
sys.path.insert(0, "benchmarks")
from bench_tensor import make_problem, gategrad_step, SIZES
step = gategrad_step(make_problem(*SIZES["{size}"], dtype=np.float64)); step()
ts = []
for _ in range({steps}):
    t0 = time.perf_counter(); step(); ts.append(time.perf_counter() - t0)
print(statistics.median(ts) * 1e3)
"""
PROBE["tensor step (small 64x64x32x10)"] = TENSOR_PROBE.format(size="small", steps=200)
PROBE["tensor step (medium 256x784x100x10)"] = TENSOR_PROBE.format(size="medium", steps=40)


def measure(tree: Path, code: str) -> float:
    env = {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, check=True,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the old tree")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    new = HERE.parent
    results = {}
    for name, code in PROBE.items():
        old_t, new_t = [], []
        for _ in range(args.rounds):
            old_t.append(measure(args.base, code))
            new_t.append(measure(new, code))
        old, now = statistics.median(old_t), statistics.median(new_t)
        results[name] = {"old_ms": old, "new_ms": now, "ratio": now / old,
                         "old_runs": old_t, "new_runs": new_t}
        print(f"{name:<40} old {old:8.2f}ms  new {now:8.2f}ms  new/old {now / old:.3f}")
    out = HERE / "results" / "before_after.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"base": str(args.base), "results": results}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
