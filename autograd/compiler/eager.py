"""The fallback of a compiled step: call the function as written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from . import adapter

EAGER_THIS_CALL = object()  # what a replay returns when this one call must run eagerly


class Eager:
    """Replays by calling the function eagerly, when compiling would not pay or not be safe.

    ``reason`` says which; ``source`` shows it.
    """

    mode = "eager"
    program = None

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.source = f"# not compiled, runs eagerly: {reason}\n"


def backward_eagerly(fn: Callable, args: tuple, kwargs: dict, seed: Any) -> None:
    """``backward(create_graph=True)`` of a compiled step's loss: the function is called
    again, eagerly, on the same arguments (its leaves are as they were: the caller checked
    that none was written since), and that graph's backward builds the gradient graphs."""
    out = fn(*args, **kwargs)
    loss = out[0] if isinstance(out, tuple) else out
    loss.backward(seed, create_graph=True)


def refuse_written_leaves(program: Any, flat: list, clock: int) -> None:
    """RuntimeError, as eager's backward gives, if a leaf the call read was written since."""
    for kind, what in program.sources.values():
        node = flat[what] if kind == "arg" else what if kind == "node" else None
        if node is not None and adapter.written_since(node, clock):
            raise RuntimeError(
                f"{adapter.describe_node(node)} was modified after the compiled step read it: "
                "its .data was set between the call and backward(), which would mix old and "
                "new values. Call the step again after changing data (and take optimizer "
                "steps after backward()).")


def refuse_graph_walk() -> NoReturn:
    """What a compiled step's loss says to code that walks its graph (``autograd.grad``,
    ``viz.backward_steps``): it has none to walk."""
    raise TypeError("this is the loss of a compiled step: its graph was replayed as a numpy "
                    "program, so there are no nodes to walk. Call .backward() on it (and read "
                    "the leaves' .grad), or call the function uncompiled for autograd.grad "
                    "or viz")
