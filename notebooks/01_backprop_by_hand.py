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
# # 1. Backprop by hand on gates
#
# cs231n's first lesson on backpropagation: a circuit of gates, a forward pass that
# computes values, and a backward pass in which every gate multiplies the gradient that
# arrives from above (`up_diff`) by its own local derivative (`local_diff`) and passes
# the product (`down_diff`) to its inputs. We work the course's examples by hand, then
# let gategrad do the same and compare.

# %%
import math
from pathlib import Path

import viz
from autograd import Value, maximum

# %% [markdown]
# ## The circuit f = (x + y) z
#
# With `x = -2, y = 5, z = -4`: `q = x + y = 3` and `f = q z = -12`. Backward by hand:
# `df/dz = q = 3`, `df/dq = z = -4`, and the add gate hands `-4` to both `x` and `y`.

# %%
x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
q = x + y
q.label = "q"
f = q * z
f.label = "f"
f.backward()

by_hand = {"x": -4.0, "y": -4.0, "z": 3.0}
engine = {"x": x.grad, "y": y.grad, "z": z.grad}
print("by hand:", by_hand)
print("engine: ", engine)
assert engine == by_hand

# %% [markdown]
# Every node shows its value (`data`) and its gradient (`grad`); every gate is its own
# node.

# %%
viz.draw(f)

# %% [markdown]
# Explain mode writes on every edge the chain rule that ran there:
# `local_diff × up_diff = down_diff`.

# %%
viz.draw(f, explain=True)

# %% [markdown]
# The explorer shows the same graph live: press ▶ (or the arrow keys) to run the forward
# pass gate by gate and then the backward pass, each gate showing its
# `local_diff × up_diff = down_diff`; click a node for its numbers and its gate's rule.

# %%
viz.explore(f)

# %% [markdown]
# ## The sigmoid neuron
#
# `f(w, x) = σ(w0 x0 + w1 x1 + w2)` with `w = (2, -3, -3)` and `x = (-1, -2)`. The dot
# product is `2·(-1) + (-3)·(-2) - 3 = 1`, so `f = σ(1) ≈ 0.731`. The sigmoid's local
# derivative is `σ(1 - σ)`, written with its output: `ddot = (1 - f) f`. Then the
# multiply gates switch: `dx0 = w0 · ddot`, `dw0 = x0 · ddot`, and `dw2 = ddot`.

# %%
w = [Value(2.0, "w0"), Value(-3.0, "w1"), Value(-3.0, "w2")]
xs = [Value(-1.0, "x0"), Value(-2.0, "x1")]
dot = w[0] * xs[0] + w[1] * xs[1] + w[2]
dot.label = "dot"
f = dot.sigmoid()
f.label = "f"
f.backward()

fv = 1 / (1 + math.exp(-1.0))
ddot = (1 - fv) * fv
by_hand = [xs[0].data * ddot, xs[1].data * ddot, ddot, w[0].data * ddot, w[1].data * ddot]
engine = [w[0].grad, w[1].grad, w[2].grad, xs[0].grad, xs[1].grad]
print("dw0 dw1 dw2 dx0 dx1 by hand:", [round(v, 4) for v in by_hand])
print("                    engine: ", [round(v, 4) for v in engine])
assert all(math.isclose(a, b) for a, b in zip(by_hand, engine))

# %%
viz.draw(f, explain=True)

# %% [markdown]
# ## J = 3(a + bc), deeplearning.ai's computation graph
#
# `u = bc`, `v = a + u`, `J = 3v`. With `a = 5, b = 3, c = 2`: `J = 33`. Backward:
# `dJ/dv = 3`, `dJ/da = 3`, `dJ/du = 3`, `dJ/db = 3c = 6`, `dJ/dc = 3b = 9`.

# %%
a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
u = b * c
u.label = "u"
v = a + u
v.label = "v"
J = 3 * v
J.label = "J"
J.backward()
print(J.data, a.grad, b.grad, c.grad)
assert (J.data, a.grad, b.grad, c.grad) == (33.0, 3.0, 3 * c.data, 3 * b.data)
viz.draw(J, explain=True)

# %% [markdown]
# ## The patterns in backward flow
#
# cs231n's `f = 2 (x y + max(z, w))` with `x = 3, y = -4, z = 2, w = -1`:
#
# - the **add** gate distributes: both inputs get the gradient it received (2);
# - the **max** gate routes: all of it to the larger input `z`, nothing to `w`;
# - the **multiply** gate switches: `x` gets `y × 2 = -8`, `y` gets `x × 2 = 6`.

# %%
x, y, z, w = Value(3.0, "x"), Value(-4.0, "y"), Value(2.0, "z"), Value(-1.0, "w")
f = 2 * (x * y + maximum(z, w))
f.label = "f"
f.backward()
print({n.label: n.grad for n in (x, y, z, w)})
assert (x.grad, y.grad, z.grad, w.grad) == (2 * y.data, 2 * x.data, 2.0, 0.0)
viz.draw(f, explain=True)

# %% [markdown]
# ## The backward pass, one gate at a time, in a file of its own
#
# `Explorer.save` writes the explorer as one HTML page that works offline (no server, no
# internet); `viz.backward_steps` writes the older page of one still frame per gate.

# %%
Path("out").mkdir(exist_ok=True)
print("wrote", viz.explore(f).save("out/explorer.html"))
print("wrote", viz.backward_steps(f, "out/steps.html"))
