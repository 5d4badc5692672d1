"""Each tutorial notebook and its jupytext twin (notebooks/*.py) hold the same cells, so a
change made to either is not lost. (CI executes the notebooks themselves with nbmake.)"""

from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")  # the notebooks extra; CI installs it

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def cells(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def test_there_are_six_tutorials():
    assert len(NOTEBOOKS) == 6


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_and_script_agree(path):
    script = path.with_suffix(".py")
    assert script.exists(), f"{script.name} is missing: jupytext --sync {path.name}"
    assert cells(jupytext.read(path)) == cells(jupytext.read(script)), (
        f"{path.name} and {script.name} differ: run jupytext --sync on the one you edited")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_executed(path):
    nb = jupytext.read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"{path.name}: run it before committing"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
