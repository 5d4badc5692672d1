"""The long differential fuzz against PyTorch: N random graphs, every distinct failure.

    PYTHONPATH=. python3 benchmarks/fuzz_torch.py --examples 12000 --seed 0

Draws programs with ``tests/fuzz_graphs.py`` (the CI test's generator, here from a seeded
numpy generator instead of hypothesis), cycling Value/f64, Tensor/f64 and Tensor/f32 over
all ops at once and over each gate family, a quarter with second derivatives. Every
failing program is shrunk greedily (steps bypassed, unused leaves dropped, elements set
to 1) while it still fails the same check, and failures are grouped by a signature: the
check, where it failed, and the ops left in the shrunk program. Writes
``benchmarks/results/fuzz.json``: the count, the time, and per signature the number of
hits and the smallest reproducer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fuzz_check import Mismatch, check_program  # noqa: E402
from fuzz_graphs import (  # noqa: E402
    FAMILIES,
    SCALAR_FAMILIES,
    Program,
    RandomChooser,
    draw_program,
    sinks,
)

KINDS = [("value", np.float64), ("tensor", np.float64), ("tensor", np.float32)]


def failure(prog: Program, bounded: list | None = None) -> Mismatch | None:
    """The mismatch of ``prog``, or None; appends to ``bounded`` whether it passed only
    by the error bound of ``fuzz_bounds`` (the strict per-element test failed)."""
    try:
        used = check_program(prog)
    except Mismatch as m:
        return m
    if bounded is not None:
        bounded.append(used)
    return None


def _bypass(prog: Program, j: int) -> Program:
    """``prog`` without step ``j``: its users read the step's first operand instead."""
    n = len(prog.leaves)
    node, src = n + j, prog.steps[j][1][0]
    steps = []
    for k, (op, args, p) in enumerate(prog.steps):
        if k == j:
            continue
        args = [src if a == node else a - (a > node) for a in args]
        steps.append((op, args, p))
    return _with_steps(prog, prog.leaves, steps)


def _drop_leaf(prog: Program, i: int) -> Program | None:
    if any(i in args for _, args, _ in prog.steps) or len(prog.leaves) == 1:
        return None
    steps = [(op, [a - (a > i) for a in args], p) for op, args, p in prog.steps]
    return _with_steps(prog, prog.leaves[:i] + prog.leaves[i + 1:], steps)


def _with_steps(prog: Program, leaves: list, steps: list) -> Program:
    out = Program(prog.kind, prog.dtype, leaves, steps, [], prog.second_order)
    if not steps:
        return out
    out.weights = (prog.weights + [1.0] * 10)[:len(sinks(out))]
    return out


def shrink(prog: Program, m: Mismatch) -> tuple[Program, Mismatch]:
    """A smaller program failing the same check (greedy: one change at a time)."""
    same = lambda f: f is not None and f.kind == m.kind
    changed = True
    while changed:
        changed = False
        candidates = [_bypass(prog, j) for j in range(len(prog.steps) - 1, -1, -1)
                      if len(prog.steps) > 1]
        candidates += [p for i in range(len(prog.leaves)) if (p := _drop_leaf(prog, i))]
        if prog.second_order:
            candidates.append(Program(prog.kind, prog.dtype, prog.leaves, prog.steps,
                                      prog.weights, False))
        for i, leaf in enumerate(prog.leaves):
            flat = np.array(leaf, dtype=prog.dtype).reshape(-1)
            for k in range(flat.size):
                if flat[k] != 1.0:
                    simpler = flat.copy()
                    simpler[k] = 1.0
                    value = simpler.reshape(np.shape(leaf))
                    leaves = list(prog.leaves)
                    leaves[i] = float(value) if prog.kind == "value" else value
                    candidates.append(Program(prog.kind, prog.dtype, leaves, prog.steps,
                                              prog.weights, prog.second_order))
        for cand in candidates:
            f = failure(cand)
            if same(f):
                prog, m, changed = cand, f, True
                break
    return prog, m


def signature(prog: Program, m: Mismatch) -> str:
    ops = sorted({op for op, _, _ in prog.steps})
    where = m.op if m.kind in ("forward", "raises") else "a leaf"
    detail = str(m).split(":", 2)[1].strip().split(" ")[0] if m.kind == "raises" else ""
    return (f"{prog.kind}/{np.dtype(prog.dtype).name}: {m.kind} at {where} {detail}"
            f"[ops: {', '.join(ops)}]")


def save(result: dict, out: str) -> None:
    """``result`` as JSON at ``out`` (its folder made if need be)."""
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(result, indent=1) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "fuzz.json"))
    args = ap.parse_args()

    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    chooser = RandomChooser(rng)
    plans = [(k, d, fam) for k, d in KINDS for fam in [None, *FAMILIES]
             if k == "tensor" or fam is None or fam in SCALAR_FAMILIES]
    groups: dict[str, dict] = {}
    failed, bounded = 0, []
    start = time.perf_counter()
    for n in range(args.examples):
        kind, dtype, family = plans[n % len(plans)]
        prog = draw_program(chooser, kind, dtype, family)
        m = failure(prog, bounded)
        if m is not None:
            failed += 1
            small, m = shrink(prog, m)
            key = signature(small, m)
            group = groups.setdefault(key, {"hits": 0, "message": str(m)})
            group["hits"] += 1
            if len(str(m)) < len(group["message"]):
                group["message"] = str(m)
        if (n + 1) % 1000 == 0:
            print(f"{n + 1} programs, {failed} failing, {len(groups)} signatures", flush=True)
    seconds = time.perf_counter() - start
    result = {
        "command": " ".join(sys.argv),
        "torch": torch.__version__, "numpy": np.__version__,
        "programs": args.examples, "failing_programs": failed, "signatures": len(groups),
        "passing_by_the_bound": sum(bounded),
        "seconds": round(seconds, 1),
        "failures": dict(sorted(groups.items(), key=lambda kv: -kv[1]["hits"])),
    }
    save(result, args.out)
    print(f"{args.examples} programs in {seconds:.0f} s: {failed} failing, "
          f"{len(groups)} signatures, {sum(bounded)} passing by the bound -> {args.out}")


if __name__ == "__main__":
    main()
