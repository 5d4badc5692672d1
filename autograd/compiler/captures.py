"""Captured leaves: where the traced function found each leaf it did not get as an argument.

A replay reads the leaves it holds from the trace. If the user has since put a new object
where one was (``model.w = Value(3.0)``, a layer's weight list rebuilt, a global
``model = MLP(...)`` run again), eager would read the new leaf and the replay the old one.
So at trace time we walk what the function can reach — its closure, the globals it names,
a bound method's ``self``, a ``partial``'s arguments, its default values, the objects
passed as arguments — through attributes, list and tuple items and dict values, and keep
every object on a route to a captured leaf with the children it held then.

Each call checks that those objects still hold the same children, as one identity
comparison of two lists at C speed (``changed()``: 412 objects for micrograd's MLP,
whose step reads 337 captured weights; about 10 µs, 4% of its 0.25 ms compiled step).
Only when something differs do we look closer: the routes are walked again from the
function, and if every captured leaf is still found where it was (only a container on the
way was rebuilt, with the same leaves and lengths) the snapshot is taken again and the
replay stands; otherwise ``changed()`` names the first route that now leads elsewhere.
A list that holds only such objects, and any dict holding one, has its length checked
too (an entry added may be a leaf the function iterates over).

The walk starts from the function and the arguments' objects, not their data (nodes,
arrays and numbers are left out: a step must not keep its first batch alive). It also
looks for the argument nodes: one the function can reach by itself (``step(W)`` where
the function reads ``W``) is noted, so that a call passing another node retraces
(``aliasing.py``).

Not seen: leaves reached only through what this walk does not enter (class attributes,
sets, numpy object arrays, other modules' globals, a container of more than
``MAX_ITEMS`` items, or past ``MAX_OBJECTS`` objects in all).
"""

from __future__ import annotations

import functools
import operator
import threading
import types
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from ..node import Node

MAX_OBJECTS = 200_000  # objects walked per trace, at most
MAX_ITEMS = 100_000  # a list, tuple or dict longer than this is not entered

_SKIP = (type, types.ModuleType, types.BuiltinFunctionType, np.ndarray, np.generic, str,
         bytes, int, float, complex, bool, type(None), range, slice, types.CodeType)
_MISSING = object()  # a global or attribute that is gone
_is = operator.is_


