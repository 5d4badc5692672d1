"""Node: what Value and Tensor share, the fields the engine reads."""

from __future__ import annotations


class Node:
    """A vertex of the computation graph.

    ``_gate`` is the row of the gate table that made the node (None for a leaf), ``_a`` and
    ``_b`` its one or two input nodes (None where absent), and ``_ctx`` the gate's constant
    arguments, such as an exponent or a reduction axis. Inputs sit in two slots rather
    than a tuple: one object per node instead of two halves the garbage collector's work.
    """

    __slots__ = ("data", "grad", "label", "_gate", "_a", "_b", "_ctx")

    @property
    def _prev(self) -> tuple:
        """The input nodes, in the gate's argument order."""
        a, b = self._a, self._b
        if b is not None:
            return (a, b)
        return () if a is None else (a,)

    # Notebook display: the graph drawn as SVG. viz is imported here, late, so that
    # ``import autograd`` never loads viz or graphviz.
    def _repr_svg_(self) -> str | None:
        from viz.notebook import repr_svg

        return repr_svg(self)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> object:
        from viz.notebook import repr_mimebundle

        return repr_mimebundle(self, include, exclude)
