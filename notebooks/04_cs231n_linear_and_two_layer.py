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
# # 4. cs231n: SVM and softmax, then the two-layer net
#
# The assignment's pattern: write the loss and its gradient with numpy, vectorized (no
# loop over examples), and check the gradient numerically. Here gategrad's `gradcheck`
# checks the hand-written gradients, and the engine's own gradients of the same losses
# are compared with them. The data is scikit-learn's 8×8 digits (offline).

# %%
import matplotlib.pyplot as plt
import numpy as np

import nn
from autograd import Tensor, gradcheck

X_all, y_all = nn.load_digits()
X_train, X_test, y_train, y_test = nn.train_test_split(X_all, y_all, 0.25, seed=0)
X_train, X_test = nn.standardize(X_train, X_test)
N, D = X_train.shape
C = 10
rng = np.random.default_rng(0)
W0 = rng.standard_normal((D, C)) * 0.01
print(f"{N} training digits of {D} pixels, {C} classes")

# %% [markdown]
# ## The multiclass SVM loss, vectorized
#
# `L_i = Σ_{j≠y_i} max(0, s_j - s_{y_i} + 1)`; the gradient of a margin that is positive
# is `+x_i` for class `j` and `-x_i` for the correct class.

# %%
def svm_loss_vectorized(W, X, y, reg):
    n = len(X)
    scores = X @ W
    correct = scores[np.arange(n), y][:, None]
    margins = np.maximum(0, scores - correct + 1.0)
    margins[np.arange(n), y] = 0
    loss = margins.sum() / n + reg * np.sum(W * W)
    counts = (margins > 0).astype(float)
    counts[np.arange(n), y] = -counts.sum(axis=1)
    dW = X.T @ counts / n + 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    n = len(X)
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)  # stable: exp never overflows
    p = np.exp(scores)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean() + reg * np.sum(W * W)
    dscores = p.copy()
    dscores[np.arange(n), y] -= 1
    dW = X.T @ dscores / n + 2 * reg * W
    return loss, dW


# %% [markdown]
# ## Each hand-written gradient, checked
#
# `gradcheck` compares the engine's gradient with central differences. To check a
# *hand-written* gradient with it, wrap the numpy loss as a gate of its own whose
# derivative rule is the hand-written `dW`: if `dW` were wrong, gradcheck would say so.

# %%
from autograd import gate

Xb, yb = X_train[:50], y_train[:50]  # a small batch keeps the check quick
reg = 1e-3

for name, loss_fn in [("svm", svm_loss_vectorized), ("softmax", softmax_loss_vectorized)]:
    hand_gate = gate(f"{name}_by_hand", derivatives=[
        lambda g, out, W, f=loss_fn: g * f(W, Xb, yb, reg)[1]])(
        lambda W, f=loss_fn: np.asarray(f(W, Xb, yb, reg)[0]))
    W = Tensor(W0.copy(), requires_grad=True)
    print(name, "hand-written gradient passes gradcheck:",
          gradcheck(hand_gate, [W], fast=True))

# %% [markdown]
# ...and gategrad's own losses (`nn.multiclass_svm`, `nn.softmax_cross_entropy`),
# differentiated gate by gate, give the same numbers:

# %%
for name, loss_fn, engine_loss in [("svm", svm_loss_vectorized, nn.multiclass_svm),
                                   ("softmax", softmax_loss_vectorized,
                                    nn.softmax_cross_entropy)]:
    W = Tensor(W0.copy(), requires_grad=True)
    L = engine_loss(Tensor(X_train) @ W, y_train) + reg * (W * W).sum()
    L.backward()
    hand_loss, hand_dW = loss_fn(W0, X_train, y_train, reg)
    print(f"{name}: loss {L.data:.6f} vs {hand_loss:.6f}; "
          f"max |dW difference| = {np.abs(W.grad - hand_dW).max():.2e}")
    assert np.isclose(L.data, hand_loss) and np.allclose(W.grad, hand_dW)

# %% [markdown]
# ## Linear classifiers trained

# %%
for loss in ("svm", "softmax"):
    clf = nn.LinearClassifier(D, C, loss=loss, seed=0)
    clf.fit(X_train, y_train, epochs=100, lr=0.1, reg=1e-3, verbose=False)
    print(f"linear {loss}: test accuracy {clf.score(X_test, y_test):.1%}")

# %% [markdown]
# The learned weights, one 8×8 template per class:

# %%
fig, axes = plt.subplots(1, C, figsize=(8, 1.2), dpi=80)
for k, ax in enumerate(axes):
    ax.imshow(clf.linear.weight.data[:, k].reshape(8, 8), cmap="viridis")
    ax.set_title(str(k), fontsize=8)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## The two-layer net
#
# `X → Linear → ReLU → Linear → softmax`, trained with momentum on mini-batches.

# %%
net = nn.TwoLayerNet(D, 64, C, activation="relu", loss="softmax", init="he", seed=0)
history = net.fit(X_train, y_train, epochs=30, lr=0.05, batch_size=32, optimizer="momentum",
                  reg=1e-3, seed=0, verbose=False, validation_data=(X_test, y_test))
print(f"two-layer net: train {net.score(X_train, y_train):.1%}, "
      f"test {net.score(X_test, y_test):.1%}")

fig, (l, r) = plt.subplots(1, 2, figsize=(8, 2.8), dpi=80)
l.plot(history["loss"], label="train")
l.plot(history["val_loss"], label="test")
l.set_title("loss")
l.legend()
r.plot(history["accuracy"], label="train")
r.plot(history["val_accuracy"], label="test")
r.set_title("accuracy")
r.legend()
plt.show()
