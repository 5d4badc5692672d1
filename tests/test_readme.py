"""README.md's Python examples run as written: each block is executed, and any test
function it defines is called."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace: dict = {"__name__": "readme_example"}
    # A pseudo file name: tools that look up a function's source (hypothesis does) must
    # not read README.md itself as Python.
    exec(compile(code, "<README.md example>", "exec"), namespace)  # noqa: S102 - our own README
    for name, obj in list(namespace.items()):
        if name.startswith("test_") and callable(obj):
            obj()
