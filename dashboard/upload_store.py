"""Uploaded weights files on the server's disk: one folder per session, deleted when the session ends, with a cap
per session and a cap on the whole store (oldest files go first), so visitors cannot fill the disk.

No Streamlit here: the picker ties a store folder to a session (see `SessionUploads`).
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path

from ae_models.files import atomic_write_bytes

MiB = 2**20
SESSION_FILES = 4  # uploaded models one session may hold at once
SESSION_BYTES = 80 * MiB
STORE_BYTES = 1024 * MiB


class UploadRefused(ValueError):
    """This session holds as many uploads as it may; the message says what to do."""


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")] if folder.is_dir() else []


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # removed meanwhile by another session's eviction or session end
        return 0


def _age_key(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


@dataclass(frozen=True)
class UploadStore:
    root: Path
    session_files: int = SESSION_FILES
    session_bytes: int = SESSION_BYTES
    store_bytes: int = STORE_BYTES

    def session_folder(self, session: str) -> Path:
        return self.root / session

    def save(self, session: str, data: bytes, filename: str) -> Path:
        """Keep data for this session under a name from its content; make room by evicting the oldest uploads."""
        folder = self.session_folder(session)
        target = folder / f"{hashlib.sha256(data).hexdigest()[:16]}-{Path(filename).name[-80:]}"
        if target.exists():
            return target
        mine = _files(folder)
        if len(mine) >= self.session_files or sum(map(_size, mine)) + len(data) > self.session_bytes:
            raise UploadRefused(
                f"this session already holds {len(mine)} uploaded model(s), the most one visitor may add "
                f"({self.session_files} files, {self.session_bytes // MiB} MB); reload the page to start afresh"
            )
        self._make_room(len(data))
        atomic_write_bytes(target, data)
        return target

    def _make_room(self, incoming: int) -> None:
        everything = sorted(_files(self.root), key=_age_key)
        total = sum(map(_size, everything)) + incoming
        for oldest in everything:
            if total <= self.store_bytes:
                break
            total -= _size(oldest)
            oldest.unlink(missing_ok=True)

    def drop_session(self, session: str) -> None:
        shutil.rmtree(self.session_folder(session), ignore_errors=True)


class SessionUploads:
    """A session's claim on the store: its folder is deleted when this object is (the session ended and was
    dropped by the server) or when the server shuts down."""

    def __init__(self, store: UploadStore) -> None:
        self.store = store
        self.session = uuid.uuid4().hex
        weakref.finalize(self, store.drop_session, self.session)

    def save(self, data: bytes, filename: str) -> Path:
        return self.store.save(self.session, data, filename)

    def discard(self, path: Path) -> None:
        """Remove one upload (one that did not load), and the session's folder with it if that was the last."""
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.store.session_folder(self.session).rmdir()
