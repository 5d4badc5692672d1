"""Readable variable names for the generated programs."""

from __future__ import annotations

import keyword
import re


def variable_names(labels: list, prefix: str = "v") -> list:
    """One Python identifier per node: its label made safe, else ``v<index>``; all unique."""
    names, taken = [], set()
    for i, label in enumerate(labels):
        base = re.sub(r"\W+", "_", label or "").strip("_")
        if not base or not base.isidentifier() or keyword.iskeyword(base) or base[0].isdigit():
            base = f"{prefix}{i}"
        name = base if base not in taken else f"{base}_{i}"
        taken.add(name)
        names.append(name)
    return names
