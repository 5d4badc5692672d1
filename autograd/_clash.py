"""Warn when HIPS autograd is installed too: both packages are imported as ``autograd``.

pip installs both into the same ``site-packages/autograd`` folder, so their files mix and
``import autograd`` may load parts of either. The check reads the installed
distributions' metadata folders (``autograd-<version>.dist-info`` / ``.egg-info``, what
``importlib.metadata`` finds) by listing the ``sys.path`` folders, because importing
``importlib.metadata`` itself would add tens of milliseconds to every ``import autograd``.
"""

from __future__ import annotations

import os
import sys
import warnings

REMEDY = ("keep them in separate virtual environments (python -m venv), or "
          "pip uninstall autograd if you do not need HIPS autograd")


class AutogradNameClashWarning(UserWarning):
    """HIPS autograd is installed in the same environment as gategrad's autograd."""


def hips_autograd_metadata(paths: list[str] | None = None) -> str | None:
    """The metadata folder of an installed distribution named ``autograd``, or None."""
    for entry in sys.path if paths is None else paths:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file, a missing folder: no metadata folders to list
            continue
        for name in names:
            stem, dot, kind = name.rpartition(".")
            if dot and kind in ("dist-info", "egg-info") \
                    and stem.split("-")[0].lower().replace("_", "-") == "autograd":
                return os.path.join(entry, name)
    return None


def warn_if_clashing() -> None:
    """Warn, naming both packages and the remedy, when HIPS autograd is installed."""
    found = hips_autograd_metadata()
    if found is not None:
        warnings.warn(
            f"HIPS autograd is installed ({found}) alongside gategrad, and both are imported "
            f"as 'autograd': their files mix, so 'import autograd' may load parts of either. "
            f"To fix it, {REMEDY}.", AutogradNameClashWarning, stacklevel=2)
