"""The course's vectorization demo, and the same lesson on the engine.

(1) a Python for-loop against np.dot on two 1,000,000-element vectors (the course's
    "Vectorized version: 1.5 ms, for loop: 474 ms"), and the same dot product as a graph:
    4,000,001 scalar Value nodes against one Tensor gate, forward + backward;
(2) logistic regression trained by gradient descent on 400 two-feature points, built
    from scalar Values (one graph node per multiply) and from Tensors (one node per
    matrix operation): time per epoch, and the same weights at the end.

Run: python benchmarks/bench_vectorize.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, Value
from autograd.engine import topological_order


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


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
    rng = np.random.default_rng(0)
    a, b = rng.random(1_000_000), rng.random(1_000_000)
    t_loop = best_of(lambda: loop_dot(a, b), 1)
    t_dot = best_of(lambda: np.dot(a, b), 10)
    t_values = best_of(lambda: value_dot(a.tolist(), b.tolist()), 1)
    nodes = len(topological_order(value_dot(a.tolist(), b.tolist())))
    t_tensor = best_of(lambda: tensor_dot(a, b), 10)
    print("(1) dot product of two 1,000,000-element vectors")
    print(f"    python for-loop      {t_loop * 1e3:9.1f} ms")
    print(f"    np.dot               {t_dot * 1e3:9.2f} ms   ({t_loop / t_dot:,.0f}x faster)")
    print(f"    Values, fwd+bwd      {t_values * 1e3:9.1f} ms   ({nodes:,} nodes)")
    speedup = t_values / t_tensor
    print(f"    Tensor @, fwd+bwd    {t_tensor * 1e3:9.2f} ms   ({speedup:,.0f}x faster, 3 nodes)")

    X = rng.standard_normal((400, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)
    epochs, lr = 20, 0.5
    t0 = time.perf_counter()
    w_values = logistic_values(X, y, epochs, lr)
    t_v = (time.perf_counter() - t0) / epochs
    t0 = time.perf_counter()
    w_tensor = logistic_tensors(X, y, epochs, lr)
    t_t = (time.perf_counter() - t0) / epochs
    print(f"(2) logistic regression, 400 points, {epochs} epochs of gradient descent")
    print(f"    scalar Values        {t_v * 1e3:9.2f} ms per epoch")
    print(f"    Tensors              {t_t * 1e3:9.3f} ms per epoch   ({t_v / t_t:,.0f}x faster)")
    print(f"    same weights: {np.allclose(w_values, w_tensor, rtol=1e-9, atol=1e-12)} "
          f"(max difference {np.abs(w_values - w_tensor).max():.1e})")


if __name__ == "__main__":
    main()
