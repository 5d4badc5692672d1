"""Tensor: an n-d node backed by a numpy array, on the same gates and engine as Value."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import engine
from . import gates as G
from . import tensor_gates as T
from .engine import _mode
from .node import Node, _clock
from .row import Gate, add_gate_methods
from .tensor_args import (
    _labels,
    _softmax_axis,
    as_array,
    check_requires_grad,
    clip_bounds,
    numeric_dtype,
)
from .tensor_shape import ShapeMethods  # reductions, reshape, transpose, indexing


class Tensor(ShapeMethods, Node):
    """An array in the graph: ``.data`` (ndarray), ``.grad`` (ndarray or None).

    ``Tensor(data, requires_grad=False, dtype=None, label="")``: ints and bools become
    float64, float32 stays float32; ``data`` is copied, so the Tensor never shares (nor
    an optimizer changes) the caller's array. Only a float Tensor may require grad
    (TypeError for an explicit int or bool dtype). Truth and iteration follow numpy: a
    one-element Tensor is true when its element is, a larger one raises; iterating goes
    over the first axis, and a 0-d Tensor cannot be iterated. Arithmetic with numbers,
    arrays and Tensors broadcasts as numpy; element-wise methods (exp, log, sqrt, tanh,
    sigmoid, softplus, relu, leaky_relu, abs) come from the gate table. Comparisons give
    boolean arrays. Setting ``.data`` (``W.data -= lr * W.grad``, as the optimizers do)
    is seen: a backward through a graph built before it raises RuntimeError. A write
    into the array in place (``W.data[...] = x``, ``np.copyto``, a view) is not: rebuild
    the graph after one.
    """

    __slots__ = ("requires_grad", "_saved")
    __array_ufunc__ = None  # numpy defers to Tensor: ``array * tensor`` builds a node
    _is_scalar = False
    _zero_grad = None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 label: str = "") -> None:
        self._data = as_array(data, dtype, copy=True)
        self._version = _clock[0]
        self.grad = None
        self.requires_grad = check_requires_grad(requires_grad, self.data.dtype)
        self.label = label
        self._gate = self._a = self._b = None
        self._ctx = ()
        self._saved = None

    def __repr__(self) -> str:
        grad = "" if not self.requires_grad else ", requires_grad=True"
        label = f", label={self.label!r}" if self.label else ""
        return f"Tensor({np.array2string(self.data, threshold=20)}{grad}{label})"

    shape = property(lambda self: self._data.shape, doc="The shape of ``.data``.")
    ndim = property(lambda self: self._data.ndim, doc="The number of axes of ``.data``.")
    dtype = property(lambda self: self._data.dtype, doc="The numpy dtype of ``.data``.")
    size = property(lambda self: self._data.size, doc="The number of elements of ``.data``.")

    def __len__(self) -> int:
        """The length of the first axis (TypeError for a 0-d Tensor, as numpy)."""
        if self.data.ndim == 0:
            raise TypeError(f"len() of a 0-d Tensor ({self.data.item()!r}): it has no axis")
        return len(self.data)

    def __bool__(self) -> bool:
        """Whether the one element is nonzero; ValueError for more elements (numpy's rule)."""
        if self.data.size != 1:
            raise ValueError(f"the truth value of a Tensor of shape {self.shape} is "
                             "ambiguous: use .data.any() or .data.all()")
        return bool(self.data.reshape(-1)[0])

    def __iter__(self) -> Any:
        """The Tensors along the first axis (each ``self[i]``, in the graph)."""
        return (self[i] for i in range(len(self)))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # ``np.asarray(t)``: the numbers, never an object array of Tensors. A copy, so that
        # numpy code cannot write into the graph unseen, unless copy=False asks for the
        # array itself.
        if copy is False and (dtype is None or np.dtype(dtype) == self.dtype):
            return self.data
        return np.array(self.data, dtype=dtype)

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (the array itself, not a copy)."""
        return self.data

    def item(self) -> float:
        """The one element of a one-element Tensor, as a Python number."""
        return self.data.item()

    def detach(self) -> Tensor:
        """A new Tensor with the same data and label, cut off from the graph (no grad)."""
        out = _make(self.data, False)  # the same array, as PyTorch's detach
        out.label = self.label
        return out

    def __add__(self, other: Any) -> Tensor:
        """self + other (the add gate); numbers, arrays and Tensors broadcast as numpy."""
        return apply(G.ADD, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return apply(G.ADD, other, self)

    def __sub__(self, other: Any) -> Tensor:
        """self - other (the sub gate), broadcasting as numpy."""
        return apply(G.SUB, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return apply(G.SUB, other, self)

    def __mul__(self, other: Any) -> Tensor:
        """self * other (the mul gate), element-wise, broadcasting as numpy."""
        return apply(G.MUL, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return apply(G.MUL, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        """self / other (the div gate), element-wise; division by 0 gives inf or nan."""
        return apply(G.DIV, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return apply(G.DIV, other, self)

    def __pow__(self, other: Any) -> Tensor:
        """self ** other: the powc gate for a number, else the pow gate.

        Raises ValueError where a negative base meets a non-integer exponent."""
        if isinstance(other, numbers.Real):
            _check_domain(G.POWC, self.data, float(other))
            return self._apply(G.POWC, float(other))
        return _checked(G.POW, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _checked(G.POW, other, self)

    def __matmul__(self, other: Any) -> Tensor:
        """self @ other (the matmul gate), as numpy.matmul; ValueError naming both
        shapes when they do not match."""
        return apply(T.MATMUL, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return apply(T.MATMUL, other, self)

    def __neg__(self) -> Tensor:
        """-self (the neg gate)."""
        return self._apply(G.NEG)

    def __abs__(self) -> Tensor:
        """abs(self): the abs gate, as ``self.abs()``."""
        return self._apply(G.ABS)

    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < _values(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= _values(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > _values(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= _values(other)

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Values limited to [min, max] (either may be None); the gradient passes only
        where the value was inside."""
        return self._apply(T.CLIP, *clip_bounds(min, max, self.dtype))

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log(softmax(self)) along ``axis``, computed stably (the log_softmax gate)."""
        return self._apply(T.LOG_SOFTMAX, _softmax_axis(axis, self.shape))

    def softmax(self, axis: int = -1) -> Tensor:
        """exp(self) / sum(exp(self)) along ``axis``, computed stably (the softmax gate)."""
        return self._apply(T.SOFTMAX, _softmax_axis(axis, self.shape))

    def cross_entropy(self, labels: Any) -> Tensor:
        """Mean softmax cross-entropy of these (N, C) scores against integer ``labels``.

        One gate, so its backward is the course's ``(softmax - one_hot) / N``; equal to
        ``-self.log_softmax(axis=1)[np.arange(N), labels].mean()``.
        """
        labels = _labels(labels, self.shape)
        return self._apply(T.CROSS_ENTROPY, labels)

    def astype(self, dtype: Any) -> Tensor:
        """This Tensor in ``dtype`` (a new array); the gradient goes back in the old one.

        Bool, int and float dtypes only (TypeError otherwise); an int or bool result is a
        constant, cut off from the graph (an integer has no gradient, as in PyTorch)."""
        return self._apply(T.CAST, numeric_dtype(dtype))

    def backward(self, grad: Any = None, create_graph: bool = False,
                 retain_graph: bool | None = None) -> None:
        """Fill ``.grad`` of this Tensor and of every Tensor it depends on.

        What a gate saved for backward (the softmax of ``cross_entropy``) is released once
        used, unless ``retain_graph`` (default: ``create_graph``); the graph, its data
        and its gradients stay, and a second backward recomputes what was released.
        """
        if not self.requires_grad:
            raise RuntimeError("backward(): this Tensor does not require grad and has no "
                               "graph (make an input with requires_grad=True)")
        seed = self._check_seed(grad)
        if isinstance(seed, Tensor) and not create_graph:
            seed = np.array(seed.data, dtype=self.dtype)  # the array loop takes arrays
        retain = create_graph if retain_graph is None else retain_graph
        engine.run_backward(self, seed, create_graph, retain)

    def _check_seed(self, grad: Any) -> Any:
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() on a Tensor of shape {self.shape} needs a gradient argument "
                    "of that shape: only a one-element output gets the implicit gradient 1")
            return np.ones(self.shape, dtype=self.dtype)
        seed: Any
        if isinstance(grad, Tensor):
            seed = grad
        else:
            seed = np.array(as_array(grad, self.dtype), dtype=self.dtype)  # our own copy
        if tuple(seed.shape) != self.shape:
            raise ValueError(f"backward(): gradient of shape {tuple(seed.shape)} does not "
                             f"match the Tensor's shape {self.shape}")
        return seed

    def _take_grad(self, down: Any) -> None:
        if not isinstance(down, Tensor):
            engine._store(self, down, None)
            return
        if tuple(down.shape) != self.shape:
            down = engine.unbroadcast(down, self.shape)
        if self.grad is None or down.dtype != self.dtype:
            # A node of its own, in this Tensor's dtype: never the object another node
            # holds as its gradient (add passes its upstream gradient on unchanged).
            down = down._apply(T.CAST, self.dtype)
        self.grad = down if self.grad is None else self.grad + down

    def _zeros(self) -> np.ndarray:
        return np.zeros(self.shape, dtype=self.dtype)

    def _apply(self, gate: Gate, *ctx: Any) -> Tensor:
        """A one-input gate on this Tensor, without the row's domain check."""
        if gate.saves:
            data, saved = gate.array(self._data, *ctx)
            return _node(data, gate, self, None, ctx, saved)
        return _node(gate.array(self._data, *ctx), gate, self, None, ctx)

    def _node_from(self, data: np.ndarray, gate: Gate, *ctx: Any) -> Tensor:
        """The node of a one-input gate on this Tensor whose forward the caller ran
        itself (reshape and indexing, to name a bad shape or index in their own words)."""
        return _node(data, gate, self, None, ctx)

    _binary = staticmethod(lambda gate, a, b: apply(gate, a, b))


def _method(row: Gate) -> Any:
    """The body of the Tensor method of a one-input row (a domain check, if any, first)."""
    domain = row.domain

    def method(self: Tensor) -> Tensor:
        if domain is not None:
            domain(self.data)
        return self._apply(row)

    return method


add_gate_methods(Tensor, G.ROWS, _method, ", element-wise; returns a new Tensor.")


_new = object.__new__


def _values(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def _lift(x: Any, like: Tensor | None) -> Tensor:
    """An operand as a constant Tensor.

    Numbers and integer arrays take the other side's dtype (so ``x32 * 2`` stays
    float32, as in PyTorch); float arrays keep theirs and numpy promotes.
    """
    if like is None:
        return _constant(as_array(x))
    dtype = like._data.dtype
    floating = dtype.kind == "f"  # an int Tensor (dtype=int) must not truncate 2.5
    if type(x) is int or type(x) is float and floating:  # the common case, made cheap
        return _constant(np.array(x, dtype=dtype))
    arr = as_array(x)
    raw = np.asarray(x)
    if raw.dtype.kind in "biu" or np.ndim(x) == 0 and floating:
        arr = arr.astype(dtype, copy=False)
    return _constant(arr)


def _constant(arr: np.ndarray) -> Tensor:
    return _make(arr, False)


def _make(data: np.ndarray, requires_grad: bool, gate: Gate | None = None,
          a: Tensor | None = None, b: Tensor | None = None, ctx: tuple = (),
          saved: Any = None) -> Tensor:
    """The one place Tensors are made, apart from ``Tensor(...)`` (which checks its data)."""
    out = _new(Tensor)
    out._data = data
    out._version = _clock[0]
    out.grad = None
    out.label = ""
    out.requires_grad = requires_grad
    out._gate = gate
    out._a = a
    out._b = b
    out._ctx = ctx
    out._saved = saved
    return out


def _check_domain(gate: Gate, *xs: Any) -> None:
    if gate.domain is not None:
        gate.domain(*xs)


def _checked(gate: Gate, a: Any, b: Any) -> Tensor:
    """A two-input gate as a user applies it: the row's domain check first."""
    _check_domain(gate, _values(a), _values(b))
    return apply(gate, a, b)


def apply(gate: Gate, a: Any, b: Any) -> Tensor:
    """A binary gate on Tensors, arrays or numbers (at least one side array-like)."""
    a_t, b_t = isinstance(a, Tensor), isinstance(b, Tensor)
    a = _lift(a, b if b_t else None) if not a_t else a
    b = _lift(b, a) if not b_t else b
    return _node(gate.array(a._data, b._data), gate, a, b, ())


def _node(data: Any, gate: Gate, a: Tensor, b: Tensor | None, ctx: tuple,
          saved: Any = None) -> Tensor:
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    if _mode.enabled and (a.requires_grad or b is not None and b.requires_grad) and (
            data.dtype.kind == "f"):  # an int or bool result has no gradient (astype)
        return _make(data, True, gate, a, b, ctx, saved)
    return _make(data, False)
