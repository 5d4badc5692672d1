"""autograd.compile against eager gategrad, micrograd, hand-written numpy and jax.jit.

Workloads, each one full SGD step (forward, loss, backward, update), timed side by side:
(a) the scalar MLP(2, [16, 16, 1]) step on 100 and 1,000 two-moons points (gc on);
    micrograd runs in a process of its own (its garbage would slow the others' collector);
(b) a deep narrow chain h = tanh(w*h + x_t + c), 1,000 and 10,000 steps (the cost model
    should run it eagerly: compiled must stay within 1.1x of eager);
(c) the two-layer Tensor net at three sizes, float64 and float32, with the fused
    ``cross_entropy`` and with the softmax written out, against hand-written numpy;
(d) the cost of tracing and compiling, per node, and the steps it takes to pay off.

Run: python benchmarks/bench_compile.py [--repeat 9] [--quick] [--threads 1]
Writes benchmarks/results/bench_compile.json (benchmarks/record.py); prints the table.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import timing  # noqa: E402
from bench_tensor import LR, REG, SIZES, make_problem, numpy_step, sgd_step  # noqa: E402
from bench_value import two_moons  # noqa: E402
from record import table, write  # noqa: E402

import autograd  # noqa: E402
from autograd import Tensor, Value  # noqa: E402
from autograd.engine import topological_order  # noqa: E402
from nn import MLP  # noqa: E402

RESULTS = HERE / "results" / "bench_compile.json"


def median_time(step: Callable[[], Any], repeat: int) -> float:
    return statistics.median(timing.seconds(step, repeat))


# -- (a) the scalar MLP ----------------------------------------------------------------

def mlp_loss(model: MLP) -> Callable:
    def loss(rows: list, ys: list) -> Value:
        scores = [model(x) for x in rows]
        losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + 1e-4 * sum(p * p for p in model.parameters())
    return loss


def mlp_step(model: MLP, loss_fn: Callable, rows: list, ys: list) -> Callable:
    params = model.parameters()

    def step() -> float:
        total = loss_fn(rows, ys)
        for p in params:
            p.grad = 0.0
        total.backward()
        for p in params:
            p.data -= 0.1 * p.grad
        return total.data
    return step


def numpy_mlp_step(model: MLP, X: np.ndarray, y: np.ndarray) -> Callable:
    """The same network and loss written by hand in numpy (float64)."""
    Ws = [np.array([[w.data for w in n.w] for n in layer.neurons]).T for layer in model.layers]
    bs = [np.array([n.b.data for n in layer.neurons]) for layer in model.layers]

    def step() -> float:
        acts, zs = [X], []
        for k, (W, b) in enumerate(zip(Ws, bs)):
            z = acts[-1] @ W + b
            zs.append(z)
            acts.append(np.maximum(z, 0) if k < len(Ws) - 1 else z)
        s = acts[-1][:, 0]
        margins = 1 - y * s
        loss = np.maximum(margins, 0).mean() + 1e-4 * sum((W * W).sum() + (b * b).sum()
                                                          for W, b in zip(Ws, bs))
        g = (-(margins > 0.0).astype(float) * y / len(y))[:, None]
        for k in range(len(Ws) - 1, -1, -1):
            if k < len(Ws) - 1:
                g = g * (zs[k] > 0)
            dW = acts[k].T @ g + 2e-4 * Ws[k]
            db = g.sum(axis=0) + 2e-4 * bs[k]
            g = g @ Ws[k].T
            Ws[k] -= 0.1 * dW
            bs[k] -= 0.1 * db
        return float(loss)
    return step


MICROGRAD = """
import gc, statistics, sys, time, random
sys.path.insert(0, {here!r})
from bench_value import two_moons, training_step, timed
import micrograd.nn as mg_nn
from micrograd.engine import Value
random.seed(1337)
X, y = two_moons({n})
model = mg_nn.MLP(2, [16, 16, 1])
print(statistics.median(timed(lambda: training_step(model, Value, X, y), {repeat}, True)))
"""


def micrograd_time(n: int, repeat: int) -> float | None:
    code = MICROGRAD.format(here=str(HERE), n=n, repeat=repeat)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, timeout=1200)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        print(f"  (micrograd skipped: {e})")
        return None
    return float(out.stdout.strip().splitlines()[-1])


def scalar_mlp(n: int, repeat: int, with_peers: bool) -> dict:
    X, y = two_moons(n)
    rows, ys = X.tolist(), y.tolist()
    eager_model, compiled_model = MLP(2, [16, 16, 1], seed=1), MLP(2, [16, 16, 1], seed=1)
    eager = mlp_step(eager_model, mlp_loss(eager_model), rows, ys)
    compiled_fn = autograd.compile(mlp_loss(compiled_model))
    compiled = mlp_step(compiled_model, compiled_fn, rows, ys)
    hand = numpy_mlp_step(MLP(2, [16, 16, 1], seed=1), X, y)
    nodes = len(topological_order(mlp_loss(eager_model)(rows, ys)))
    trace_cost, loss = timing.clock(compiled)  # traces
    first = [loss]
    losses = [eager(), eager(), hand(), hand()]
    first.append(compiled())
    if not np.allclose(first, losses[:2], rtol=1e-12) or not np.allclose(first, losses[2:]):
        raise SystemExit(f"compiled losses {first} differ from eager's {losses}")
    gc.enable()
    t = timing.medians(timing.interleaved({"eager": eager, "compiled": compiled, "numpy": hand},
                                         repeat))
    # The compiled and numpy steps take a millisecond or less: many more rounds of those
    # two give medians that a preemption on a loaded machine does not move (the eager
    # step takes seconds, so it gets only ``repeat`` rounds).
    t.update(timing.medians(timing.interleaved({"compiled": compiled, "numpy": hand},
                                               30 * repeat)))
    row = {"workload": f"scalar MLP(2,[16,16,1]) step, {n} points, gc on", "nodes": nodes,
           "eager_ms": t["eager"] * 1e3, "compiled_ms": t["compiled"] * 1e3,
           "numpy_ms": t["numpy"] * 1e3, "mode": compiled_fn.mode,
           "vs_eager": t["eager"] / t["compiled"],
           "vs_numpy": t["compiled"] / t["numpy"],
           "trace_first_call_ms": trace_cost * 1e3,
           "trace_us_per_node": (trace_cost - t["eager"]) / nodes * 1e6}
    if with_peers:
        mg = micrograd_time(n, max(3, repeat // 3))
        if mg is not None:
            row["micrograd_ms"] = mg * 1e3
            row["vs_micrograd"] = mg / t["compiled"]
    return row


# -- (b) the deep narrow chain ---------------------------------------------------------

def chain(n: int, repeat: int) -> dict:
    w, c = Value(0.5), Value(0.1)
    xs = np.random.default_rng(0).standard_normal(n).tolist()

    def loss(xs: list) -> Value:
        h = Value(0.0)
        for x in xs:
            h = (w * h + x + c).tanh()
        return h

    def stepper(fn: Callable) -> Callable:
        def step() -> float:
            out = fn(xs)
            w.grad = c.grad = 0.0
            out.backward()
            return out.data
        return step

    compiled_fn = autograd.compile(loss)
    eager, compiled = stepper(loss), stepper(compiled_fn)
    compiled()
    t = timing.medians(timing.interleaved({"eager": eager, "compiled": compiled}, repeat))
    return {"workload": f"deep narrow chain, {n} steps", "nodes": 4 * n,
            "eager_ms": t["eager"] * 1e3, "compiled_ms": t["compiled"] * 1e3,
            "mode": compiled_fn.mode, "compiled_vs_eager_time": t["compiled"] / t["eager"]}


# -- (c) the two-layer Tensor net ------------------------------------------------------

def gategrad_loss(p: dict, written_out: bool) -> tuple:
    params = [Tensor(p[k].copy(), requires_grad=True, label=k) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def loss(X: np.ndarray, y: np.ndarray) -> Tensor:
        s = (X @ W1 + b1).relu() @ W2 + b2
        if written_out:
            s = s - s.max(axis=1, keepdims=True)
            data = (s.exp().sum(axis=1).log() - s[np.arange(len(y)), y]).mean()
        else:
            data = s.cross_entropy(y)
        return data + REG * ((W1 * W1).sum() + (W2 * W2).sum())
    return loss, params


def tensor_step(fn: Callable, params: list, X: np.ndarray, y: np.ndarray) -> Callable:
    return sgd_step(lambda: fn(X, y), params)


def jax_step(p: dict, written_out: bool) -> Callable | None:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    X, y = jnp.asarray(p["X"]), jnp.asarray(p["y"])
    params = [jnp.asarray(p[k]) for k in ("W1", "b1", "W2", "b2")]

    def loss(params: list) -> Any:
        W1, b1, W2, b2 = params
        s = jnp.maximum(X @ W1 + b1, 0) @ W2 + b2
        s = s - s.max(axis=1, keepdims=True)
        logp = s - jnp.log(jnp.exp(s).sum(axis=1, keepdims=True))
        return -logp[jnp.arange(len(y)), y].mean() + REG * ((W1 * W1).sum() + (W2 * W2).sum())

    @jax.jit
    def update(params: list) -> tuple:
        value, grads = jax.value_and_grad(loss)(params)
        return value, [w - LR * g for w, g in zip(params, grads)]

    state = {"params": params}

    def step() -> float:
        value, state["params"] = update(state["params"])
        return float(value)
    return step


def tensor_net(size: str, dtype: Any, written_out: bool, repeat: int) -> dict:
    p = make_problem(*SIZES[size], dtype=dtype)
    X, y = p["X"], p["y"]
    eager_fn, eager_params = gategrad_loss(p, written_out)
    comp_fn, comp_params = gategrad_loss(p, written_out)
    compiled_fn = autograd.compile(comp_fn)
    steps = {"numpy": numpy_step(p), "eager": tensor_step(eager_fn, eager_params, X, y),
             "compiled": tensor_step(compiled_fn, comp_params, X, y)}
    jstep = jax_step(p, written_out)
    if jstep is not None:
        steps["jax.jit"] = jstep
    for _ in range(2):  # the compiled step traces, then replays: both must agree
        losses = {name: step() for name, step in steps.items()}
        for name, value in losses.items():
            if not np.isclose(value, losses["numpy"], rtol=1e-4):
                raise SystemExit(f"{name}: loss {value} vs numpy's {losses['numpy']}")
    t = timing.medians(timing.interleaved(steps, repeat))
    base = t["numpy"]
    row = {"workload": f"two-layer {size} {SIZES[size]} {np.dtype(dtype).name}"
                       f"{', softmax written out' if written_out else ', cross_entropy'}",
           "numpy_ms": base * 1e3}
    for name in steps:
        if name != "numpy":
            row[f"{name}_vs_numpy"] = t[name] / base
    return row


# -- (d) trace + compile cost ----------------------------------------------------------

def compile_cost(repeat: int) -> dict:
    X, y = two_moons(100)
    rows, ys = X.tolist(), y.tolist()
    model = MLP(2, [16, 16, 1], seed=1)
    loss = mlp_loss(model)
    nodes = len(topological_order(loss(rows, ys)))
    eager = median_time(lambda: loss(rows, ys), repeat)
    firsts, replays = [], []
    for _ in range(max(3, repeat // 3)):
        step = autograd.compile(loss)
        firsts.append(timing.clock(step, rows, ys)[0])
        replays.append(median_time(lambda step=step: step(rows, ys), 3))
    first, replay = statistics.median(firsts), statistics.median(replays)
    eager_step = median_time(lambda: loss(rows, ys).backward(), repeat)
    return {"workload": "trace + compile, scalar MLP on 100 points", "nodes": nodes,
            "first_call_ms": first * 1e3, "eager_forward_ms": eager * 1e3,
            "compile_us_per_node": (first - eager) / nodes * 1e6,
            "pays_off_after_steps": (first - eager) / max(eager_step - replay, 1e-12)}


def markdown_rows(rows: list) -> list[list[str]]:
    """The results as the cells of benchmarks/README.md's table."""
    out = []
    for r in rows:
        name = r["workload"]
        if "vs_eager" in r:
            out.append([f"{name} ({r['nodes']:,} nodes)", f"{r['compiled_ms']:.2f} ms",
                        f"**{r['vs_eager']:.0f}x** faster than eager ({r['eager_ms']:.0f} ms); "
                        f"{r['vs_numpy']:.1f}x hand numpy's time ({r['numpy_ms']:.2f} ms)"
                        + (f"; **{r['vs_micrograd']:.0f}x** faster than micrograd "
                           f"({r['micrograd_ms']:.0f} ms)" if "vs_micrograd" in r else ""),
                        "≥ 50x eager (100x at 1,000 points), ≥ 1,000x micrograd"])
        elif "compiled_vs_eager_time" in r:
            out.append([name, f"{r['compiled_ms']:.1f} ms ({r['mode']})",
                        f"**{r['compiled_vs_eager_time']:.2f}x** eager's time", "≤ 1.1x"])
        elif "compiled_vs_numpy" in r:
            jax = f"; jax.jit {r['jax.jit_vs_numpy']:.2f}x" if "jax.jit_vs_numpy" in r else ""
            out.append([name, f"numpy {r['numpy_ms']:.2f} ms",
                        f"**{r['compiled_vs_numpy']:.2f}x** hand numpy's time "
                        f"(eager {r['eager_vs_numpy']:.2f}x{jax})",
                        "≤ 1.1x" if "small" in name else "≤ 1.0x"])
        else:
            out.append([f"{name} ({r['nodes']:,} nodes)",
                        f"first call {r['first_call_ms']:.0f} ms",
                        f"{r['compile_us_per_node']:.1f} µs per node; pays off after "
                        f"{r['pays_off_after_steps']:.1f} steps", "≤ 10 µs; ≤ 5 steps"])
    return out


