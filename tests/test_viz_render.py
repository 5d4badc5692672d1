"""Rendering through each path (system dot, the pygraphviz wheel, neither) and the
notebook display. CI installs Debian's graphviz and the dev extra's pygraphviz, so both
renderers are there and every path runs; the missing ones are simulated."""

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import viz
from autograd import Value
from viz import notebook, renderer


def course_graph():
    a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    J = 3 * (a + b * c)
    J.label = "J"
    J.backward()
    return J


def assert_svg(path_or_text, *words):
    root = ET.fromstring(path_or_text) if isinstance(path_or_text, str) else ET.parse(
        path_or_text).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = " ".join(el.text or "" for el in root.iter() if el.tag.endswith("text"))
    for word in words:
        assert word in texts, word


@pytest.fixture
def no_system_dot(monkeypatch):
    monkeypatch.setattr(renderer.shutil, "which", lambda *a, **k: None)

    def no_process(*args, **kwargs):
        raise AssertionError(f"no program should run: {args}")

    monkeypatch.setattr(renderer.subprocess, "run", no_process)


@pytest.fixture
def no_renderer(no_system_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # import fails: as if not installed


def test_system_dot_renders_svg_png_and_pdf(tmp_path):
    assert renderer.renderer() == "dot"  # CI installs graphviz: this path must run
    J = course_graph()
    svg = viz.render(J, tmp_path / "graph.svg")
    assert svg == tmp_path / "graph.svg"
    assert_svg(svg, "J", "data 33", "grad 1", "grad 6")
    assert not (tmp_path / "graph.gv").exists()  # the source is kept only when asked
    viz.render(J, tmp_path / "kept.svg", keep_gv=True)
    assert (tmp_path / "kept.gv").read_text().startswith("digraph")
    assert viz.render(J, tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert viz.render(J, tmp_path / "graph.pdf").read_bytes()[:5] == b"%PDF-"


def test_pygraphviz_renders_when_there_is_no_system_dot(tmp_path, no_system_dot):
    assert renderer.renderer() == "pygraphviz"
    J = course_graph()
    assert_svg(viz.render(J, tmp_path / "sub" / "graph.svg", explain=True),
               "J", "data 33", "2 × 3 = 6")
    assert viz.render(J, tmp_path / "graph.png").read_bytes()[:4] == b"\x89PNG"


def test_no_renderer_gives_a_clear_error_naming_the_gv_file(tmp_path, no_renderer):
    assert renderer.renderer() is None
    with pytest.raises(RuntimeError) as caught:
        viz.render(course_graph(), tmp_path / "graph.svg")
    message = str(caught.value)
    gv = tmp_path / "graph.gv"
    assert str(gv) in message
    assert "apt-get install graphviz" in message and "gategrad[render]" in message
    assert gv.read_text().startswith("digraph") and "data 33" in gv.read_text()
    assert not (tmp_path / "graph.svg").exists()


def test_steps_without_a_renderer_name_the_gv_file(tmp_path, no_renderer):
    with pytest.raises(RuntimeError, match=r"step_00\.gv"):
        viz.backward_steps(course_graph(), tmp_path / "steps.html")
    assert (tmp_path / "step_00.gv").exists()


def test_a_failing_renderer_says_what_it_said():
    with pytest.raises(RuntimeError, match="syntax error"):
        renderer.pipe("digraph { a -> }", "svg")


def test_bad_names_and_options_are_refused(tmp_path):
    J = course_graph()
    with pytest.raises(ValueError, match="format"):
        viz.render(J, tmp_path / "graph.jpeg")
    with pytest.raises(ValueError, match="format"):
        renderer.pipe("digraph {}", "gif")
    drawing = viz.draw(J)
    assert_svg(viz.render(drawing, tmp_path / "drawn.svg"), "data 33")  # a finished drawing
    with pytest.raises(TypeError, match="finished drawing"):
        viz.render(drawing, tmp_path / "drawn.svg", explain=True)


def test_notebook_display_of_nodes_and_drawings():
    J = course_graph()
    assert_svg(notebook.repr_svg(J), "data 33")
    bundle = notebook.repr_mimebundle(J)
    assert set(bundle) == {"text/plain", "image/svg+xml"}
    assert bundle["text/plain"] == repr(J)
    assert set(notebook.repr_mimebundle(J, include={"text/plain"})) == {"text/plain"}
    assert set(notebook.repr_mimebundle(J, exclude={"text/plain"})) == {"image/svg+xml"}
    drawing = viz.draw(J)
    assert isinstance(drawing, viz.Drawing)
    assert_svg(drawing._repr_svg_(), "data 33")
    assert "image/svg+xml" in drawing._repr_mimebundle_()


def test_notebook_falls_back_to_text_without_a_renderer(no_renderer):
    J = course_graph()
    assert notebook.repr_svg(J) is None
    assert notebook.repr_mimebundle(J) == {"text/plain": repr(J)}
    assert viz.draw(J)._repr_svg_() is None


def test_autograd_does_not_import_viz():
    code = "import sys, autograd; print('viz' in sys.modules, 'graphviz' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "False"]


def test_render_and_pipe_refuse_arguments_of_the_wrong_kind(tmp_path):
    with pytest.raises(TypeError, match="keep_gv must be True or False"):
        viz.render(course_graph(), tmp_path / "g.svg", keep_gv="yes")
    with pytest.raises(TypeError, match="source must be DOT text"):
        renderer.pipe(b"digraph {}")
    assert list(tmp_path.iterdir()) == []
