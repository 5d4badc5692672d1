"""Pictures of a trained model: its decision regions on 2-d data, and its training curves.

matplotlib is an optional extra (``pip install 'gategrad[plot]'``), imported inside these
functions. They use matplotlib's object API (``Figure``), never pyplot, so they work
without a display and leave the caller's pyplot state alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .models import Classifier
from .scalar_mlp import MLP
from .validation import check_features, check_labels, positive_int


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plotting needs matplotlib, which is not installed: "
                          "pip install 'gategrad[plot]'") from None
    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def plot_decision_boundary(model: Classifier | MLP, X: np.ndarray, y: np.ndarray,
                           path: str | Path, title: str = "",
                           X_test: np.ndarray | None = None,
                           y_test: np.ndarray | None = None, resolution: int = 300) -> Path:
    """Colour the plane by the class ``model`` predicts there, and draw the points on top.

    Training points are circles, test points (if given) triangles. Needs 2 features.
    """
    X = check_features(X, 2, "plot_decision_boundary: X", taker="the plot")
    y = check_labels(y, len(X), max(model.n_classes, 2))
    if X_test is not None or y_test is not None:
        X_test = check_features(X_test, 2, "plot_decision_boundary: X_test", taker="the plot")
        y_test = check_labels(y_test, len(X_test), max(model.n_classes, 2), "y_test", "X_test")
    resolution = positive_int(resolution, "plot_decision_boundary: resolution", 2000)
    fig = _figure(6.4, 5.6)
    ax = fig.add_subplot()
    everything = X if X_test is None else np.r_[X, X_test]
    lo, hi = everything.min(axis=0), everything.max(axis=0)
    pad = 0.08 * (hi - lo) + 1e-9
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    regions = model.predict(np.c_[gx.ravel(), gy.ravel()]).reshape(gx.shape)
    k = max(model.n_classes, int(y.max()) + 1)
    colours = _colours(k)
    from matplotlib.colors import BoundaryNorm, ListedColormap

    cmap = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(-0.5, k), k)
    ax.contourf(gx, gy, regions, levels=np.arange(-0.5, k), cmap=cmap, norm=norm, alpha=0.3)
    ax.contour(gx, gy, regions, levels=np.arange(0.5, k - 1), colors="k", linewidths=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, norm=norm, s=18, edgecolors="k",
               linewidths=0.5, label="train")
    if X_test is not None and y_test is not None:
        ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap=cmap, norm=norm, s=30,
                   marker="^", edgecolors="k", linewidths=0.7, label="test")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or f"decision boundary of {type(model).__name__}", fontsize=10)
    return _save(fig, path)


def plot_history(history: dict[str, list[float]], path: str | Path, title: str = "") -> Path:
    """Loss (left) and accuracy (right) per epoch, with the validation curves if present."""
    if not isinstance(history, dict) or not {"loss", "accuracy"} <= history.keys():
        raise ValueError("plot_history needs the History that fit returns (lists 'loss' and "
                         f"'accuracy'), got {type(history).__name__}")
    fig = _figure(9.0, 3.6)
    loss_ax, acc_ax = fig.subplots(1, 2)
    epochs = np.arange(1, len(history["loss"]) + 1)
    for key, ax in (("loss", loss_ax), ("accuracy", acc_ax)):
        ax.plot(epochs, history[key], label="train")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if len(epochs) > 50:
        loss_ax.set_xscale("log")
        acc_ax.set_xscale("log")
    if title:
        fig.suptitle(title, fontsize=10)
    return _save(fig, path)


def _colours(k: int) -> list[str]:
    if k == 2:
        return ["#d62728", "#1f77b4"]  # the course's red and blue
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
               "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    return [palette[i % len(palette)] for i in range(k)]


def _save(fig: Any, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
