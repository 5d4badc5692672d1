"""Hostile command lines: each is refused before any work, with one line on stderr naming
what was wrong, exit status 2, no traceback, and nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nn.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
BIG_GRAPH = " + ".join(["x*2"] * 75)  # 225 nodes: over the step-by-step view's limit

HOSTILE = [
    (["train", "--epochs", "99999999999999999999"], "argument --epochs"),
    (["train", "--epochs", "0"], "argument --epochs"),
    (["train", "--epochs", "1e3"], "argument --epochs"),
    (["train", "--hidden", "99999999999"], "argument --hidden"),
    (["train", "--hidden", "-4"], "argument --hidden"),
    (["train", "--seed", "-1"], "argument --seed"),
    (["train", "--seed", "99999999999999"], "argument --seed"),
    (["train", "--lr", "nan"], "argument --lr"),
    (["train", "--lr", "-1"], "argument --lr"),
    (["train", "--lr", "0"], "argument --lr"),
    (["train", "--lr", "inf"], "argument --lr"),
    (["train", "--reg", "-0.1"], "argument --reg"),
    (["train", "--reg", "nan"], "argument --reg"),
    (["train", "--test-size", "1"], "argument --test-size"),
    (["train", "--test-size", "nan"], "argument --test-size"),
    (["train", "--batch-size", "0"], "argument --batch-size"),
    (["train", "-o", "/dev/null"], "argument -o/--out"),
    (["train", "-o", "/dev/null/sub"], "argument -o/--out"),
    (["train", "-o", "/proc/x/out"], "argument -o/--out"),
    (["train", "--dataset", "mnist"], "argument --dataset"),
    (["train", "--optimizer", "rmsprop"], "argument --optimizer"),
    (["train", "--bogus"], "unrecognized arguments: --bogus"),
    (["--seed", "-1"], "argument --seed"),  # no subcommand: train
    (["trian", "--epochs", "5"], "unknown subcommand 'trian'; choose one of train, draw"),
    (["train", "--dataset", "spiral", "--loss", "bce"], "loss 'bce'"),
    (["draw", "w**-1", "--set", "w=1e-200"], "`w**-1`"),
    (["draw", "exp(w)", "--set", "w=1000"], "`exp(w)`"),
    (["draw", "x", "--set", "x=1", "-o", "/dev/null/g.svg"], "argument -o/--out"),
    (["draw", "x", "--set", "x=1", "-o", ".svg"], "argument -o/--out"),
    (["draw", "x", "--set", "x=1", "-o", "g.txt"], "argument -o/--out"),
    (["draw", "x", "--set", "x=1", "-o", "/proc/x/g.svg"], "argument -o/--out"),
    (["draw", "x", "--set", "x=1", "--steps", "/proc/x/s.html"], "argument --steps"),
    (["draw", "x", "--set", "x=1", "--steps", "s.txt"], "argument --steps"),
    (["draw", BIG_GRAPH, "--set", "x=1", "--steps", "s.html"], "--steps: the graph has 225"),
    (["draw", "x", "--set", "x=nan"], "--set x=nan"),
    (["draw", "x", "--set", "x=1", "--rankdir", "XY"], "argument --rankdir"),
    (["draw"], "required: expression"),
    (["draw", "x"], "--set x="),
]


@pytest.mark.parametrize(("argv", "named"), HOSTILE, ids=[" ".join(a)[:50] for a, _ in HOSTILE])
def test_a_hostile_command_line_is_refused_up_front(argv, named, tmp_path, monkeypatch,
                                                    capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert named in err and "error" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written, not even an empty folder


def test_the_installed_command_prints_no_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT),
                                                        os.environ.get("PYTHONPATH", "")])}
    for argv in (["train", "-o", "/dev/null"], ["draw", "w**-1", "--set", "w=1e-200"]):
        done = subprocess.run([sys.executable, "-m", "nn", *argv], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_the_viz_demo_refuses_an_output_that_is_not_a_folder(capsys):
    from viz.__main__ import main as demo

    assert demo(["-o", "/dev/null"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "argument -o/--out: /dev/null exists and is not a folder" in err
