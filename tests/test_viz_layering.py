"""The ranks big drawings hand to dot: valid for every graph, shorter than "as late as
possible", and followed by dot (one column per rank)."""

import re
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_viz_collapse import mlp_loss

import viz
from viz.layering import RANKS_ABOVE, ranks
from viz.renderer import pipe


def _rank_of(groups):
    return {node: r for r, group in enumerate(groups) for node in group}


def _length(edges, rank):
    """Ranks crossed, over all edges: the invisible nodes dot would add."""
    return sum(rank[b] - rank[a] - 1 for a, b in edges)


def _as_late_as_possible(edges):
    """Each node one rank before its earliest use, the sinks on one last rank: the
    start the ranks improve on, computed here by relaxing until nothing changes."""
    nodes = {x for e in edges for x in e}
    rank = dict.fromkeys(nodes, 0)
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            if rank[a] > rank[b] - 1:
                rank[a] = rank[b] - 1
                changed = True
    return rank


@st.composite
def dags(draw):
    """Random acyclic graphs: an edge always goes from a lower number to a higher one;
    repeated edges (x * x) and several sinks included."""
    n = draw(st.integers(2, 30))
    pairs = st.tuples(st.integers(0, n - 2), st.integers(1, n - 1)).filter(lambda e: e[0] < e[1])
    return draw(st.lists(pairs, min_size=1, max_size=80))


@settings(max_examples=300, deadline=None)
@given(dags())
def test_every_edge_goes_forward_and_the_edges_get_no_longer(edges):
    groups = ranks(edges)
    rank = _rank_of(groups)
    nodes = {x for e in edges for x in e}
    assert sorted(rank) == sorted(nodes) and sum(map(len, groups)) == len(nodes)
    assert all(groups), "no empty rank"
    assert all(rank[a] < rank[b] for a, b in edges)
    assert _length(edges, rank) <= _length(edges, _as_late_as_possible(edges))


def test_a_weights_square_is_ranked_beside_the_weight_not_beside_the_loss():
    # x -> m1 -> h1 -> ... -> plus -> out: the data path, ranks 0 to 8. The weight w is
    # used by m1 (so it sits at rank 0) and squared (w * w: two edges into q) for an L2
    # term s, summed by R into r, which joins the data path at plus (rank 7).
    path = ["x", "m1", "h1", "m2", "h2", "m3", "h3", "plus", "out"]
    edges = list(zip(path, path[1:]))
    edges += [("w", "m1"), ("w", "q"), ("w", "q"), ("q", "s"), ("s", "R"), ("R", "r"),
              ("r", "plus")]
    rank = _rank_of(ranks(edges))
    # As late as possible, q s R r sit at ranks 3-6 and both w -> q edges cross ranks
    # 1 and 2 (4 crossings). Moved beside w, only r -> plus crosses ranks 5 and 6 (2).
    assert [rank[n] for n in ("w", "q", "s", "R", "r")] == [0, 1, 2, 3, 4]
    assert [rank[n] for n in path] == list(range(9))
    assert _length(edges, _as_late_as_possible(edges)) == 4 and _length(edges, rank) == 2


def test_a_cycle_is_refused_and_no_edges_make_no_ranks():
    with pytest.raises(ValueError, match="cycle"):
        ranks([("a", "b"), ("b", "a")])
    with pytest.raises(ValueError, match="cycle"):
        ranks([("a", "a")])
    assert ranks([]) == []


_GROUP = re.compile(r"^\t\{rank=same; (.*)\}$", re.M)


def test_big_drawings_carry_the_ranks_and_dot_follows_them():
    big = viz.draw(mlp_loss(3), max_nodes=None).source
    assert len(re.findall(r"^\t[ngm]\d+ \[", big, flags=re.M)) > RANKS_ABOVE
    groups = [line.split("; ") for line in _GROUP.findall(big)]
    declared = re.findall(r"^\t([ngm]\d+) \[", big, flags=re.M)
    assert sorted(n for g in groups for n in g) == sorted(declared)  # each exactly once
    rank = _rank_of(groups)
    edges = re.findall(r"^\t([ngm]\d+) -> ([ngm]\d+)", big, flags=re.M)
    assert edges and all(rank[a] < rank[b] for a, b in edges)
    # rankdir=LR: a rank is a column. Every node of a group has the column's x.
    xs = defaultdict(set)
    for name, x in re.findall(r"^node (\S+) ([\d.]+) ", pipe(big, "plain").decode(), re.M):
        xs[rank[name]].add(float(x))
    assert all(len(column) == 1 for column in xs.values())
    centres = [xs[r].pop() for r in range(len(groups))]
    assert centres == sorted(centres) and len(set(centres)) == len(centres)


def test_drawings_up_to_the_threshold_are_left_to_dot():
    # 1 point: over 1,000 nodes (dot's fast settings) but not over RANKS_ABOVE
    source = viz.draw(mlp_loss(1), max_nodes=None).source
    assert 1000 < len(re.findall(r"^\t[ngm]\d+ \[", source, flags=re.M)) <= RANKS_ABOVE
    assert "rank=same" not in source and "nslimit" in source
