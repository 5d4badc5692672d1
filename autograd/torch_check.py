"""``assert_matches_torch``: a function's value and gradients, gategrad against PyTorch.

Re-exported by ``autograd.testing``. PyTorch is optional and imported only when called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .engine import grad
from .tensor import Tensor
from .value import Value


def assert_matches_torch(fn: Callable[..., Any], *inputs: Any, rtol: float = 1e-7,
                         atol: float = 1e-10) -> None:
    """Run ``fn`` on ``inputs`` (Values or Tensors) and on torch tensors of the same numbers;
    assert the outputs and the gradients of every input that needs one agree.

    ``fn`` must use operations both libraries spell the same way (operators, ``@``,
    ``.tanh()``, ``.sigmoid()``, ``.relu()``, ``.exp()``, ``.log()``, ``.sum()``, ...).
    A non-scalar output is reduced with fixed random weights before differentiating, so
    every element's gradient counts. Both run in float64. Raises ImportError without
    torch, TypeError for inputs that are not Values or Tensors, and AssertionError naming
    the output or the input that differs.

    Example: ``assert_matches_torch(lambda a, b: (a * b).tanh(), Value(0.5), Value(-2.0))``
    """
    try:
        import torch
    except ImportError:
        raise ImportError("assert_matches_torch needs PyTorch, which is not installed: "
                          "pip install 'gategrad[torch]'") from None
    for i, x in enumerate(inputs):
        if not isinstance(x, (Value, Tensor)):
            raise TypeError(f"assert_matches_torch: input {i} is a {type(x).__name__}, "
                            "expected a Value or a Tensor")
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Value) or x.requires_grad]

    ours = fn(*inputs)
    weights = np.random.default_rng(0).standard_normal(np.shape(ours.data))
    ours_scalar = (ours * weights).sum() if np.ndim(ours.data) else ours * float(weights)
    our_grads = grad(ours_scalar, [inputs[i] for i in wanted]) if wanted else []

    theirs_in = [torch.tensor(np.asarray(x.data, dtype=np.float64),
                              requires_grad=i in wanted) for i, x in enumerate(inputs)]
    theirs = fn(*theirs_in)
    (theirs * torch.from_numpy(np.asarray(weights, dtype=np.float64))).sum().backward()

    _agree(np.asarray(ours.data, dtype=np.float64), theirs.detach().numpy(), "the outputs",
           rtol, atol)
    for i, g in zip(wanted, our_grads):
        theirs_grad = theirs_in[i].grad
        mine = np.asarray(g.data if isinstance(g, (Value, Tensor)) else g, dtype=np.float64)
        other = np.zeros(mine.shape) if theirs_grad is None else theirs_grad.numpy()
        _agree(mine, other, f"the gradients of input {i}", rtol, atol)


def _agree(mine: np.ndarray, theirs: np.ndarray, what: str, rtol: float, atol: float) -> None:
    if mine.shape != theirs.shape:
        raise AssertionError(f"{what} differ in shape: gategrad {mine.shape}, "
                             f"torch {theirs.shape}")
    if not np.allclose(mine, theirs, rtol=rtol, atol=atol, equal_nan=True):
        worst = np.unravel_index(int(np.argmax(np.abs(mine - theirs))), mine.shape)
        raise AssertionError(f"{what} differ: at index {tuple(int(k) for k in worst)} "
                             f"gategrad gives {mine[worst]!r}, torch {theirs[worst]!r} "
                             f"(rtol={rtol}, atol={atol})")
