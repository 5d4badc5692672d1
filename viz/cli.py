"""``gategrad draw``: draw the graph of an expression, with its gradients.

    gategrad draw "sigmoid(w*x + b)" --set w=2 x=-1 b=0.5 -o graph.svg [--explain]
    gategrad draw "sigmoid(w*x + b)" --set w=2 x=-1 b=0.5 --html graph.html
    python -m viz.cli "sigmoid(w*x + b)" --set w=2 x=-1 b=0.5 -o graph.svg

Exit status: 0 when drawn, 2 for a refused expression or bad arguments (one line on
stderr naming the offending part), 1 when no renderer could draw the file.
"""

from __future__ import annotations

import argparse
import sys

from .expression import ExpressionError, build, parse_sets
from .labels import num
from .renderer import FORMATS, render

PROG = "gategrad draw"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Draw the computation graph of an expression with its "
        "gradients. Allowed: numbers, variables given with --set, + - * / **, and "
        "sigmoid tanh relu exp log sqrt abs max min.")
    parser.add_argument("expression", help='for example "sigmoid(w*x + b)"')
    parser.add_argument("--set", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                        help="values of the variables, as in --set w=2 x=-1 b=0.5")
    parser.add_argument("-o", "--out", default="graph.svg",
                        help="the file to write: .svg, .png or .pdf (default graph.svg)")
    parser.add_argument("--explain", action="store_true",
                        help="write local_diff × up_diff = down_diff on every edge")
    parser.add_argument("--steps", metavar="HTML",
                        help="also write the backward pass step by step to this .html page")
    parser.add_argument("--html", metavar="HTML",
                        help="also write the interactive explorer (step through forward and "
                        "backward, click nodes) to this .html page")
    parser.add_argument("--rankdir", default="LR", choices=("LR", "RL", "TB", "BT"),
                        help="direction of the flow (default LR: left to right)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``gategrad draw`` with ``argv`` (default: the command line); return the status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # --help, or argparse's own usage error (already printed)
        return int(e.code or 0)
    if args.out.rsplit(".", 1)[-1].lower() not in FORMATS or "." not in args.out:
        return _fail(f"-o {args.out}: the name must end in .{', .'.join(FORMATS)}")
    for option in ("steps", "html"):
        value = getattr(args, option)
        if value is not None and not value.lower().endswith((".html", ".htm")):
            return _fail(f"--{option} {value}: the name must end in .html")
    try:
        root = build(args.expression, parse_sets(args.set))
    except ExpressionError as e:
        return _fail(str(e))
    root.backward()
    leaves = sorted({n.label: n for n in _leaves(root)}.items())
    print(f"{root.label} = {num(root.data)}; "
          + ", ".join(f"d/d{name} = {num(n.grad)}" for name, n in leaves))
    try:
        print("wrote", render(root, args.out, explain=args.explain, rankdir=args.rankdir))
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


def _leaves(root: object) -> list:
    from .graph import inputs_first

    return [n for n in inputs_first([root]) if n._gate is None and n.label]


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
