"""The explorer in Jupyter: an executed notebook shows it as text/html with its script."""

import nbformat
from nbclient import NotebookClient


def test_an_executed_notebook_shows_the_explorer():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import viz\nfrom autograd import Value\n"
        "x = Value(2.0, label='x')\ny = (x * x).tanh()\ny.backward()\nviz.explore(y)")]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    html = next(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}))
    assert '<div class="gg-explorer"' in html and "<script>" in html
    assert '"label":"x"' in html
    assert "text/plain" in outputs[0]["data"]  # and a plain fallback for other front ends
