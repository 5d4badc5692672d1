"""The main job: ``gategrad`` / ``python -m nn`` trains, reports and writes its pictures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import nn
import viz
from nn.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):  # see test_nn_reference.py
        yield


def _accuracy(text: str, which: str) -> float:
    line = next(line for line in text.splitlines() if line.startswith(f"{which} accuracy:"))
    return float(line.split(":")[1].strip().rstrip("%")) / 100


@pytest.mark.slow
def test_python_m_nn_with_no_arguments_trains_the_flower_net_and_writes_everything(tmp_path):
    """README's command, as a user runs it: the defaults are the course's flower run."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "nn", "-o", str(tmp_path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "TwoLayerNet(2, 4, 1, activation='tanh', loss='bce')" in out
    assert _accuracy(out, "train") >= 0.88 and _accuracy(out, "test") >= 0.85
    for name in ("decision_boundary.png", "history.png", "model.npz"):
        assert (tmp_path / name).stat().st_size > 1000, name
    svg = tmp_path / "model_graph.svg"
    if svg.exists():  # a renderer was found: no .gv file left beside the picture
        assert "<svg" in svg.read_text()
        assert not (tmp_path / "model_graph.gv").exists()
    else:  # viz said so and named the .gv file it wrote instead
        assert "model_graph.gv" in out and (tmp_path / "model_graph.gv").exists()
    model = nn.load(tmp_path / "model.npz")  # the saved model is the trained model
    assert isinstance(model, nn.TwoLayerNet) and model.activation == "tanh"
    X, y = nn.make_flower()
    assert model.score(X, y) >= 0.85


