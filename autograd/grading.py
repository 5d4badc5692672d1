"""Grade a student's gate file (``autograd.exercises``): ``gategrad grade my_gates.py``.

    gategrad grade my_gates.py            # a report per gate; exit status 0 when all pass
    gategrad grade my_gates.py --json     # the same as JSON, for autograders

The student's code runs only in a child process with a time limit. The child loads the
file, checks the names it defines, and judges each rule (``autograd.gate_checks``); the
parent reads the verdict the child writes.
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
from pathlib import Path
from typing import Any

from .exercises import check_gate_names
from .gate_checks import grade_gate

DEFAULT_TIMEOUT = 120.0  # seconds for the whole file


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


DESCRIPTION = ("Check the derivative rules in a student file written by 'gategrad exercise': "
               "random graphs, central differences, and the gate localizer's report for each "
               "wrong rule.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``gategrad grade``."""
    p.add_argument("file", help="the student's gate file, e.g. my_gates.py")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds allowed for the whole file (default {DEFAULT_TIMEOUT:g})")


def run(args: argparse.Namespace) -> int:
    """Grade ``args.file`` and print the verdict; 0 only when every gate is right."""
    if not args.timeout > 0 or not math.isfinite(args.timeout):
        print(f"gategrad grade: error: --timeout must be a positive number of seconds, got "
              f"{args.timeout!r}", file=sys.stderr)
        return 2
    verdict = grade(args.file, timeout=args.timeout)
    print(json.dumps(verdict, indent=2) if args.json else format_report(verdict))
    return 0 if verdict["ok"] else 1


def main(argv: list[str] | None = None) -> int:
    """``gategrad grade FILE [--json] [--timeout S]``: exit status 0 only when all pass."""
    p = argparse.ArgumentParser(prog="gategrad grade", description=DESCRIPTION)
    add_arguments(p)
    return run(p.parse_args(argv))


# -- the child: load the file, check each gate -------------------------------------------


def grade_here(path: str | os.PathLike) -> dict[str, Any]:
    """Grade in this process (the child's work; the student's code runs here)."""
    path = Path(path)
    try:
        module = _load(path)
        names = _check_names(module)
    except _FileProblem as e:
        return _failed(path, str(e))
    results = [grade_gate(name, module) for name in names]
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


def _strict_json(x: Any) -> Any:
    """``x`` with nan and inf as strings: strict JSON, which autograders' parsers expect."""
    if isinstance(x, dict):
        return {k: _strict_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_strict_json(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return x


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"] and len(sys.argv) == 4:
        verdict = grade_here(sys.argv[2])
        Path(sys.argv[3]).write_text(json.dumps(_strict_json(verdict), allow_nan=False),
                                     encoding="utf-8")
    else:
        raise SystemExit(main())
