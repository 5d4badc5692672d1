"""Tensor engine against hand-written numpy backprop and the eager peers, in one process.

One SGD training step of a two-layer net, X(N,D) -> affine -> ReLU -> affine -> softmax
cross-entropy + L2 (cs231n's loss: reg * (sum W1² + sum W2²)), at three sizes and two
dtypes. Every engine's time is reported as a ratio to hand-written numpy (lower is
better, 1.00 = as fast as writing the backward pass by hand). The engines run
interleaved, round-robin, so a slow moment of the shared machine hits all of them
(PyTorch excepted, in a block of its own: see ``run``).

Run: python benchmarks/bench_tensor.py [--repeat 15] [--sizes small,medium,large]
Peers come from the `bench` extra; HIPS autograd shares our import name `autograd`, so
it is loaded from a private folder: pip install --no-deps --target .peers/hips autograd
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import record
import timing

from autograd import Tensor

SIZES = {"small": (64, 64, 32, 10), "medium": (256, 784, 100, 10),
         "large": (1024, 3072, 512, 10)}
REG, LR = 1e-3, 1e-2


def make_problem(n: int, d: int, h: int, c: int, dtype: Any, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "X": rng.standard_normal((n, d)).astype(dtype),
        "y": rng.integers(0, c, n),
        "W1": (rng.standard_normal((d, h)) * np.sqrt(2 / d)).astype(dtype),
        "b1": np.zeros(h, dtype),
        "W2": (rng.standard_normal((h, c)) * np.sqrt(2 / h)).astype(dtype),
        "b2": np.zeros(c, dtype),
    }


# -- the engines: each returns a step() closure over its own copy of the parameters ----


def numpy_step(p: dict) -> Callable[[], float]:
    X, y = p["X"], p["y"]
    W1, b1, W2, b2 = (p[k].copy() for k in ("W1", "b1", "W2", "b2"))
    rows = np.arange(len(X))

    def step() -> float:
        z1 = X @ W1 + b1
        h = np.maximum(z1, 0)
        s = h @ W2 + b2
        s = s - s.max(axis=1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        loss = -logp[rows, y].mean() + REG * (np.sum(W1 * W1) + np.sum(W2 * W2))
        ds = np.exp(logp)
        ds[rows, y] -= 1
        ds /= len(X)
        dW2 = h.T @ ds + 2 * REG * W2
        db2 = ds.sum(axis=0)
        dh = ds @ W2.T
        dh[z1 <= 0] = 0
        dW1 = X.T @ dh + 2 * REG * W1
        db1 = dh.sum(axis=0)
        for w, dw in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
            w -= LR * dw
        return float(loss)

    return step


def sgd_step(loss_fn: Callable[[], Tensor], params: list[Tensor]) -> Callable[[], float]:
    """One gategrad training step: the loss, backward, and plain SGD on ``params``."""
    def step() -> float:
        loss = loss_fn()
        loss.backward()
        for w in params:
            w.data -= LR * w.grad
            w.grad = None
        return loss.item()

    return step


def gategrad_step(p: dict) -> Callable[[], float]:
    X, y = Tensor(p["X"]), p["y"]
    params = [Tensor(p[k].copy(), requires_grad=True) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def loss() -> Tensor:
        scores = (X @ W1 + b1).relu() @ W2 + b2
        return scores.cross_entropy(y) + REG * ((W1 * W1).sum() + (W2 * W2).sum())

    return sgd_step(loss, params)


def torch_step(p: dict) -> Callable[[], float]:
    import torch

    X, y = torch.from_numpy(p["X"]), torch.from_numpy(p["y"])
    params = [torch.tensor(p[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def step() -> float:
        scores = torch.relu(X @ W1 + b1) @ W2 + b2
        loss = torch.nn.functional.cross_entropy(scores, y) + REG * (
            (W1 * W1).sum() + (W2 * W2).sum())
        loss.backward()
        with torch.no_grad():
            for w in params:
                w -= LR * w.grad
                w.grad = None
        return loss.item()

    return step


def mygrad_step(p: dict) -> Callable[[], float]:
    import mygrad as mg
    from mygrad.nnet.losses import softmax_crossentropy

    X, y = p["X"], p["y"]
    params = [mg.tensor(p[k].copy()) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def step() -> float:
        scores = mg.matmul(mg.maximum(mg.matmul(X, W1) + b1, 0), W2) + b2
        loss = softmax_crossentropy(scores, y) + REG * (mg.sum(W1 * W1) + mg.sum(W2 * W2))
        loss.backward()
        for w in params:
            w.data -= LR * w.grad
        return loss.item()

    return step


def hips_step(p: dict) -> Callable[[], float]:
    hips_grad, anp = load_hips_autograd()
    X, y = p["X"], p["y"]
    params = [p[k].copy() for k in ("W1", "b1", "W2", "b2")]
    rows = np.arange(len(X))

    def loss_fn(params: list) -> Any:
        W1, b1, W2, b2 = params
        s = anp.dot(anp.maximum(anp.dot(X, W1) + b1, 0), W2) + b2
        s = s - anp.max(s, axis=1, keepdims=True)
        logp = s - anp.log(anp.sum(anp.exp(s), axis=1, keepdims=True))
        return -anp.mean(logp[rows, y]) + REG * (anp.sum(W1 * W1) + anp.sum(W2 * W2))

    value_and_grad = hips_grad(loss_fn)

    def step() -> float:
        loss, grads = value_and_grad(params)
        for w, dw in zip(params, grads):
            w -= LR * dw
        return float(loss)

    return step


def load_hips_autograd() -> tuple:
    """HIPS autograd from .peers/hips, imported without displacing gategrad's autograd."""
    folder = Path(__file__).resolve().parent.parent / ".peers" / "hips"
    if not (folder / "autograd").is_dir():
        raise ImportError(f"HIPS autograd not found in {folder}")
    ours = {k: v for k, v in sys.modules.items() if k == "autograd" or k.startswith("autograd.")}
    for k in ours:
        del sys.modules[k]
    sys.path.insert(0, str(folder))
    try:
        hips = importlib.import_module("autograd")
        anp = importlib.import_module("autograd.numpy")
        return hips.value_and_grad, anp
    finally:
        sys.path.remove(str(folder))
        for k in [k for k in sys.modules if k == "autograd" or k.startswith("autograd.")]:
            del sys.modules[k]
        sys.modules.update(ours)


