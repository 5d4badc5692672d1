"""Expressions typed on the command line, such as ``sigmoid(w*x + b)``, as Value graphs.

Never ``eval``: the text is parsed with Python's ``ast`` and every node of the tree is
checked against a whitelist (numbers, the ``--set`` variables, ``+ - * / **``, unary
``-``/``+`` and calls to the gate functions) before anything is computed. The checks that
keep hostile input cheap come first: the text's length, then the tree's size and depth,
then each exponent's size (``9**9**9`` is refused, not computed). Anything refused raises
``ExpressionError`` with one line naming the offending part.
"""

from __future__ import annotations

import ast
import functools
import keyword
import math
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from autograd import Value, gates
from autograd.custom import REGISTRY
from autograd.functions import apply_gate

MAX_LENGTH = 1000  # characters of expression text
MAX_TREE = 300  # ast nodes
MAX_DEPTH = 250  # nesting (a sum of n terms is n deep), so building recurses at most this deep
MAX_EXPONENT = 1000  # |b| in a ** b

Whitelist = Mapping[str, tuple[int, Callable[..., Any]]]  # name -> (operands, function)


def _whitelist(rows: Iterable[gates.Gate]) -> dict[str, tuple[int, Callable[..., Any]]]:
    return {name: (row.arity, functools.partial(apply_gate, row)) for row in rows
            for name in row.cli}


_BUILT_IN: Whitelist = MappingProxyType(_whitelist(gates.ROWS))  # fixed at import


def functions() -> Whitelist:
    """The gate functions an expression may call, read from the gate table: every row with
    ``cli`` names, built-in or registered with ``@gate``, with its number of operands.

    The built-in part is made once; the ``@gate`` registry is read at each call, so a gate
    registered (or redefined) after import is found. ``parse``, ``build`` and
    ``parse_sets`` read it once per expression and look every name up in that one table.
    """
    custom = _whitelist(REGISTRY.values())
    return MappingProxyType({**_BUILT_IN, **custom}) if custom else _BUILT_IN


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = (ast.USub, ast.UAdd)
_OTHER_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
                    ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&"}
_KINDS = {  # what to call the parts that are refused
    ast.Attribute: "attribute access", ast.Subscript: "subscript", ast.Lambda: "lambda",
    ast.ListComp: "comprehension", ast.SetComp: "comprehension",
    ast.DictComp: "comprehension", ast.GeneratorExp: "comprehension",
    ast.Compare: "comparison", ast.BoolOp: "and/or", ast.IfExp: "conditional expression",
    ast.NamedExpr: "assignment", ast.JoinedStr: "f-string", ast.Starred: "star argument",
    ast.List: "list", ast.Tuple: "tuple", ast.Set: "set", ast.Dict: "dict",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
}


class ExpressionError(ValueError):
    """An expression or a ``--set`` value that is refused; the message is one line."""


def parse(text: str, variables: dict[str, float],
          allowed: Whitelist | None = None) -> ast.Expression:
    """The checked syntax tree of ``text``: every part whitelisted, sizes bounded.

    ``allowed``: the gate functions it may call (default: ``functions()``, read now)."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text):,} characters long; "
                              f"the limit is {MAX_LENGTH:,}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"syntax error at column {e.offset}: {e.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is too deeply nested") from None
    source = text.strip()
    allowed = functions() if allowed is None else allowed
    count = 0
    stack = [(tree.body, 1)]
    while stack:  # iterative: the depth check must not itself recurse
        node, depth = stack.pop()
        count += 1
        if count > MAX_TREE:
            raise ExpressionError(f"the expression has over {MAX_TREE} parts; simplify it")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested over {MAX_DEPTH} levels deep")
        _check(node, source, variables, allowed)
        children = _operands(node)
        stack.extend((child, depth + 1) for child in children)
    return tree


def _operands(node: ast.AST) -> list:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _check(node: ast.AST, source: str, variables: dict, allowed: Whitelist) -> None:
    part = _part(node, source)
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExpressionError(f"only numbers are allowed as constants, not {part}")
        if isinstance(value, int) and abs(value) >= 10**300 or not math.isfinite(value):
            raise ExpressionError(f"the number {part} is too large")
    elif isinstance(node, ast.Name):
        if node.id in allowed:
            raise ExpressionError(f"{part} is a function: call it, as in {node.id}(x)")
        if node.id not in variables:
            raise ExpressionError(f"unknown name {part}: give it a value with "
                                  f"--set {node.id}=VALUE")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            symbol = _OTHER_OPERATORS.get(type(node.op), type(node.op).__name__)
            raise ExpressionError(f"operator `{symbol}` is not allowed in {part} "
                                  "(allowed: + - * / **)")
        if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant):
            exponent = node.right.value
            if isinstance(exponent, (int, float)) and abs(exponent) > MAX_EXPONENT:
                raise ExpressionError(f"the exponent in {part} is too large "
                                      f"(at most {MAX_EXPONENT} in size)")
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, _UNARY):
            raise ExpressionError(f"{part}: only unary - and + are allowed")
    elif isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name):
            raise ExpressionError(f"{part}: only the gate functions can be called "
                                  f"({', '.join(sorted(allowed))})")
        if func.id not in allowed:
            raise ExpressionError(f"unknown function {_part(func, source)} "
                                  f"(allowed: {', '.join(sorted(allowed))})")
        if node.keywords:
            raise ExpressionError(f"{part}: keyword arguments are not allowed")
        arity = allowed[func.id][0]
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{part}: star arguments are not allowed")
        if len(node.args) != arity:
            raise ExpressionError(f"{func.id}() takes {arity} argument{'s' * (arity > 1)}, "
                                  f"got {len(node.args)} in {part}")
    else:
        kind = _KINDS.get(type(node), type(node).__name__)
        raise ExpressionError(f"{kind} is not allowed: {part}")


def _part(node: ast.AST, source: str, limit: int = 40) -> str:
    """The source text of ``node``, quoted and shortened, on one line."""
    text = ast.get_source_segment(source, node) or type(node).__name__
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"`{text}`"


def build(text: str, variables: dict[str, float]) -> Value:
    """The Value graph of ``text``; each ``--set`` variable is a labelled leaf, and each
    gate's output is labelled with the part of the expression it computes."""
    allowed = functions()
    tree = parse(text, variables, allowed)
    source = text.strip()
    leaves = {name: Value(value, name) for name, value in variables.items()}
    root = _evaluate(tree.body, source, leaves, allowed)
    if not root.label:  # the whole expression, shortened visibly when it is long
        root.label = _part(tree.body, source)[1:-1]
    return root


