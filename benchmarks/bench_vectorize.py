"""The course's vectorization demo, and the same lesson on the engine.

(1) a Python for-loop against np.dot on two 1,000,000-element vectors (the course's
    "Vectorized version: 1.5 ms, for loop: 474 ms"), and the same dot product as a graph:
    4,000,001 scalar Value nodes against one Tensor gate, forward + backward;
(2) logistic regression trained by gradient descent on 400 two-feature points, built
    from scalar Values (one graph node per multiply) and from Tensors (one node per
    matrix operation): time per epoch, and the same weights at the end.

Run: python benchmarks/bench_vectorize.py [--repeat 3]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
import record
import timing

from autograd import Tensor, Value
from autograd.engine import topological_order


def loop_dot(a: np.ndarray, b: np.ndarray) -> float:
    c = 0.0
    for i in range(len(a)):
        c += a[i] * b[i]
    return c


def value_dot(a: list, b: list) -> Value:
    """The dot product as scalar nodes, forward and backward; returns its output node."""
    xs, ws = [Value(x) for x in a], [Value(w) for w in b]
    total = sum((x * w for x, w in zip(xs, ws)), Value(0.0))
    total.backward()
    return total


def tensor_dot(a: np.ndarray, b: np.ndarray) -> None:
    x, w = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    (x @ w).backward()


def logistic_values(X: np.ndarray, y: np.ndarray, epochs: int, lr: float) -> np.ndarray:
    w = [Value(0.0), Value(0.0)]
    b = Value(0.0)
    rows, labels = X.tolist(), y.tolist()
    for _ in range(epochs):
        losses = []
        for (x1, x2), yi in zip(rows, labels):
            a = (w[0] * x1 + w[1] * x2 + b).sigmoid()
            losses.append(-(yi * a.log() + (1 - yi) * (1 - a).log()))
        loss = sum(losses) / len(losses)
        for p in (*w, b):
            p.grad = 0.0
        loss.backward()
        for p in (*w, b):
            p.data -= lr * p.grad
    return np.array([w[0].data, w[1].data, b.data])


def logistic_tensors(X: np.ndarray, y: np.ndarray, epochs: int, lr: float) -> np.ndarray:
    Xt, w, b = Tensor(X), Tensor(np.zeros(2), requires_grad=True), Tensor(0.0, requires_grad=True)
    for _ in range(epochs):
        a = (Xt @ w + b).sigmoid()
        loss = -(y * a.log() + (1 - y) * (1 - a).log()).mean()
        loss.backward()
        for p in (w, b):
            p.data -= lr * p.grad
            p.grad = None
    return np.array([*w.data, b.item()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timings of each case")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    a, b = rng.random(1_000_000), rng.random(1_000_000)
    runs = {"python for-loop": timing.seconds(lambda: loop_dot(a, b), args.repeat),
            "np.dot": timing.seconds(lambda: np.dot(a, b), 10 * args.repeat),
            "Values": timing.seconds(lambda: value_dot(a.tolist(), b.tolist()), args.repeat),
            "Tensor @": timing.seconds(lambda: tensor_dot(a, b), 10 * args.repeat)}
    nodes = len(topological_order(value_dot(a.tolist(), b.tolist())))

    X = rng.standard_normal((400, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)
    epochs, lr = 20, 0.5
    weights = {}

    def train(how: Callable[..., np.ndarray], key: str) -> Callable[[], None]:
        def run() -> None:
            weights[key] = how(X, y, epochs, lr)  # the last run's weights are compared
        return run

    trained = timing.interleaved({"logistic, scalar Values": train(logistic_values, "values"),
                                  "logistic, Tensors": train(logistic_tensors, "tensors")},
                                 args.repeat)
    runs.update({key: [s / epochs for s in times] for key, times in trained.items()})
    t = timing.medians(runs)
    difference = float(np.abs(weights["values"] - weights["tensors"]).max())

    dot = [["Python for-loop dot product", f"{t['python for-loop'] * 1e3:.1f} ms"],
           ["`np.dot`", f"{t['np.dot'] * 1e3:.2f} ms "
                        f"({t['python for-loop'] / t['np.dot']:,.0f}x faster)"],
           [f"as {nodes:,} scalar `Value` nodes, forward + backward",
            f"{t['Values'] * 1e3:.1f} ms"],
           ["as one `Tensor` `@` gate, forward + backward",
            f"{t['Tensor @'] * 1e3:.2f} ms ({t['Values'] / t['Tensor @']:,.0f}x faster)"]]
    logistic = [["scalar `Value`s (one node per multiply)",
                 f"{t['logistic, scalar Values'] * 1e3:.2f} ms"],
                ["`Tensor`s (one node per matrix operation)",
                 f"{t['logistic, Tensors'] * 1e3:.3f} ms "
                 f"({t['logistic, scalar Values'] / t['logistic, Tensors']:,.0f}x faster)"]]
    for row in dot + logistic:
        print(f"  {row[0]:<58} {row[1]}")
    print(f"same weights: {np.allclose(*weights.values(), rtol=1e-9, atol=1e-12)} "
          f"(max difference {difference:.1e})")
    record.write("bench_vectorize", command=record.command_line(), runs=runs,
                 medians={**t, "largest weight difference": difference},
                 tables={"dot": record.table(["two 1,000,000-element vectors", "time"], dot),
                         "logistic": record.table(
                             [f"logistic regression, 400 points, {epochs} epochs of gradient "
                              "descent", "per epoch"], logistic)},
                 packages=["numpy"])


if __name__ == "__main__":
    main()
