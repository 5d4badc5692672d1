"""viz.explore(root, model=...): nodes grouped by the module that computes them, and the
nested layouts that let the page open a group in place.

The expected members of a neuron are derived from the graph alone (reachability), never
from the grouping code: everything between the neuron's parameters and its output."""

import numpy as np
import pytest

import nn
import viz
from autograd import Tensor, Value
from viz.explore_groups import ownership
from viz.graph import inputs_first
from viz.labels import num


def descendants(sources, order):
    """Every node of ``order`` (inputs first) computed from one of ``sources``."""
    out = set(sources)
    for node in order:
        if any(q in out for q in node._prev):
            out.add(node)
    return out


def ancestors(root):
    return set(inputs_first([root]))


def scalar_mlp_loss(sizes=(3, 2, 1), seed=0):
    """MLP(2, sizes) on one sample, run layer by layer to keep each neuron's output."""
    model = nn.MLP(2, list(sizes), seed=seed)
    xs = [Value(0.5, label="x0"), Value(-1.5, label="x1")]
    outputs = []  # per layer: the neuron outputs
    h = xs
    for layer in model.layers:
        h = layer(h)
        outputs.append(h)
    loss = (h[0] - 1.0) ** 2
    loss.backward()
    return model, loss, outputs


def test_a_neuron_holds_what_lies_between_its_parameters_and_its_output():
    model, loss, outputs = scalar_mlp_loss()
    order = inputs_first([loss])
    own = ownership(model, order).owner
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            path = f"layers.{i}.neurons.{j}"
            expected = ancestors(outputs[i][j]) & descendants(neuron.parameters(), order)
            got = {node for node, owner in own.items() if owner == path}
            assert got == expected, path
    # the loss (score - y, its square) belongs to no module
    assert loss not in own and loss._prev[0] not in own


def test_a_tensor_models_layers_hold_their_matmul_bias_and_activation():
    model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.ReLU(), nn.Linear(4, 1, seed=1))
    X = Tensor(np.array([[0.5, -1.0], [1.0, 2.0], [0.0, 0.3]]))
    z1 = X @ model.layers[0].weight + model.layers[0].bias
    a1 = z1.relu()
    z2 = a1 @ model.layers[2].weight + model.layers[2].bias
    loss = ((z2 - 1.0) ** 2).sum()
    loss.backward()
    own = ownership(model, inputs_first([loss])).owner
    assert {own[n] for n in (z1, z1._prev[0], a1, model.layers[0].weight)} == {"layers.0"}
    assert {own[n] for n in (z2, z2._prev[0], model.layers[2].bias)} == {"layers.2"}
    assert loss not in own and X not in own


def test_an_l2_penalty_term_is_its_neurons_but_the_sum_over_neurons_is_nobodys():
    model, loss, _ = scalar_mlp_loss()
    penalty = sum(p * p for p in model.parameters())
    total = loss + penalty
    own = ownership(model, inputs_first([total])).owner
    neuron = model.layers[0].neurons[0]
    square = next(n for n in inputs_first([penalty])
                  if n._prev and n._prev[0] is neuron.w[0] and n._prev[1] is neuron.w[0])
    assert own[square] == "layers.0.neurons.0"
    assert penalty not in own and total not in own


