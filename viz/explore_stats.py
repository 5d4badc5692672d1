"""What the explorer's node panel shows about an array: summary, histogram, heatmap.

Sizes are bounded whatever the array's size (``BINS`` bars, at most ``HEAT`` × ``HEAT``
cells), so a 500-node explorer stays a small file. NaN and ±inf are counted, not binned.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops import values

from .labels import num, shape_text

BINS = 16
HEAT = 12  # a 2-D array is sampled to at most HEAT × HEAT cells


def describe(a: Any) -> dict:
    """Shape, dtype, min/mean/max, a histogram and (2-D) a heatmap of ``a``, as JSON."""
    a = np.asarray(values(a))
    out: dict = {"shape": shape_text(a)}
    if a.size == 0 or a.dtype.kind not in "fiub":
        return out
    x = a.astype(np.float64, copy=False)
    finite = np.isfinite(x)
    out["nonfinite"] = int(x.size - finite.sum())
    good = x[finite]
    if good.size:
        lo, hi = float(good.min()), float(good.max())
        # Averaged and binned after scaling to [-1, 1]: the same numbers, but a sum of
        # values near 1e308, or the range hi - lo of -1e308 .. 1e308, would overflow.
        scale = max(abs(lo), abs(hi)) or 1.0
        out.update(min=num(lo), mean=num(float((good / scale).mean()) * scale), max=num(hi))
        counts, _ = np.histogram(good / scale, bins=BINS)
        out["hist"] = {"counts": counts.tolist(), "lo": num(lo), "hi": num(hi)}
    if x.ndim == 2 and x.size > 1:
        out["heat"] = heatmap(x)
    return out


def heatmap(x: np.ndarray) -> dict:
    """``x`` sampled to at most HEAT × HEAT cells, scaled to 0..1 (-1: NaN or inf)."""
    rows = np.unique(np.linspace(0, x.shape[0] - 1, min(HEAT, x.shape[0])).astype(int))
    cols = np.unique(np.linspace(0, x.shape[1] - 1, min(HEAT, x.shape[1])).astype(int))
    cells = x[np.ix_(rows, cols)]
    finite = np.isfinite(cells)
    lo = float(cells[finite].min()) if finite.any() else 0.0
    hi = float(cells[finite].max()) if finite.any() else 0.0
    scale = max(abs(lo), abs(hi)) or 1.0  # scaled first: hi - lo may overflow
    span = hi / scale - lo / scale or 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.where(finite, np.round((cells / scale - lo / scale) / span, 2), -1.0)
    return {"rows": len(rows), "cols": len(cols), "cells": scaled.ravel().tolist(),
            "lo": num(lo), "hi": num(hi), "sampled": bool(cells.shape != x.shape)}


def magnitude(a: Any) -> float | None:
    """log10 of the largest |element|: the overlay's colour. None for 0, nan/inf or no grad."""
    if a is None:
        return None
    x = np.abs(np.asarray(values(a), dtype=np.float64))
    if x.size == 0 or not np.isfinite(x).all():
        return None
    top = float(x.max())
    return round(float(np.log10(top)), 3) if top > 0 else None


def finite(a: Any) -> bool:
    """Whether every element of ``a`` is a finite number (None counts as finite)."""
    if a is None:
        return True
    x = np.asarray(values(a))
    return x.dtype.kind not in "fc" or bool(np.isfinite(x).all())