def _code_names(code: types.CodeType) -> list[str]:
    """Names a function's code (and the functions and comprehensions nested in it) reads
    as globals or attributes: the globals among them are what it may use."""
    names = list(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names += _code_names(const)
    return names


def _children(obj: Any) -> list[tuple[tuple, Any]]:
    """(edge, child) pairs of the objects ``obj`` holds that the walk enters.

    An edge is ("attr", name), ("item", key), ("cell", i) (a closure variable) or
    ("global", name) (a global a function names).
    """
    if isinstance(obj, (list, tuple)):
        return [(("item", i), x) for i, x in enumerate(obj)] if len(obj) <= MAX_ITEMS else []
    if isinstance(obj, dict):
        if len(obj) > MAX_ITEMS:
            return []
        return [(("item", k), v) for k, v in obj.items() if type(k) in (str, int)]
    wrapped = getattr(obj, "__wrapped__", None)  # functools.wraps; a compiled step's fn
    if _own(obj):
        return [(("attr", "__wrapped__"), wrapped)] if wrapped is not None else []
    if isinstance(obj, types.FunctionType):
        out: list = [(("attr", "__wrapped__"), wrapped)] if wrapped is not None else []
        out += [(("cell", i), cell.cell_contents)
                for i, cell in enumerate(obj.__closure__ or ()) if _cell_filled(cell)]
        g = obj.__globals__
        out += [(("global", name), g[name]) for name in dict.fromkeys(_code_names(obj.__code__))
                if name in g]
        out += [(("attr", "__defaults__"), obj.__defaults__)] if obj.__defaults__ else []
        out += [(("attr", "__kwdefaults__"), obj.__kwdefaults__)] if obj.__kwdefaults__ else []
        return out
    if isinstance(obj, types.MethodType):
        return [(("attr", "__self__"), obj.__self__), (("attr", "__func__"), obj.__func__)]
    if isinstance(obj, functools.partial):
        return [(("attr", "func"), obj.func), (("attr", "args"), obj.args),
                (("attr", "keywords"), obj.keywords)]
    out = []
    attrs = getattr(obj, "__dict__", None)
    if isinstance(attrs, dict):
        out = [(("attr", k), v) for k, v in attrs.items() if type(k) is str]
    for cls in type(obj).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name not in ("__dict__", "__weakref__"):
                out.append((("attr", name), getattr(obj, name, _MISSING)))
    # Only what normal attribute access gives back (a property of the same name wins).
    return [(e, v) for e, v in out if v is not _MISSING and _follow(obj, e) is v]


def _cell_filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 (an empty cell raises)
    except ValueError:
        return False
    return True


def _own(obj: Any) -> bool:
    """Whether ``obj`` is one of autograd's objects (a compiled step, a trace): those
    change under us, so only the function a compiled step wraps is followed."""
    module = getattr(type(obj), "__module__", "") or ""
    return module.startswith("autograd.")


def _enters(obj: Any) -> bool:
    try:
        if isinstance(obj, (_SKIP, Node)):
            return False
        return not _own(obj) or getattr(obj, "__wrapped__", None) is not None
    except Exception:  # noqa: BLE001 (an object whose attributes raise: not entered)
        return False


def _follow(obj: Any, edge: tuple) -> Any:
    kind, key = edge
    if kind == "attr":
        return getattr(obj, key, _MISSING)
    if kind == "item":
        try:
            return obj[key]
        except (LookupError, TypeError):
            return _MISSING
    if kind == "cell":
        cells = obj.__closure__ or ()
        return cells[key].cell_contents if key < len(cells) and _cell_filled(cells[key]) \
            else _MISSING
    return obj.__globals__.get(key, _MISSING)  # "global"


def _name(edge: tuple, fn: Any) -> str:
    kind, key = edge
    if kind == "attr":
        return f".{key}"
    if kind == "item":
        return f"[{key!r}]"
    if kind == "cell":
        return "\0" + fn.__code__.co_freevars[key]
    return "\0" + key  # a global


class Captures:
    """The routes from a traced function to the leaves it captured; see the module doc."""

    def __init__(self, root: tuple, leaves: list) -> None:
        self.root = root  # (fn, args, kwargs) of the traced call, without their data
        self.leaves = leaves
        self._lock = threading.Lock()
        self._snapshot()

    def _snapshot(self) -> None:
        wanted = {id(n) for n in self.leaves}
        edges: dict[int, list] = {}  # id(object) -> [(edge, child)] to objects it holds
        objects: dict[int, Any] = {id(self.root): self.root}
        parent: dict[int, tuple] = {}  # first route to each object: (id(parent), edge)
        queue, seen = deque([self.root]), 0
        while queue and seen < MAX_OBJECTS:
            obj = queue.popleft()  # breadth first: the shortest route is the one named
            seen += 1
            kept = []
            try:
                children = _children(obj)
            except Exception:  # noqa: BLE001 (an object whose attributes raise: not entered)
                children = []
            for edge, child in children:
                if id(child) in wanted:
                    kept.append((edge, child))
                    parent.setdefault(id(child), (id(obj), edge))
                    objects.setdefault(id(child), child)
                elif _enters(child):
                    kept.append((edge, child))
                    if id(child) not in objects:
                        objects[id(child)] = child
                        parent[id(child)] = (id(obj), edge)
                        queue.append(child)
            edges[id(obj)] = kept
        # The objects from which a captured leaf can be reached, leaves included.
        holders: dict[int, list[int]] = {}
        for oid, kept in edges.items():
            for _, c in kept:
                holders.setdefault(id(c), []).append(oid)
        relevant, todo = set(wanted), list(wanted)
        while todo:
            for oid in holders.get(todo.pop(), ()):
                if oid not in relevant:
                    relevant.add(oid)
                    todo.append(oid)
        self._parent, self._objects = parent, objects
        self._routes: dict = {}  # route -> id of the leaf it led to, or a list's length
        # One expression gives every held child, in a list: parts of it, its names, the want.
        parts: list[str] = []
        namespace: dict[str, Any] = {}
        want: list[Any] = []
        for oid, kept in edges.items():
            if oid not in relevant:
                continue
            obj, k = objects[oid], len(namespace)
            kept = [(e, c) for e, c in kept if id(c) in relevant]
            if isinstance(obj, list) and len(kept) == len(obj):  # every item: its length too
                namespace[f"O{k}"] = obj
                parts.append(f"*O{k}")
                want += obj
                self._routes[f"len({self._route(oid)})"] = len(obj)
            elif kept and {kind for (kind, _), _ in kept} <= {"cell", "global"}:
                parts += _function_reads(obj, [e for e, _ in kept], f"O{k}", namespace)
                want += [c for _, c in kept]
            elif kept:
                namespace[f"O{k}"], namespace[f"G{k}"] = obj, _getter([e for e, _ in kept])
                parts.append(f"G{k}(O{k})" if len(kept) == 1 else f"*G{k}(O{k})")
                want += [c for _, c in kept]
                if isinstance(obj, dict):  # an entry added may be a leaf it iterates over
                    parts.append(f"len(O{k}) == {len(obj)}")
                    want.append(True)
                    self._routes[f"len({self._route(oid)})"] = len(obj)
            for e, c in kept:  # where each leaf is (not the containers on the way)
                if id(c) in wanted:
                    self._routes[self._route(oid, _name(e, obj))] = id(c)
        # Generated from our own names only (O0, G0...): the objects are in the namespace.
        exec(f"def held():\n    return [{', '.join(parts)}]\n", namespace)  # noqa: S102
        self._held, self._want = namespace["held"], want
        self.found = sum(1 for n in self.leaves if id(n) in parent)

    def reaches(self, node: Any) -> bool:
        """Whether the walk found a route to ``node``."""
        return id(node) in self._parent

    def _route(self, oid: int, tail: str = "") -> str:
        """How the function reaches object ``oid`` (then ``tail``), as Python would say it."""
        parts = [tail]
        while oid != id(self.root):
            pid, edge = self._parent[oid]
            parts.append(_name(edge, self._objects[pid]))
            oid = pid
        text = "".join(reversed(parts))
        # The root is (fn, args, kwargs): "model.w", "args[0].w", "kwargs['net'].w"
        for prefix, name in (("[0]\0", ""), ("[0]", "fn"), ("[1]", "args"),
                             ("[2]", "kwargs")):
            if text.startswith(prefix):
                text = name + text[len(prefix):]
                break
        return text.replace("\0", ".")

    def changed(self) -> str:
        """'' when every route still holds what it held at the trace (or leads to the same
        leaves: then the snapshot is taken again); else what differs, as "model.w is a new
        object" (or "... is gone", or "len(model.ws) went from 3 to 4")."""
        try:
            held = self._held()
            if len(held) == len(self._want) and all(map(_is, held, self._want)):
                return ""
        except Exception:  # noqa: BLE001 (a property that raises: look closer, as _snapshot does)
            pass
        with self._lock:  # one thread at a time takes the snapshot again
            old = self._routes
            self._snapshot()
            moved = [route for route, what in old.items() if self._routes.get(route) != what]
        if not moved:
            return ""
        route = next((r for r in moved if not r.startswith("len(")), moved[0])
        now = self._routes.get(route)
        if route.startswith("len("):
            return f"{route} went from {old[route]} to {'?' if now is None else now}"
        return f"{route} is a new object" if now is not None else f"{route} is gone"


def _function_reads(fn: types.FunctionType, edges: list, name: str, namespace: dict) -> list:
    """Expressions reading a function's closure variables and globals at ``edges``.

    A function's cells and globals dict are its own for life (read-only attributes), so
    the expressions read them directly: ``O3c0.cell_contents``, ``O3g['model']``. An
    emptied cell raises ValueError, a deleted global KeyError: ``changed()`` looks closer.
    """
    out = []
    for kind, key in edges:
        if kind == "cell":
            namespace[f"{name}c{key}"] = fn.__closure__[key]  # type: ignore[index]
            out.append(f"{name}c{key}.cell_contents")
        else:
            namespace[f"{name}g"] = fn.__globals__
            out.append(f"{name}g[{key!r}]")
    return out


def _getter(edges: list) -> Callable[[Any], Any]:
    """A function giving the children at ``edges`` of an object (a tuple of them, or the
    one child for one edge)."""
    kinds = {kind for kind, _ in edges}
    keys = [key for _, key in edges]
    if kinds == {"attr"}:
        return operator.attrgetter(*keys)
    if kinds == {"item"}:
        return operator.itemgetter(*keys)
    if len(edges) == 1:
        return lambda obj: _follow(obj, edges[0])
    return lambda obj: tuple(_follow(obj, e) for e in edges)


def find_captures(program: Any, fn: Callable, args: tuple, kwargs: dict,
                  flat: list) -> Captures | None:
    """The routes to the leaves ``program`` holds itself, and to the argument nodes the
    function can also reach without its arguments (``step(W)`` where it reads ``W``
    itself): None when there are none. Sets ``program.captured_ids`` to those leaves."""
    leaves = [what for kind, what in program.sources.values() if kind == "node"]
    passed = [flat[k] for kind, k in program.sources.values() if kind == "arg"]
    if not leaves and not passed:
        return None
    # The arguments' data is not kept (it would pin the first batch for the step's life):
    # only the objects a leaf may hang from (a model passed as an argument).
    captures = Captures((fn, _without_data(args), _without_data(kwargs)), leaves + passed)
    reached = [n for n in passed if captures.reaches(n)]
    program.captured_ids = {id(n): -1 - j for j, n in enumerate(leaves + reached)}
    if not leaves and not reached:
        return None
    return captures


def _without_data(x: Any) -> Any:
    """``x`` with its nodes, arrays and numbers left out (lists, tuples, dicts walked)."""
    if isinstance(x, (Node, np.ndarray, float, np.floating)):
        return None
    if type(x) in (list, tuple):
        return type(x)(_without_data(item) for item in x)
    if type(x) is dict:
        return {k: _without_data(v) for k, v in x.items()}
    return x
