"""Draw a computation graph with graphviz: values, gradients and the gates between them."""

from .draw import draw, render

__all__ = ["draw", "render"]
