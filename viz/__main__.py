"""The demo: build the course's small graphs, backpropagate, print and draw them.

Writes into ``out/``: the course graph, the neuron, the neuron with the chain rule on every
edge (explain), and the neuron's backward pass step by step as one HTML page, plus its
third step (the σ gate) as an SVG. ``python -m viz -o docs`` remakes README's pictures.
"""

from __future__ import annotations

import argparse

from autograd import Value
from viz import backward_steps, render
from viz.cli_args import OneLineParser, output_folder
from viz.steps import frames


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m viz", description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--out", default="out", type=output_folder,
                        help="folder for the drawings")
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a refused folder (its one line already printed)
        return int(e.code or 0)

    # J = 3(a + b*c), the course's first computation graph.
    a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    u = b * c
    u.label = "u = bc"
    v = a + u
    v.label = "v = a + u"
    J = 3 * v
    J.label = "J = 3v"
    J.backward()
    print(f"J = 3(a + b*c) = {J.data:g}")
    print(f"  dJ/da = {a.grad:g} (= 3),  dJ/db = {b.grad:g} (= 3c),  dJ/dc = {c.grad:g} (= 3b)")

    # One logistic neuron: a = sigmoid(w*x + b), loss = -log(a) for label 1.
    w, x, bias = Value(2.0, "w"), Value(-1.0, "x"), Value(0.5, "b")
    z = w * x + bias
    z.label = "z"
    act = z.sigmoid()
    act.label = "a"
    loss = -act.log()
    loss.label = "loss"
    loss.backward()
    print(f"neuron a = sigmoid(w*x + b) = {act.data:.4f}; dz = a - y = {z.grad:.4f}, "
          f"dw = x*dz = {w.grad:.4f}, db = dz = {bias.grad:.4f}")

    out = args.out
    try:
        for name, root, explain in (("course_graph", J, False), ("neuron", loss, False),
                                    ("explain", loss, True)):
            print("drew", render(root, out / f"{name}.svg", explain=explain))
        print("wrote", backward_steps(loss, out / "backward_steps.html"))
        sigma = frames(loss)[3]  # one frame on its own, for pages that cannot run the HTML
        print("drew", render(sigma.dot, out / "backward_step_3.svg"), "-", sigma.caption)
    except RuntimeError as e:  # no renderer: the .gv file is still there
        print(e)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
