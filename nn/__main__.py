"""gategrad's command line: ``train`` a model (the default) or ``draw`` a graph.

    gategrad                        # = gategrad train: the 4-unit tanh net on the flower data
    gategrad train --dataset spiral --hidden 100 --activation relu
    gategrad draw ...               # viz's drawing command (see gategrad draw --help)
    gategrad exercise --gates sigmoid,mul,max -o my_gates.py   # a student file
    gategrad grade my_gates.py      # check its derivative rules (autograd.grading)

``python -m nn`` is the same as ``gategrad``.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from viz.cli_args import OneLineParser, float_in, int_in, output_file, output_folder

from .datasets import DATASETS, load_dataset, standardize, train_test_split
from .init import INITIALIZERS
from .layers import ACTIVATIONS
from .models import Classifier, LinearClassifier, LogisticRegression, TwoLayerNet
from .optim import OPTIMIZERS
from .scalar_mlp import MLP
from .scalar_training import ScalarMLPTraining
from .train import DEFAULT_LR, NonFiniteLossError, Trainable

# Per data set, settings that train well in seconds; any option given on the command line
# wins. flower is the course's own run (4 tanh units, gradient descent, lr 1.2, 10,000
# steps); spiral is cs231n's (100 relu units, lr 1, reg 1e-3 in its ½-convention).
PRESETS: dict[str, dict[str, Any]] = {
    "flower": dict(hidden=4, activation="tanh", epochs=10000, lr=1.2),
    "spiral": dict(hidden=100, activation="relu", epochs=3000, lr=1.0, reg=5e-4),
    "moons": dict(hidden=16, activation="tanh", epochs=3000, lr=1.0),
    "circles": dict(hidden=8, activation="tanh", epochs=3000, lr=1.0),
    "digits": dict(hidden=256, activation="relu", init="he", epochs=40, lr=0.05,
                   batch_size=32, optimizer="momentum", reg=1e-3, standardize=True),
    "breast_cancer": dict(hidden=16, activation="relu", init="he", epochs=300, lr=0.1,
                          reg=1e-3, standardize=True),
}
DEFAULTS: dict[str, Any] = dict(hidden=4, activation="tanh", init="small", epochs=1000,
                                lr=None, batch_size=None, optimizer="sgd", reg=0.0,
                                standardize=False)
LOGREG_PRESET = dict(epochs=1000, lr=0.1, reg=0.0, batch_size=None, optimizer="sgd")
# micrograd's demo: MLP(2, [16, 16, 1]), hinge loss, 1e-4 L2, 100 steps of plain descent.
MLP_PRESET = dict(hidden=16, epochs=100, lr=0.5, reg=1e-4, batch_size=None, optimizer="sgd")


# Bounds on the numbers: far past any useful run, small enough to refuse a typo before it
# allocates gigabytes or trains for a year.
MAX_HIDDEN = 100_000
MAX_EPOCHS = 10_000_000
MAX_BATCH = 100_000_000
MAX_SEED = 2**32 - 1  # the flower's legacy generator takes seeds up to 2**32 - 1


def main(argv: list[str] | None = None) -> int:
    """Run ``gategrad`` with ``argv`` (default: the command line); return the exit status:
    0 done, 2 a refused argument (one line on stderr naming it), 1 a failure while working."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in SUBCOMMANDS and not argv[0].startswith("-"):
        print(f"gategrad: error: unknown subcommand {argv[0][:40]!r}; choose one of "
              f"{', '.join(SUBCOMMANDS)}", file=sys.stderr)
        return 2
    if not argv or argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help"):
        argv = ["train", *argv]  # no subcommand: train, as gategrad always did
    try:
        args = _parser(argv[0]).parse_args(argv)
    except SystemExit as e:  # --help, or a refused argument (its one line already printed)
        return int(e.code or 0)
    return args.run(args)


@dataclass(frozen=True)
class Subcommand:
    """A ``gategrad`` subcommand: its line in ``gategrad --help``, and the module that
    holds its ``DESCRIPTION``, ``add_arguments(parser)`` and ``run(args) -> exit status``
    (under those names, or the ones given), imported only when the subcommand runs."""

    summary: str
    module: str
    add_arguments: str = "add_arguments"
    run: str = "run"

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


def _parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """gategrad's parser: a subparser per entry of ``SUBCOMMANDS``, listed by its summary;
    only the ``chosen`` one's module is imported and its options added."""
    parser = OneLineParser(
        prog="gategrad", description="gategrad's command line. With no subcommand, or "
        "options only, it runs 'train'. 'gategrad SUBCOMMAND --help' lists its options.")
    subparsers = parser.add_subparsers(title="subcommands", metavar="SUBCOMMAND")
    for name, command in SUBCOMMANDS.items():
        if name != chosen:
            subparsers.add_parser(name, help=command.summary, description=command.summary)
            continue
        module = command.load()
        sub = subparsers.add_parser(name, help=command.summary, description=module.DESCRIPTION)
        getattr(module, command.add_arguments)(sub)
        sub.set_defaults(run=getattr(module, command.run))
    return parser


