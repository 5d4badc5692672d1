"""Which arguments are the same object: part of what a trace assumed about its call.

A trace maps each leaf to where it came from. When one object sits at two argument
positions (``step(a, a)``), or an argument is a leaf the function also reads itself
(``step(W)`` for ``f(x) = (x * W).sum()``), the trace sees one leaf and maps it to one
place: a later call with distinct objects (``step(a, b)``, ``step(b)``) would replay the
wrong graph. The structure key holds types and shapes, not identities, so each trace also
keeps its aliasing pattern, and a replay runs only for a call with the same pattern.

The pattern covers the arguments that are nodes or arrays (numbers are values, read by
position): for each, the position of the first argument that is the same object, or
``-1 - j`` when it is the trace's captured leaf ``j``. With no aliasing (the usual case)
the pattern is ``()``: one list of ids and a set, a few hundred nanoseconds.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..node import Node


def identity_positions(flat: list) -> tuple[int, ...]:
    """Positions of the flat arguments whose identity matters (nodes and arrays)."""
    return tuple(k for k, x in enumerate(flat) if isinstance(x, (Node, np.ndarray)))


def aliasing(flat: list, positions: tuple[int, ...], captured: dict[int, int]) -> tuple:
    """The aliasing pattern of ``flat`` at ``positions``; ``captured`` maps the id of each
    leaf the function reads itself to ``-1 - j``. ``()`` when nothing is shared."""
    if not positions:
        return ()
    if len(positions) == 1:
        ids = [id(flat[positions[0]])]
        if not captured or ids[0] not in captured:
            return ()
    else:
        ids = list(map(id, operator.itemgetter(*positions)(flat)))
        if len(set(ids)) == len(ids) and (not captured or captured.keys().isdisjoint(ids)):
            return ()
    first: dict[int, Any] = dict(captured)
    return tuple(first.setdefault(x, i) for i, x in enumerate(ids))
