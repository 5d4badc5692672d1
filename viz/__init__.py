"""Draw a computation graph with graphviz: values, gradients and the gates between them.

- ``draw(root)`` -> a ``graphviz.Digraph`` (nothing rendered); ``explain=True`` writes the
  chain rule, ``local_diff × up_diff = down_diff``, on every edge into a gate.
- ``render(root, "graph.svg")`` -> the file (svg, png or pdf), with the system ``dot`` or
  the pygraphviz wheel.
- ``backward_steps(root, "steps.html")`` -> the backward pass, one frame per gate.
- ``explore(root).save("graph.html")`` -> one offline, interactive page: step through
  forward and backward, click nodes, hover edges, the gradient-health overlay.
"""

from .draw import Drawing, draw
from .explore import Explorer, explore
from .renderer import render
from .steps import backward_steps

__all__ = ["Drawing", "draw", "render", "backward_steps", "Explorer", "explore"]