def test_the_explorer_nests_neurons_in_layers_and_names_the_parameters():
    model, loss, outputs = scalar_mlp_loss()
    m = viz.explore(loss, model=model).model
    groups = {g["id"]: g for g in m["groups"]}
    by_name = {g["name"]: g for g in m["groups"]}
    assert set(by_name) == {"layers.0", "layers.1", "layers.2"} | {
        f"layers.{i}.neurons.{j}" for i, n in enumerate((3, 2, 1)) for j in range(n)}
    for g in m["groups"]:
        if ".neurons." in g["name"]:
            assert groups[g["parent"]]["name"] == g["name"].rsplit(".neurons.", 1)[0]
            assert g["cls"] == "Neuron"
        else:
            assert g["parent"] is None and g["cls"] == "Layer"
    # A group's size is the values drawn inside it, its inner groups included.
    values = [n for n in m["nodes"] if n["kind"] == "value"]
    for g in m["groups"]:
        inside = {g["id"]} | {h["id"] for h in m["groups"] if h["parent"] == g["id"]}
        assert g["size"] == sum(1 for n in values if n.get("scope") in inside)
    # a small graph opens with its groups open
    assert all(g["open"] for g in m["groups"])
    # the weights are named by the model; their numbers are the engine's
    neuron = model.layers[1].neurons[0]
    w1 = next(n for n in values if n.get("scope") == by_name["layers.1.neurons.0"]["id"]
              and n["label"] == "w.1")
    assert w1["data"] == num(neuron.w[1].data) and w1["grad"] == num(neuron.w[1].grad)
    params = by_name["layers.1.neurons.0"]["params"]
    assert [q["name"] for q in params] == [f"layers.1.neurons.0.{a}" for a in
                                           ("w.0", "w.1", "w.2", "b")]
    assert params[3]["grad"] == num(neuron.b.grad)


def test_groups_start_shut_on_a_big_graph():
    model = nn.MLP(2, [8, 8, 1], seed=0)
    loss = (model([Value(0.5), Value(-1.0)]) - 1.0) ** 2
    loss.backward()
    m = viz.explore(loss, model=model).model
    assert m["shown"] > 100 and m["groups"]
    assert not any(g["open"] for g in m["groups"])


def test_every_group_has_its_own_layout_holding_what_is_inside():
    model, loss, _ = scalar_mlp_loss()
    m = viz.explore(loss, model=model).model
    items = m["nodes"] + m["groups"]
    for g in m["groups"]:
        inside = [n for n in items if (n.get("scope") or n.get("parent")) == g["id"]]
        assert inside
        for n in inside:  # within the group's own layout
            assert n["w"] / 2 - 1 <= n["x"] <= g["sw"] - n["w"] / 2 + 1
            assert n["h"] / 2 - 1 <= n["y"] <= g["sh"] - n["h"] / 2 + 1
        for a in inside:  # and nothing overlaps in it
            for b in inside:
                if a is not b:
                    assert (abs(a["x"] - b["x"]) >= (a["w"] + b["w"]) / 2 - 1
                            or abs(a["y"] - b["y"]) >= (a["h"] + b["h"]) / 2 - 1)
    # an edge between two scopes is routed where both its ends are
    for e in m["edges"]:
        assert e["pts"] and e.get("sc") in {None} | {g["id"] for g in m["groups"]}


def test_the_backward_steps_point_at_their_edges_and_share_the_rule_lines():
    model, loss, _ = scalar_mlp_loss()
    m = viz.explore(loss, model=model).model
    edges = {e["id"]: e for e in m["edges"]}
    for step in m["steps"][m["forward_steps"] + 1:]:
        for s in step["sets"]:
            edge = edges[s["edge"]]
            assert edge["from"] == s["node"] and edge["to"] == step["gate"]
            assert "rule" not in s and edge["rule"]


@pytest.mark.parametrize("bad", [42, "model", [Value(1.0)]])
def test_something_that_is_not_a_model_is_refused(bad):
    x = Value(1.0)
    with pytest.raises(TypeError, match="model must be an nn model"):
        viz.explore(x * 2, model=bad)


