"""Is the differential fuzz tight enough to catch bugs? Every rule, broken a little.

    PYTHONPATH=. python3 benchmarks/fuzz_injection.py --programs 200 --seed 11

Draws float64 programs with ``tests/fuzz_graphs.py`` (Tensor programs over each gate
family, Value programs over the scalar ones) and keeps those that pass
``tests/fuzz_check.py`` as the library is. Then, one at a time, each derivative rule of
every fuzzed gate is multiplied by ``1 + --relative`` (default one part in a million)
and the kept programs are checked again: a rule that no program catches would be a bug
the fuzzer's tolerances let through. Writes ``benchmarks/results/fuzz_injection.json``:
per rule, how many programs caught it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fuzz_graphs import FAMILIES, SCALAR_FAMILIES, RandomChooser, draw_program  # noqa: E402
from fuzz_inject import relative, rule_replaced  # noqa: E402
from fuzz_torch import failure, save  # noqa: E402

from autograd import gates  # noqa: E402
from autograd import tensor_gates as TG  # noqa: E402

# The rows the fuzz programs reach (softplus and leaky_relu are not among its ops).
ROWS = [r for r in gates.ROWS if r.name not in ("softplus", "leaky_relu")] + [
    TG.AMAX, TG.CLIP, TG.CROSS_ENTROPY, TG.LOG_SOFTMAX, TG.MATMUL, TG.MEAN, TG.SOFTMAX,
    TG.SUM, TG.GETITEM]


def caught_by(row: gates.Gate, k: int, by: float, programs: list) -> int:
    """How many of ``programs`` fail with ``row``'s rule ``k`` times ``1 + by``."""
    with rule_replaced(row, k, relative(by)):
        return sum(failure(p) is not None for p in programs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programs", type=int, default=200, help="Tensor programs drawn")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--relative", type=float, default=1e-6)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results"
                                         / "fuzz_injection.json"))
    args = ap.parse_args()

    import torch

    torch.set_num_threads(1)
    chooser = RandomChooser(np.random.default_rng(args.seed))
    families = list(FAMILIES)
    drawn = [draw_program(chooser, "tensor", np.float64, families[n % len(families)])
             for n in range(args.programs)]
    drawn += [draw_program(chooser, "value", np.float64, SCALAR_FAMILIES[n % 3])
              for n in range(args.programs * 3 // 10)]
    programs = [p for p in drawn if failure(p) is None]
    start = time.perf_counter()
    caught = {}
    for row in ROWS:
        for k in range(len(row.vjp)):
            caught[f"{row.name}[{k}]"] = n = caught_by(row, k, args.relative, programs)
            print(f"{row.name} rule {k}: caught by {n} of {len(programs)}", flush=True)
    missed = [name for name, n in caught.items() if n == 0]
    result = {
        "command": " ".join(sys.argv), "torch": torch.__version__, "numpy": np.__version__,
        "relative": args.relative, "programs_drawn": len(drawn),
        "programs_passing_unbroken": len(programs), "rules": len(caught),
        "rules_missed": missed, "seconds": round(time.perf_counter() - start, 1),
        "caught_by": caught,
    }
    save(result, args.out)
    print(f"{len(caught)} rules broken by {args.relative:g}: {len(missed)} missed "
          f"{missed} -> {args.out}")


if __name__ == "__main__":
    main()
