"""Weights files: ``.npz`` archives written atomically and read header first.

A weights file is a zip of ``.npy`` members, one per parameter, plus an optional
``architecture`` member (UTF-8 JSON bytes) saying which model they belong to. Reading
never trusts the file: each member's name, dtype and shape come from its ``.npy`` header
(a few hundred bytes), and the zip's declared uncompressed size must be exactly that
header plus the data the shape implies. Anything the caller does not expect is refused
before a single data byte is decompressed, so a small file that claims a huge array
costs nothing. Pickled data is never read.
"""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from autograd._atomic import write_atomically

ARCHITECTURE = "architecture"
MAX_ARCHITECTURE_BYTES = 1 << 16
MAX_HEADER_BYTES = 10_000  # numpy's own default limit for a .npy header
_NUMBERS = "biuf"  # bool, int, unsigned, float: what a weight may be stored as
# What zipfile and zlib raise on damaged data (NotImplementedError: an unknown zip
# version or compression method, as random bytes declare).
_READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, ValueError,
                NotImplementedError)


class WeightsFileError(ValueError):
    """A weights file that cannot be used; the message names the file and the member."""


@dataclass(frozen=True)
class Member:
    """One array in the archive as its header describes it (no data read)."""

    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran: bool

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=object))  # Python ints: no overflow


def weights_path(path: str | Path) -> Path:
    """The file ``save(path)`` writes: ``path`` with ``.npz`` added unless it ends so."""
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def existing_weights_path(path: str | Path) -> Path:
    """The file ``load(path)`` reads: ``path`` itself if it is a file, else the name
    ``save(path)`` would have written (so ``save("m")`` then ``load("m")`` meet)."""
    path = Path(path)
    if path.is_file():
        return path
    named = weights_path(path)
    if not named.exists():
        raise FileNotFoundError(f"no weights file {str(path)!r}"
                                + (f" or {str(named)!r}" if named != path else ""))
    return named


def write(path: str | Path, arrays: Mapping[str, np.ndarray],
          architecture: dict[str, Any] | None = None) -> Path:
    """Write ``arrays`` (and the ``architecture`` record) to ``path`` atomically: into a
    temporary file beside it, then renamed over it, so a failed save leaves no half file
    and an old file stays whole until the new one is complete."""
    path = weights_path(path)
    members = dict(arrays)
    if architecture is not None:
        if ARCHITECTURE in members:
            raise ValueError(f"a parameter may not be called {ARCHITECTURE!r}")
        members[ARCHITECTURE] = np.frombuffer(json.dumps(architecture).encode(), np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, lambda f: np.savez(f, allow_pickle=False, **members),
                            binary=True)


class Archive:
    """An open weights file, its members' headers read and checked, no data yet."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            hint = ("it holds a single array, not the named arrays that save() writes"
                    if _is_npy(path) else "it is not an .npz (zip) archive")
            raise WeightsFileError(self._where() + hint) from None
        except (*_READ_ERRORS, struct.error) as e:  # a damaged zip directory
            raise WeightsFileError(f"{self._where()}a damaged archive ({e})") from None
        try:
            self.members = self._headers()
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def _where(self, member: str | None = None) -> str:
        inside = f", member {member!r}" if member is not None else ""
        return f"cannot load weights from {str(self.path)!r}{inside}: "

    def _headers(self) -> dict[str, Member]:
        members: dict[str, Member] = {}
        for info in self.zip.infolist():
            name = info.filename.removesuffix(".npy")
            if not info.filename.endswith(".npy") or name in members:
                raise WeightsFileError(self._where(info.filename) + "not one named .npy array")
            members[name] = self._header(name, info)
        return members

    def _header(self, name: str, info: zipfile.ZipInfo) -> Member:
        try:
            with self.zip.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(
                        f, max_header_size=MAX_HEADER_BYTES)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(
                        f, max_header_size=MAX_HEADER_BYTES)
                else:
                    raise ValueError(f".npy format version {version} is not supported")
                start = f.tell()
        # numpy's header parser raises many kinds on garbage (ValueError, SyntaxError,
        # tokenize.TokenError, ...): every one means "not a header we can use".
        except Exception as e:
            raise WeightsFileError(f"{self._where(name)}unreadable array header "
                                   f"({type(e).__name__}: {e})") from None
        if dtype.hasobject:
            raise WeightsFileError(f"{self._where(name)}holds Python objects, which would "
                                   "need pickle; refused")
        if dtype.kind not in _NUMBERS or dtype.itemsize > 8 or dtype.fields is not None:
            raise WeightsFileError(f"{self._where(name)}member {name!r} holds {dtype} values, "
                                   "not numbers")
        member = Member(info, tuple(int(n) for n in shape), dtype, bool(fortran))
        if info.file_size != start + member.size * dtype.itemsize:
            raise WeightsFileError(
                f"{self._where(name)}the archive says it is {info.file_size:,} bytes, but its "
                f"header declares {member.shape} {dtype} ({start + member.size * dtype.itemsize:,}"
                " bytes)")
        return member

    def check_names(self, expected: Mapping[str, Any], owner: str) -> None:
        """Refuse a missing or unexpected member (the architecture record is optional)."""
        present = [name for name in self.members if name != ARCHITECTURE]
        missing = [name for name in expected if name not in self.members]
        unexpected = [name for name in present if name not in expected]
        if missing or unexpected:
            raise WeightsFileError(f"{self._where()}the weights do not fit this {owner}: "
                                   f"missing {missing}, unexpected {unexpected}")

    def check_shapes(self, expected: Mapping[str, tuple[int, ...]]) -> None:
        for name, shape in expected.items():
            found = self.members[name].shape
            if found != tuple(shape):
                raise WeightsFileError(f"{self._where(name)}{name!r} has shape {found} in the "
                                       f"file but the model's is {tuple(shape)}")

    def read(self, name: str) -> np.ndarray:
        """The data of a member whose header was checked: exactly the declared bytes."""
        member = self.members[name]
        nbytes = member.size * member.dtype.itemsize
        try:
            with self.zip.open(member.info) as f:
                f.seek(member.info.file_size - nbytes)
                data = f.read(nbytes)
                if len(data) != nbytes or f.read(1):  # reading to the end checks the CRC
                    raise ValueError(f"{len(data):,} data bytes, expected {nbytes:,}")
        except _READ_ERRORS as e:
            raise WeightsFileError(f"{self._where(name)}{e}") from None
        order: Literal["C", "F"] = "F" if member.fortran else "C"
        flat = np.frombuffer(data, member.dtype)
        return flat.reshape(member.shape, order=order).copy()

    def architecture(self) -> dict[str, Any] | None:
        """The architecture record, or None for a file written without one."""
        member = self.members.get(ARCHITECTURE)
        if member is None:
            return None
        if member.dtype != np.uint8 or len(member.shape) != 1 \
                or member.size > MAX_ARCHITECTURE_BYTES:
            raise WeightsFileError(f"{self._where(ARCHITECTURE)}expected at most "
                                   f"{MAX_ARCHITECTURE_BYTES:,} bytes of JSON text, got "
                                   f"{member.shape} {member.dtype}")
        try:
            record = json.loads(self.read(ARCHITECTURE).tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
            raise WeightsFileError(f"{self._where(ARCHITECTURE)}not JSON: {e}") from None
        if not isinstance(record, dict):
            raise WeightsFileError(f"{self._where(ARCHITECTURE)}expected a JSON object")
        return record


def _is_npy(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(6) == b"\x93NUMPY"
