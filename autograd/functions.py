"""Gates called as functions: ``maximum(a, b)``, ``minimum(a, b)``."""

from __future__ import annotations

from typing import Any

from . import gates as G
from . import value


def _binary(gate: G.Gate, a: Any, b: Any) -> Any:
    from . import tensor  # Tensor imports this module's siblings; import late

    if isinstance(a, tensor.Tensor) or isinstance(b, tensor.Tensor) or (
        tensor.is_array_like(a) and tensor.is_array_like(b)
    ):
        return tensor.apply(gate, a, b)
    return value._apply(gate, a, b)


def maximum(a: Any, b: Any) -> Any:
    """The max gate: routes the gradient to the larger input, half to each at a tie."""
    return _binary(G.MAX, a, b)


def minimum(a: Any, b: Any) -> Any:
    """The min gate: routes the gradient to the smaller input, half to each at a tie."""
    return _binary(G.MIN, a, b)
