"""The derivative rule of each gate, in words, for the explorer's node panel.

The sentence is a field of the gate's row (``Gate.words``), beside the rule it describes;
it is for people and never used to compute anything: every number the explorer shows
comes from the gate's own rule (see ``explain.py``). A test checks every row has one.
"""

from __future__ import annotations

from autograd.node import Node


def rule_text(node: Node) -> str:
    """The derivative rule of the gate that made ``node``; "" for a leaf."""
    gate = node._gate
    if gate is None:
        return ""
    return gate.words or f"the {gate.name} gate's rule (no description yet)"
