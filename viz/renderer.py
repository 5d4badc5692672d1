"""From DOT text to a file: the system ``dot`` if there is one, else the pygraphviz wheel.

A fresh machine often has no Graphviz at all. The ``render`` extra installs pygraphviz,
whose wheels bundle Graphviz, so ``pip install 'gategrad[render]'`` is enough to draw.
Without either, the error names the ``.gv`` file it wrote then (any Graphviz viewer,
online or not, can show it) and says how to install a renderer.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import graphviz

    from .graph import Roots

FORMATS = ("svg", "png", "pdf")
LAYOUT_FORMATS = ("plain",)  # positions only: the explorer draws the graph itself
INSTALL_HINT = ("install Graphviz (apt-get install graphviz, brew install graphviz, or "
                "https://graphviz.org/download) or the pygraphviz wheel, which bundles it "
                "(pip install 'gategrad[render]')")


def renderer() -> str | None:
    """Which renderer ``render`` will use: "dot" (the system one), "pygraphviz" or None."""
    if shutil.which("dot"):
        return "dot"
    try:
        import pygraphviz  # noqa: F401
    except ImportError:
        return None
    return "pygraphviz"


def pipe(source: str, fmt: str = "svg", gv_path: Path | None = None,
         written: bool = False) -> bytes:
    """``source`` rendered to ``fmt``. If that fails, the DOT text is kept in ``gv_path``
    (when given; ``written``: it is there already) and the ``RuntimeError`` names it."""
    if fmt not in FORMATS + LAYOUT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS + LAYOUT_FORMATS)}, "
                         f"got {fmt!r}")
    if not isinstance(source, str):
        raise TypeError(f"pipe: source must be DOT text (a str), got {type(source).__name__}")
    which = renderer()
    try:
        if which == "dot":
            return _with_dot(shutil.which("dot") or "dot", source, fmt)
        if which == "pygraphviz":
            return _with_pygraphviz(source, fmt)
        problem = "no Graphviz renderer found (no `dot` program on PATH, no pygraphviz)"
    except RuntimeError as e:
        problem = str(e)
    kept = ""
    if gv_path is not None:
        gv_path = Path(gv_path)
        if not written:
            gv_path.parent.mkdir(parents=True, exist_ok=True)
            gv_path.write_text(source, encoding="utf-8")
        kept = f"; the graph was written to {gv_path}"
    raise RuntimeError(f"{problem}{kept}. To render, {INSTALL_HINT}.")


def _with_dot(exe: str, source: str, fmt: str) -> bytes:
    done = subprocess.run([exe, f"-T{fmt}"], input=source.encode("utf-8"),
                          capture_output=True, check=False)
    if done.returncode != 0 or not done.stdout:
        raise RuntimeError(f"`{exe} -T{fmt}` failed (exit {done.returncode}): "
                           f"{_errors(done.stderr.decode('utf-8', 'replace'))}")
    return done.stdout


def _with_pygraphviz(source: str, fmt: str) -> bytes:
    import pygraphviz

    try:
        return pygraphviz.AGraph(string=source).draw(format=fmt, prog="dot")
    except Exception as e:  # pygraphviz raises several kinds; all mean "did not render"
        raise RuntimeError(f"pygraphviz could not render the graph: {e}") from e


def _errors(stderr: str) -> str:
    # Fontconfig chatter is noise on many machines; keep what Graphviz itself said.
    lines = [line for line in stderr.splitlines() if line and "ontconfig" not in line]
    return " / ".join(lines[:3]) or "no message"


def write(source: str, path: str | Path, keep_gv: bool = False) -> Path:
    """Render DOT text into ``path`` (format from its suffix). The DOT text goes into a
    ``.gv`` file beside it when ``keep_gv`` is true, or when rendering fails (the error
    names the file)."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"render: cannot tell the format of {str(path)!r}; "
                         f"use a name ending in .{', .'.join(FORMATS)}")
    if not isinstance(keep_gv, bool):
        raise TypeError(f"render: keep_gv must be True or False, got {keep_gv!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    gv_path = path.with_suffix(".gv")
    if keep_gv:
        gv_path.write_text(source, encoding="utf-8")
    path.write_bytes(pipe(source, fmt, gv_path, written=keep_gv))
    return path


def render(root: Roots | graphviz.Digraph | graphviz.Source, path: str | Path,
           keep_gv: bool = False, **draw_options: Any) -> Path:
    """Draw ``root``'s graph into ``path`` (.svg, .png or .pdf) and return the path.

    ``root`` is a Value, a Tensor, a list of them (options as for ``draw``), or a drawing
    already made by ``draw``. ``keep_gv=True`` also keeps the Graphviz source beside the
    picture (``graph.svg`` -> ``graph.gv``); it is written anyway when rendering fails.
    """
    from .draw import draw

    source = getattr(root, "source", None)
    if isinstance(source, str):  # a graphviz.Digraph / Source: already drawn
        if draw_options:
            raise TypeError("render: draw options apply to nodes, not to a finished drawing")
    else:
        source = draw(root, **draw_options).source
    return write(source, path, keep_gv)