DESCRIPTION = ("Train a classifier, print its train/test accuracy, and write a "
               "decision-boundary plot, the training curves, the weights and the SVG of the "
               "model's computation graph.")


def _add_train_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Options left out take the data set's preset: "
                + "; ".join(f"{k}: {_describe(v)}" for k, v in PRESETS.items())
                + ". A different --optimizer than the preset's starts from its own default "
                "learning rate (" + ", ".join(f"{k} {v}" for k, v in DEFAULT_LR.items()
                                               if k in OPTIMIZERS) + ") unless --lr is given.")
    p.add_argument("--model", choices=["twolayer", "logreg", "mlp"], default="twolayer",
                   help="two-layer net, logistic regression (softmax regression for more "
                        "than two classes), or mlp: micrograd's MLP on scalar Values, "
                        "[hidden, hidden, out] with relu and the hinge loss (best with "
                        "--compile); default twolayer")
    p.add_argument("--dataset", choices=sorted(DATASETS), default="flower",
                   help="default flower, the course's planar data")
    p.add_argument("--hidden", type=int_in(1, MAX_HIDDEN),
                   help="hidden units of the two-layer net")
    p.add_argument("--activation", choices=sorted(ACTIVATIONS), help="hidden activation")
    p.add_argument("--loss", choices=["auto", "bce", "softmax", "svm"], default="auto",
                   help="auto: bce (one sigmoid output) for two classes, else softmax")
    p.add_argument("--init", choices=sorted(INITIALIZERS), help="weight initialization")
    p.add_argument("--epochs", type=int_in(1, MAX_EPOCHS), help="passes over the training set")
    p.add_argument("--lr", type=float_in(0, math.inf, open_low=True, open_high=True),
                   help="learning rate (step size)")
    p.add_argument("--batch-size", type=int_in(1, MAX_BATCH),
                   help="mini-batch size (default: the whole set)")
    p.add_argument("--optimizer", choices=list(OPTIMIZERS), help="default sgd (plain descent)")
    p.add_argument("--reg", type=float_in(0, math.inf, open_high=True),
                   help="L2 strength: reg * sum(W*W)")
    p.add_argument("--seed", type=int_in(0, MAX_SEED), default=0,
                   help="seeds the weights, the train/test split and the batch order")
    p.add_argument("--test-size", type=float_in(0, 1, open_low=True, open_high=True),
                   default=0.25, help="held-out fraction, in (0, 1)")
    p.add_argument("-o", "--out", default="out", type=output_folder,
                   help="folder for the outputs (default out/)")
    p.add_argument("--report", metavar="HTML", type=output_file(".html", ".htm"),
                   help="the training report page (default: report.html in the output folder)")
    p.add_argument("--no-report", action="store_true", help="do not record a training report")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--compile", action="store_true",
                   help="trace the training step once and replay it (autograd.compile)")


