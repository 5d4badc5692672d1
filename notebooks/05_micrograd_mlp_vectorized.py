# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5. micrograd's MLP on the moons, then the same net as Tensors
#
# micrograd's demo trains `MLP(2, [16, 16, 1])` built from scalar `Value`s with a
# max-margin loss. Every multiply and add of every sample is a node: one training step
# on 100 points is a graph of tens of thousands of nodes. The same net written with
# `Tensor`s is a graph of a dozen nodes, each a numpy array operation. That is the
# vectorization lesson, measured.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import nn
import viz
from autograd import Tensor, Value
from autograd.engine import topological_order

X, y = nn.make_moons(100, noise=0.1, seed=0)
y_pm = 2.0 * y - 1  # micrograd's labels: -1 and +1

# %% [markdown]
# ## Scalar Values

# %%
mlp = nn.MLP(2, [16, 16, 1], seed=0)
print(f"{len(mlp.parameters())} parameters")


def scalar_objective(model):
    """micrograd's loss: the mean hinge plus 1e-4 of the L2; and the scores (Values)."""
    scores = [model([Value(a), Value(b)]) for a, b in X]
    hinge = sum(((1 - yi * s).relu() for yi, s in zip(y_pm, scores)), Value(0.0))
    l2 = sum((p * p for p in model.parameters()), Value(0.0))
    return hinge / len(X) + 1e-4 * l2, scores


def scalar_loss(model):
    loss, scores = scalar_objective(model)
    accuracy = np.mean([(s.data > 0) == (yi > 0) for yi, s in zip(y_pm, scores)])
    return loss, accuracy


def train(model, loss_fn, steps):
    """micrograd's loop: gradient descent with a decaying learning rate. Returns the last
    loss (a graph) and the seconds per step."""
    start = time.perf_counter()
    for k in range(steps):
        loss, accuracy = loss_fn(model)
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * k / steps
        for p in model.parameters():
            p.data -= lr * p.grad
    seconds = (time.perf_counter() - start) / steps
    print(f"step {steps}: loss {float(loss.data):.3f}, accuracy {accuracy:.0%}")
    print(f"one step: {len(topological_order(loss)):,} nodes, {seconds * 1000:.2f} ms")
    return loss, seconds


steps = 20
loss, scalar_seconds = train(mlp, scalar_loss, steps)

# %% [markdown]
# The graph of one step is far too big to look at whole: `viz.draw` folds the `sum()`
# chains into one `+` gate and shows the nodes nearest the loss (the title says how many
# are left out).

# %%
viz.draw(loss, max_nodes=40)

# %% [markdown]
# The explorer opens such a graph at the loss too; each "… more" stub lists the inputs it
# hides, with their numbers.

# %%
viz.explore(loss, max_nodes=60)

# %% [markdown]
# A single neuron's graph is small enough to read:

# %%
neuron = nn.Neuron(2, rng=None)
out = neuron([Value(X[0, 0], "x0"), Value(X[0, 1], "x1")])
out.backward()
viz.draw(out)

# %% [markdown]
# ## The same net as Tensors

# %%
net = nn.Sequential(nn.Linear(2, 16, seed=0), nn.ReLU(), nn.Linear(16, 16, seed=1), nn.ReLU(),
                    nn.Linear(16, 1, seed=2))
for layer in net.layers:
    if isinstance(layer, nn.Linear):  # micrograd's init: uniform in [-1, 1]
        layer.weight.data[...] = np.random.default_rng(0).uniform(-1, 1, layer.weight.shape)


def tensor_loss(model):
    scores = model(Tensor(X)).reshape(-1)
    hinge = (1 - Tensor(y_pm) * scores).relu().mean()
    l2 = sum(((p * p).sum() for p in model.parameters()), Tensor(0.0))
    accuracy = np.mean((scores.data > 0) == (y_pm > 0))
    return hinge + 1e-4 * l2, accuracy


steps_t = 200
loss_t, tensor_seconds = train(net, tensor_loss, steps_t)
print(f"the Tensor step is {scalar_seconds / tensor_seconds:.0f}x faster than the Value step")

# %% [markdown]
# Both steps train the same network on the same 100 points. The ratio moves from run to
# run (it is timed on whatever machine runs the notebook), but it stays in the hundreds:
# per node, the scalar graph pays Python's overhead for one multiply, the Tensor graph
# for a whole matrix product.

# %%
viz.draw(loss_t)

# %% [markdown]
# ## Where each net puts the boundary

# %%
gx, gy = np.meshgrid(np.linspace(-1.5, 2.5, 40), np.linspace(-1, 1.5, 40))
grid = np.c_[gx.ravel(), gy.ravel()]
scalar_pred = np.array([mlp([Value(a), Value(b)]).data > 0 for a, b in grid])
tensor_pred = net(Tensor(grid)).data.reshape(-1) > 0
fig, axes = plt.subplots(1, 2, figsize=(8, 3), dpi=80)
for ax, pred, title in [(axes[0], scalar_pred, f"Values, {steps} steps"),
                        (axes[1], tensor_pred, f"Tensors, {steps_t} steps")]:
    ax.contourf(gx, gy, pred.reshape(gx.shape), cmap="RdBu", alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", s=10)
    ax.set_title(title, fontsize=9)
plt.show()

# %% [markdown]
# ## The scalar graph again, compiled
#
# Every step builds the same graph of scalar gates. `autograd.compile` traces it once and
# replays it as a numpy program: all the multiplies of one layer at one depth become one
# numpy statement, all the sums of one level another. The parameters stay live (each call
# reads their `.data`, `backward()` adds into their `.grad`), so the loop is unchanged.
# The function compiled is the loss alone: reading a score's `.data` inside it, as the
# accuracy does, is a read of a value the trace must guard, and it changes at every step.

# %%
import autograd

compiled_mlp = nn.MLP(2, [16, 16, 1], seed=0)
step = autograd.compile(lambda: scalar_objective(compiled_mlp)[0])
times = []
for k in range(steps):
    start = time.perf_counter()
    loss_c = step()  # the first call traces (and runs eagerly); the others replay
    compiled_mlp.zero_grad()
    loss_c.backward()
    times.append(time.perf_counter() - start)
    lr = 1.0 - 0.9 * k / steps
    for p in compiled_mlp.parameters():
        p.data -= lr * p.grad
replay_seconds = float(np.median(times[1:]))
print(f"step {steps}: loss {float(loss_c.data):.6f} (eager Values: {float(loss.data):.6f})")
print(f"first call (trace and compile): {times[0] * 1000:.0f} ms; each replay: "
      f"{replay_seconds * 1000:.2f} ms, {scalar_seconds / replay_seconds:.0f}x faster than "
      "the eager step")

# %% [markdown]
# `step.source` is the program it runs: the course's vectorization, written out by the
# compiler from a graph of scalar gates. Its first lines:

# %%
print("\n".join(step.source.splitlines()[:30]))
