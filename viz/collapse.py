"""Making big graphs drawable: merge sum chains, then cut at ``max_nodes`` with a summary.

Graphviz's dot layout grows much faster than linearly, and what hurts most is depth: a
Python ``sum()`` of n terms is a chain of n ``+`` gates, n ranks deep, and every edge that
crosses those ranks becomes a chain of invisible nodes. micrograd's MLP on 100 points is a
65,000-node graph whose loss sums 100 terms and whose L2 penalty sums 337.

- **Chains.** An unlabelled ``+`` node whose one use is another ``+`` is folded into it, so
  ``sum(terms)`` is drawn as one ``+`` gate with all the terms as inputs. Nothing is lost
  for the gradients: a ``+`` passes its upstream gradient unchanged, so every folded
  partial sum had the gradient of the sum that is drawn.
- **Cut.** The ``max_nodes`` nodes nearest the roots (breadth first) are drawn; a gate
  whose inputs were left out gets a small "… k more" input, and the drawing's title says
  how many nodes are not shown.
"""

from __future__ import annotations

from collections import deque

from autograd.node import Node

MAX_TERMS = 8  # inputs followed per gate once a graph is cut
FAST_LAYOUT_ABOVE = 1000  # graphviz nodes; above this the layout trades polish for speed

# dot's layout settings for big graphs: fewer crossing-reduction passes (mclimit), a cap
# on the network-simplex iterations of ranking (nslimit1) and of placement (nslimit),
# no second crossing pass (remincross) and straight edges instead of splines.
FAST_LAYOUT = {"mclimit": "0.1", "nslimit": "0.1", "nslimit1": "0.1",
               "remincross": "false", "splines": "line", "searchsize": "10", "newrank": "true"}


def merge_chains(nodes: list, uses: dict, roots: list) -> dict:
    """``{folded node: the + node it is drawn inside}`` for every foldable ``+``."""
    consumer = {}
    for node in nodes:
        for parent in node._prev:
            if uses.get(parent) == 1:
                consumer[parent] = node
    root_set = set(roots)
    folded: dict = {}
    for node in reversed(nodes):  # consumers before their inputs: heads are known first
        user = consumer.get(node)
        if (user is None or node in root_set or node.label or not _is_add(node)
                or not _is_add(user)):
            continue
        folded[node] = folded.get(user, user)
    return folded


def _is_add(node: Node) -> bool:
    return node._gate is not None and node._gate.name == "add"


def gate_inputs(node: Node, folded: dict) -> list[tuple[Node, Node, int]]:
    """The inputs drawn into ``node``'s gate: ``(input, owner, slot)``, left to right.

    ``owner`` is the node whose gate really takes ``input`` as argument ``slot``: ``node``
    itself, or one of the partial sums folded into it (their inputs are gathered here).
    """
    out = []
    stack = [(p, node, i) for i, p in reversed(list(enumerate(node._prev)))]
    while stack:
        parent, owner, slot = stack.pop()
        if parent in folded:  # used once, so folded into this very node
            stack.extend((p, parent, i) for i, p in reversed(list(enumerate(parent._prev))))
        else:
            out.append((parent, owner, slot))
    return out


def cut(roots: list, inputs_of: dict, max_nodes: int | None,
        max_terms: int = MAX_TERMS) -> tuple[set | None, dict]:
    """The nodes to draw: the roots, then breadth first until ``max_nodes``.

    ``inputs_of`` maps every node that can be drawn to its ``gate_inputs``. Once a graph
    is cut, only the first ``max_terms`` inputs of a gate (a folded sum over a whole batch
    has hundreds) are followed at once, the rest wait until nothing else is left: the
    budget goes into depth (a few samples' paths through the network) rather than into a
    column of a hundred look-alikes.
    Returns ``(kept, shown)``: ``kept`` is None when nothing is cut; ``shown`` maps each
    gate with inputs left out to the inputs that are drawn.
    """
    if max_nodes is None or len(inputs_of) <= max_nodes:
        return None, {}
    kept = set(roots)
    queue = deque(roots)
    later: deque = deque()  # the inputs past max_terms: taken once the rest runs out
    while len(kept) < max_nodes and (queue or later):
        if queue:
            inputs = inputs_of[queue.popleft()]
            later.extend(inputs[max_terms:])
            candidates = inputs[:max_terms]
        else:
            candidates = [later.popleft()]
        for parent, _, _ in candidates:
            if parent not in kept:
                kept.add(parent)
                queue.append(parent)
                if len(kept) >= max_nodes:
                    break
    shown = {}
    for node in kept:
        inputs = inputs_of[node]
        drawn = [item for item in inputs if item[0] in kept]
        if len(drawn) < len(inputs):
            shown[node] = drawn
    return kept, shown