@pytest.mark.slow
def test_train_subcommand_with_options(tmp_path, capsys):
    code = main(["train", "--dataset", "spiral", "--hidden", "50", "--activation", "relu",
                 "--epochs", "300", "--lr", "1.0", "--seed", "1", "-q", "-o", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "spiral: 225 training and 75 test samples, 2 features, 3 classes" in out
    assert "TwoLayerNet(2, 50, 3, activation='relu', loss='softmax')" in out
    assert "epochs=300" in out and "reg=0.0005" in out  # the preset's reg, the given epochs
    assert _accuracy(out, "train") > 0.7
    assert (tmp_path / "decision_boundary.png").exists()


def test_logreg_on_three_classes_is_softmax_regression(tmp_path, capsys):
    assert main(["--model", "logreg", "--dataset", "spiral", "--epochs", "50", "-q",
                 "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "LinearClassifier(2, 3, loss='softmax')" in out


@pytest.mark.slow
def test_many_features_skip_the_decision_boundary_with_a_note(tmp_path, capsys):
    assert main(["--model", "logreg", "--dataset", "breast_cancer", "--epochs", "50", "-q",
                 "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "(standardized)" in out and "LogisticRegression(30)" in out
    assert "no decision-boundary plot: breast_cancer has 30 features" in out
    assert (tmp_path / "history.png").exists()
    assert not (tmp_path / "decision_boundary.png").exists()


def test_missing_matplotlib_is_a_note_not_a_failure(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    assert main(["--epochs", "20", "-q", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "note: skipping the plots: plotting needs matplotlib" in out
    assert "gategrad[plot]" in out and "test accuracy:" in out


def test_no_graphviz_renderer_is_a_note_not_a_failure(tmp_path, capsys, monkeypatch):
    def no_renderer(root, path, **options):
        raise RuntimeError("no Graphviz renderer found; the graph was written to x.gv")

    monkeypatch.setattr(viz, "render", no_renderer)
    assert main(["--epochs", "20", "-q", "-o", str(tmp_path)]) == 0
    assert "note: no Graphviz renderer found" in capsys.readouterr().out


def test_errors_are_reported_without_a_traceback(tmp_path, capsys):
    assert main(["--dataset", "spiral", "--loss", "bce", "-q", "-o", str(tmp_path)]) == 2
    assert "error: loss 'bce' is for two classes; this data set has 3" in capsys.readouterr().err
    assert main(["--epochs", "0", "-q", "-o", str(tmp_path)]) == 2
    assert "argument --epochs: must be from 1" in capsys.readouterr().err
    assert main(["--dataset", "mnist"]) == 2
    assert "argument --dataset: invalid choice: 'mnist'" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's overflow: expected here
def test_a_diverging_run_says_so(tmp_path, capsys):
    code = main(["--dataset", "spiral", "--lr", "1e6", "--epochs", "50", "-q",
                 "-o", str(tmp_path)])
    assert code == 1
    assert "the training loss became" in capsys.readouterr().err


def test_draw_is_a_subcommand_of_gategrad(tmp_path, capsys):
    out = tmp_path / "neuron.svg"
    assert main(["draw", "sigmoid(w*x + b)", "--set", "w=2", "x=-1", "b=0.5", "-o",
                 str(out)]) == 0
    assert "sigmoid(w*x + b) = 0.1824" in capsys.readouterr().out
    assert "<svg" in out.read_text()


def test_help_lists_every_subcommand(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "usage: gategrad [-h] SUBCOMMAND" in text
    for name in ("train", "draw"):
        assert f"    {name} " in text
    assert main(["train", "--help"]) == 0
    assert "--dataset" in capsys.readouterr().out


def test_a_subcommands_module_is_imported_only_when_it_runs():
    code = ("import sys; from nn.__main__ import main; main(sys.argv[1:]); "
            "print([m for m in ('viz.cli', 'autograd.exercises', 'autograd.grading') "
            "if m in sys.modules], file=sys.stderr)")

    def loaded(*argv: str) -> str:
        run = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                             text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        return run.stderr.strip().splitlines()[-1]

    assert loaded("--help") == "[]"
    assert loaded("train", "--help") == "[]"
    assert loaded("draw", "--help") == "['viz.cli']"
    assert loaded("grade", "--help") == "['autograd.exercises', 'autograd.grading']"


def test_another_optimizer_than_the_presets_starts_from_its_own_learning_rate(tmp_path,
                                                                               capsys):
    from nn.train import DEFAULT_LR

    assert main(["--optimizer", "adam", "--epochs", "2", "-q", "-o", str(tmp_path)]) == 0
    assert f"adam, lr={DEFAULT_LR['adam']}," in capsys.readouterr().out
    assert main(["--optimizer", "adam", "--lr", "0.5", "--epochs", "2", "-q",
                 "-o", str(tmp_path)]) == 0
    assert "adam, lr=0.5," in capsys.readouterr().out
    assert main(["--optimizer", "sgd", "--epochs", "2", "-q", "-o", str(tmp_path)]) == 0
    assert "sgd, lr=1.2," in capsys.readouterr().out  # the flower preset's own optimizer


def test_the_console_script_points_at_main():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'gategrad = "nn.__main__:main"' in text


def test_importing_the_packages_pulls_in_no_heavy_optional_library():
    code = ("import sys, autograd, nn; heavy = [m for m in ('torch', 'sklearn', 'matplotlib') "
            "if m in sys.modules]; print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_plot_functions_write_pngs(tmp_path):
    from nn.plot import plot_decision_boundary, plot_history

    X, y = nn.make_spiral(20)
    model = nn.TwoLayerNet(2, 4, 3, seed=0)
    history = model.fit(X, y, epochs=3, verbose=False)
    assert plot_history(history, tmp_path / "h.png").stat().st_size > 1000
    assert plot_decision_boundary(model, X, y, tmp_path / "d.png",
                                  resolution=50).stat().st_size > 1000
    with pytest.raises(ValueError, match=r"plot_decision_boundary: X has shape \(60, 3\): "
                                         r"3 features per sample, but the plot takes 2"):
        plot_decision_boundary(model, np.zeros((60, 3)), y, tmp_path / "x.png")
    with pytest.raises(ValueError, match=r"plot_decision_boundary: X must be 2-d"):
        plot_decision_boundary(model, np.zeros(60), y, tmp_path / "x.png")
