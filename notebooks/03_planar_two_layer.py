# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3. The planar data and a two-layer net
#
# deeplearning.ai Course 1, week 3: the "flower" of red and blue points is not linearly
# separable, so logistic regression does little better than a coin. One hidden layer of
# tanh units fixes that. We compare them, sweep the hidden layer's size, and see why
# the weights must not start at zero.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import nn

X, y = nn.make_flower()  # the defaults draw the course's exact 400 points
print(X.shape, np.bincount(y))


def boundary(ax, model, title):
    """Colour the plane by the model's prediction, with the points on top."""
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120))
    regions = model.predict(np.c_[gx.ravel(), gy.ravel()]).reshape(gx.shape)
    ax.contourf(gx, gy, regions, cmap="RdBu", alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", s=6)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


# %% [markdown]
# ## Logistic regression: 47%
#
# A straight line cannot separate the petals: fewer than half the points come out right,
# the course's 47%.

# %%
logreg = nn.LogisticRegression(2)
logreg.fit(X, y, epochs=1000, lr=0.1, verbose=False)
print(f"logistic regression: {logreg.score(X, y):.0%}")

# %% [markdown]
# ## The two-layer net: 4 tanh units, the course's 10,000 steps at lr 1.2
#
# The course reports about 90%.

# %%
net = nn.TwoLayerNet(2, 4, 1, activation="tanh", loss="bce", seed=0)
Path("out").mkdir(exist_ok=True)
history = net.fit(X, y, epochs=10_000, lr=1.2, verbose=False, report="out/report.html")
print(f"two-layer net, 4 hidden units: {net.score(X, y):.0%}")
print("the training report (open it in a browser): out/report.html")

fig, axes = plt.subplots(1, 2, figsize=(7, 3.2), dpi=80)
boundary(axes[0], logreg, f"logistic regression: {logreg.score(X, y):.0%}")
boundary(axes[1], net, f"4 tanh units: {net.score(X, y):.0%}")
plt.show()

# %% [markdown]
# `fit(report=...)` wrote the whole run as one page: loss and accuracy per epoch, the
# decision boundary over the epochs (a slider), per-layer gradient norms and the graph's
# gradient health. The training curve alone:

# %%
fig, ax = plt.subplots(figsize=(5, 2.6), dpi=80)
ax.plot(history["loss"])
ax.set_xscale("log")
ax.set_xlabel("iteration")
ax.set_ylabel("cost")
plt.show()

# %% [markdown]
# ## How many hidden units?
#
# The course's sweep (2,000 steps each here): one or two units give a boundary of one or
# two lines, about 67%; from 3 units on it follows the petals, about 90%; more units add
# little on this data. The course's own sweep shows the same pattern.

# %%
sizes = [1, 2, 3, 4, 5, 20, 50]
fig, axes = plt.subplots(2, 4, figsize=(9, 4.6), dpi=80)
for ax, h in zip(axes.flat, sizes):
    model = nn.TwoLayerNet(2, h, 1, activation="tanh", loss="bce", seed=0)
    model.fit(X, y, epochs=2000, lr=1.2, verbose=False)
    boundary(ax, model, f"{h} hidden: {model.score(X, y):.0%}")
axes.flat[-1].axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Why not start from zero?
#
# With every weight zero, all hidden units compute the same function and receive the
# same gradient, so they stay identical forever: the net is no better than one unit.
# (Logistic regression has no hidden units, so there zeros are fine.)

# %%
zero = nn.TwoLayerNet(2, 4, 1, activation="tanh", loss="bce", init="zeros")
zero.fit(X, y, epochs=1000, lr=1.2, verbose=False)
W1 = zero.fc1.weight.data
print("W1 after training from zeros (one column per hidden unit):\n", W1)
print(f"accuracy {zero.score(X, y):.0%}")
assert np.allclose(W1, W1[:, :1])  # every hidden unit is the same unit

# %% [markdown]
# Zeros are the extreme case (here nothing but the output bias ever moves). Any start in
# which the hidden units are equal has the same flaw: from all weights 0.5 the units do
# learn, but in lockstep, so they stay one unit.

# %%
same = nn.TwoLayerNet(2, 4, 1, activation="tanh", loss="bce",
                      init=lambda shape, rng: np.full(shape, 0.5))
same.fit(X, y, epochs=1000, lr=1.2, verbose=False)
W1 = same.fc1.weight.data
print("W1 after training from all 0.5:\n", W1.round(3))
print(f"accuracy {same.score(X, y):.0%}")
assert np.allclose(W1, W1[:, :1]) and not np.allclose(W1, 0.5)

# %% [markdown]
# Small random weights break the symmetry: every unit finds its own direction.

# %%
random_start = nn.TwoLayerNet(2, 4, 1, activation="tanh", loss="bce", init="small", seed=0)
random_start.fit(X, y, epochs=1000, lr=1.2, verbose=False)
print("W1 after training from small random weights:\n", random_start.fc1.weight.data.round(2))
