"""The fallback of a compiled step: call the function as written."""

from __future__ import annotations

EAGER_THIS_CALL = object()  # what a replay returns when this one call must run eagerly


class Eager:
    """Replays by calling the function eagerly, when compiling would not pay or not be safe.

    ``reason`` says which; ``source`` shows it.
    """

    mode = "eager"
    program = None

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.source = f"# not compiled, runs eagerly: {reason}\n"
