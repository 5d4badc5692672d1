"""gategrad's autograd: scalar Values and numpy Tensors over one table of gates."""

from . import ops
from ._clash import warn_if_clashing
from .compiler import compile  # noqa: A004
from .custom import gate
from .engine import enable_grad, grad, is_grad_enabled, no_grad
from .functions import maximum, minimum
from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor
from .value import Value

__all__ = ["Value", "Tensor", "maximum", "minimum", "no_grad", "enable_grad", "is_grad_enabled",
           "grad", "gradcheck", "GradcheckError", "gate", "ops", "compile"]

warn_if_clashing()  # HIPS autograd shares the import name: say so before anything mixes
