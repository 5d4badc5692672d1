"""A captured leaf replaced by a new object: the step sees it and traces again.

Eager reads whatever object the function finds now; a replay would read the one it
captured. Each way of holding a leaf (a global, a closure, an attribute, a list, a dict,
a bound method's self, a partial, an argument object) is replaced here, and the
compiled step must give eager's loss and write the new leaf's gradient.
"""

import functools

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value
from autograd.compiler import GuardError

W_GLOBAL = Value(2.0)


def _uses_the_global(x):
    return W_GLOBAL * x


def _replay_then_replace(fn, replace, read_leaf, x=3.0, **options):
    """Trace and replay ``fn``, run ``replace()``, then the step must follow eager."""
    step = autograd.compile(fn, vectorize=True, **options)
    step(x)
    step(x)
    assert step.traces == 1
    replace()
    out = step(x)
    out.backward()
    eager = fn(x)
    assert float(np.asarray(out.data).sum()) == float(np.asarray(eager.data).sum())
    leaf = read_leaf()
    grad = leaf.grad if isinstance(leaf, Value) else leaf.grad.sum()
    assert grad != 0
    assert step.traces == 2
    assert step(x).data == out.data and step.traces == 2  # the new trace replays
    return step


def test_a_global_rebound():
    def replace():
        global W_GLOBAL
        W_GLOBAL = Value(5.0)
    _replay_then_replace(_uses_the_global, replace, lambda: W_GLOBAL)


def test_a_closure_variable_rebound():
    w = Value(2.0)

    def fn(x):
        return w * x

    def replace():
        nonlocal w
        w = Value(7.0)
    _replay_then_replace(fn, replace, lambda: w)


class _Holder:
    def __init__(self):
        self.w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
        self.params = {"b": Tensor(0.5, requires_grad=True)}

    def loss(self, x):
        return (self.w * x).sum() * self.params["b"]


def test_an_attribute_a_dict_value_and_a_bound_methods_self():
    holder = _Holder()

    def new_w():
        holder.w = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    _replay_then_replace(holder.loss, new_w, lambda: holder.w)

    def new_b():
        holder.params["b"] = Tensor(-2.0, requires_grad=True)
    _replay_then_replace(holder.loss, new_b, lambda: holder.params["b"])


def test_a_partials_argument_and_a_default_value():
    box = [Value(1.5)]

    def fn(x, box=box):
        return box[0] * x

    def replace():
        box[0] = Value(-4.0)
    _replay_then_replace(functools.partial(fn, box=box), replace, lambda: box[0])
    _replay_then_replace(fn, replace, lambda: box[0])


def test_a_leaf_inside_an_argument_object():
    holder = _Holder()
    step = autograd.compile(lambda h, x: h.loss(x))
    x = np.array([1.0, 1.0])
    step(holder, x)
    holder.w = Tensor(np.array([10.0, 20.0]), requires_grad=True)
    out = step(holder, x)
    out.backward()
    assert out.item() == holder.loss(x).item() == 15.0
    assert holder.w.grad.tolist() == [0.5, 0.5] and step.traces == 2


def _mlp_problem():
    X, y = nn.make_moons(12, seed=3)
    rows, signs = X.tolist(), (2.0 * y - 1).tolist()
    model = nn.MLP(2, [4, 4, 1], seed=1)

    def loss(rows, signs):
        scores = [model(x) for x in rows]
        return sum((1 + -s * score).relu() for s, score in zip(signs, scores)) * (1 / 12)
    return model, loss, rows, signs


def test_micrograd_mlp_weight_replaced_list_rebuilt_and_grown():
    model, loss, rows, signs = _mlp_problem()
    step = autograd.compile(loss, vectorize=True)
    step(rows, signs)
    neuron = model.layers[1].neurons[2]
    neuron.w = list(neuron.w)  # a new list holding the same leaves: nothing to retrace
    assert step(rows, signs).data == loss(rows, signs).data and step.traces == 1
    neuron.w[3] = Value(0.75)  # a new leaf
    out = step(rows, signs)
    out.backward()
    assert out.data == loss(rows, signs).data and step.traces == 2
    assert neuron.w[3].grad != 0.0
    model.layers[0].neurons[0].w.append(Value(1.0))  # the list grew: traced again
    step(rows, signs)
    assert step.traces == 3


def test_retrace_false_names_the_replaced_leaf():
    model, loss, rows, signs = _mlp_problem()
    step = autograd.compile(loss, vectorize=True, retrace=False)
    step(rows, signs)
    model.layers[1].neurons[2].w[3] = Value(0.75)
    with pytest.raises(GuardError, match=r"model\.layers\[1\]\.neurons\[2\]\.w\[3\]"):
        step(rows, signs)


def test_the_per_call_check_holds_the_objects_not_copies():
    # Writing a leaf's data is not a replacement: the replay reads the new data.
    w = Tensor(np.ones(3), requires_grad=True)
    step = autograd.compile(lambda x: (w * x).sum())
    step(np.ones(3))
    w.data = np.full(3, 2.0)
    assert step(np.ones(3)).item() == 6.0 and step.traces == 1


def test_a_leaf_captured_by_a_compiled_step_called_inside_the_traced_function():
    w = Value(2.0)
    inner = autograd.compile(lambda x: w * x, vectorize=True)

    def outer(x):
        return inner(x) * x

    def replace():
        nonlocal w
        w = Value(-3.0)
    _replay_then_replace(outer, replace, lambda: w)


def test_a_dict_of_leaves_that_gains_an_entry():
    params = {"a": Value(2.0)}

    def fn(x):
        total = x * 0.0
        for p in params.values():
            total = total + p * x
        return total
    step = autograd.compile(fn, vectorize=True)
    step(3.0)
    step(3.0)
    params["b"] = Value(5.0)
    assert step(3.0).data == fn(3.0).data == 21.0
    with pytest.raises(GuardError, match=r"len\(params\) went from 2 to 3"):
        step2 = autograd.compile(fn, retrace=False, vectorize=True)
        step2(3.0)
        params["c"] = Value(1.0)
        step2(3.0)


def test_an_attribute_read_that_raises_counts_as_a_change_not_an_error():
    class Flaky:
        fail = False

        def __getattribute__(self, name):
            if Flaky.fail:
                raise RuntimeError("not now")
            return object.__getattribute__(self, name)
    w = Value(2.0)
    holder = Flaky()
    holder.w = w  # a second route to the leaf: the check reads it, the function does not

    def fn(x):
        return w * x if holder is not None else x
    step = autograd.compile(fn, vectorize=True)
    step(3.0)
    Flaky.fail = True
    try:
        assert step(3.0).data == 6.0
    finally:
        Flaky.fail = False
