"""gradcheck refuses every setting that could let a wrong gradient through unchecked."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, Value, gradcheck


def _x() -> Tensor:
    return Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)


@pytest.mark.parametrize(("setting", "value"), [
    ("directions", 0), ("directions", -3), ("directions", 2.5), ("directions", True),
    ("eps", 0), ("eps", -1e-6), ("eps", float("nan")), ("eps", float("inf")), ("eps", "1e-6"),
    ("eps", True), ("atol", -1.0), ("atol", float("nan")), ("rtol", -1e-3),
    ("rtol", float("inf")), ("fast", 1), ("fast", "yes"), ("localize", None),
])
def test_a_bad_setting_is_a_value_error_naming_it(setting, value):
    with pytest.raises(ValueError, match=f"gradcheck: {setting} must be"):
        gradcheck(lambda a: (a * a).sum(), [_x()], **{setting: value})


def test_fast_mode_with_zero_directions_no_longer_passes_a_wrong_gradient():
    from autograd.custom import gate

    @gate("square_with_a_wrong_derivative", derivatives=[lambda g, out, a: 3 * a * g])
    def wrong(a):
        return a * a

    with pytest.raises(ValueError, match="directions"):
        gradcheck(lambda a: wrong(a).sum(), [_x()], fast=True, directions=0)


@pytest.mark.parametrize("result", [3.0, None, np.float64(1.0), [1.0]])
def test_fn_that_returns_no_node_is_a_type_error(result):
    with pytest.raises(TypeError, match="fn must return a Value or Tensor"):
        gradcheck(lambda a: result, [Value(1.0)])


def test_fn_and_inputs_of_the_wrong_kind_are_type_errors():
    with pytest.raises(TypeError, match="fn must be callable"):
        gradcheck(3.0, [Value(1.0)])
    with pytest.raises(TypeError, match="inputs must be a list"):
        gradcheck(lambda a: a, Value(1.0))