def _number(node: ast.Constant) -> float:
    """A constant as a float; parse() has let through only int and float constants."""
    if not isinstance(node.value, (int, float)):
        raise ExpressionError(f"only numbers are allowed as constants, not {node.value!r}")
    return float(node.value)


def _evaluate(node: ast.expr, source: str, leaves: dict[str, Value],
              allowed: Whitelist) -> Value:
    # Recursive, but only MAX_DEPTH deep: parse() has bounded the nesting.
    if isinstance(node, ast.Constant):
        return Value(_number(node))
    if isinstance(node, ast.Name):
        return leaves[node.id]
    try:
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.operand, ast.Constant):  # -1 is a number, not a gate
                sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
                return Value(sign * _number(node.operand))
            operand = _evaluate(node.operand, source, leaves, allowed)
            if isinstance(node.op, ast.UAdd):
                return operand
            out = -operand
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [_evaluate(a, source, leaves, allowed) for a in node.args]
            out = allowed[node.func.id][1](*args)
        elif isinstance(node, ast.BinOp):
            left = _evaluate(node.left, source, leaves, allowed)
            if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant):
                out = left ** _number(node.right)  # a constant exponent: the ** c gate
            else:
                right = _evaluate(node.right, source, leaves, allowed)
                out = _binary(node, left, right, source)
        else:  # parse() refuses every other kind of node
            raise ExpressionError(f"{_part(node, source)} is not allowed")
    except (ValueError, ZeroDivisionError, OverflowError) as e:
        if isinstance(e, ExpressionError):
            raise
        reason = ("the result is too large" if isinstance(e, OverflowError)
                  else " ".join(str(e).split()) or type(e).__name__)
        raise ExpressionError(f"cannot compute {_part(node, source)}: {reason}") from None
    if not out.label:
        text = _part(node, source, limit=24)[1:-1]
        out.label = "" if text.endswith("…") else text
    if not math.isfinite(out.data):
        why = "too large" if math.isinf(out.data) else "not a number"
        raise ExpressionError(f"{_part(node, source)} is {out.data} ({why}) for these values")
    return out


def _binary(node: ast.BinOp, left: Value, right: Value, source: str) -> Value:
    op = node.op
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if isinstance(op, ast.Div):
        return left / right
    if abs(right.data) > MAX_EXPONENT:  # a computed exponent, as in 9**9**9
        raise ExpressionError(f"the exponent in {_part(node, source)} is "
                              f"{right.data:g}, too large (at most {MAX_EXPONENT} in size)")
    return left**right


def parse_sets(items: list[str]) -> dict[str, float]:
    """``["w=2", "x=-1"]`` as ``{"w": 2.0, "x": -1.0}``; refuses anything else."""
    variables: dict[str, float] = {}
    allowed = functions()
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        shown = " ".join(item.split())[:40]
        if not sep:
            raise ExpressionError(f"--set {shown}: expected NAME=VALUE, as in w=2")
        if not name.isidentifier() or keyword.iskeyword(name) or not name.isascii():
            raise ExpressionError(f"--set {shown}: {name!r} is not a valid variable name")
        if name in allowed:
            raise ExpressionError(f"--set {shown}: {name} is a gate function, not a variable")
        if name in variables:
            raise ExpressionError(f"--set {shown}: {name} is set twice")
        try:
            number = float(value.strip())
        except ValueError:
            raise ExpressionError(f"--set {shown}: {value.strip()[:20]!r} is not a number"
                                  ) from None
        if not math.isfinite(number):
            raise ExpressionError(f"--set {shown}: the value must be a finite number")
        variables[name] = number
    return variables