ENGINES = {"numpy (by hand)": numpy_step, "gategrad": gategrad_step, "torch": torch_step,
           "mygrad": mygrad_step, "hips autograd": hips_step}


def run(size: str, dtype: Any, repeat: int, engines: list[str]) -> dict[str, list[float]]:
    """Every engine's seconds per step, ``repeat`` steps each, on one problem."""
    problem = make_problem(*SIZES[size], dtype=dtype)
    steps = {}
    for name in engines:
        make = ENGINES[name]
        try:
            steps[name] = make(problem)
        except ImportError as e:
            print(f"  ({name} skipped: {e})")
    losses = {name: step() for name, step in steps.items()}  # warm-up, and a sanity check
    ref = losses["numpy (by hand)"]
    for name, loss in losses.items():
        if not np.isclose(loss, ref, rtol=1e-3):
            raise SystemExit(f"{name} computes a different loss: {loss} vs numpy's {ref}")
    # PyTorch's OpenMP workers keep spinning for a while after each of its steps and
    # would slow whatever runs next, so torch runs in a block of its own, after a pause
    # that lets them go idle; the other engines take turns, so noise hits them alike.
    times = timing.interleaved({name: step for name, step in steps.items()
                                if name != "torch"}, repeat)
    if "torch" in steps:
        times["torch"] = timing.seconds(steps["torch"], repeat)
        time.sleep(0.5)
    return {name: times[name] for name in steps}  # the engines' order, torch included


HEADINGS = {"numpy (by hand)": "numpy by hand", "gategrad": "**gategrad**",
            "torch": "torch 2.13", "mygrad": "MyGrad", "hips autograd": "HIPS autograd"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help="comma-separated, from: " + ", ".join(ENGINES))
    args = parser.parse_args()
    engines = ["numpy (by hand)"] + [e for e in args.engines.split(",") if e != "numpy (by hand)"]
    runs: dict[str, dict[str, list[float]]] = {}
    medians: dict[str, dict[str, float]] = {}
    tables = {}
    for dtype in (np.float64, np.float32):
        dtype_name = np.dtype(dtype).name
        print(f"\n{dtype_name}: time per step, and ratio to hand-written numpy")
        print(f"{'size (N,D,H,C)':<28}" + "".join(f"{n:>20}" for n in engines))
        rows = []
        for size in args.sizes.split(","):
            case = f"{size} {dtype_name}"
            runs[case] = run(size, dtype, args.repeat, engines)
            t = medians[case] = timing.medians(runs[case])
            base = t["numpy (by hand)"]
            cells = [f"{t[n] * 1e3:8.2f}ms {t[n] / base:5.2f}x" if n in t else f"{'-':>19}"
                     for n in engines]
            print(f"{size + ' ' + str(SIZES[size]):<28}" + "".join(f"{c:>20}" for c in cells))
            ratios = [f"{t[n] / base:.2f}x" if n in t else "not run" for n in engines[1:]]
            rows.append([f"{size} {SIZES[size]}", f"{base * 1e3:.2f} ms", *ratios])
        tables[dtype_name] = record.table(["size (N, D, H, C)"]
                                          + [HEADINGS.get(n, n) for n in engines], rows)
    sizes = args.sizes.split(",")
    if "gategrad" in engines:

        def ratio(size: str, dtype_name: str) -> str:
            t = medians[f"{size} {dtype_name}"]
            return f"{t['gategrad'] / t['numpy (by hand)']:.2f}x"

        tables["summary"] = record.table(
            ["size (N, D, H, C)", "gategrad / numpy by hand, float64", "float32"],
            [[f"{size} {SIZES[size]}", ratio(size, "float64"), ratio(size, "float32")]
             for size in sizes])
    record.write("bench_tensor", command=record.command_line(), runs=runs, medians=medians,
                 tables=tables, packages=["numpy", "torch", "mygrad"])


if __name__ == "__main__":
    main()
