"""Module: the base of every model, with parameters found from its attributes.

A parameter is a Tensor with ``requires_grad=True`` or a scalar ``Value``. A module's
parameters are those it holds directly, in lists or tuples, or inside sub-modules (also in
lists), named by attribute path as in PyTorch (``fc1.weight``, ``layers.0.neurons.3.b``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograd import Tensor, Value
from autograd.node import Node

from . import npz

Parameter = Tensor | Value


def zero_grads(params: Iterable[Parameter]) -> None:
    """Forget the parameters' gradients: 0.0 for a Value, None for a Tensor."""
    for p in params:
        p.grad = 0.0 if isinstance(p, Value) else None



def assign_in_place(p: Node, values: np.ndarray) -> None:
    """Write ``values`` into ``p``'s array, so views of the weights see them too, and count
    it as a write of ``p`` (through the setter: the version check cannot see in-place
    writes), so a graph built before refuses a backward at the mixed values."""
    p.data[...] = values
    p.data = p.data

class Module:
    """Subclasses set parameters and sub-modules as attributes and define ``forward``."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The module's computation; ``module(x)`` calls it. Subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``module(x)`` is ``module.forward(x)``."""
        return self.forward(*args, **kwargs)

    # -- parameters ------------------------------------------------------------------------
    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs in attribute order, each parameter once."""
        seen: set[int] = set()
        for name, p in _walk(self, ""):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def parameters(self) -> Sequence[Parameter]:
        """Every parameter (Tensor or Value) of this module and its sub-modules, once each,
        in a list.

        Example: ``nn.SGD(model.parameters(), lr=0.1)``
        """
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Forget the gradients of the last backward (backward adds into ``.grad``)."""
        zero_grads(self.parameters())

    # -- weights as arrays -----------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter's values as an array (a copy), by name."""
        return {name: np.array(p.data) for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set every parameter from ``state``; all-or-nothing.

        Every name must be there with the parameter's shape and numeric values, and no
        name may be unknown; everything is checked before anything is assigned, so a bad
        state raises ``ValueError`` and leaves the model as it was.
        """
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        unexpected = [name for name in state if name not in params]
        if missing or unexpected:
            raise ValueError(f"{type(self).__name__}: the weights do not fit this model: "
                             f"missing {missing}, unexpected {unexpected}")
        checked = {}
        for name, p in params.items():
            arr = np.asarray(state[name])
            want = np.shape(p.data)
            if arr.shape != want:
                raise ValueError(f"{type(self).__name__}: {name!r} has shape {arr.shape} "
                                 f"in the weights but the model's is {want}")
            if arr.dtype.kind not in "biuf":
                raise ValueError(f"{type(self).__name__}: {name!r} holds {arr.dtype} values, "
                                 "not numbers")
            if not np.isfinite(arr).all():
                raise ValueError(f"{type(self).__name__}: {name!r} holds non-finite values")
            checked[name] = arr
        for name, p in params.items():  # all checked: now assign, in place
            if isinstance(p, Value):
                p.data = float(checked[name])
            else:
                assign_in_place(p, checked[name])

    def architecture(self) -> dict[str, Any] | None:
        """What ``nn.load`` needs to rebuild this model: ``{"class": ..., "args": {...}}``
        (plain data, stored as JSON beside the weights), or None when it cannot."""
        return None

    def save(self, path: str | Path) -> Path:
        """Write the weights (and the architecture, when the model has one) to an ``.npz``
        file, numpy arrays only, no pickle; return its path (``.npz`` is added to a name
        without it). The file is written whole or not at all."""
        return npz.write(path, self.state_dict(), self.architecture())

    def load(self, path: str | Path) -> None:
        """Read weights written by ``save`` (``path`` as given to ``save``) into this model.

        Every member's name, dtype and shape is read from its header and checked against
        this model before any data is read; pickled data is refused, so a file from
        elsewhere cannot run code. A file that does not fit raises ValueError naming the
        file and the member, and leaves the model untouched.
        """
        path = npz.existing_weights_path(path)
        with npz.Archive(path) as archive:
            self.load_archive(archive)

    def load_archive(self, archive: npz.Archive) -> None:
        """Fill the weights from an open ``npz.Archive`` (see ``load``)."""
        params = dict(self.named_parameters())
        archive.check_names(params, type(self).__name__)
        archive.check_shapes({name: np.shape(p.data) for name, p in params.items()})
        record, mine = archive.architecture(), self.architecture()
        if record is not None and mine is not None and record != mine:
            raise npz.WeightsFileError(f"cannot load weights from {str(archive.path)!r}: "
                                       f"they were saved from {record}, this model is {mine}")
        state = {name: archive.read(name) for name in params}
        try:
            self.load_state_dict(state)
        except ValueError as e:
            raise npz.WeightsFileError(f"cannot load weights from {str(archive.path)!r}: "
                                       f"{e}") from None

    def __repr__(self) -> str:
        """Short at any size: the architecture when the model has one, else the shapes of
        up to four parameters; always the parameter count."""
        params = self.parameters()
        count = sum(int(np.size(p.data)) for p in params)
        arch = self.architecture()
        if arch is not None:
            inside = ", ".join(f"{k}={v!r}" for k, v in arch["args"].items())
        elif len(params) <= 4:
            inside = ", ".join(f"{name}: {np.shape(p.data)}"
                               for name, p in self.named_parameters())
        else:
            inside = f"{len(params):,} parameter arrays"
        total = f"{count:,} parameter{'s' * (count != 1)}"
        return f"{type(self).__name__}({inside}; {total})" if params else \
            f"{type(self).__name__}()"


def _walk(obj: Any, prefix: str) -> Iterator[tuple[str, Parameter]]:
    """Parameters under ``obj``: its attributes, recursing into modules, lists and tuples."""
    items = vars(obj).items() if isinstance(obj, Module) else enumerate(obj)
    for key, item in items:
        name = f"{prefix}{key}"
        if isinstance(item, Value) or isinstance(item, Tensor) and item.requires_grad:
            yield name, item
        elif isinstance(item, (Module, list, tuple)):
            yield from _walk(item, name + ".")
