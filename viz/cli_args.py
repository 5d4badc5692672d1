"""Checks for command-line arguments, shared by every ``gategrad`` subcommand.

Each checker is an argparse ``type=``: it runs while the command line is parsed, before
any work starts, and a refusal is one line on stderr naming the option (``argument
--epochs: ...``) with exit status 2. Output paths are checked too: the folder must be a
folder that can be written to, so a run never fails after its work is done.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, ``prog: error: message`` (no usage
    block), so a refused argument reads the same in every subcommand."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {' '.join(message.split())}", file=sys.stderr)
        raise SystemExit(2)


def int_in(low: int, high: int) -> Callable[[str], int]:
    """A whole number in ``[low, high]``."""
    def check(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text[:40]!r}"
                                             ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}, got "
                                             f"{text[:40]}")
        return value
    return check


def float_in(low: float, high: float, *, open_low: bool = False,
             open_high: bool = False) -> Callable[[str], float]:
    """A finite number between ``low`` and ``high`` (each end open or closed)."""
    left, right = "(" if open_low else "[", ")" if open_high else "]"

    def check(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text[:40]!r}") from None
        inside = (value > low if open_low else value >= low) and \
            (value < high if open_high else value <= high)
        if not math.isfinite(value) or not inside:
            raise argparse.ArgumentTypeError(f"must be a finite number in {left}{low:g}, "
                                             f"{high:g}{right}, got {text[:40]}")
        return value
    return check


def output_folder(text: str) -> Path:
    """A folder to write into: an existing writable folder, or one that can be made."""
    path = Path(text)
    if not text.strip():
        raise argparse.ArgumentTypeError("the folder name is empty")
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} exists and is not a folder")
    _check_writable(path if path.is_dir() else path.parent, text)
    return path


def output_file(*suffixes: str) -> Callable[[str], Path]:
    """A file name ending in one of ``suffixes`` whose folder can be written to."""
    shown = ", ".join(suffixes)

    def check(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() not in suffixes or not path.stem:
            raise argparse.ArgumentTypeError(f"{text}: the name must end in {shown} "
                                             "(after a name)")
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{text} is a folder")
        _check_writable(path.parent, text)
        return path
    return check


def _check_writable(folder: Path, text: str) -> None:
    """Can files be made in ``folder`` (made first if missing)? Asked of the nearest
    folder that exists, by creating and removing a temporary file there: permission bits
    say nothing for root or for /proc."""
    existing = folder.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: {existing} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as e:
        raise argparse.ArgumentTypeError(f"{text}: cannot write in {existing} "
                                         f"({e.strerror or e})") from None
