"""Which nodes a drawing is about: the roots, their graph in a stable order, and the uses.

Every drawing starts here. The order comes from ``autograd.engine.topological_order``
(iterative, so a million-node chain is fine), reversed so inputs come first; the names
``n0, n1, ...`` are positions in that order. The order depends only on the graph's
structure (inputs are visited ``_a`` before ``_b``), never on ``id()``, so the same graph
built twice gets the same names and the same DOT text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from autograd.engine import topological_order
from autograd.node import Node

Roots = Node | Sequence[Node]  # what every drawing takes: a Value/Tensor, or a list of them


def as_roots(root: Roots) -> list[Node]:
    """``root`` as a list of nodes: one Value/Tensor, or a list/tuple of them."""
    if isinstance(root, Node):
        return [root]
    if isinstance(root, (list, tuple)):
        if not root:
            raise ValueError("draw: the list of roots is empty")
        roots: list[Node] = []
        seen: set[Node] = set()
        for i, r in enumerate(root):
            if not isinstance(r, Node):
                raise TypeError(f"draw: roots[{i}] is a {type(r).__name__}, "
                                "not a Value or Tensor")
            if r not in seen:
                seen.add(r)
                roots.append(r)
        return roots
    raise TypeError(f"draw() takes a Value, a Tensor or a list of them, "
                    f"got {type(root).__name__}")


def inputs_first(roots: Iterable[Node]) -> list[Node]:
    """Every node the roots depend on, each after all of its inputs.

    One topological order per root, concatenated without repeats: a node already listed
    came with all of its inputs, so the merged list keeps the inputs-first property.
    """
    order: list[Node] = []
    seen: set[Node] = set()
    for root in roots:
        if root in seen:
            continue
        for node in reversed(topological_order(root)):
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


def count_uses(nodes: Iterable[Node]) -> dict[Node, int]:
    """How many gate inputs each node feeds (``x * x`` counts twice)."""
    uses: dict[Node, int] = {}
    for node in nodes:
        for parent in node._prev:
            uses[parent] = uses.get(parent, 0) + 1
    return uses
