"""``gategrad draw``: draw the graph of an expression, with its gradients.

    gategrad draw "sigmoid(w*x + b)" --set w=2 x=-1 b=0.5 -o graph.svg [--explain]
    gategrad draw "sigmoid(w*x + b)" --set w=2 x=-1 b=0.5 --html graph.html
    python -m viz.cli "sigmoid(w*x + b)" --set w=2 x=-1 b=0.5 -o graph.svg

Exit status: 0 when drawn, 2 for a refused expression or bad arguments (one line on
stderr naming the offending part), 1 when no renderer could draw the file.
"""

from __future__ import annotations

import argparse
import math
import sys

from .cli_args import OneLineParser, output_file
from .expression import ExpressionError, build, parse_sets
from .graph import inputs_first
from .labels import num
from .renderer import FORMATS, render

PROG = "gategrad draw"
DESCRIPTION = ("Draw the computation graph of an expression with its gradients. Allowed: "
               "numbers, variables given with --set, + - * / **, and sigmoid tanh relu exp "
               "log sqrt abs max min.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``draw``'s options, on ``parser`` (its own, or gategrad's ``draw`` subcommand)."""
    parser.add_argument("expression", help='for example "sigmoid(w*x + b)"')
    parser.add_argument("--set", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                        help="values of the variables, as in --set w=2 x=-1 b=0.5")
    parser.add_argument("-o", "--out", default="graph.svg",
                        type=output_file(*(f".{f}" for f in FORMATS)),
                        help="the file to write: .svg, .png or .pdf (default graph.svg)")
    parser.add_argument("--explain", action="store_true",
                        help="write local_diff × up_diff = down_diff on every edge")
    parser.add_argument("--steps", metavar="HTML", type=output_file(".html", ".htm"),
                        help="also write the backward pass step by step to this .html page")
    parser.add_argument("--html", metavar="HTML", type=output_file(".html", ".htm"),
                        help="also write the interactive explorer (step through forward and "
                        "backward, click nodes) to this .html page")
    parser.add_argument("--rankdir", default="LR", choices=("LR", "RL", "TB", "BT"),
                        help="direction of the flow (default LR: left to right)")
    parser.add_argument("--keep-gv", action="store_true",
                        help="also keep the Graphviz source (.gv) beside the picture")


def main(argv: list[str] | None = None) -> int:
    """Run ``gategrad draw`` with ``argv`` (default: the command line); return the status."""
    parser = OneLineParser(prog=PROG, description=DESCRIPTION)
    add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a refused argument (one line already printed)
        return int(e.code or 0)
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Draw what the parsed ``args`` ask for; every argument was checked by the parser."""
    try:
        root = build(args.expression, parse_sets(args.set))
        root.backward()
    except ExpressionError as e:
        return _fail(str(e))
    except (ArithmeticError, ValueError) as e:  # evaluating: overflow, a domain error, ...
        reason = ("a number is too large for a float" if isinstance(e, OverflowError)
                  else " ".join(str(e).split()) or type(e).__name__)
        return _fail(f"cannot compute {_shown(args.expression)} for these values: {reason}")
    nodes = inputs_first([root])  # the one walk: the leaves and the size come from it
    leaves = sorted({n.label: n for n in nodes if n._gate is None and n.label}.items())
    for name, n in leaves:
        if not math.isfinite(n.grad):
            return _fail(f"the gradient d/d{name} of {_shown(args.expression)} is {n.grad} "
                         "for these values (too large for a float)")
    if args.steps is not None:
        from .steps import too_big

        problem = too_big(len(nodes))
        if problem:  # refused before anything is written
            return _fail(f"--steps: {problem} (draw it without --steps)")
    print(f"{' '.join(args.expression.split())} = {num(root.data)}; "
          + ", ".join(f"d/d{name} = {num(n.grad)}" for name, n in leaves))
    try:
        print("wrote", render(root, args.out, explain=args.explain, rankdir=args.rankdir,
                              keep_gv=args.keep_gv))
        if args.steps:
            from .steps import backward_steps

            print("wrote", backward_steps(root, args.steps, rankdir=args.rankdir))
        if args.html:
            from .explore import explore

            print("wrote", explore(root).save(args.html))
    except OSError as e:  # the explorer's folder is missing or not writable
        return _fail(str(e))
    except RuntimeError as e:  # no renderer: the message names the .gv file written
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    return 0


def _shown(expression: str) -> str:
    text = " ".join(expression.split())
    return f"`{text if len(text) <= 60 else text[:59] + '…'}`"


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
