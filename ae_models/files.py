"""File helpers with one rule: never leave a half-written file, never overwrite without being told to."""

from __future__ import annotations

import glob
import hashlib
import os
import socket
import tempfile
from pathlib import Path

import psutil
import torch
from safetensors import safe_open
from safetensors.torch import save as safetensors_save


def sha256_of(path: str | Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class UnwritableTarget(OSError):
    """The file to be written cannot be: its folder is not writable, it is a folder, or a parent is a file."""


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


# a temp file's name says which process on which machine writes it (`.<name>.<pid>-<host>.<random>.tmp`), so that
# only this machine's dead writers' files are removed when a folder is shared over the network
_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _writer_pid(temp: Path, prefix: str) -> int | None:
    """The pid of the local process a temp file's name names; None for another machine's or any other name."""
    writer, _, _ = temp.name.removeprefix(prefix).partition(".")
    pid, _, host = writer.partition("-")
    return int(pid) if pid.isdigit() and host == _HOST else None


def remove_stale_temps(path: Path) -> None:
    """Delete temp files of this target left by writers that no longer run (SIGKILL, power loss)."""
    prefix = _temp_prefix(path)
    for temp in path.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        pid = _writer_pid(temp, prefix)
        if pid is not None and not psutil.pid_exists(pid):
            temp.unlink(missing_ok=True)


def _nearest_folder(path: Path) -> Path:
    """The closest existing ancestor of a path that does not exist yet."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_target(path: str | Path, force: bool = False) -> None:
    """Refuse, before any work is done, a target that could not be written at the end; clean its stale temps."""
    path = Path(path)
    if path.is_dir():
        raise UnwritableTarget(f"{path} is a folder; give a file name such as {path / 'model.safetensors'}")
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass --force to overwrite it")
    folder = _nearest_folder(path)
    if not folder.is_dir():
        raise UnwritableTarget(f"cannot write {path}: {folder} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise UnwritableTarget(f"cannot write into {folder}: {err.strerror or err}") from None
    if path.parent.is_dir():
        remove_stale_temps(path)


def atomic_write_bytes(path: str | Path, payload: bytes, force: bool = False) -> None:
    """Write to a temporary file beside the target, then put it in place in one step: without force by a hard
    link, which fails if the target exists, so of two racing writers exactly one wins (no check-then-rename)."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass --force (force=True) to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    writer = f"{os.getpid()}-{_HOST}"  # read at each write: a forked worker has a pid of its own
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f"{_temp_prefix(path)}{writer}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(payload)
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it private; a weights file is meant to be shared
        if force:
            os.replace(temp_name, path)
        else:
            try:
                os.link(temp_name, path)
            except FileExistsError:
                raise FileExistsError(f"{path} was written by another process meanwhile; it was not replaced") from None
    finally:
        Path(temp_name).unlink(missing_ok=True)


def write_beside(path: Path, payload: bytes) -> Path:
    """Write payload under the first free name `<stem>-2<suffix>`, `-3`, ... beside path (exclusively)."""
    for number in range(2, 1000):
        candidate = path.with_name(f"{path.name.removesuffix(path.suffix)}-{number}{path.suffix}")
        try:
            atomic_write_bytes(candidate, payload)
        except FileExistsError:
            continue
        return candidate
    raise UnwritableTarget(f"no free name beside {path}")


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


def per_dataset_path(weights_dir: str | Path, folder: str, dataset: str, suffix: str) -> Path:
    """Where a file made for a whole dataset (sample, judge, PCA basis, size curve) lives beside the weights: its
    name is the dataset's, with anything but letters, digits, '-' and '_' replaced, so no name can leave the folder."""
    safe_name = "".join(c if c.isalnum() or c in "-_" else "_" for c in dataset)
    return Path(weights_dir) / folder / f"{safe_name}{suffix}"
