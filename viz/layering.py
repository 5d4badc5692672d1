"""The column (dot's "rank") of every box and gate of a big drawing, decided here.

dot ranks a graph by network simplex, which finds the ranks that make the edges shortest
in total, but on a big graph it is stopped after a few iterations
(``collapse.FAST_LAYOUT``'s ``nslimit1``) and leaves many long edges behind. Each rank a
long edge crosses becomes an invisible node that the crossing minimization has to place,
and that stage dominates the time: micrograd's MLP on 12 points (5,195 boxes) has 338
L2-penalty terms, each an edge from a weight's square to the one ``+`` gate that sums them.

The ranks computed here aim at the same objective (the total length of the edges) with
a few linear passes of local moves, and are handed to dot as ``rank=same`` groups, so its
own ranking has only the groups to order. For that 12-point MLP, the edges cross 2,822
ranks in all, against 15,586 with dot 2.43's capped ranking (read off its picture), and
dot's crossing minimization takes about half the time. The ranks:

1. every node as late as its uses allow (the output at the last rank);
2. then, in turns until nothing moves: a node with at least as many inputs as uses moves
   as early as its inputs allow (its input edges shorten at least as much as its uses lengthen),
   and a node with more uses than inputs moves as late as its uses allow. A leaf used
   once follows its use, so it never holds a gate back.

Each move shortens the edges in total or leaves them as long, so the passes end.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

MAX_PASSES = 20  # each pass is linear; the drawings measured settle in two or three
# Below this many boxes and gates, dot's own ranking (capped, but at few iterations from
# done) is as good and as quick: for the MLP of the benchmark on 1 point (1,773 nodes),
# its edges cross 1,374 ranks against 2,822 here, both laid out in 0.3 s; on 2 points
# (2,521 nodes) 2,666 against 2,822; on 3 points (3,269 nodes), 3,958 against 2,822.
RANKS_ABOVE = 2500
N = TypeVar("N", bound=Hashable)  # a node's name


def ranks(edges: Iterable[tuple[N, N]]) -> list[list[N]]:
    """The nodes of the acyclic graph ``edges`` (tail, head) grouped by rank, rank 0 first;
    every edge goes from a lower rank to a higher one. A repeated edge counts twice (as
    ``x * x`` pulls ``x`` twice). Raises ``ValueError`` if the edges form a cycle."""
    index: dict[N, int] = {}
    succ: list[list[int]] = []
    pred: list[list[int]] = []
    for tail, head in edges:
        a, b = (index.setdefault(x, len(index)) for x in (tail, head))
        while len(succ) < len(index):
            succ.append([])
            pred.append([])
        succ[a].append(b)
        pred[b].append(a)
    if not index:
        return []
    order = _topological(succ, pred)
    rank = [0] * len(order)
    for v in reversed(order):  # 1. as late as the uses allow
        if succ[v]:
            rank[v] = min(rank[s] for s in succ[v]) - 1
    # A leaf used once is placed by its use (pass 2 below); it never bounds a move.
    free = [not pred[v] and len(succ[v]) == 1 for v in range(len(order))]
    for _ in range(MAX_PASSES):  # 2. local moves, each one shortening the edges or neutral
        moved = False
        for v in order:
            if pred[v] and len(pred[v]) >= len(succ[v]):
                bound = max((rank[p] for p in pred[v] if not free[p]), default=None)
                if bound is not None and bound + 1 < rank[v]:
                    rank[v] = bound + 1
                    moved = True
        for v in reversed(order):  # uses before inputs: a free leaf follows its use here
            if succ[v] and len(succ[v]) > len(pred[v]):
                latest = min(rank[s] for s in succ[v]) - 1
                if latest != rank[v]:
                    rank[v] = latest
                    moved = True
        if not moved:
            break
    low = min(rank)
    groups: list[list[N]] = [[] for _ in range(max(rank) - low + 1)]
    for node, v in index.items():
        groups[rank[v] - low].append(node)
    return groups


def _topological(succ: list[list[int]], pred: list[list[int]]) -> list[int]:
    """The nodes, each after all of its inputs (Kahn's algorithm: no recursion)."""
    waiting = [len(p) for p in pred]
    ready = [v for v, n in enumerate(waiting) if n == 0]
    order = []
    while ready:
        v = ready.pop()
        order.append(v)
        for s in succ[v]:
            waiting[s] -= 1
            if waiting[s] == 0:
                ready.append(s)
    if len(order) != len(succ):
        raise ValueError("ranks: the edges form a cycle")
    return order
