"""``nn.load``: rebuild a saved model from its file alone (architecture and weights)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Protocol

from . import npz
from .layers import Linear
from .models import LinearClassifier, LogisticRegression, TwoLayerNet
from .module import Module
from .scalar_mlp import MLP
from .validation import positive_int


class ModelClass(Protocol):
    """What ``load`` needs of a model class: the arrays its arguments call for, and a
    constructor taking those arguments and a seed."""

    def parameter_shapes(self, *args: Any, **kwargs: Any) -> Counter: ...

    def __call__(self, *args: Any, **kwargs: Any) -> Module: ...


MODELS: dict[str, ModelClass] = {
    cls.__name__: cls for cls in (TwoLayerNet, LogisticRegression, LinearClassifier, MLP,
                                  Linear)}
MAX_PARAMETERS = 100_000_000  # 800 MB of float64: a bigger file is refused before building


def load(path: str | Path, max_parameters: int = MAX_PARAMETERS) -> Module:
    """The model saved in ``path`` by ``model.save``: built from the file's architecture
    record, then given its weights.

    The file is checked before anything is built: the record must name a known model
    (``TwoLayerNet``, ``LogisticRegression``, ``LinearClassifier``, ``MLP``, ``Linear``)
    with valid arguments, those arguments must call for exactly the arrays the file
    declares, and there may be at most ``max_parameters`` numbers. Anything else raises
    ValueError naming the file and member. For a file saved without the record, build
    the model yourself and call ``model.load(path)``.
    """
    max_parameters = positive_int(max_parameters, "max_parameters")
    path = npz.existing_weights_path(path)
    with npz.Archive(path) as archive:
        where = f"cannot load a model from {str(path)!r}, member {npz.ARCHITECTURE!r}: "
        record = archive.architecture()
        if record is None:
            raise npz.WeightsFileError(
                f"cannot load a model from {str(path)!r}: it has no {npz.ARCHITECTURE!r} "
                "record (saved by an older version); build the model and call model.load(path)")
        class_name, args = record.get("class"), record.get("args")
        cls = MODELS.get(class_name) if isinstance(class_name, str) else None
        if cls is None or not isinstance(args, dict):
            raise npz.WeightsFileError(f"{where}expected a class among {sorted(MODELS)} and "
                                       f"its args, got {record!r:.200}")
        declared = [m for name, m in archive.members.items() if name != npz.ARCHITECTURE]
        total = sum(m.size for m in declared)
        if total > max_parameters:
            raise npz.WeightsFileError(f"cannot load a model from {str(path)!r}: it declares "
                                       f"{total:,} parameters, over max_parameters="
                                       f"{max_parameters:,}")
        try:
            wanted = cls.parameter_shapes(**args)
        except (TypeError, ValueError) as e:
            raise npz.WeightsFileError(f"{where}{class_name} arguments {args!r:.200}: "
                                       f"{e}") from None
        if wanted != Counter(m.shape for m in declared):
            raise npz.WeightsFileError(f"{where}{class_name}({args}) does not have the "
                                       "arrays the file holds")
        try:
            model = cls(**args, seed=0)
        except (TypeError, ValueError) as e:
            raise npz.WeightsFileError(f"{where}{class_name}({args}): {e}") from None
        model.load_archive(archive)
    return model
