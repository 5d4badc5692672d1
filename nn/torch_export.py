"""The way on to PyTorch: a gategrad model as an equivalent ``torch.nn.Module``.

    torch_model = model.to_torch()      # same weights, same scores, float64

PyTorch is an optional dependency (``pip install 'gategrad[torch]'``), imported only here.
The torch module maps a float64 batch ``(N, n_features)`` to what the gategrad model's
``forward`` gives: logits ``(N,)`` for a binary model, class scores ``(N, C)`` otherwise;
for the scalar ``MLP``, ``(N,)`` when its last layer has one neuron, else ``(N, n_out)``.
PyTorch's ``nn.Linear`` keeps its weight as ``(n_out, n_in)``: the export transposes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .layers import Linear, ReLU, Sequential, Sigmoid, Tanh
from .module import Module


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch needs PyTorch, which is not installed: "
                          "pip install 'gategrad[torch]'") from None
    return torch


def to_torch(model: Module) -> Any:
    """An equivalent ``torch.nn.Module`` (float64) holding copies of ``model``'s weights.

    Works for ``LogisticRegression``, ``LinearClassifier``, ``TwoLayerNet``, ``MLP``, and
    ``Sequential`` stacks of ``Linear``/``ReLU``/``Tanh``/``Sigmoid``. Training either
    model afterwards leaves the other alone. Raises ImportError without torch and
    TypeError for a model it cannot convert.

    Example: ``torch_model = nn.TwoLayerNet(2, 4, 1, "tanh", "bce").to_torch()``
    """
    from .models import LinearClassifier, LogisticRegression, TwoLayerNet
    from .scalar_mlp import MLP

    torch = _torch()
    layers: list[Module]
    if isinstance(model, (LogisticRegression, LinearClassifier)):
        layers = [model.linear]
    elif isinstance(model, TwoLayerNet):
        layers = [model.fc1, model.act, model.fc2]
    elif isinstance(model, Sequential):
        layers = model.layers
    elif isinstance(model, MLP):
        return _sequential(torch, [_mlp_layer(torch, layer) for layer in model.layers],
                           flatten=len(model.layers[-1].neurons) == 1)
    else:
        raise TypeError(f"to_torch: no PyTorch equivalent for a {type(model).__name__}; "
                        "supported: LogisticRegression, LinearClassifier, TwoLayerNet, MLP, "
                        "Sequential of Linear/ReLU/Tanh/Sigmoid")
    flatten = isinstance(model, LogisticRegression) or getattr(model, "loss", None) == "bce"
    return _sequential(torch, [_layer(torch, layer) for layer in layers], flatten)


def _sequential(torch: Any, layers: list, flatten: bool) -> Any:
    if flatten:  # one logit per sample: (N, 1) -> (N,), as the gategrad model reshapes
        layers.append(torch.nn.Flatten(0))
    return torch.nn.Sequential(*layers).double()


def _linear(torch: Any, weight: np.ndarray, bias: np.ndarray) -> Any:
    """A torch Linear holding ``x @ weight + bias`` (``weight`` is (n_in, n_out))."""
    n_in, n_out = weight.shape
    layer = torch.nn.Linear(n_in, n_out, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(np.array(weight, dtype=np.float64).T))
        layer.bias.copy_(torch.from_numpy(np.array(bias, dtype=np.float64)))
    return layer


def _layer(torch: Any, layer: Module) -> Any:
    if isinstance(layer, Linear):
        return _linear(torch, layer.weight.data, layer.bias.data)
    for ours, theirs in ((ReLU, torch.nn.ReLU), (Tanh, torch.nn.Tanh),
                         (Sigmoid, torch.nn.Sigmoid)):
        if isinstance(layer, ours):
            return theirs()
    raise TypeError(f"to_torch: no PyTorch equivalent for the layer {type(layer).__name__}")


def _mlp_layer(torch: Any, layer: Any) -> Any:
    """One layer of scalar neurons: a Linear, then relu unless it is the output layer."""
    weight = np.array([[w.data for w in n.w] for n in layer.neurons]).T
    bias = np.array([n.b.data for n in layer.neurons])
    linear = _linear(torch, weight, bias)
    return torch.nn.Sequential(linear, torch.nn.ReLU()) if layer.neurons[0].nonlin else linear