COLUMNS = ["workload", "compiled", "ratio", "target"]


def markdown(rows: list) -> str:
    """The results as a Markdown table (what ``--table`` prints)."""
    cells = [COLUMNS, ["---"] * len(COLUMNS), *markdown_rows(rows)]
    return "\n".join("| " + " | ".join(c) + " |" for c in cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="small sizes only, no peers")
    parser.add_argument("--table", action="store_true",
                        help="print the markdown table of the last results and stop")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for every engine but jax (default 1: on a shared "
                        "machine, two BLAS threads waiting on a busy core swing a matmul's "
                        "time many-fold)")
    args = parser.parse_args()
    if args.table:
        print(markdown(json.loads(RESULTS.read_text())["runs"]["rows"]))
        return
    from threadpoolctl import threadpool_limits  # the bench extra (scikit-learn's)

    with threadpool_limits(limits=args.threads, user_api="blas"):
        run(args)


def run(args: argparse.Namespace) -> None:
    rows: list = []

    def report(row: dict) -> None:
        rows.append(row)
        print(json.dumps(row, default=float), flush=True)

    # The chains first: after the big scalar graphs, the collector's extra work would
    # blur a comparison that must resolve 10%.
    for n in (1000,) if args.quick else (1000, 10000):
        report(chain(n, 3 * args.repeat if n <= 1000 else args.repeat))
    report(scalar_mlp(100, args.repeat, with_peers=not args.quick))
    if not args.quick:
        gc.collect()
        report(scalar_mlp(1000, max(3, args.repeat // 3), with_peers=False))
    sizes = ["small"] if args.quick else ["small", "medium", "large"]
    for size in sizes:
        for dtype in (np.float64, np.float32):
            for written_out in (False, True):
                reps = args.repeat if size != "large" else max(3, args.repeat // 2)
                report(tensor_net(size, dtype, written_out, reps))
    report(compile_cost(args.repeat))
    if not args.quick:
        rows = json.loads(json.dumps(rows, default=float))  # numpy numbers as plain floats
        write("bench_compile", command=f"python benchmarks/bench_compile.py --repeat "
              f"{args.repeat} --threads {args.threads}", runs={"rows": rows}, medians={},
              packages=[
                  "numpy", "micrograd", "jax"],
              tables={"targets": table(COLUMNS, markdown_rows(rows))})
    print(markdown(rows))


if __name__ == "__main__":
    main()
