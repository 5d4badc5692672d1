"""gategrad draw: good expressions are drawn; hostile ones get one line and exit code 2,
and nothing of them is ever evaluated."""

import builtins
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from viz.cli import main
from viz.expression import MAX_EXPONENT, build, parse_sets


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_draws_the_neuron_with_its_gradients(tmp_path, capsys):
    out = tmp_path / "graph.svg"
    code, stdout, err = run(capsys, "sigmoid(w*x + b)", "--set", "w=2", "x=-1", "b=0.5",
                            "-o", str(out), "--keep-gv")
    assert (code, err) == (0, "")
    assert "sigmoid(w*x + b) = 0.1824" in stdout
    assert "d/dw = -0.1491" in stdout and "d/dx = 0.2983" in stdout
    assert ET.parse(out).getroot().tag.endswith("svg")
    assert "<b>w*x + b</b>" in (tmp_path / "graph.gv").read_text()


def test_explain_and_steps(tmp_path, capsys):
    out, steps = tmp_path / "g.png", tmp_path / "steps.html"
    code, _, err = run(capsys, "max(a, b) * c", "--set", "a=3", "b=1", "--set", "c=-2",
                       "-o", str(out), "--explain", "--steps", str(steps), "--keep-gv")
    assert (code, err) == (0, "")
    assert out.read_bytes()[:4] == b"\x89PNG"
    gv = (tmp_path / "g.gv").read_text()
    assert "1 × -2 = -2" in gv and "0 × -2 = 0" in gv  # max routes to the larger input
    assert steps.read_text().count('<section class="frame"') == 3


def test_the_graph_of_an_expression():
    root = build("x*x + 3*x - x**2 / 2", {"x": 4.0})
    root.backward()
    x = next(n for n in _leaves(root) if n.label == "x")
    assert root.data == 4 * 4 + 12 - 8 and x.grad == 2 * 4 + 3 - 4
    assert build("-2 + +x", {"x": 1.0}).data == -1.0


def test_a_gate_registered_after_import_can_be_called_and_its_redefinition_too(
        tmp_path, capsys):
    from autograd import gate
    from autograd.custom import REGISTRY
    from viz.expression import ExpressionError, functions

    before = dict(REGISTRY)
    try:
        assert "cube" not in functions()
        gate("cube", cli=True, derivatives=[lambda g, out, x: 3 * x * x * g])(
            lambda x: x * x * x)
        gate("hidden", derivatives=[lambda g, out, x: g])(lambda x: x)  # no cli: not callable
        root = build("cube(x) + 1", {"x": 2.0})
        root.backward()
        assert root.data == 9.0 and _leaves(root)[0].grad == 12.0  # d(x³ + 1)/dx = 3x² at 2
        with pytest.raises(ExpressionError, match="unknown function `hidden`"):
            build("hidden(x)", {"x": 2.0})
        with pytest.raises(ExpressionError, match="cube is a gate function"):
            parse_sets(["cube=1"])
        gate("cube", cli=True, derivatives=[lambda g, out, x: 2 * x * g])(lambda x: x * x)
        assert build("cube(x)", {"x": 3.0}).data == 9.0  # the redefinition, not the first
        code, stdout, err = run(capsys, "cube(x)", "--set", "x=3",
                                "-o", str(tmp_path / "c.svg"))
        assert (code, err) == (0, "") and "d/dx = 6" in stdout
    finally:  # the table as it was: other tests draw random graphs from every row
        REGISTRY.clear()
        REGISTRY.update(before)
    assert "cube" not in functions()


def _leaves(root):
    from viz.graph import inputs_first

    return [n for n in inputs_first([root]) if n._gate is None]


