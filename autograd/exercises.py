"""Exercises for a class: a student file of gates whose derivative rules are left to write.

    from autograd.exercises import write_exercise
    write_exercise(["sigmoid", "mul", "max"], "my_gates.py")

The file holds, per gate, a forward (given) and a ``<gate>_backward`` whose body raises
``NotImplementedError``, with the course's hint in its docstring; ``GATES`` lists the gates.
``gategrad grade my_gates.py`` (``autograd.grading``) then checks the rules.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from . import gates as G
from ._atomic import write_atomically


@dataclass(frozen=True)
class Exercise:
    """One gate to differentiate: its operands, its forward's body, and the hint."""

    name: str
    operands: tuple[str, ...]  # ("x",) or ("a", "b"), in the gate's argument order
    forward: str  # the body of ``<name>_forward``, on floats
    hint: str
    reference: G.Gate  # the built-in row: the trusted forward to compare with


def _ex(name: str, operands: str, forward: str, hint: str) -> Exercise:
    return Exercise(name, tuple(operands.split()), forward, hint, getattr(G, name.upper()))


EXERCISES: dict[str, Exercise] = {e.name: e for e in [
    _ex("add", "a b", "return a + b",
        "cs231n: the add gate is a gradient distributor; d(a+b)/da = d(a+b)/db = 1."),
    _ex("sub", "a b", "return a - b",
        "d(a-b)/da = 1 and d(a-b)/db = -1."),
    _ex("mul", "a b", "return a * b",
        "cs231n: the multiply gate is a gradient switcher; d(ab)/da = b, d(ab)/db = a."),
    _ex("div", "a b", "return a / b",
        "d(a/b)/da = 1/b; d(a/b)/db = -a/b**2, which is -out/b."),
    _ex("neg", "x", "return -x", "d(-x)/dx = -1."),
    _ex("exp", "x", "return math.exp(x)",
        "d(e**x)/dx = e**x: the gate's own output, `out`."),
    _ex("log", "x", "return math.log(x)", "d(log x)/dx = 1/x."),
    _ex("sqrt", "x", "return math.sqrt(x)", "d(sqrt x)/dx = 1/(2 sqrt x) = 0.5/out."),
    _ex("tanh", "x", "return math.tanh(x)",
        "deeplearning.ai W3: tanh'(z) = 1 - tanh(z)**2, and tanh(z) is `out`."),
    _ex("sigmoid", "x", "return 1.0 / (1.0 + math.exp(-x))",
        "cs231n: dσ(x)/dx = (1 - σ(x)) σ(x); σ(x) is the gate's output `out`, not x."),
    _ex("relu", "x", "return x if x > 0 else 0.0",
        "relu routes g through where x > 0 and blocks it where x <= 0."),
    _ex("abs", "x", "return abs(x)", "d|x|/dx is the sign of x (0 at x == 0)."),
    _ex("max", "a b", "return a if a >= b else b",
        "cs231n: the max gate is a gradient router; all of g goes to the larger\n"
        "    input, none to the other. At a tie (a == b) split it: g/2 to each."),
    _ex("min", "a b", "return a if a <= b else b",
        "The min gate routes all of g to the smaller input. At a tie (a == b): g/2 to each."),
]}

HEADER = '''"""Derivative rules to write, checked by `gategrad grade {filename}`.

Each gate has a forward (given: do not change it) and a backward for you to fill in.
`<gate>_backward(g, out, <inputs>)` gets
    g    the upstream gradient dL/dout (the "up_diff"),
    out  the gate's output, forward(<inputs>),
    and the gate's inputs,
and returns what the gate sends down to each input:
    down_diff = local_diff * up_diff   (local_diff = d out / d input).
A one-input gate returns one number; a two-input gate returns a pair (for a, for b).
Use plain arithmetic and `math`. Helpers of your own must start with an underscore.
"""

import math  # noqa: F401  (the forwards use it)

GATES = {gates!r}
'''

UNARY = '''

def {name}_forward(x: float) -> float:
    {forward}


def {name}_backward(g: float, out: float, x: float) -> float:
    """The gradient {name} sends to x: d{name}(x)/dx * g.

    Hint: {hint}
    """
    raise NotImplementedError("{name}_backward: write the derivative rule")
'''

BINARY = '''

def {name}_forward(a: float, b: float) -> float:
    {forward}


def {name}_backward(g: float, out: float, a: float, b: float) -> tuple[float, float]:
    """The gradients {name} sends to a and to b: (d out/da * g, d out/db * g).

    Hint: {hint}
    """
    raise NotImplementedError("{name}_backward: write the derivative rule")
'''


def exercise_source(gates: list[str], filename: str = "my_gates.py") -> str:
    """The text of a student file for ``gates`` (names from ``EXERCISES``), in that order.

    Raises ValueError naming unknown or repeated gates, or when ``gates`` is empty.
    """
    gates = check_gate_names(gates)
    parts = [HEADER.format(filename=Path(filename).name, gates=gates)]
    for name in gates:
        ex = EXERCISES[name]
        template = UNARY if len(ex.operands) == 1 else BINARY
        parts.append(template.format(name=name, forward=ex.forward, hint=ex.hint))
    return "".join(parts)


def check_gate_names(gates: list[str]) -> list[str]:
    """``gates`` as a list, after checking each is a gate with an exercise, once."""
    gates = [g.strip() for g in gates if g.strip()]
    if not gates:
        raise ValueError(f"no gates given; choose from {', '.join(EXERCISES)}")
    unknown = [g for g in gates if g not in EXERCISES]
    if unknown:
        raise ValueError(f"no exercise for gate(s) {', '.join(map(repr, unknown))}; "
                         f"choose from {', '.join(EXERCISES)}")
    repeated = sorted({g for g in gates if gates.count(g) > 1})
    if repeated:
        raise ValueError(f"gate(s) given twice: {', '.join(repeated)}")
    return gates


def write_exercise(gates: list[str], path: str | os.PathLike, *,
                   overwrite: bool = False) -> Path:
    """Write the student file for ``gates`` to ``path`` and return the path.

    Raises ValueError for unknown gates and FileExistsError when ``path`` exists (a
    student's work is never overwritten unless ``overwrite=True``). The file appears
    whole or not at all.

    Example: ``write_exercise(["sigmoid", "mul", "max"], "my_gates.py")``
    """
    path = Path(path)
    text = exercise_source(gates, path.name)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another name or remove it first")
    return write_atomically(path, lambda f: f.write(text))


DESCRIPTION = ("Write a student file: for each gate its forward and a derivative rule to "
               "fill in. Check it with 'gategrad grade FILE'.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``gategrad exercise``."""
    p.add_argument("--gates", required=True,
                   help=f"comma-separated gate names from: {', '.join(EXERCISES)}")
    p.add_argument("-o", "--out", default="my_gates.py", help="default my_gates.py")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def run(args: argparse.Namespace) -> int:
    """Write the student file ``args.out``; 0 when written, 1 (one line on stderr) if not."""
    try:
        path = write_exercise(args.gates.split(","), args.out, overwrite=args.force)
    except (ValueError, FileExistsError, OSError) as e:
        print(f"gategrad exercise: error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {path}: fill in the *_backward functions, then run: gategrad grade {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``gategrad exercise --gates sigmoid,mul,max -o my_gates.py``."""
    p = argparse.ArgumentParser(prog="gategrad exercise", description=DESCRIPTION)
    add_arguments(p)
    return run(p.parse_args(argv))
