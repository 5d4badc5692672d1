"""A test's own walk of a graph, independent of the engine's topological order."""


def graph_nodes(root):
    """Every node ``root`` depends on, found by walking ``_prev`` (root included)."""
    seen, stack = {id(root): root}, [root]
    while stack:
        for p in stack.pop()._prev:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return list(seen.values())
