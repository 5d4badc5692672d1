"""Jupyter display: Value, Tensor and drawings show as SVG graphs.

autograd must not import viz when it is imported, so Value and Tensor reach this module
only inside their display methods, and a machine without any Graphviz still gets the
plain text repr (returning None tells IPython to fall back to it).
"""

from __future__ import annotations

from typing import Any

from autograd.node import Node

from .renderer import pipe


def source_svg(source: str) -> str | None:
    """DOT text rendered as SVG text, or None when no renderer is available."""
    try:
        return pipe(source, "svg").decode("utf-8")
    except RuntimeError:
        return None


def source_mimebundle(source: str, text: str, include: Any = None,
                      exclude: Any = None) -> dict:
    """Jupyter's display bundle for DOT ``source``: ``text`` and, when wanted and a
    renderer exists, the SVG; ``include``/``exclude`` as Jupyter passes them."""
    bundle = {"text/plain": text}
    svg = source_svg(source) if _wanted("image/svg+xml", include, exclude) else None
    if svg is not None:
        bundle["image/svg+xml"] = svg
    return {k: v for k, v in bundle.items() if _wanted(k, include, exclude)}


def _wanted(mime: str, include: Any, exclude: Any) -> bool:
    return (not include or mime in include) and not (exclude and mime in exclude)


def repr_svg(node: Node, **draw_options: Any) -> str | None:
    """``node``'s graph as SVG text: what ``Value._repr_svg_`` returns."""
    from .draw import draw

    return source_svg(draw(node, **draw_options).source)


def repr_mimebundle(node: Node, include: Any = None, exclude: Any = None,
                    **draw_options: Any) -> dict:
    """``{"text/plain": repr(node), "image/svg+xml": the graph}``, as Jupyter asks for it."""
    from .draw import draw

    return source_mimebundle(draw(node, **draw_options).source, repr(node), include, exclude)