def _describe(preset: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in preset.items())


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """The defaults, then the data set's preset, then what the command line says."""
    settings = dict(DEFAULTS, **PRESETS[args.dataset])
    if args.model == "logreg":
        settings.update(LOGREG_PRESET)
    if args.model == "mlp":
        settings.update(MLP_PRESET)
        for option in ("activation", "init"):
            if getattr(args, option) is not None:
                raise ValueError(f"--{option} does not apply to --model mlp (micrograd's "
                                 "network: relu units, uniform initial weights)")
    if args.optimizer not in (None, settings["optimizer"]) and args.lr is None:
        settings["lr"] = None  # the preset's lr was tuned for the preset's optimizer
    for key in ("hidden", "activation", "init", "epochs", "lr", "batch_size", "optimizer",
                "reg"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    if settings["lr"] is None:
        settings["lr"] = DEFAULT_LR[settings["optimizer"]]
    return settings


def build_model(model: str, n_features: int, n_classes: int, loss: str, hidden: int,
                activation: str, init: str, seed: int) -> Classifier | MLP:
    """The classifier the command line describes, sized for the data."""
    if model == "mlp":
        if loss not in ("auto", "svm"):
            raise ValueError(f"--model mlp trains on the hinge loss (svm), not {loss!r}")
        return MLP(n_features, [hidden, hidden, 1 if n_classes == 2 else n_classes],
                   seed=seed)
    if loss == "auto":
        loss = "bce" if n_classes == 2 else "softmax"
    if loss == "bce" and n_classes != 2:
        raise ValueError(f"loss 'bce' is for two classes; this data set has {n_classes}")
    if model == "logreg":
        if loss == "bce":
            return LogisticRegression(n_features, seed=seed)
        return LinearClassifier(n_features, n_classes, loss=loss, seed=seed)
    n_out = 1 if loss == "bce" else n_classes
    return TwoLayerNet(n_features, hidden, n_out, activation=activation, loss=loss,
                       init=init, seed=seed)


def train(args: argparse.Namespace) -> int:
    """The ``train`` subcommand: exit 2 for settings that do not fit the data, 1 when
    training fails (the message says why), 0 when done."""
    try:
        return _train(args)
    except (ValueError, TypeError) as e:
        print(f"gategrad train: error: {e}", file=sys.stderr)
        return 2
    except (ImportError, NonFiniteLossError, OSError) as e:
        print(f"gategrad train: error: {e}", file=sys.stderr)
        return 1


def _train(args: argparse.Namespace) -> int:
    s = _settings(args)
    X, y = load_dataset(args.dataset)
    n_classes = int(y.max()) + 1
    X_train, X_test, y_train, y_test = train_test_split(X, y, args.test_size, seed=args.seed,
                                                        stratify=True)
    if s["standardize"]:
        X_train, X_test = standardize(X_train, X_test)
    model = build_model(args.model, X.shape[1], n_classes, args.loss, s["hidden"],
                        s["activation"], s["init"], args.seed)
    print(f"{args.dataset}: {len(X_train)} training and {len(X_test)} test samples, "
          f"{X.shape[1]} features, {n_classes} classes"
          + (" (standardized)" if s["standardize"] else ""))
    print(f"model: {_model_summary(model)}; {s['optimizer']}, lr={s['lr']}, "
          f"epochs={s['epochs']}, batch_size={s['batch_size'] or 'all'}, reg={s['reg']}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = None if args.no_report or args.model == "mlp" else \
        Path(args.report or out / "report.html")
    if args.model == "mlp" and not args.no_report:
        print("note: no training report: it records the Tensor models only")
    options = {} if report is None else {"report": report}
    history = model.fit(X_train, y_train, epochs=s["epochs"], lr=s["lr"],
                        batch_size=s["batch_size"], reg=s["reg"], optimizer=s["optimizer"],
                        seed=args.seed, verbose=not args.quiet,
                        validation_data=(X_test, y_test), compile=args.compile, **options)
    train_acc, test_acc = model.score(X_train, y_train), model.score(X_test, y_test)
    print(f"final loss {history['loss'][-1]:.4f}")
    print(f"train accuracy: {train_acc:.2%}")
    print(f"test accuracy:  {test_acc:.2%}")
    if report is not None:
        print("wrote", report)
    print("wrote", model.save(out / "model.npz"))
    _write_plots(model, history, args.dataset, X_train, y_train, X_test, y_test, test_acc, out)
    _write_graph(model, X_train, y_train, s["reg"], out / "model_graph.svg")
    return 0


def _model_summary(model: Classifier | MLP) -> str:
    if isinstance(model, MLP):
        return f"MLP({model.nin}, {model.nouts}), scalar Values"
    if isinstance(model, TwoLayerNet):
        return (f"TwoLayerNet({model.n_features}, {model.n_hidden}, {model.n_out}, "
                f"activation={model.activation!r}, loss={model.loss!r})")
    if isinstance(model, LinearClassifier):
        return f"LinearClassifier({model.n_features}, {model.n_classes}, loss={model.loss!r})"
    return f"{type(model).__name__}({model.n_features})"


def _write_plots(model: Classifier | MLP, history: dict, dataset: str, X_train: np.ndarray,
                 y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
                 test_acc: float, out: Path) -> None:
    try:
        from .plot import plot_decision_boundary, plot_history

        print("wrote", plot_history(history, out / "history.png",
                                    title=f"{_model_summary(model)} on {dataset}"))
        if X_train.shape[1] == 2:
            title = f"{_model_summary(model)}\n{dataset}: test accuracy {test_acc:.1%}"
            print("wrote", plot_decision_boundary(model, X_train, y_train,
                                                  out / "decision_boundary.png", title=title,
                                                  X_test=X_test, y_test=y_test))
        else:
            print(f"note: no decision-boundary plot: {dataset} has {X_train.shape[1]} "
                  "features, the plot needs 2")
    except ImportError as e:
        print(f"note: skipping the plots: {e}")


def _write_graph(model: Classifier | MLP, X: np.ndarray, y: np.ndarray, reg: float,
                 path: Path) -> None:
    """The loss graph on the training set, after backward, so it shows every gradient."""
    from viz import render

    trainer: Trainable = ScalarMLPTraining(model) if isinstance(model, MLP) else model
    loss = trainer.objective(trainer.forward(trainer.inputs(X)), trainer.targets(y), reg)
    loss.backward()
    try:
        print("wrote", render(loss, path, rankdir="TB"))  # a tall chain reads top-down
    except RuntimeError as e:  # no Graphviz renderer: viz names the .gv file it wrote
        print(f"note: {e}")


# The subcommands' modules are imported only when they run: `gategrad --help` and
# `gategrad train` do not load the drawing command or the grader.
SUBCOMMANDS: dict[str, Subcommand] = {
    "train": Subcommand("Train a classifier (the default); write its plots, weights and "
                        "computation graph.", __name__, "_add_train_arguments", "train"),
    "draw": Subcommand("Draw an expression's computation graph with its gradients.",
                       "viz.cli"),
    "exercise": Subcommand("Write a student file of gates whose derivative rules are "
                           "left to fill in.", "autograd.exercises"),
    "grade": Subcommand("Check the derivative rules in a student file.", "autograd.grading"),
}


if __name__ == "__main__":
    raise SystemExit(main())
