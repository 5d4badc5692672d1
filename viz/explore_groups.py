"""Groups of a model's graph: one per module (a neuron, a layer), found from its parameters.

A model names its parameters by attribute path (``layers.0.neurons.3.w.1``, ``fc1.weight``:
``Module.named_parameters``), so every parameter knows the modules it sits in: the
innermost one owns it (the neuron ``layers.0.neurons.3``), and that module sits in its
parents (the layer ``layers.0``). The model itself is not a group: it is the whole graph.

The other nodes are given to a module by what they are computed from, in inputs-first
order, so one pass over the graph settles every node:

- a gate that takes a parameter belongs to that parameter's module (``w * x``, ``X @ W``,
  ``+ b``; with parameters of several modules, the one declared last: later in the model);
- an activation (relu, tanh, σ) of a module's result belongs to the module, once: the
  neuron is ``w · x + b`` and its activation; any other one-input gate (a reshape, the
  loss's softplus or square) does not;
- a gate of several inputs that all belong to one module belongs to it too (the partial
  sums of ``w · x + b``); anything mixing a module's result with other data (the loss's
  ``score - y``, a sum over samples or over modules) belongs to no module.

One module holds every use of its parameters: a neuron applied to 100 samples is one
group of all 100 applications, as the network diagram draws one neuron.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from autograd.node import Node

from .draw import Plan
from .explore_entries import name_box, summary, text_box, title_width

ACTIVATIONS = frozenset({"relu", "tanh", "sigmoid"})
LISTED_PARAMS = 20  # parameters listed in a group's panel


@dataclass
class ModuleGroup:
    """A module of the model: its path (``layers.0``), class name, parent path and the
    parameters it holds itself, by their full names."""

    path: str
    kind: str
    parent: str | None
    params: list[tuple[str, Node]] = field(default_factory=list)


@dataclass
class Ownership:
    """Which module each node belongs to (innermost), and the modules by path, in the
    model's order."""

    owner: dict  # node -> module path
    modules: dict[str, ModuleGroup]


def model_modules(model: Any) -> tuple[dict[str, ModuleGroup], dict]:
    """The modules of ``model`` that hold parameters (directly or below), by path, and
    ``{parameter: owning module path}``, from ``model.named_parameters()``."""
    named = getattr(model, "named_parameters", None)
    if not callable(named):
        raise TypeError("explore: model must be an nn model (something with "
                        f"named_parameters()), got {type(model).__name__}")
    modules: dict[str, ModuleGroup] = {}
    owner_of: dict = {}
    for name, param in named():
        if not isinstance(param, Node):
            raise TypeError(f"explore: model parameter {name!r} is a "
                            f"{type(param).__name__}, not a Value or Tensor")
        parent = None
        obj = model
        parts = name.split(".")
        for i, part in enumerate(parts[:-1]):
            try:
                obj = obj[int(part)] if isinstance(obj, (list, tuple)) else getattr(obj, part)
            except (AttributeError, IndexError, ValueError):
                raise TypeError(f"explore: model parameter {name!r} is not at that path in "
                                f"the {type(model).__name__}") from None
            if callable(getattr(obj, "named_parameters", None)):
                path = ".".join(parts[:i + 1])
                if path not in modules:
                    modules[path] = ModuleGroup(path, type(obj).__name__, parent)
                parent = path
        if parent is not None:  # a parameter held by the model itself is in no group
            modules[parent].params.append((name, param))
            owner_of.setdefault(param, parent)
    return modules, owner_of


def ownership(model: Any, order: Iterable[Node]) -> Ownership:
    """Each node of ``order`` (a whole graph, inputs first) given to its module (see the
    module's docstring for the rules)."""
    modules, param_owner = model_modules(model)
    rank = {path: i for i, path in enumerate(modules)}
    owner: dict = {}
    for node in order:
        if node in param_owner:
            owner[node] = param_owner[node]
            continue
        prev = node._prev
        if not prev:
            continue
        direct = [param_owner[q] for q in prev if q in param_owner]
        if direct:
            owner[node] = max(direct, key=rank.__getitem__)
            continue
        first = owner.get(prev[0])
        if first is None:
            continue
        if len(prev) == 1:
            made_by = prev[0]._gate
            gate = node._gate  # a node with inputs was made by a gate
            if gate is not None and gate.name in ACTIVATIONS and (made_by is None
                                                   or made_by.name not in ACTIVATIONS):
                owner[node] = first
        elif all(owner.get(q) == first for q in prev[1:]):
            owner[node] = first
    return Ownership(owner, modules)


def chain(path: str | None, modules: dict[str, ModuleGroup]) -> list[str]:
    """``path`` and the modules it sits in, innermost first."""
    out = []
    while path is not None:
        out.append(path)
        path = modules[path].parent
    return out


def module_groups(p: Plan, model: Any, entries: list[dict], backward: bool,
                  shut: bool) -> list[dict]:
    """The groups of ``model``'s modules over the drawn nodes: each drawn value (with its
    gate and stub) gets ``scope``, the id of its innermost module; returns the groups
    (``shut``: they start folded), outermost first."""
    own = ownership(model, p.names)  # every node of the graph, inputs first (draw.plan)
    ids = {path: f"G{i}" for i, path in enumerate(own.modules)}
    by_id = {e["id"]: e for e in entries}
    members: Counter = Counter()
    param_names = {q: name for module in own.modules.values() for name, q in module.params}
    for node in p.nodes:
        path = own.owner.get(node)
        if path is None:
            continue
        if node in param_names and not node.label:  # w.0, b: named by the model
            name_box(by_id[p.names[node]], param_names[node][len(path) + 1:])
        number = p.names[node][1:]
        for prefix in "ngm":
            if prefix + number in by_id:
                by_id[prefix + number]["scope"] = ids[path]
        members.update(chain(path, own.modules))
    groups = []
    for path, module in own.modules.items():
        if not members[path]:
            continue
        size = members[path]
        sub = f"{module.kind} · {size} value{'s' if size != 1 else ''}"
        w, h = text_box(["▸ " + path, sub])
        title = f"{path}  {sub}"
        params = [{"name": name, "data": summary(q.data),
                   "grad": summary(q.grad) if backward and q.grad is not None else None}
                  for name, q in module.params[:LISTED_PARAMS]]
        groups.append({"id": ids[path], "kind": "module", "name": path, "cls": module.kind,
                       "sub": sub, "parent": ids[module.parent] if module.parent else None,
                       "size": size, "open": not shut, "w": w, "h": h, "title": title,
                       "tw": title_width(title), "params": params,
                       "n_params": len(module.params)})
    return groups
