"""How one student rule is checked: a private gate row, property tests, the localizer.

Runs in the grader's child process (``autograd.grading``), where the student's code lives.
Each rule goes into a private ``Gate`` row, never the global table. hypothesis builds
random graphs where that gate meets trusted built-in gates (with fan-out); the engine's
gradients are compared with central differences, and on a mismatch the localizer names
the gate and input. The report then gives the values, the local derivative expected, and
what the rule gave for two upstream gradients (which shows a forgotten ``* g``).
"""

from __future__ import annotations

import math
import traceback
import types
from collections.abc import Callable
from typing import Any

from . import gates as G
from .exercises import EXERCISES, Exercise
from .functions import apply_gate
from .gradcheck import GradcheckError, gradcheck
from .localize import directional_difference, find_bad_gate
from .value import Value

EXAMPLES = 60  # random graphs per gate
EPS = 1e-6


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
    # kinked as the built-in gate: random graphs then keep away from its kinks
    return G.Gate(name, ex.reference.symbol, forward, forward, rules,
                  kinked=ex.reference.kinked)


def _on_floats(row: G.Gate) -> Callable[..., float]:
    """The row's forward on floats (every exercise gate has one; a Tensor-only row does not)."""
    if row.scalar is None:
        raise TypeError(f"gate {row.name!r} has no forward on floats to check a rule against")
    return row.scalar


def _pair(result: Any, name: str) -> tuple:
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise _RuleShape(f"{name}_backward must return a pair (gradient for a, gradient for "
                         f"b); it returned {result!r}")
    return tuple(result)


class _Unlocalized(Exception):
    """Gradients disagree, but the localizer found no single wrong gate."""


class _RuleShape(TypeError):
    """A rule returned something other than what its gate needs."""


def grade_gate(name: str, module: types.ModuleType) -> dict[str, Any]:
    """The verdict on ``module``'s rule for gate ``name``: correct, wrong, not done, error."""
    row = _student_row(name, module)
    ex = EXERCISES[name]
    try:
        wrong_forward = _check_forward(row, ex)
        if wrong_forward:
            return {"gate": name, "status": "wrong", "message": wrong_forward}
        xs = _domain_points(ex)[0]
        for rule in row.vjp:  # one plain call first: a rule that raises fails fast
            rule(1.0, _on_floats(row)(*xs), *xs)
        found = _tie_failure(row, ex) or _random_graph_failure(row, ex)
        if found is None:
            return {"gate": name, "status": "correct", "message": ""}
        return _explain(row, ex, *found)
    except _Unlocalized as e:
        return {"gate": name, "status": "wrong", "message": str(e)}
    except NotImplementedError:
        return {"gate": name, "status": "not done",
                "message": f"{name}_backward still raises NotImplementedError"}
    except Exception as e:  # the student's code failed: say how, and where
        return {"gate": name, "status": "error", "message": _where(e, module)}


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
        given, want = _on_floats(row)(*xs), _on_floats(ex.reference)(*xs)
        if not math.isclose(given, want, rel_tol=1e-9, abs_tol=1e-12):
            shown = ", ".join(f"{n} = {x!r}" for n, x in zip(ex.operands, xs))
            return (f"{ex.name}_forward was changed: at {shown} it gives {given!r}, the "
                    f"{ex.name} gate gives {want!r} (only the backward is yours to write)")
    return ""


def _tie_failure(row: G.Gate, ex: Exercise) -> tuple | None:
    """A kinked two-input gate (max, min) at a tie: the rule must split g evenly."""
    if not (row.kinked and row.arity == 2):
        return None
    for v in (-1.5, 0.0, 0.75):
        found = _localize(apply_gate(row, Value(v, "a"), Value(v, "b")))
        if found:
            return found
    return None


def _localize(out: Any) -> tuple | None:
    bad = find_bad_gate(out, eps=EPS)
    return None if bad is None else (bad.input_index, tuple(bad.inputs), str(bad))


def _random_graph_failure(row: G.Gate, ex: Exercise) -> tuple | None:
    """Random graphs mixing the student's gate with built-in ones; the localizer's finding
    on the first (shrunk) graph whose gradients disagree with central differences."""
    from hypothesis import HealthCheck, assume, given, settings

    from .testing import _kinks_are_clear

    found: list = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(_programs(ex))
    def check(case: tuple) -> None:
        program, data = case
        fn = _graph(row, ex, program)
        inputs = [Value(x, f"x{k}") for k, x in enumerate(data)]
        assume(_kinks_are_clear(fn(*inputs)))
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
        raise _Unlocalized(f"the gradients of random graphs through {ex.name} disagree "
                           "with central differences, though no single use of the rule "
                           "could be blamed") from None
    return None


N_INPUTS = 3
TRUSTED = ("add", "tanh", "mul")  # built-in gates the student's meets, used as the table says


def _programs(ex: Exercise) -> Any:
    """(program, input data): steps ``(name, i, j)`` for ``autograd.testing``'s replay,
    each drawing its operands from the nodes made before it (fan-out), the student's gate
    ("gate") first and most often."""
    from hypothesis import strategies as st

    from .testing import _floats

    arity = {row.name: row.arity for row in G.ROWS if row.name in TRUSTED}
    arity["gate"] = len(ex.operands)

    def indexed(steps: list) -> list:  # each step's operands among the nodes before it
        program = [("gate", 0, 1 if arity["gate"] == 2 else None)]
        for k, (name, i, j) in enumerate(steps, start=1):
            size = N_INPUTS + k
            program.append((name, i % size, j % size if arity[name] == 2 else None))
        return program

    step = st.tuples(st.sampled_from(["gate", "gate", *TRUSTED]),
                     st.integers(0, 10**6), st.integers(0, 10**6))
    program = st.lists(step, min_size=1, max_size=5).map(indexed)
    return st.tuples(program, st.lists(_floats(-3, 3, avoid_kinks=True),
                                       min_size=N_INPUTS, max_size=N_INPUTS))


def _graph(row: G.Gate, ex: Exercise, program: list) -> Callable[..., Any]:
    """``fn(*inputs)``: the program replayed by ``autograd.testing``, the student's gate
    applied with its operands kept inside its domain."""
    from .testing import _random_graph_uses, _run

    def student(a: Any, b: Any = None) -> Any:  # operands made safe for the gate's domain
        if ex.name in ("log", "sqrt"):
            return apply_gate(row, a * a + 0.5)
        if ex.name == "div":
            return apply_gate(row, a, b * b + 1.0)
        if ex.name == "exp":
            return apply_gate(row, a.tanh())
        if ex.name == "mul":
            return apply_gate(row, a.tanh(), b)
        return apply_gate(row, a) if len(ex.operands) == 1 else apply_gate(row, a, b)

    table = _random_graph_uses()
    uses = {"gate": student, **{name: table[name] for name in TRUSTED}}
    return lambda *inputs: _run(program, list(inputs), uses)


def _explain(row: G.Gate, ex: Exercise, i: int, xs: tuple, localizer: str) -> dict:
    """What the wrong rule gives at ``xs`` next to the local derivative times g."""
    forward = _on_floats(row)
    out = forward(*xs)
    local = directional_difference(forward, list(xs), i, 1.0, 1.0, (), EPS, scalar=True)
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
