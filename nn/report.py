"""Watching a model learn: what ``fit(..., report=path)`` records while it trains.

Every epoch: the loss and accuracy (train and validation) the history keeps anyway. Every
``every`` epochs (about ``FRAMES`` times per run): the per-layer gradient norms and, for
2-D data, the decision boundary on a ``GRID`` × ``GRID`` grid. At ``SNAPSHOTS`` chosen
epochs: the model's loss graph with its gradients, as a ``viz.explore`` explorer with the
gradient-health overlay, its numbers read at that epoch and its layout made when the page
is written, all snapshots in one run of Graphviz (starting ``dot`` costs more than laying
out one small graph). The page itself is written by ``report_page.py``.

Recording reads what training leaves behind (the gradients of the epoch's last step) and
never changes the model: the graph snapshots run their own backward pass with the
parameters' gradients saved and put back.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import no_grad
from viz.labels import l2_norm

from .module import zero_grads

if TYPE_CHECKING:
    from .models import Classifier

FRAMES = 100  # records per run, at the default interval
GRID = 64  # decision-boundary grid, per side
SNAPSHOTS = 4  # graph snapshots per run
SNAPSHOT_SAMPLES = 16  # training samples in a snapshot's graph: enough to see its health
POINTS = 400  # training points drawn under the decision boundary


def check_report_path(path: Any) -> Path:
    """``path`` as a Path to an ``.html`` file in an existing, writable folder: checked
    before training starts, so a bad path costs nothing."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"report must be a path to an .html file, got {type(path).__name__}")
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"report: {str(path)!r} must end in .html")
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"report: the folder {str(folder)!r} of {str(path)!r} "
                                "does not exist")
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"report: cannot write into {str(folder)!r}")
    return path


class Recorder:
    """Records one training run of ``model`` on ``X``, ``y`` over ``epochs`` epochs."""

    def __init__(self, path: Any, model: Classifier, X: np.ndarray, y: np.ndarray,
                 epochs: int, reg: float, every: int | None = None) -> None:
        self.path = check_report_path(path)
        self.model, self.X, self.y, self.reg = model, X, y, reg
        self.epochs = epochs
        self.every = max(1, epochs // FRAMES) if every is None else every
        self.snapshot_at = sorted({0, epochs // 3, (2 * epochs) // 3, epochs - 1})
        self.names = [name for name, _ in model.named_parameters()]
        self.recorded: list[int] = []  # 1-based epochs of the records below
        self.norms: dict[str, list[float | None]] = {name: [] for name in self.names}
        self.frames: list[str] = []
        self.snapshots: list[tuple[int, Any]] = []
        self.notes: list[str] = []
        self.grid = _grid(X) if X.shape[1] == 2 else None

    def after_epoch(self, epoch: int) -> None:
        """Record what is due after ``epoch`` (0-based) has finished its last step."""
        last = epoch == self.epochs - 1
        if epoch % self.every == 0 or last:
            self.recorded.append(epoch + 1)
            for name, p in self.model.named_parameters():
                g = p.grad
                self.norms[name].append(None if g is None else _round(l2_norm(g)))
            if self.grid is not None:
                with no_grad():
                    self.frames.append(_classes(self.model.predict(self.grid[2])))
        if epoch in self.snapshot_at:
            self._snapshot(epoch + 1)

    def _snapshot(self, epoch: int) -> None:
        try:
            from viz.explore import explore_later
        except ImportError as e:  # viz is part of gategrad, but a trimmed install may lack it
            self._note(f"no graph snapshots: {e}")
            return
        params = self.model.parameters()
        saved = [p.grad for p in params]
        try:
            zero_grads(params)
            n = min(SNAPSHOT_SAMPLES, len(self.X))
            loss = self.model.objective(self.model.forward(self.model.inputs(self.X[:n])),
                                        self.y[:n], self.reg)
            loss.label = "loss"
            loss.backward()
            # laid out at write time, all snapshots in one run of Graphviz's dot
            self.snapshots.append((epoch, explore_later(loss, model=self.model)))
        finally:
            for p, g in zip(params, saved):
                p.grad = g

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def data(self, history: dict, title: str) -> dict:
        """Everything the page shows, JSON-ready."""
        out: dict = {"title": title, "epochs": self.epochs, "every": self.every,
                     "history": {k: [_round(v) for v in vals] for k, vals in history.items()},
                     "recorded": self.recorded, "norms": self.norms, "notes": self.notes,
                     "snapshots": [epoch for epoch, _ in self.snapshots]}
        if self.grid is not None:
            (x0, x1, y0, y1), _, _ = self.grid
            keep = np.linspace(0, len(self.X) - 1, min(POINTS, len(self.X))).astype(int)
            out["boundary"] = {"grid": GRID, "extent": [x0, x1, y0, y1], "frames": self.frames,
                               "classes": int(self.y.max()) + 1,
                               "points": np.round(self.X[keep], 3).tolist(),
                               "labels": self.y[keep].astype(int).tolist()}
        return out

    def write(self, history: dict, title: str) -> Path:
        """Write the page (whole or not at all) and return its path."""
        from .report_page import write_page

        if self.snapshots:
            from viz.explore import lay_out

            try:
                lay_out([explorer for _, explorer in self.snapshots])
            except RuntimeError as e:  # no Graphviz to lay the graphs out
                self._note(f"no graph snapshots: {e}")
                self.snapshots.clear()
        return write_page(self.path, self.data(history, title),
                          [explorer for _, explorer in self.snapshots])


def _grid(X: np.ndarray) -> tuple[tuple[float, float, float, float], int, np.ndarray]:
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = (hi - lo) * 0.08 + 1e-9
    x0, y0 = lo - pad
    x1, y1 = hi + pad
    xs = np.linspace(x0, x1, GRID)
    ys = np.linspace(y1, y0, GRID)  # row 0 at the top, as the page draws it
    gx, gy = np.meshgrid(xs, ys)
    extent = (float(x0), float(x1), float(y0), float(y1))
    return extent, GRID, np.column_stack([gx.ravel(), gy.ravel()])


_DIGITS = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def _classes(labels: np.ndarray) -> str:
    """Predicted classes, one character each (0-9, then letters, "?" past those): compact
    and plain. One table lookup over the whole grid (it runs ~100 times a fit, on 4,000+
    points: a Python loop per point was most of what recording cost)."""
    c = np.asarray(labels).ravel().astype(np.int64)
    known = (c >= 0) & (c < len(_DIGITS))
    chars = np.where(known, _DIGITS[np.where(known, c, 0)], ord("?")).astype(np.uint8)
    return chars.tobytes().decode("ascii")


def _round(x: Any) -> float | None:
    """``x`` to 5 significant digits; None for NaN and inf (JSON has neither). It runs on
    every history value (40,000 on a 10,000-epoch run): math.isfinite, not numpy's, whose
    per-call overhead was half its cost."""
    x = float(x)
    return float(f"{x:.5g}") if math.isfinite(x) else None
