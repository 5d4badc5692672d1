"""Differential fuzzing against PyTorch: random graphs, forward values and gradients.

Each test draws expression graphs (``tests/fuzz_graphs.py``) over one gate family mixed
with a few glue ops, with fan-out, broadcasting, repeated indices, ties and wide
magnitudes, runs them in gategrad and in torch with the same dtype, and compares every
intermediate forward value, the gradient of every leaf and, for a quarter of the graphs
(all of them in the ``second_order`` tests), Hessian-vector products via
``create_graph=True``. nan and ±inf must sit where torch has them.

Examples per test: ``GATEGRAD_FUZZ_EXAMPLES`` (default 100, CI-sized). The long run that
collects every distinct failure is ``benchmarks/fuzz_torch.py``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch  # a dev dependency: never skipped
from fuzz_check import check_program
from fuzz_graphs import FAMILIES, SCALAR_FAMILIES, DrawChooser, draw_program
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("GATEGRAD_FUZZ_EXAMPLES", "100"))
# Shrinking a failure to a minimal graph takes minutes; GATEGRAD_FUZZ_SHRINK=0 skips it
# (the first failing graph is reported as drawn).
PHASES = [p for p in Phase if p is not Phase.shrink or os.environ.get("GATEGRAD_FUZZ_SHRINK",
                                                                        "1") != "0"]
FUZZ = settings(derandomize=True, max_examples=EXAMPLES, deadline=None, database=None,
                phases=PHASES,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

torch.set_num_threads(1)  # tiny tensors: threads only add noise on a shared machine


@pytest.mark.parametrize("family", SCALAR_FAMILIES)
@FUZZ
@given(data=st.data())
def test_value_graphs_match_torch(family, data):
    check_program(draw_program(DrawChooser(data), "value", np.float64, family))


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@FUZZ
@given(data=st.data())
def test_tensor_graphs_match_torch(family, dtype, data):
    check_program(draw_program(DrawChooser(data), "tensor", dtype, family))


@pytest.mark.parametrize("kind, dtype", [("value", np.float64), ("tensor", np.float64),
                                         ("tensor", np.float32)], ids=["value", "f64", "f32"])
@FUZZ
@given(data=st.data())
def test_second_derivatives_match_torch(kind, dtype, data):
    check_program(draw_program(DrawChooser(data), kind, dtype, second_order=True))
