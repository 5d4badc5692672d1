"""The Tensor methods that change shape: reductions over axes, reshaping and indexing.

``ShapeMethods`` is mixed into ``Tensor`` (import that, from ``autograd`` or
``autograd.tensor``): ``sum``, ``mean``, ``max``, ``min``, ``argmax``, ``reshape``,
``transpose``, ``swapaxes``, ``T`` and ``[...]``. Each checks its axis, shape or index
argument (``tensor_args``) and applies a gate of ``tensor_gates``; the nodes are made in
``tensor.py``, by ``Tensor._apply`` and ``Tensor._node_from`` (where the compiler watches
node making while it traces).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import tensor_gates as T
from .tensor_args import _axis, _index, shape_arg

if TYPE_CHECKING:
    from typing import Protocol

    from .row import Gate
    from .tensor import Tensor

    class _Tensor(Protocol):
        """What these methods use of the Tensor they are mixed into (for type checkers)."""

        shape: tuple[int, ...]
        ndim: int
        size: int

        @property
        def data(self) -> np.ndarray: ...
        def _apply(self, gate: Gate, *ctx: Any) -> Tensor: ...
        def _node_from(self, data: np.ndarray, gate: Gate, *ctx: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...


class ShapeMethods:
    """Reductions (sum, mean, max, min, argmax), reshape, transpose and indexing."""

    __slots__ = ()  # a Tensor keeps its slots: no per-instance dict

    def sum(self: _Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
        """The sum over ``axis`` (None: all elements; an int or a tuple of ints)."""
        return self._apply(T.SUM, _axis(axis, self.shape), bool(keepdims))

    def mean(self: _Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
        """The mean over ``axis`` (None: all elements; an int or a tuple of ints)."""
        return self._apply(T.MEAN, _axis(axis, self.shape), bool(keepdims))

    def max(self: _Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
        """The largest element (along ``axis``); the gradient is split among ties."""
        return self._apply(T.AMAX, _axis(axis, self.shape), bool(keepdims))

    def min(self: _Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
        """The smallest element (along ``axis``); the gradient is split among ties."""
        return -((-self).max(axis=axis, keepdims=keepdims))

    def argmax(self: _Tensor, axis: int | None = None) -> Any:
        """Indices of the largest elements (along ``axis``), as numpy's argmax: an integer
        array, not a node (an index has no gradient)."""
        return np.argmax(self.data, axis=_axis(axis, self.shape, "argmax: axis", several=False))

    def reshape(self: _Tensor, *shape: Any) -> Tensor:
        """The same elements in ``shape`` (ints or one tuple); ValueError if the sizes differ."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = shape_arg(shape, "reshape: shape")
        try:
            data = self.data.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(f"cannot reshape a Tensor of shape {self.shape} "
                             f"({self.size} elements) into shape {shape}") from None
        return self._node_from(data, T.RESHAPE, data.shape)

    def transpose(self: _Tensor, *axes: Any) -> Tensor:
        """The axes reversed (no argument), or permuted as ``axes`` (ints or one tuple)."""
        asked: Any = axes
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], (int, np.integer))):
            asked = axes[0]
        if asked is None or len(asked) == 0:
            return self._apply(T.TRANSPOSE, None)
        axes = _axis(tuple(asked) if isinstance(asked, list) else asked, self.shape,
                     "transpose: axes")
        if not isinstance(axes, tuple) or len(axes) != self.ndim:
            raise ValueError(f"transpose: axes {asked!r} are not a permutation of the "
                             f"{self.ndim} axes of shape {self.shape}")
        return self._apply(T.TRANSPOSE, axes)

    def swapaxes(self: _Tensor, axis1: int, axis2: int) -> Tensor:
        """The Tensor with ``axis1`` and ``axis2`` exchanged; ValueError if out of range."""
        axis1 = _axis(axis1, self.shape, "swapaxes: axis1", several=False)
        axis2 = _axis(axis2, self.shape, "swapaxes: axis2", several=False)
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return self._apply(T.TRANSPOSE, tuple(axes))


    @property
    def T(self: _Tensor) -> Tensor:
        """The transpose: all axes reversed."""
        return self._apply(T.TRANSPOSE, None)

    def __getitem__(self: _Tensor, index: Any) -> Tensor:
        """Indexing and slicing as numpy (ints, slices, integer or boolean arrays);
        the gradient is scattered back, repeated indices adding up."""
        index = _index(index)
        try:
            data = self.data[index]
        except IndexError as e:
            raise IndexError(f"index {index!r} into a Tensor of shape {self.shape}: {e}") from None
        return self._node_from(data, T.GETITEM, index)
