"""Value and Tensor show their graph as SVG in Jupyter, and importing autograd loads no viz."""

import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np

from autograd import Tensor, Value


def test_value_repr_svg_is_the_drawn_graph():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    out = (a * b).tanh()
    out.label = "out"
    svg = out._repr_svg_()
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "out" in svg and "tanh" in svg


def test_tensor_mimebundle_has_text_and_svg():
    t = Tensor(np.ones((2, 3)), requires_grad=True, label="t")
    bundle = (t * 2).sum()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "image/svg+xml"}
    assert bundle["text/plain"].startswith("Tensor(")
    ET.fromstring(bundle["image/svg+xml"])
    assert set(t._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}


def test_import_autograd_loads_no_viz_graphviz_or_heavy_libraries():
    code = ("import sys, autograd; bad = [m for m in ('viz', 'graphviz', 'torch', 'sklearn', "
            "'matplotlib', 'hypothesis') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