HOSTILE = [
    ("__import__('os')", "__import__"),
    ("__import__('os').system('echo hacked')", "__import__"),
    ("x.__class__", "attribute access"),
    ("x.__class__.__bases__[0].__subclasses__()", "only the gate functions"),
    ("(lambda: 1)()", "lambda"),
    ("lambda: x", "lambda"),
    ("x[0]", "subscript"),
    ("[i for i in (1, 2)]", "comprehension"),
    ("sum(i for i in (1, 2))", "sum"),
    ("9**9**9", "too large"),
    ("x**99999", "too large"),
    ("2**-1001", "too large"),
    ("10**1000", "too large"),
    ("y + 1", "unknown name `y`"),
    ("exp(x) + z", "unknown name `z`"),
    ("sigmoid", "is a function"),
    ("open('f')", "unknown function `open`"),
    ("eval('1')", "unknown function `eval`"),
    ("x // 2", "`//`"),
    ("x @ x", "`@`"),
    ("x if x else 1", "conditional"),
    ("x == 1", "comparison"),
    ("x and 1", "and/or"),
    ("(x := 3)", "assignment"),
    ("f'{x}'", "f-string"),
    ("'text'", "only numbers"),
    ("True + x", "only numbers"),
    ("1j * x", "only numbers"),
    ("sigmoid(x, x)", "takes 1 argument"),
    ("max(x)", "takes 2 arguments"),
    ("tanh(x=1)", "keyword"),
    ("tanh(*x)", "star"),
    ("~x", "unary"),
    ("x +", "syntax error"),
    ("", "empty"),
    ("x +" * 400 + " x", "characters long"),
    ("(" + "-" * 260 + "x)", "levels deep"),
    ("+".join(["x"] * 200), "parts"),
    ("log(x - 1)", "cannot compute `log(x - 1)`"),
    ("1 / (x - 1)", "division"),
    ("exp(1000 * x)", "inf"),
]


@pytest.mark.parametrize("expression, named", HOSTILE)
def test_hostile_expressions_get_one_line_and_exit_2(expression, named, tmp_path, capsys,
                                                     monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must never be called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    out = tmp_path / "graph.svg"
    code, stdout, err = run(capsys, expression, "--set", "x=1", "-o", str(out))
    assert code == 2
    assert err.startswith("gategrad draw: error: ") and err.count("\n") == 1
    assert named in err
    assert stdout == "" and not out.exists()


@pytest.mark.parametrize("item, named", [
    ("x=abc", "'abc' is not a number"), ("x", "expected NAME=VALUE"),
    ("=2", "not a valid variable name"), ("1x=2", "not a valid variable name"),
    ("class=2", "not a valid variable name"), ("x=nan", "finite"), ("x=inf", "finite"),
    ("sigmoid=1", "gate function"), ("x.y=1", "not a valid variable name"),
])
def test_bad_set_values_exit_2(item, named, tmp_path, capsys):
    code, _, err = run(capsys, "x", "--set", item, "-o", str(tmp_path / "g.svg"))
    assert code == 2 and named in err and err.count("\n") == 1


def test_bad_arguments_exit_2(tmp_path, capsys):
    assert run(capsys, "x", "--set", "x=1", "x=2")[0] == 2  # set twice
    code, _, err = run(capsys, "x", "--set", "x=1", "-o", str(tmp_path / "g.txt"))
    assert code == 2 and ".svg" in err
    assert run(capsys, "x", "--set", "x=1", "--steps", str(tmp_path / "s.svg"))[0] == 2
    assert run(capsys)[0] == 2  # no expression: argparse's usage error
    assert run(capsys, "--help")[0] == 0


def test_long_sums_are_fine():
    assert build("+".join(["x"] * 140), {"x": 0.5}).data == 70.0


def test_exponent_bound_is_inclusive():
    assert build(f"x**{MAX_EXPONENT}", {"x": 1.0}).data == 1.0
    assert parse_sets(["w=2", " b = -0.5 "]) == {"w": 2.0, "b": -0.5}


def test_module_entry_points(tmp_path):
    out = tmp_path / "g.svg"
    done = subprocess.run([sys.executable, "-m", "viz.cli", "relu(x) * 2", "--set", "x=3",
                           "-o", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "wrote" in done.stdout and out.exists()
    bad = subprocess.run([sys.executable, "-m", "viz.cli", "__import__('os')"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "__import__" in bad.stderr


def test_the_demo_writes_its_drawings(tmp_path):
    done = subprocess.run([sys.executable, "-m", "viz", "-o", str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "dJ/da = 3" in done.stdout
    for name in ("course_graph.svg", "neuron.svg", "explain.svg", "backward_step_3.svg"):
        assert ET.parse(tmp_path / name).getroot().tag.endswith("svg")
    assert (tmp_path / "backward_steps.html").read_text().count("<svg") == 6


def test_a_long_expression_is_printed_whole_and_its_label_ends_in_an_ellipsis(tmp_path,
                                                                             capsys):
    text = " + ".join(f"w*{k}" for k in range(1, 13))  # 67 characters, over the label's 40
    out = tmp_path / "long.svg"
    code, stdout, err = run(capsys, text, "--set", "w=1", "-o", str(out))
    assert (code, err) == (0, "")
    assert stdout.startswith(f"{text} = 78; d/dw = 78")
    root = build(text, {"w": 1.0})
    assert root.label == text[:39] + "…"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.svg"]  # no .gv unless asked
