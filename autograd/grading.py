"""Grade a student's gate file (``autograd.exercises``) with property tests and the localizer.

    gategrad grade my_gates.py            # a report per gate; exit status 0 when all pass
    gategrad grade my_gates.py --json     # the same as JSON, for autograders

The student's code runs only in a child process with a time limit. There, each of its
rules goes into a private gate row (never the global table): hypothesis builds random
graphs where that gate meets trusted built-in gates, the engine's gradients are compared
with central differences, and on a mismatch the localizer names the gate and input; the
report then gives the values, the local derivative expected and the one the rule gave.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import traceback
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import gates as G
from .exercises import EXERCISES, Exercise, check_gate_names

DEFAULT_TIMEOUT = 120.0  # seconds for the whole file
EXAMPLES = 60  # random graphs per gate
KINK_MARGIN = 1e-3  # random graphs keep relu/abs/max/min this far from their kinks
EPS = 1e-6


# -- the parent: run the child, read its verdict ----------------------------------------


def grade(path: str | os.PathLike, *, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Grade the student file at ``path`` in a child process; return the verdict.

    The verdict is a dict: ``ok`` (every gate right), ``error`` (a message when the file
    could not be graded at all: missing, failing to import, unexpected names, too slow),
    and ``gates``, one dict per gate with ``gate``, ``status`` ("correct", "wrong",
    "not done" or "error") and ``message``; a wrong rule also has ``input``, ``at``,
    ``expected`` and ``given``.
    """
    path = Path(path)
    if not path.is_file():
        return _failed(path, f"no such file: {path}")
    package_root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [package_root, *filter(None, [os.environ.get("PYTHONPATH")])]))
    with tempfile.TemporaryDirectory() as tmp:
        verdict_file = Path(tmp) / "verdict.json"
        cmd = [sys.executable, "-m", "autograd.grading", "--child", str(path.resolve()),
               str(verdict_file)]
        try:
            run = subprocess.run(cmd, env=env, capture_output=True, text=True,
                                 timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return _failed(path, f"grading {path.name} took longer than {timeout:g} s "
                                 "(an endless loop in a rule?); stopped")
        if not verdict_file.exists():
            tail = (run.stderr or run.stdout).strip().splitlines()[-5:]
            return _failed(path, f"the grader stopped without a verdict (exit status "
                                 f"{run.returncode}): " + " / ".join(tail))
        return json.loads(verdict_file.read_text(encoding="utf-8"))


def _failed(path: Path, message: str) -> dict[str, Any]:
    return {"file": str(path), "ok": False, "error": message, "gates": []}


def format_report(verdict: dict[str, Any]) -> str:
    """The verdict as text for a student: one block per gate, then a summary line."""
    if verdict["error"]:
        return f"{verdict['file']}: {verdict['error']}"
    lines = []
    for g in verdict["gates"]:
        lines.append(f"{g['gate']}: {g['status']}")
        lines.extend("    " + line for line in g["message"].splitlines() if line)
    passed = sum(g["status"] == "correct" for g in verdict["gates"])
    lines.append(f"{passed} of {len(verdict['gates'])} gates correct")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``gategrad grade FILE [--json] [--timeout S]``: exit status 0 only when all pass."""
    p = argparse.ArgumentParser(
        prog="gategrad grade",
        description="Check the derivative rules in a student file written by "
                    "'gategrad exercise': random graphs, central differences, and the "
                    "gate localizer's report for each wrong rule.")
    p.add_argument("file", help="the student's gate file, e.g. my_gates.py")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds allowed for the whole file (default {DEFAULT_TIMEOUT:g})")
    args = p.parse_args(argv)
    if not args.timeout > 0:
        p.error(f"--timeout must be positive, got {args.timeout!r}")
    verdict = grade(args.file, timeout=args.timeout)
    print(json.dumps(verdict, indent=2) if args.json else format_report(verdict))
    return 0 if verdict["ok"] else 1


# -- the child: load the file, check each gate -------------------------------------------


def grade_here(path: str | os.PathLike) -> dict[str, Any]:
    """Grade in this process (the child's work; the student's code runs here)."""
    path = Path(path)
    try:
        module = _load(path)
        names = _check_names(module)
    except _FileProblem as e:
        return _failed(path, str(e))
    results = [_grade_gate(name, module) for name in names]
    return {"file": str(path), "ok": all(r["status"] == "correct" for r in results),
            "error": None, "gates": results}


class _FileProblem(Exception):
    """The file cannot be graded at all."""


def _load(path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("student_gates", path)
    if spec is None or spec.loader is None:
        raise _FileProblem(f"{path.name} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except BaseException as e:  # SystemExit and KeyboardInterrupt included: report them
        if isinstance(e, SyntaxError):
            line, detail = e.lineno, f"SyntaxError: {e.msg}"
        else:
            frames = [f.lineno for f in traceback.extract_tb(e.__traceback__)
                      if f.filename == str(path)]
            line, detail = (frames or [None])[-1], f"{type(e).__name__}: {e}"
        where = f" (line {line})" if line else ""
        raise _FileProblem(f"{path.name} fails to import{where}: {detail}") from None
    return module


def _check_names(module: types.ModuleType) -> list[str]:
    """The gates the file declares in GATES, after checking every name it defines."""
    gates = getattr(module, "GATES", None)
    if not isinstance(gates, (list, tuple)) or not all(isinstance(g, str) for g in gates):
        raise _FileProblem("the file needs GATES, a list of gate names such as "
                           "['sigmoid', 'mul'] (the file 'gategrad exercise' writes has it)")
    try:
        gates = check_gate_names(list(gates))
    except ValueError as e:
        raise _FileProblem(f"GATES: {e}") from None
    expected = {"GATES"} | {f"{g}_{part}" for g in gates for part in ("forward", "backward")}
    missing = sorted(n for n in expected if not callable(getattr(module, n, None))
                     and n != "GATES")
    if missing:
        raise _FileProblem(f"missing function(s): {', '.join(missing)}")
    unexpected = sorted(
        n for n, v in vars(module).items()
        if not n.startswith("_") and n not in expected and not isinstance(v, types.ModuleType)
        and type(v).__name__ != "_Feature")  # ``from __future__ import annotations``
    if unexpected:
        raise _FileProblem(
            f"unexpected name(s): {', '.join(unexpected)}; the file may define only GATES and "
            "<gate>_forward / <gate>_backward for the gates in GATES (start helpers' names "
            "with an underscore)")
    return gates


def _student_row(name: str, module: types.ModuleType) -> G.Gate:
    """The student's gate as a private row: their forward, their rule per input."""
    ex = EXERCISES[name]
    forward = getattr(module, f"{name}_forward")
    backward = getattr(module, f"{name}_backward")
    if len(ex.operands) == 1:
        rules: tuple[Callable[..., Any], ...] = (backward,)
    else:
        def pick(k: int) -> Callable[..., Any]:
            return lambda g, out, a, b: _pair(backward(g, out, a, b), name)[k]
        rules = (pick(0), pick(1))
    return G.Gate(name, ex.reference.symbol, forward, forward, rules)


def _pair(result: Any, name: str) -> tuple:
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise _RuleShape(f"{name}_backward must return a pair (gradient for a, gradient for "
                         f"b); it returned {result!r}")
    return tuple(result)


class _RuleShape(TypeError):
    """A rule returned something other than what its gate needs."""


def _grade_gate(name: str, module: types.ModuleType) -> dict[str, Any]:
    row = _student_row(name, module)
    ex = EXERCISES[name]
    try:
        wrong_forward = _check_forward(row, ex)
        if wrong_forward:
            return {"gate": name, "status": "wrong", "message": wrong_forward}
        for rule in row.vjp:  # one plain call first: a rule that raises fails fast
            xs = _domain_points(ex)[0]
            rule(1.0, row.scalar(*xs), *xs)
        found = _tie_failure(row, ex) or _random_graph_failure(row, ex)
    except NotImplementedError:
        return {"gate": name, "status": "not done",
                "message": f"{name}_backward still raises NotImplementedError"}
    except Exception as e:  # the student's code failed: say how, and where
        return {"gate": name, "status": "error", "message": _where(e, module)}
    if found is None:
        return {"gate": name, "status": "correct", "message": ""}
    return _explain(row, ex, *found)


def _where(e: Exception, module: types.ModuleType) -> str:
    frames = [f for f in traceback.extract_tb(e.__traceback__)
              if f.filename == getattr(module, "__file__", None)]
    where = f" in {frames[-1].name} (line {frames[-1].lineno})" if frames else ""
    return f"your code raised {type(e).__name__}{where}: {e}"


def _domain_points(ex: Exercise) -> list[tuple[float, ...]]:
    points = [-2.5, -1.2, -0.3, 0.4, 1.1, 2.7]
    if ex.name in ("log", "sqrt"):
        points = [abs(p) for p in points]
    if len(ex.operands) == 1:
        return [(p,) for p in points]
    return [(a, b) for a, b in zip(points, reversed(points))]



def _check_forward(row: G.Gate, ex: Exercise) -> str:
    """A message when the student's forward differs from the built-in one."""
    for xs in _domain_points(ex):
        given, want = row.scalar(*xs), ex.reference.scalar(*xs)
        if not math.isclose(given, want, rel_tol=1e-9, abs_tol=1e-12):
            shown = ", ".join(f"{n} = {x!r}" for n, x in zip(ex.operands, xs))
            return (f"{ex.name}_forward was changed: at {shown} it gives {given!r}, the "
                    f"{ex.name} gate gives {want!r} (only the backward is yours to write)")
    return ""


def _tie_failure(row: G.Gate, ex: Exercise) -> tuple | None:
    """max and min at a tie: the rule must split g evenly."""
    from .value import Value

    if ex.name not in ("max", "min"):
        return None
    for v in (-1.5, 0.0, 0.75):
        found = _localize(_build(row, [Value(v, "a"), Value(v, "b")]))
        if found:
            return found
    return None


def _build(row: G.Gate, inputs: list) -> Any:
    from .functions import apply_gate

    return apply_gate(row, *inputs)


def _localize(out: Any) -> tuple | None:
    from .localize import find_bad_gate

    bad = find_bad_gate(out, eps=EPS)
    return None if bad is None else (bad.input_index, tuple(bad.inputs), str(bad))


def _random_graph_failure(row: G.Gate, ex: Exercise) -> tuple | None:
    """Random graphs mixing the student's gate with built-in ones; the localizer's finding
    on the first (shrunk) graph whose gradients disagree with central differences."""
    from hypothesis import HealthCheck, given, settings

    from .gradcheck import GradcheckError, gradcheck

    found: list = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(_programs(ex))
    def check(case: tuple) -> None:
        program, data = case
        fn = _graph(row, ex, program)
        from .value import Value

        inputs = [Value(x, f"x{k}") for k, x in enumerate(data)]
        _assume_clear_of_kinks(fn(*inputs), row)
        try:
            gradcheck(fn, inputs, eps=EPS)
        except GradcheckError:
            found[:] = [_localize(fn(*inputs))]
            raise

    try:
        check()
    except GradcheckError:
        if found and found[0]:
            return found[0]
        raise AssertionError(f"the gradients through {ex.name} disagree with central "
                             "differences, and no single gate could be blamed") from None
    return None


def _programs(ex: Exercise) -> Any:
    from hypothesis import strategies as st

    value = st.floats(-3, 3, allow_nan=False).filter(lambda x: abs(x) >= KINK_MARGIN)
    step = st.tuples(st.sampled_from(["gate", "gate", "add", "tanh", "mul"]),
                     st.integers(0, 10**6), st.integers(0, 10**6))
    program = st.lists(step, min_size=1, max_size=5).map(lambda s: [("gate", 0, 1), *s])
    return st.tuples(program, st.lists(value, min_size=3, max_size=3))


def _graph(row: G.Gate, ex: Exercise, program: list) -> Callable[..., Any]:
    """``fn(*inputs)``: the program replayed; each node may feed several later ones, and
    the output adds up the nodes nothing consumed."""
    from .functions import apply_gate

    def student(a: Any, b: Any) -> Any:  # operands made safe for the gate's domain
        if ex.name in ("log", "sqrt"):
            return apply_gate(row, a * a + 0.5)
        if ex.name == "div":
            return apply_gate(row, a, b * b + 1.0)
        if ex.name == "exp":
            return apply_gate(row, a.tanh())
        if ex.name == "mul":
            return apply_gate(row, a.tanh(), b)
        return apply_gate(row, a) if len(ex.operands) == 1 else apply_gate(row, a, b)

    trusted = {"gate": student, "add": lambda a, b: a + b, "tanh": lambda a, b: a.tanh(),
               "mul": lambda a, b: a.tanh() * b}

    def fn(*inputs: Any) -> Any:
        pool, consumed = list(inputs), set()
        for op, i, j in program:
            i, j = i % len(pool), j % len(pool)
            pool.append(trusted[op](pool[i], pool[j]))
            consumed.update((i, j))
        sinks = [n for k, n in enumerate(pool) if k not in consumed]
        return sum(sinks[1:], sinks[0])

    return fn


def _assume_clear_of_kinks(out: Any, row: G.Gate) -> None:
    from hypothesis import assume

    from .engine import topological_order

    if row.name not in ("relu", "abs", "max", "min"):
        return
    for node in topological_order(out):
        if node._gate is row:
            xs = [p.data for p in node._prev]
            assume(abs(xs[0] - (xs[1] if len(xs) == 2 else 0.0)) >= KINK_MARGIN)


def _explain(row: G.Gate, ex: Exercise, i: int, xs: tuple, localizer: str) -> dict:
    """What the wrong rule gives at ``xs`` next to the local derivative times g."""
    out = row.scalar(*xs)
    local = _central_difference(row.scalar, xs, i)
    given = {g: float(row.vjp[i](g, out, *xs)) for g in (1.0, 2.0)}
    expected = {g: g * local for g in given}
    close = {g: math.isclose(given[g], expected[g], rel_tol=1e-3, abs_tol=1e-5)
             for g in given}
    at = ", ".join(f"{n} = {x:.6g}" for n, x in zip(ex.operands, xs))
    operand = ex.operands[i]
    lines = [f"wrong for its input {operand}: at {at} (out = {out:.6g}) the local derivative "
             f"d out/d{operand} is {local:.6g} (central differences)"]
    for g in given:
        lines.append(f"with upstream gradient g = {g:g}: your rule gives {given[g]:.6g}, "
                     f"expected {expected[g]:.6g} (= {local:.6g} × {g:g})")
    if close[1.0] and not close[2.0] and math.isclose(given[1.0], given[2.0]):
        lines.append("your rule ignores g: multiply the local derivative by g "
                     "(down_diff = local_diff × up_diff)")
    elif all(math.isclose(given[g], -expected[g], rel_tol=1e-3, abs_tol=1e-5)
             for g in given):
        lines.append("your rule has the wrong sign")
    lines.append(f"localizer: {localizer}")
    return {"gate": ex.name, "status": "wrong", "message": "\n".join(lines), "input": operand,
            "at": dict(zip(ex.operands, xs)), "out": out, "local_derivative": local,
            "expected": expected[1.0], "given": given[1.0]}


def _central_difference(f: Callable[..., float], xs: tuple, i: int) -> float:
    def at(shift: float) -> float:
        moved = list(xs)
        moved[i] += shift
        return f(*moved)

    return (at(EPS) - at(-EPS)) / (2 * EPS)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"] and len(sys.argv) == 4:
        verdict = grade_here(sys.argv[2])
        Path(sys.argv[3]).write_text(json.dumps(verdict), encoding="utf-8")
    else:
        raise SystemExit(main())
