"""gategrad exercise / grade: the student file, and planted mistakes each named correctly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import custom
from autograd import gates as G
from autograd.exercises import EXERCISES, exercise_source, write_exercise
from autograd.grading import grade, grade_here

ROOT = Path(__file__).resolve().parent.parent

# Textbook rules, one per gate, written here rather than taken from the gate table.
CORRECT = {
    "add": "return g, g",
    "sub": "return g, -g",
    "mul": "return g * b, g * a",
    "div": "return g / b, -g * a / (b * b)",
    "neg": "return -g",
    "exp": "return g * math.exp(x)",
    "log": "return g / x",
    "sqrt": "return g / (2 * math.sqrt(x))",
    "tanh": "return g * (1 - math.tanh(x) ** 2)",
    "sigmoid": "return g * out * (1 - out)",
    "relu": "return g if x > 0 else 0.0",
    "abs": "return g * ((x > 0) - (x < 0))",
    "max": "return (g if a > b else g / 2 if a == b else 0.0,"
           " g if b > a else g / 2 if a == b else 0.0)",
    "min": "return (g if a < b else g / 2 if a == b else 0.0,"
           " g if b < a else g / 2 if a == b else 0.0)",
}


def solved(gates: list[str], rules: dict[str, str]) -> str:
    """A student file for ``gates`` with each backward's body replaced by ``rules``."""
    text = exercise_source(gates)
    for name in gates:
        todo = f'raise NotImplementedError("{name}_backward: write the derivative rule")'
        assert todo in text
        text = text.replace(todo, rules[name])
    return text


