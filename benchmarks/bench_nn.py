"""gategrad's models against scikit-learn's on the same splits: accuracy and training time.

Data: scikit-learn's digits (10 classes) and breast cancer (2 classes), split 75/25 with
``nn.train_test_split(seed=0)`` and standardized with the training set's statistics; both
libraries get exactly the same arrays. Models:
  - logistic regression: ``nn.LogisticRegression`` (binary) / ``nn.LinearClassifier``
    (softmax, multiclass) trained by gradient descent, vs scikit-learn's
    ``LogisticRegression`` (lbfgs);
  - two-layer net: ``nn.TwoLayerNet`` (relu, softmax or bce) vs ``MLPClassifier`` with
    the same hidden size (relu, Adam, its defaults otherwise).
Times are the median of ``--repeat`` fits, BLAS limited to ``--threads`` threads for
both (matrices this small gain nothing from more, and threads thrash on a busy machine).

Run: python benchmarks/bench_nn.py [--repeat 3] [--threads 1]   (needs scikit-learn)
"""

from __future__ import annotations

import argparse
import statistics
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import record
import timing

import nn

try:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - the bench extra is missing
    raise SystemExit("scikit-learn is not installed: pip install -e '.[bench]'") from None


def split(name: str) -> tuple[np.ndarray, ...]:
    X, y = nn.load_dataset(name)
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=0)
    X_train, X_test = nn.standardize(X_train, X_test)
    return X_train, X_test, y_train, y_test


def ours_logreg(name: str, n_features: int, n_classes: int) -> tuple[Any, dict]:
    if n_classes == 2:
        return nn.LogisticRegression(n_features), dict(epochs=300, lr=0.1)
    return (nn.LinearClassifier(n_features, n_classes, seed=0),
            dict(epochs=300, lr=0.5, reg=1e-4))


def ours_net(name: str, n_features: int, n_classes: int) -> tuple[Any, dict]:
    if n_classes == 2:
        model = nn.TwoLayerNet(n_features, 100, 1, loss="bce", init="he", seed=0)
        return model, dict(epochs=30, lr=0.05, batch_size=32, optimizer="momentum", reg=1e-3,
                           seed=0)
    model = nn.TwoLayerNet(n_features, 256, n_classes, init="he", seed=0)
    return model, dict(epochs=40, lr=0.05, batch_size=32, optimizer="momentum", reg=1e-3,
                       seed=0)


def theirs_logreg(name: str, n_features: int, n_classes: int) -> tuple[Any, dict]:
    return SkLogisticRegression(max_iter=5000), {}


def theirs_net(name: str, n_features: int, n_classes: int) -> tuple[Any, dict]:
    hidden = 100 if n_classes == 2 else 256
    return MLPClassifier(hidden_layer_sizes=(hidden,), max_iter=500, random_state=0), {}


def run(make: Callable[..., tuple[Any, dict]], data: tuple[np.ndarray, ...], name: str,
        repeat: int, ours: bool) -> tuple[list[float], float, float]:
    """(training seconds of each fresh fit, train accuracy, test accuracy of the last)."""
    X_train, X_test, y_train, y_test = data
    n_classes = int(y_train.max()) + 1
    times = []
    for _ in range(repeat):
        model, options = make(name, X_train.shape[1], n_classes)  # a fresh one each time
        if ours:
            seconds, _ = timing.clock(model.fit, X_train, y_train, verbose=False, **options)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                seconds, _ = timing.clock(model.fit, X_train, y_train)
        times.append(seconds)
    return (times, model.score(X_train, y_train),
            model.score(X_test, y_test))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for both")
    args = parser.parse_args()
    runs, medians, rows = {}, {}, []
    with threadpool_limits(limits=args.threads, user_api="blas"):
        for name in ("digits", "breast_cancer"):
            data = split(name)
            for kind, ours, theirs in (("logistic regression", ours_logreg, theirs_logreg),
                                       ("two-layer net", ours_net, theirs_net)):
                for lib, make, is_ours in (("gategrad", ours, True),
                                           ("scikit-learn", theirs, False)):
                    times, train_acc, test_acc = run(make, data, name, args.repeat, is_ours)
                    case = f"{name}, {kind}, {lib}"
                    runs[case] = times
                    medians[case] = {"train seconds": statistics.median(times),
                                     "train accuracy": train_acc, "test accuracy": test_acc}
                    rows.append([name.replace("_", " "), kind, lib,
                                 f"{medians[case]['train seconds']:.3f}", f"{train_acc:.2%}",
                                 f"{test_acc:.2%}"])
    print(f"75/25 split (seed 0), standardized; median of {args.repeat} fits, "
          f"{args.threads} BLAS thread(s)")
    print(f"{'data set':<14} {'model':<20} {'library':<13} {'train s':>8} {'train acc':>10} "
          f"{'test acc':>9}")
    for row in rows:
        print(f"{row[0]:<14} {row[1]:<20} {row[2]:<13} {row[3]:>8} {row[4]:>10} {row[5]:>9}")
    record.write("bench_nn", command=record.command_line(), runs=runs, medians=medians,
                 tables={"fits": record.table(["data set", "model", "library", "train s",
                                               "train acc", "test acc"], rows)},
                 packages=["numpy", "scikit-learn"])


if __name__ == "__main__":
    main()
