"""The compile tutorial's example runs as written, and its program is what the page shows."""

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "compile.md"


def test_the_tutorial_example_runs_and_vectorizes():
    text = PAGE.read_text()
    code = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    namespace: dict = {"__name__": "compile_tutorial"}
    exec(compile(code, "<docs/compile.md example>", "exec"), namespace)  # noqa: S102
    step = namespace["step"]
    assert step.mode == "vectorized by level"
    shown = re.findall(r"```text\n(.*?)    \.\.\.\n```", text, flags=re.S)[0]
    assert step.source.startswith(shown.rstrip("\n").split("\n", 1)[0])
    assert shown in step.source  # the page shows the program this code generates
