"""gategrad's autograd: scalar Values and numpy Tensors over one table of gates."""

from typing import TYPE_CHECKING, Any

from . import ops
from ._clash import warn_if_clashing
from .custom import gate
from .engine import enable_grad, grad, is_grad_enabled, no_grad
from .functions import maximum, minimum
from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor
from .value import Value

__all__ = ["Value", "Tensor", "maximum", "minimum", "no_grad", "enable_grad", "is_grad_enabled",
           "grad", "gradcheck", "GradcheckError", "gate", "ops", "compile"]

if TYPE_CHECKING:
    from .compiler import compile  # noqa: A004


def __getattr__(name: str) -> Any:
    # autograd.compile loads the compiler on first use, so `import autograd` stays light.
    if name == "compile":
        from .compiler import compile

        globals()["compile"] = compile  # found directly from now on
        return compile
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


warn_if_clashing()  # HIPS autograd shares the import name: say so before anything mixes
