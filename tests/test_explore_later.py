"""viz.explore.explore_later and lay_out: several explorers built now and laid out later,
together in one run of Graphviz, are the explorers ``viz.explore`` would have made when
they were built (the training report takes its graph snapshots this way)."""

import json

import numpy as np

import nn
import viz
from autograd import Tensor
from viz.explore import explore_later, lay_out


def loss_of(model, X, y):
    loss = model.objective(model.forward(Tensor(X, label="X")), y, 0.0)
    loss.label = "loss"
    loss.backward()
    return loss


def as_json(explorer):
    return json.dumps(explorer.model, sort_keys=False)


def test_laid_out_together_they_match_explore_at_the_time_they_were_built():
    model = nn.TwoLayerNet(2, 5, 3, activation="tanh", seed=0)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 2)), np.array([0, 1, 2, 0, 1, 2])
    later, now = [], []
    for _ in range(3):
        for p in model.parameters():
            p.grad = None
        loss = loss_of(model, X, y)
        later.append(explore_later(loss, model=model))
        now.append(as_json(viz.explore(loss, model=model)))
        for p in model.parameters():  # train on: the parameters' arrays change in place
            p.data -= 0.5 * p.grad
    assert all(x.model["width"] is None for x in later)  # nothing laid out yet
    lay_out(later)
    assert [as_json(x) for x in later] == now
    assert len(set(now)) == 3  # the three snapshots do differ


def test_an_explorer_not_laid_out_lays_itself_out_when_shown():
    model = nn.TwoLayerNet(2, 3, 2, seed=1)
    loss = loss_of(model, np.ones((2, 2)), np.array([0, 1]))
    later = explore_later(loss, model=model)
    page = later.html()
    assert later.model["width"] > 0 and later.model["height"] > 0
    assert as_json(later) == as_json(viz.explore(loss, model=model))
    assert "gg-explorer" in page
