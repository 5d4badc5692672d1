"""HIPS autograd shares our import name: importing autograd says so when it is installed.
Its metadata is faked in a temporary folder; HIPS autograd is never installed."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from autograd import _clash

ROOT = Path(__file__).resolve().parents[1]


def _fake_hips(folder: Path, name: str = "autograd-1.7.0.dist-info") -> Path:
    meta = folder / name
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: autograd\nVersion: 1.7.0\n")
    return meta


def test_an_installed_autograd_distribution_is_found_as_importlib_metadata_finds_it(
        tmp_path, monkeypatch):
    meta = _fake_hips(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert _clash.hips_autograd_metadata() == str(meta)
    assert importlib.metadata.distribution("autograd").version == "1.7.0"  # the same record
    with pytest.warns(_clash.AutogradNameClashWarning) as caught:
        _clash.warn_if_clashing()
    message = str(caught[0].message)
    assert "HIPS autograd" in message and "gategrad" in message and str(meta) in message
    assert "separate virtual environments" in message


@pytest.mark.parametrize("name", ["autograd-1.3-py3.8.egg-info", "Autograd-1.6.dist-info"])
def test_egg_info_and_other_spellings_count(tmp_path, name):
    _fake_hips(tmp_path, name)
    assert _clash.hips_autograd_metadata([str(tmp_path)]) is not None


@pytest.mark.parametrize("name", ["autograd_gamma-0.5.0.dist-info", "gategrad-0.1.0.dist-info",
                                  "autograd", "autogradx-1.0.dist-info"])
def test_other_distributions_do_not_count(tmp_path, name):
    (tmp_path / name).mkdir()
    assert _clash.hips_autograd_metadata([str(tmp_path), str(tmp_path / "missing")]) is None


def test_without_hips_autograd_the_import_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _clash.warn_if_clashing()


def test_import_autograd_warns_in_a_mixed_environment(tmp_path):
    _fake_hips(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])}
    done = subprocess.run([sys.executable, "-c", "import autograd"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "AutogradNameClashWarning" in done.stderr and "HIPS autograd" in done.stderr
