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
# # 2. Logistic regression as a neural network
#
# deeplearning.ai Course 1, week 2: logistic regression is the smallest neural network,
# one sigmoid unit. We draw the computation graph of one example, check the course's
# `dz = a - y` against the engine, vectorize over `m` examples, and compare learning
# rates. The data is the breast-cancer set that ships with scikit-learn (offline):
# 569 tumours, 30 features, benign or malignant.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import nn
import viz
from autograd import Tensor, Value

# %% [markdown]
# ## One example, as a graph
#
# `z = w1 x1 + w2 x2 + b`, `a = σ(z)`, `L(a, y) = -(y log a + (1 - y) log(1 - a))`.

# %%
x1, x2, y = Value(1.5, "x1"), Value(-0.5, "x2"), 1.0  # one example, label 1
w1, w2, b = Value(0.3, "w1"), Value(-0.2, "w2"), Value(0.1, "b")
z = w1 * x1 + w2 * x2 + b
z.label = "z"
a = z.sigmoid()
a.label = "a"
L = -(y * a.log() + (1 - y) * (1 - a).log())
L.label = "L"
L.backward()
viz.draw(L)

# %% [markdown]
# The course derives `dL/dz = a - y`; then `dw1 = x1 dz`, `dw2 = x2 dz`, `db = dz`.
# The engine got there by multiplying local derivatives gate by gate.

# %%
dz = a.data - y
print(f"a - y = {dz:.6f}   engine's dL/dz = {z.grad:.6f}")
assert math.isclose(z.grad, dz)
assert math.isclose(w1.grad, x1.data * dz) and math.isclose(w2.grad, x2.data * dz)
assert math.isclose(b.grad, dz)

# %% [markdown]
# ## Vectorized over m examples
#
# With the examples in the rows of `X` (m, n): `Z = X w + b`, `A = σ(Z)`,
# `J = mean(L)`, and the course's vectorized gradients are `dw = Xᵀ(A - Y) / m`,
# `db = mean(A - Y)`. One Tensor graph does all m examples at once.

# %%
X_all, Y_all = nn.load_breast_cancer()
X_train, X_test, Y_train, Y_test = nn.train_test_split(X_all, Y_all, 0.25, seed=0)
X_train, X_test = nn.standardize(X_train, X_test)
m, n = X_train.shape
print(f"{m} training examples, {n} features; {Y_train.mean():.0%} labelled 1")

rng = np.random.default_rng(0)
w = Tensor(rng.standard_normal(n) * 0.01, requires_grad=True, label="w")
b = Tensor(0.0, requires_grad=True, label="b")
Z = Tensor(X_train, label="X") @ w + b
A = Z.sigmoid()
J = -(Y_train * A.log() + (1 - Y_train) * (1 - A).log()).mean()
J.backward()

dw = X_train.T @ (A.data - Y_train) / m
db = np.mean(A.data - Y_train)
print("max |dw - engine| =", np.abs(dw - w.grad).max(), "  |db - engine| =", abs(db - b.grad))
assert np.allclose(w.grad, dw) and np.isclose(b.grad, db)

# %% [markdown]
# ## Training, and the learning rate
#
# Gradient descent on the whole training set, for three learning rates. Too small and
# the cost creeps down; larger rates get there in a few dozen steps.

# %%
fig, ax = plt.subplots(figsize=(5, 3), dpi=80)
for lr in (0.001, 0.01, 0.1):
    model = nn.LogisticRegression(n)
    history = model.fit(X_train, Y_train, epochs=300, lr=lr, verbose=False)
    ax.plot(history["loss"], label=f"lr = {lr}")
    print(f"lr = {lr}: train accuracy {model.score(X_train, Y_train):.1%}, "
          f"test accuracy {model.score(X_test, Y_test):.1%}")
ax.set_xlabel("iteration")
ax.set_ylabel("cost J")
ax.set_title("learning curves")
ax.legend()
plt.show()

# %% [markdown]
# The model's own graph, drawn after a backward pass: `X`, the weights, and the loss.

# %%
loss = model.objective(model.forward(Tensor(X_train, label="X")), Y_train)
loss.backward()
viz.draw(loss, rankdir="TB")

# %% [markdown]
# In the explorer, click a Tensor node for its shape, its numbers' range and a heatmap of
# its data and gradient; the last gate's rule is the course's `dz = a - y`.

# %%
viz.explore(loss)
