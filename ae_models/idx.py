"""Reader and writer for the IDX format of MNIST-style datasets (http://yann.lecun.com/exdb/mnist/)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09}


class IdxError(ValueError):
    """A file that is not a well-formed IDX array."""


def _open(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise IdxError(f"{path}: broken gzip stream ({err})") from None
    return raw


def read_idx(path: str | Path) -> np.ndarray:
    """Read a (possibly gzipped) IDX file into an array of its declared shape."""
    path = Path(path)
    data = _open(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise IdxError(f"{path}: not an IDX file (bad magic number)")
    code, ndim = data[2], data[3]
    if code not in _DTYPES:
        raise IdxError(f"{path}: unknown IDX element type 0x{code:02x}")
    header_end = 4 + 4 * ndim
    if ndim == 0 or len(data) < header_end:
        raise IdxError(f"{path}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", data[4:header_end])
    dtype = np.dtype(_DTYPES[code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header_end != expected:
        raise IdxError(
            f"{path}: header declares shape {shape} ({expected} bytes) but holds {len(data) - header_end} bytes"
        )
    return np.frombuffer(data, dtype=dtype, offset=header_end).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str | Path, array: np.ndarray, compress: bool | None = None) -> None:
    """Write uint8/int8 arrays as IDX; gzip when the name ends in .gz unless told otherwise."""
    path = Path(path)
    array = np.ascontiguousarray(array)
    if array.dtype not in _CODES:
        raise IdxError(f"write_idx supports uint8 and int8 arrays, got {array.dtype}")
    payload = (
        bytes([0, 0, _CODES[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    )
    if compress if compress is not None else path.suffix == ".gz":
        payload = gzip.compress(payload)
    path.write_bytes(payload)
