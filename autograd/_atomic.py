"""Writing a file whole or not at all, shared by every file the project writes.

The content goes into a temporary file beside the target, which is then renamed over it:
a failure (or Ctrl-C) part-way leaves no half file, and an old file stays whole until
the new one is complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def write_atomically(path: Path, write: Callable[[IO[Any]], object], binary: bool = False) -> Path:
    """Call ``write`` on a temporary file beside ``path``, then move it into place.

    The file gets the permissions an ordinary ``open`` would give it (mkstemp's 0600
    would hide it from other users). Whatever ``write`` or the rename raises is raised
    again, after the temporary file is removed.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
