"""Module: parameter discovery, zero_grad, Linear, Sequential, and saving/loading weights."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import nn
from autograd import Tensor, Value


class Block(nn.Module):
    def __init__(self) -> None:
        self.first = nn.Linear(3, 4, seed=0)
        self.stack = [nn.Linear(4, 4, seed=1), nn.Linear(4, 2, seed=2)]
        self.scale = Tensor(np.ones(2), requires_grad=True)
        self.constant = Tensor(np.ones(2))  # no grad: not a parameter
        self.act = nn.ReLU()
        self.note = "not a parameter"

    def forward(self, x: Tensor) -> Tensor:
        x = self.act(self.first(x))
        for layer in self.stack:
            x = layer(x)
        return x * self.scale


def test_parameters_are_found_in_attributes_lists_and_submodules():
    block = Block()
    names = [name for name, _ in block.named_parameters()]
    assert names == ["first.weight", "first.bias", "stack.0.weight", "stack.0.bias",
                     "stack.1.weight", "stack.1.bias", "scale"]
    assert block.parameters()[0] is block.first.weight


def test_a_shared_parameter_is_listed_once():
    block = Block()
    block.again = block.first  # the same layer under two names
    assert len(block.parameters()) == 7


def test_call_is_forward_and_zero_grad_clears_every_gradient():
    block = Block()
    out = block(Tensor(np.random.default_rng(0).standard_normal((5, 3))))
    assert out.shape == (5, 2)
    out.sum().backward()
    assert all(p.grad is not None for p in block.parameters())
    block.zero_grad()
    assert all(p.grad is None for p in block.parameters())


def test_zero_grad_on_value_parameters_sets_zero():
    mlp = nn.MLP(2, [3, 1], seed=0)
    mlp([1.0, 2.0]).backward()
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_linear_computes_x_w_plus_b_with_samples_in_rows():
    layer = nn.Linear(3, 2, seed=0)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(layer(Tensor(x)).data, x @ layer.weight.data + layer.bias.data)
    assert layer.weight.shape == (3, 2) and layer.bias.shape == (2,)
    np.testing.assert_array_equal(layer.bias.data, 0.0)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_linear_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="n_in must be a positive int"):
        nn.Linear(bad, 2)


def test_linear_rejects_unknown_init():
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        nn.Linear(2, 2, init="glorot")


def test_sequential_chains_and_checks_its_layers():
    seq = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1),
                        nn.Sigmoid())
    out = seq(Tensor(np.ones((4, 2))))
    assert out.shape == (4, 1) and np.all((out.data > 0) & (out.data < 1))
    assert len(seq.parameters()) == 4
    with pytest.raises(TypeError, match="layer 1 is a ufunc, not a Module"):
        nn.Sequential(nn.Linear(2, 2), np.tanh)


# -- save / load --------------------------------------------------------------------------


def test_save_then_load_restores_the_weights_in_place(tmp_path):
    block = Block()
    path = block.save(tmp_path / "weights.npz")
    other = Block()
    other.first.weight.data += 1.0
    array_before = other.first.weight.data
    other.load(path)
    for (name, p), (_, q) in zip(block.named_parameters(), other.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    assert other.first.weight.data is array_before  # assigned in place


def test_save_adds_the_npz_suffix_and_returns_the_real_path(tmp_path):
    path = nn.Linear(2, 2).save(tmp_path / "sub" / "w")
    assert path.name == "w.npz" and path.exists()


def test_save_and_load_work_for_the_scalar_mlp(tmp_path):
    a, b = nn.MLP(3, [4, 1], seed=0), nn.MLP(3, [4, 1], seed=1)
    b.load(a.save(tmp_path / "mlp.npz"))
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def _untouched(model: nn.Module, before: dict) -> None:
    after = model.state_dict()
    assert after.keys() == before.keys()
    for name in before:
        np.testing.assert_array_equal(after[name], before[name])


def test_load_with_a_missing_array_names_it_and_changes_nothing(tmp_path):
    model = Block()
    state = model.state_dict()
    before = {k: v.copy() for k, v in state.items()}
    state = {k: v + 1 for k, v in state.items() if k != "stack.1.bias"}
    np.savez(tmp_path / "partial.npz", **state)
    with pytest.raises(ValueError, match=r"missing \['stack.1.bias'\]"):
        model.load(tmp_path / "partial.npz")
    _untouched(model, before)


def test_load_with_a_misshaped_array_names_both_shapes_and_changes_nothing(tmp_path):
    model = Block()
    before = model.state_dict()
    state = {k: v + 1 for k, v in before.items()}
    state["stack.0.weight"] = np.zeros((4, 5))  # the last one checked would be too late
    np.savez(tmp_path / "bad.npz", **state)
    with pytest.raises(ValueError, match=r"'stack.0.weight' has shape \(4, 5\).*\(4, 4\)"):
        model.load(tmp_path / "bad.npz")
    _untouched(model, before)


def test_load_with_an_unknown_array_is_refused(tmp_path):
    model = nn.Linear(2, 2)
    np.savez(tmp_path / "extra.npz", weight=np.zeros((2, 2)), bias=np.zeros(2),
             other=np.zeros(1))
    with pytest.raises(ValueError, match=r"unexpected \['other'\]"):
        model.load(tmp_path / "extra.npz")


def test_load_rejects_non_numeric_and_non_finite_arrays(tmp_path):
    model = nn.Linear(1, 2)
    np.savez(tmp_path / "text.npz", weight=np.array([["a", "b"]]), bias=np.zeros(2))
    with pytest.raises(ValueError, match="'weight' holds <U1 values"):
        model.load(tmp_path / "text.npz")
    np.savez(tmp_path / "nan.npz", weight=np.array([[np.nan, 0.0]]), bias=np.zeros(2))
    with pytest.raises(ValueError, match="'weight' holds non-finite values"):
        model.load(tmp_path / "nan.npz")


def test_load_refuses_pickled_data(tmp_path):
    """A file from elsewhere can never run code: object arrays need pickle, which is off."""
    model = nn.Linear(2, 2)
    np.savez(tmp_path / "obj.npz", weight=np.array([{"x": 1}] * 4, dtype=object).reshape(2, 2),
             bias=np.zeros(2))
    with pytest.raises(ValueError, match="cannot load weights from .*obj.npz"):
        model.load(tmp_path / "obj.npz")
    (tmp_path / "pickle.npz").write_bytes(pickle.dumps({"weight": np.zeros((2, 2))}))
    with pytest.raises(ValueError, match="cannot load weights"):
        model.load(tmp_path / "pickle.npz")


def test_load_reports_a_truncated_file(tmp_path):
    model = nn.Linear(2, 2)
    data = model.save(tmp_path / "w.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cannot load weights from .*cut.npz"):
        model.load(tmp_path / "cut.npz")


def test_load_refuses_a_single_array_file_and_reports_a_missing_file(tmp_path):
    model = nn.Linear(2, 2)
    np.save(tmp_path / "one.npy", np.zeros((2, 2)))
    with pytest.raises(ValueError, match="single array"):
        model.load(tmp_path / "one.npy")
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "nowhere.npz")


def test_load_state_dict_accepts_ints_and_keeps_float_dtype():
    model = nn.Linear(1, 2)
    model.load_state_dict({"weight": np.array([[1, 2]]), "bias": np.array([3, 4])})
    assert model.weight.data.dtype == np.float64
    np.testing.assert_array_equal(model.bias.data, [3.0, 4.0])


def test_repr_is_short_at_any_size():
    assert repr(nn.Linear(2, 3)) == "Linear(n_in=2, n_out=3; 9 parameters)"
    assert repr(nn.MLP(2, [16, 16, 1])) == "MLP(nin=2, nouts=[16, 16, 1]; 337 parameters)"
    assert repr(nn.TwoLayerNet(2, 4, 1, activation="tanh", loss="bce")) == (
        "TwoLayerNet(n_in=2, n_hidden=4, n_out=1, activation='tanh', loss='bce'; "
        "17 parameters)")
    assert repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU())) == (
        "Sequential(Linear(n_in=2, n_out=3; 9 parameters), ReLU())")
    assert repr(nn.Layer(2, 3, nonlin=False)) == "Layer(2, 3, linear)"
    assert repr(Block()).startswith("Block(") and len(repr(Block())) < 120


def test_value_parameters_are_discovered():
    class Scalar(nn.Module):
        def __init__(self) -> None:
            self.a = Value(1.0)
            self.pair = (Value(2.0), Value(3.0))

    assert [n for n, _ in Scalar().named_parameters()] == ["a", "pair.0", "pair.1"]