def test_only_an_activation_joins_a_module_after_its_result():
    model = nn.TwoLayerNet(2, 3, 1, activation="tanh", loss="bce", seed=0)
    X = np.array([[0.5, -1.0], [1.0, 2.0]])
    logits = model.forward(Tensor(X))  # fc2's X W2 + b2, reshaped to (N,)
    loss = model.objective(logits, np.array([0, 1]), 0.0)
    loss.backward()
    own = ownership(model, inputs_first([loss])).owner
    z2, a1 = logits._prev[0], model.fc1.weight
    assert own[z2] == "fc2" and own[a1] == "fc1"
    hidden = z2._prev[0]._prev[0]  # tanh(X W1 + b1), fed to fc2's matmul
    assert hidden._gate.name == "tanh" and own[hidden] == "fc1"
    # the reshape and the loss's one-input gates (softplus ...) stay outside
    assert logits not in own
    assert not any(own.get(n) for n in inputs_first([loss]) if n not in ancestors(z2))


def folded_sum_graph():
    """s = sum of 12 squares (a folded chain of 12 partial sums, short enough to open)
    times t = a sum of 600 values (too long to open): over 1,000 nodes, so folded."""
    xs = [Value(i / 10, label=f"x{i}") for i in range(12)]
    s = sum(x * x for x in xs)
    s.label = "s"
    t = sum(Value(0.01 * i, label=f"y{i}") for i in range(600))
    t.label = "t"
    out = s * t
    out.backward()
    return out, s, xs


def test_a_short_folded_sum_opens_to_its_partial_sums():
    out, s, xs = folded_sum_graph()
    m = viz.explore(out, max_nodes=80).model
    chains = [g for g in m["groups"] if g["kind"] == "chain"]
    assert len(chains) == 1  # t's chain has 599 partial sums: it stays one gate
    chain = chains[0]
    by_id = {n["id"]: n for n in m["nodes"]}
    assert by_id[chain["of"]]["label"] == "s"
    partials = [n for n in m["nodes"] if n.get("scope") == chain["id"] and n["kind"] == "value"]
    # 0 + x0², then one more square each time: the running sums, independently
    squares = [x.data ** 2 for x in xs]
    assert [n["data"] for n in partials] == [num(v) for v in np.cumsum(squares)[:-1]]
    assert {n["grad"] for n in partials} == {num(s.grad)}  # + passes up_diff on
    assert all(n["extra"] for n in partials)
    # every drawn term's edge opens to the + that took it; the last one is s's own gate
    gates = {n["id"] for n in m["nodes"] if n.get("scope") == chain["id"] and n["kind"] == "gate"}
    terms = [e for e in m["edges"] if e["to"] == "g" + chain["of"][1:] and e["kind"] == "in"]
    assert terms and all(e.get("open_to", e["to"]) in gates for e in terms)
    assert sum(1 for e in terms if "open_to" not in e) == 1


def test_partial_sums_take_at_most_a_quarter_of_the_saved_values():
    out, _, _ = folded_sum_graph()
    m = viz.explore(out, max_nodes=40).model  # a quarter is 10: s's 11 partial sums do not fit
    assert not [g for g in m["groups"] if g["kind"] == "chain"]
    assert 0 < m["saved"] <= 40


def test_a_model_whose_names_do_not_lead_to_its_parameters_is_refused():
    class Odd:
        def named_parameters(self):
            yield "missing.w", Value(1.0)

    x = Value(1.0)
    with pytest.raises(TypeError, match="'missing.w' is not at that path in the Odd"):
        viz.explore(x * 2, model=Odd())


def test_a_folded_sum_too_long_for_the_budget_leaves_room_for_a_shorter_one():
    big = sum(Value(i / 10) * Value(1.0) for i in range(20))  # 19 partial sums
    big.label = "big"
    small = sum(Value(i / 10) * Value(2.0) for i in range(6))  # 5 partial sums
    small.label = "small"
    t = sum(Value(0.01 * i) for i in range(600))  # too long to open; folds the graph
    out = small * (big * t)  # big's chain comes first (the drawing's order)
    out.backward()
    m = viz.explore(out, max_nodes=60).model  # a quarter is 15: big's 19 do not fit
    by_id = {n["id"]: n for n in m["nodes"]}
    chains = [by_id[g["of"]]["label"] for g in m["groups"] if g["kind"] == "chain"]
    assert chains == ["small"]