def write(tmp_path: Path, text: str, name: str = "my_gates.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_every_gate_with_a_correct_rule_passes(tmp_path):
    verdict = grade(write(tmp_path, solved(list(EXERCISES), CORRECT)))
    assert verdict["error"] is None
    assert {g["gate"]: g["status"] for g in verdict["gates"]} == dict.fromkeys(
        EXERCISES, "correct")
    assert verdict["ok"]


@pytest.mark.slow
def test_planted_mistakes_are_each_named(tmp_path):
    mistakes = dict(CORRECT,
                    sigmoid="return g * x * (1 - x)",       # x where out was meant
                    mul="return b, a",                      # the forgotten * g
                    tanh="return g * (out * out - 1)",      # a wrong sign
                    max="return g * (a >= b), g * (b >= a)",  # all of g to both at a tie
                    add="return g, g")                      # right: must stay correct
    gates = ["sigmoid", "mul", "tanh", "max", "add"]
    verdict = grade(write(tmp_path, solved(gates, mistakes)))
    by_gate = {g["gate"]: g for g in verdict["gates"]}
    assert not verdict["ok"]
    assert by_gate["add"]["status"] == "correct"
    for name in ["sigmoid", "mul", "tanh", "max"]:
        assert by_gate[name]["status"] == "wrong", by_gate[name]
        assert f"localizer: gate {name!r} is wrong" in by_gate[name]["message"]

    sig = by_gate["sigmoid"]
    x = sig["at"]["x"]
    assert sig["input"] == "x"
    assert sig["given"] == pytest.approx(x * (1 - x))  # what the planted rule computes
    s = 1 / (1 + 2.718281828459045 ** -x)
    assert sig["expected"] == pytest.approx(s * (1 - s), rel=1e-5)

    mul = by_gate["mul"]
    assert "your rule ignores g" in mul["message"]

    tanh = by_gate["tanh"]
    assert "wrong sign" in tanh["message"]
    assert tanh["given"] == pytest.approx(-tanh["expected"], rel=1e-5)

    mx = by_gate["max"]
    assert mx["at"]["a"] == mx["at"]["b"]  # named at a tie
    assert mx["expected"] == pytest.approx(0.5, rel=1e-6)
    assert mx["given"] == 1.0


@pytest.mark.slow  # a child process that imports the grader: several seconds
def test_the_student_file_is_unfinished_and_says_how_to_grade(tmp_path):
    path = tmp_path / "my_gates.py"
    run = subprocess.run([sys.executable, "-m", "nn", "exercise", "--gates", "sigmoid,mul,max",
                          "-o", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    text = path.read_text()
    assert "GATES = ['sigmoid', 'mul', 'max']" in text
    assert text.count("raise NotImplementedError") == 3
    assert "σ(x) is the gate's output `out`" in text  # the course's hint
    run = subprocess.run([sys.executable, "-m", "nn", "grade", str(path), "--json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1
    verdict = json.loads(run.stdout)
    assert [g["status"] for g in verdict["gates"]] == ["not done"] * 3
    again = subprocess.run([sys.executable, "-m", "nn", "exercise", "--gates", "mul",
                            "-o", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 1 and "exists" in again.stderr
    assert path.read_text() == text  # the student's work is not overwritten


def test_the_grade_command_exits_0_when_all_pass(tmp_path):
    path = write(tmp_path, solved(["mul"], CORRECT))
    run = subprocess.run([sys.executable, "-m", "nn", "grade", str(path)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "mul: correct" in run.stdout and "1 of 1 gates correct" in run.stdout


def test_unknown_gates_are_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match="'softplus'"):
        write_exercise(["sigmoid", "softplus"], tmp_path / "x.py")
    assert not (tmp_path / "x.py").exists()


@pytest.mark.parametrize("text, message", [
    ("def broken(:\n", "fails to import (line 1): SyntaxError"),
    ("import nothing_of_that_name\n", "ModuleNotFoundError"),
    ("raise SystemExit(3)\n", "fails to import"),
    ("x = 1\n", "the file needs GATES"),
    ("GATES = ['softplus']\n", "no exercise for gate(s) 'softplus'"),
    ("GATES = ['neg']\ndef neg_forward(x): return -x\n", "missing function(s): neg_backward"),
])
def test_files_that_cannot_be_graded_get_a_clear_message(tmp_path, text, message):
    verdict = grade(write(tmp_path, text))
    assert not verdict["ok"] and message in verdict["error"]


def test_unexpected_names_are_named(tmp_path):
    text = solved(["neg"], CORRECT) + "\nhelper = 3\ndef cheat(): pass\n_private = 1\n"
    verdict = grade(write(tmp_path, text))
    assert "unexpected name(s): cheat, helper;" in verdict["error"]


def test_a_changed_forward_is_reported(tmp_path):
    text = solved(["neg"], CORRECT).replace("return -x", "return x")
    [gate] = grade(write(tmp_path, text))["gates"]
    assert gate["status"] == "wrong" and "neg_forward was changed" in gate["message"]


@pytest.mark.slow  # a child process that imports the grader: several seconds
def test_a_rule_that_raises_or_returns_one_number_for_two_inputs(tmp_path):
    rules = dict(CORRECT, neg="return g / 0", mul="return g * b", abs="return None")
    verdict = grade(write(tmp_path, solved(["neg", "mul", "abs"], rules)))
    gates = {g["gate"]: g for g in verdict["gates"]}
    assert gates["abs"]["status"] == "error" and "TypeError" in gates["abs"]["message"]
    assert gates["neg"]["status"] == "error"
    assert "ZeroDivisionError in neg_backward" in gates["neg"]["message"]
    assert gates["mul"]["status"] == "error"
    assert "must return a pair" in gates["mul"]["message"]


def test_an_endless_rule_is_stopped_by_the_time_limit(tmp_path):
    rules = dict(CORRECT, neg="while True:\n        pass")
    verdict = grade(write(tmp_path, solved(["neg"], rules)), timeout=2)
    assert not verdict["ok"] and "longer than 2 s" in verdict["error"]


def test_grading_leaves_the_global_gate_table_alone(tmp_path):
    before = (dict(custom.REGISTRY), {k: v for k, v in vars(G).items()
                                      if isinstance(v, G.Gate)})
    verdict = grade_here(write(tmp_path, solved(["sigmoid", "max"], CORRECT)))
    assert verdict["ok"]
    after = (dict(custom.REGISTRY), {k: v for k, v in vars(G).items()
                                     if isinstance(v, G.Gate)})
    assert after == before


def test_hypothesis_is_a_core_dependency_yet_import_autograd_stays_without_it():
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("hypothesis") for d in deps)
    code = ("import sys, autograd, autograd.exercises, nn.__main__; "
            "print('hypothesis' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT)
    assert run.stdout.strip() == "False", run.stderr


@pytest.mark.slow  # a child process that imports the grader: several seconds
def test_a_rule_giving_nan_is_wrong_and_the_json_stays_strict(tmp_path):
    path = write(tmp_path, solved(["neg"], dict(CORRECT, neg="return math.nan")))
    run = subprocess.run([sys.executable, "-m", "nn", "grade", str(path), "--json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1
    verdict = json.loads(run.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    [gate] = verdict["gates"]
    assert gate["status"] == "wrong" and gate["given"] == "nan"


@pytest.mark.parametrize("name", ["relu", "max"])
def test_every_use_of_the_students_gate_in_a_random_graph_reaches_its_output(name):
    # A one-input step names no second operand, so no node is marked used by a step that
    # ignores it: each application of the student's gate lies on a path to the output,
    # where the gradient check can see it. And the row is kinked as the built-in one is,
    # so graphs near its kink are left out.
    import types

    from hypothesis import given, settings

    from autograd.engine import topological_order
    from autograd.gate_checks import _graph, _programs, _student_row
    from autograd.value import Value

    module = types.ModuleType("student")
    exec(solved([name], CORRECT), module.__dict__)
    row = _student_row(name, module)
    assert row.kinked and row.kinked == G.__dict__[name.upper()].kinked

    @settings(max_examples=80, derandomize=True, database=None, deadline=None)
    @given(_programs(EXERCISES[name]))
    def check(case):
        program, data = case
        out = _graph(row, EXERCISES[name], program)(*map(Value, data))
        reached = sum(node._gate is row for node in topological_order(out))
        assert reached == sum(step[0] == "gate" for step in program), program

    check()
