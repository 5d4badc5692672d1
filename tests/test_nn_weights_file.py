"""Weights files: checked from their headers before any data is read, written atomically,
and ``nn.load`` rebuilding a model from the file alone."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn


def _npy_header(shape: tuple, dtype: str = "<f8") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False,
                                               "shape": shape})
    return buf.getvalue()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name + ".npy", data)
    return path


def _state_bytes(model: nn.Module) -> dict[str, bytes]:
    out = {}
    for name, arr in model.state_dict().items():
        buf = io.BytesIO()
        np.save(buf, arr)
        out[name] = buf.getvalue()
    return out


def _assert_untouched(model: nn.Module, before: dict) -> None:
    for name, arr in model.state_dict().items():
        np.testing.assert_array_equal(arr, before[name], err_msg=name)


def test_a_small_file_claiming_a_huge_array_is_refused_from_its_header(tmp_path):
    """64 MB of zeros compress to ~64 KB; refusing them must not cost 64 MB."""
    model = nn.TwoLayerNet(2, 4, 3, seed=0)
    before = model.state_dict()
    members = _state_bytes(model)
    members["fc1.weight"] = _npy_header((2, 4_000_000)) + bytes(8 * 8_000_000)
    path = _zip(tmp_path / "bomb.npz", members)
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"bomb.npz.*'fc1.weight'.*shape \(2, 4000000\)"):
            model.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, peak
    _assert_untouched(model, before)


def test_a_tiny_file_declaring_shape_2_by_4e9_is_a_value_error_not_memory_error(tmp_path):
    model = nn.TwoLayerNet(2, 4, 3, seed=0)
    members = _state_bytes(model)
    members["fc1.weight"] = _npy_header((2, 4_000_000_000))
    path = _zip(tmp_path / "claim.npz", members)
    with pytest.raises(ValueError, match=r"claim.npz.*'fc1.weight'"):
        model.load(path)


@pytest.mark.parametrize("cut", [8, 12, 30, 60])
def test_a_truncated_header_is_a_value_error_naming_file_and_member(tmp_path, cut):
    model = nn.Linear(2, 2)
    members = _state_bytes(model)
    members["weight"] = members["weight"][:cut]
    with pytest.raises(ValueError, match=r"cut.npz', member 'weight'"):
        model.load(_zip(tmp_path / "cut.npz", members))


def test_more_data_than_the_header_declares_is_refused_before_reading(tmp_path):
    model = nn.Linear(2, 2)
    members = _state_bytes(model)
    members["weight"] += bytes(1_000_000)
    with pytest.raises(ValueError, match=r"long.npz', member 'weight'.*1,000,"):
        model.load(_zip(tmp_path / "long.npz", members))


@pytest.mark.parametrize("dtype", ["<c16", "<f16", "|V8", "<U2", "|O"])
def test_non_number_dtypes_are_refused_from_the_header(tmp_path, dtype):
    model = nn.Linear(1, 2)
    members = _state_bytes(model)
    members["weight"] = _npy_header((1, 2), dtype) + bytes(64)
    with pytest.raises(ValueError, match=r"odd.npz', member 'weight'"):
        model.load(_zip(tmp_path / "odd.npz", members))


def test_save_m_then_load_m_name_the_same_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = nn.TwoLayerNet(2, 3, 2, seed=0), nn.TwoLayerNet(2, 3, 2, seed=1)
    assert a.save("m") == Path("m.npz")
    b.load("m")
    _assert_untouched(b, a.state_dict())
    assert type(nn.load("m")) is nn.TwoLayerNet
    with pytest.raises(FileNotFoundError, match="'n' or 'n.npz'"):
        b.load("n")


def test_a_failed_save_leaves_the_old_file_whole_and_no_temporary_file(tmp_path, monkeypatch):
    model = nn.Linear(2, 2)
    path = model.save(tmp_path / "w.npz")
    old = path.read_bytes()

    def half_then_fail(f, **arrays):
        f.write(b"PK half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        nn.Linear(2, 2).save(path)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.npz"]


@pytest.mark.parametrize("make", [
    lambda: nn.TwoLayerNet(3, 5, 1, activation="tanh", loss="bce", seed=2),
    lambda: nn.TwoLayerNet(2, 4, 3, activation="sigmoid", loss="svm", seed=2),
    lambda: nn.LogisticRegression(4, init="small", seed=2),
    lambda: nn.LinearClassifier(3, 4, loss="svm", seed=2),
    lambda: nn.MLP(3, [4, 2], seed=2),
])
def test_nn_load_rebuilds_the_model_from_the_file_alone(tmp_path, make):
    model = make()
    loaded = nn.load(model.save(tmp_path / "model.npz"))
    assert type(loaded) is type(model)
    assert loaded.architecture() == model.architecture()
    _assert_untouched(loaded, model.state_dict())


def test_a_file_without_the_architecture_loads_into_a_model_not_through_nn_load(tmp_path):
    model = nn.TwoLayerNet(2, 3, 2, seed=0)
    np.savez(tmp_path / "old.npz", **model.state_dict())  # what older versions wrote
    with pytest.raises(ValueError, match="no 'architecture' record.*model.load"):
        nn.load(tmp_path / "old.npz")
    other = nn.TwoLayerNet(2, 3, 2, seed=1)
    other.load(tmp_path / "old.npz")
    _assert_untouched(other, model.state_dict())


def _with_architecture(path: Path, model: nn.Module, record: object) -> Path:
    members = _state_bytes(model)
    buf = io.BytesIO()
    np.save(buf, np.frombuffer(json.dumps(record).encode(), np.uint8))
    members["architecture"] = buf.getvalue()
    return _zip(path, members)


@pytest.mark.parametrize(("record", "message"), [
    ({"class": "os.system", "args": {}}, "expected a class among"),
    ({"class": "TwoLayerNet"}, "expected a class among"),
    ([1, 2], "expected a JSON object"),
    ({"class": "TwoLayerNet", "args": {"n_in": 2, "n_hidden": 10**12, "n_out": 2}},
     "does not have the arrays"),
    ({"class": "TwoLayerNet", "args": {"n_in": 2, "n_hidden": -1, "n_out": 2}}, "n_hidden"),
    ({"class": "TwoLayerNet", "args": {"n_in": 2, "n_hidden": 3, "n_out": 2, "x": 1}},
     "unexpected keyword"),
    ({"class": "TwoLayerNet", "args": {"n_in": 2, "n_hidden": 3, "n_out": 2,
                                       "activation": "gelu"}}, "unknown activation"),
])
def test_nn_load_refuses_a_bad_architecture_before_building(tmp_path, record, message):
    path = _with_architecture(tmp_path / "arch.npz", nn.TwoLayerNet(2, 3, 2, seed=0), record)
    with pytest.raises(ValueError, match=f"arch.npz.*'architecture'.*{message}"):
        nn.load(path)


def test_weights_saved_from_another_architecture_are_refused(tmp_path):
    path = nn.TwoLayerNet(2, 3, 2, activation="tanh", seed=0).save(tmp_path / "tanh.npz")
    model = nn.TwoLayerNet(2, 3, 2, activation="relu", seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match="saved from .*'tanh'.*'relu'"):
        model.load(path)
    _assert_untouched(model, before)


def test_nn_load_refuses_more_than_max_parameters(tmp_path):
    path = nn.TwoLayerNet(2, 30, 2, seed=0).save(tmp_path / "big.npz")
    with pytest.raises(ValueError, match="152 parameters, over max_parameters=100"):
        nn.load(path, max_parameters=100)
    with pytest.raises(ValueError, match="max_parameters must be a positive int"):
        nn.load(path, max_parameters=0)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_corrupted_file_is_a_value_error_or_loads_whole(tmp_path, data):
    """Any bytes changed or cut: load raises ValueError (model untouched) or loads weights
    of the right shapes; never another exception."""
    model = nn.TwoLayerNet(2, 3, 2, seed=0)
    good = model.save(tmp_path / "good.npz").read_bytes()
    raw = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    raw = raw[:data.draw(st.integers(0, len(raw)))]
    path = tmp_path / "bad.npz"
    path.write_bytes(bytes(raw))
    target = nn.TwoLayerNet(2, 3, 2, seed=1)
    before = target.state_dict()
    try:
        target.load(path)
    except ValueError:
        _assert_untouched(target, before)
    else:
        for name, arr in target.state_dict().items():
            assert arr.shape == before[name].shape and np.isfinite(arr).all()


class _Wider(nn.TwoLayerNet):
    """A subclass nn.load does not know: it must not be rebuilt as a plain TwoLayerNet."""


def test_a_subclass_is_not_rebuilt_as_its_base_class(tmp_path):
    path = _Wider(2, 3, 2, seed=0).save(tmp_path / "sub.npz")
    with pytest.raises(ValueError, match="expected a class among .* got .*'_Wider'"):
        nn.load(path)
    other = _Wider(2, 3, 2, seed=1)
    other.load(path)  # the instance method still loads it
    with pytest.raises(ValueError, match="saved from .*_Wider"):
        nn.TwoLayerNet(2, 3, 2).load(path)


def test_saved_weights_get_the_permissions_an_ordinary_file_gets(tmp_path):
    # Written through a temporary file (mkstemp makes it 0600), then given the mode the
    # umask allows, as np.savez writing the file directly would.
    import os

    umask = os.umask(0o022)
    try:
        path = nn.LogisticRegression(2, seed=0).save(tmp_path / "m")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
