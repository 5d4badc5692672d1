"""``autograd.compile``: trace a loss function once, then replay it as a numpy program.

    step = autograd.compile(loss_fn)   # loss_fn(*args) -> a scalar Value or Tensor
    loss = step(*args)                 # the first call traces (and runs eagerly)
    loss.backward()                    # fills .grad of every leaf the graph reads
    print(step.source)                 # the generated program

What is live and what is frozen:

- Leaf nodes the function reads, passed as arguments or captured (a model's parameters),
  are live: each call reads their current ``.data``, and ``backward`` adds into their
  ``.grad`` as eager does. Intermediate nodes get no ``.grad``.
- Floats and arrays passed as arguments are live inputs when they reach the graph
  directly (as an operand, an index, or labels); one that reaches it only through other
  Python or numpy code is checked for equality on each call, and a new value retraces.
  Ints, bools and strings in the arguments are part of the structure: a new one retraces.
- Numbers and arrays captured from outside the function are constants of the trace, as
  are the operands it writes itself (the ``1`` of ``1 + v``): no ``.grad`` for them.
- A captured leaf replaced by a new object (``model.w = Value(3.0)``) is seen: each call
  checks that the routes by which the function reached its captured leaves (closure,
  globals it names, ``self``, attributes, list items, dict values) still lead to them,
  and traces again if not (``retrace=False``: ``GuardError`` naming the leaf).
- A captured Tensor leaf frozen or unfrozen (``w.requires_grad = False``), or a dict of
  captured leaves that gains an entry, retraces.
- Arguments of another structure, shape or dtype retrace (a small cache per structure),
  as do arguments that alias differently from the trace's: ``step(a, a)`` then
  ``step(a, b)``, or a leaf the function also reads itself passed as an argument.
- Any read of a node's value by the function while tracing records a guard: comparisons
  (``< <= > >= == !=``), ``float()``, ``item()``, ``.data``, and for Tensors ``bool()``,
  ``numpy()``, ``np.asarray``, ``argmax()``. A replay whose guard gives another answer
  retraces (or raises ``GuardError`` with ``retrace=False``).
- ``check=True`` runs eager side by side on the first replays and raises
  ``CompileError`` on any difference in the loss or a gradient.
- The returned loss: ``backward()`` runs the compiled backward (``create_graph=True``
  runs that call's function again eagerly); ``autograd.grad`` refuses it (no graph).
- Tracing patches ``Value`` and ``Tensor`` for the tracing thread only; traces in
  several threads take turns, replays run in parallel (each with buffers of its own).
  A step called inside another's trace runs eagerly.

Value graphs are level-scheduled into a vectorized numpy program when that pays (wide
graphs, such as an MLP on a batch) and run eagerly otherwise (deep narrow chains);
Tensor graphs become straight-line numpy code. ``step.mode`` says which ran. A layer's
sums of products over one index pattern become one matrix product, which adds in its own
order: the loss is then a few roundings from eager's, not bit for bit (other sums add in
eager's order); gradients agree to rounding.
"""

from __future__ import annotations

from collections.abc import Callable

from .step import CompiledStep, GuardError
from .trace import CompileError

__all__ = ["compile", "CompiledStep", "CompileError", "GuardError"]


def compile(fn: Callable, *, check: bool | int = False, retrace: bool = True,  # noqa: A001
            max_traces: int = 8, vectorize: bool | None = None) -> CompiledStep:
    """``fn`` traced on its first call and replayed after; see the module docstring.

    ``check``: compare with eager on the first 3 replays (or this many). ``retrace``:
    trace again when a guard fails (else raise ``GuardError``). ``max_traces``: how many
    traces to keep per argument structure before raising ``CompileError``. ``vectorize``:
    for Value graphs, True or False overrides the cost model's choice.
    """
    return CompiledStep(fn, check=check, retrace=retrace, max_traces=max_traces,
                        vectorize=vectorize)
