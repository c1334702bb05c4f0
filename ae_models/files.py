"""File helpers with one rule: never leave a half-written file, never overwrite without being told to."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save as safetensors_save


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: str | Path, payload: bytes, force: bool = False) -> None:
    """Write to a temporary file beside the target, then rename over it in one step."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass --force (force=True) to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(payload)
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it private; a weights file is meant to be shared
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class UnreadableFile(ValueError):
    """Not a readable safetensors file: bad header, truncated body, or not that format at all."""


def read_safetensors(path: str | Path) -> tuple[dict[str, str], dict[str, torch.Tensor]]:
    """Metadata and tensors of a safetensors file; any parse failure becomes UnreadableFile."""
    if not Path(path).is_file():
        raise UnreadableFile("no such file")
    try:
        with safe_open(str(path), framework="pt") as handle:
            return handle.metadata() or {}, {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
    except Exception as err:
        raise UnreadableFile(f"not a readable safetensors file ({type(err).__name__}: {err})") from None


FORMAT_KEY = "ae_models.format"


def write_tagged(
    path: str | Path, tensors: dict[str, torch.Tensor], fmt: str, metadata: dict[str, str], force: bool
) -> None:
    """A safetensors side file (sample, map) whose metadata names its format, written atomically."""
    payload = safetensors_save({k: t.contiguous() for k, t in tensors.items()}, metadata={FORMAT_KEY: fmt, **metadata})
    atomic_write_bytes(path, payload, force=force)


def read_tagged(path: str | Path, fmt: str) -> tuple[dict[str, str], dict[str, torch.Tensor]]:
    """Read a side file written by write_tagged, refusing any other format."""
    metadata, tensors = read_safetensors(path)
    if metadata.get(FORMAT_KEY) != fmt:
        raise UnreadableFile(f"not a {fmt} file")
    return metadata, tensors
