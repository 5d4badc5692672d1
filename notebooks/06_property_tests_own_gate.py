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
# # 6. Property-based gradient tests for your own gate
#
# A unit test checks a derivative at the two or three points its author thought of.
# A property-based test (hypothesis) checks it at hundreds of points it chooses itself,
# inside random graphs, against central differences; when the check fails, gategrad's
# localizer names the gate whose own derivative is wrong.

# %%
import numpy as np
from hypothesis import given, settings

import viz
from autograd import Value, gate, ops
from autograd.testing import assert_gradients_match, values

# %% [markdown]
# ## A gate of your own: softplus
#
# `softplus(x) = log(1 + eˣ)`, whose derivative is the sigmoid. gategrad has it built in
# (`x.softplus()`); here we write it ourselves, as `my_softplus`. One rule per input,
# `rule(g, out, x) -> down_diff`, written with `autograd.ops` so it also works on nodes.

# %%
@gate(derivatives=[lambda g, out, x: g * ops.sigmoid(x)])
def my_softplus(x):
    return np.logaddexp(0, x)


@settings(max_examples=200, deadline=None)
@given(values(-5, 5))
def test_my_softplus(x):
    assert_gradients_match(lambda x: my_softplus(x * 1.5) * x, x)


test_my_softplus()
print("200 random points: the my_softplus rule agrees with central differences")

# %%
x = Value(0.8, "x")
y = my_softplus(x * 1.5) * x
y.label = "y"
y.backward()
viz.draw(y, explain=True)

# %% [markdown]
# ## A wrong derivative, and what the localizer says
#
# A classic slip: writing softplus's derivative as `σ(x)·(1 - σ(x))` (that is the
# sigmoid's own derivative). The gate sits in the middle of a larger graph; the test
# fails, and the report names the gate, the input, the values, and both numbers.

# %%
@gate(derivatives=[lambda g, out, x: g * ops.sigmoid(x) * (1 - ops.sigmoid(x))])
def bad_softplus(x):
    return np.logaddexp(0, x)


@settings(max_examples=50, deadline=None, database=None)
@given(values(-5, 5))
def test_bad_softplus(x):
    assert_gradients_match(lambda x: (bad_softplus(x * 1.5) * x).tanh() + x * x, x)


try:
    test_bad_softplus()
except AssertionError as e:
    print(e)
else:
    raise AssertionError("the wrong derivative was not caught")

# %% [markdown]
# The localizer checks every gate's own rule at the values it saw, so the gates around
# `bad_softplus` (tanh, mul, add) are cleared and the wrong one is named.
#
# ## Exercises for a class
#
# The same machinery grades students: `gategrad exercise --gates sigmoid,mul,max -o
# my_gates.py` writes a file of forwards and derivative rules to fill in, and `gategrad
# grade my_gates.py` checks each rule. Here is a student who forgot `* g` in sigmoid:

# %%
import tempfile
from pathlib import Path

from autograd.exercises import exercise_source
from autograd.grading import format_report, grade

source = exercise_source(["sigmoid", "mul"])
source = source.replace('raise NotImplementedError("sigmoid_backward: write the derivative '
                        'rule")', "return out * (1 - out)")
source = source.replace('raise NotImplementedError("mul_backward: write the derivative rule")',
                        "return g * b, g * a")
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "my_gates.py"
    path.write_text(source)
    print(format_report(grade(path)))
