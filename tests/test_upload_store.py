"""Uploads cannot pile up: a session's files go when the session does, and both a session and the whole store are
capped (oldest files evicted first)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from ae_models.weights import TrainedModel
from dashboard.upload_store import SessionUploads, UploadRefused, UploadStore
from tests.app_support import open_page
from tests.fuzz_corpus import weights_bytes


def test_a_session_may_hold_only_so_many_uploads(tmp_path: Path) -> None:
    store = UploadStore(tmp_path, session_files=2, session_bytes=1000, store_bytes=10_000)
    store.save("a", b"1" * 100, "one.safetensors")
    store.save("a", b"2" * 100, "two.safetensors")
    assert store.save("a", b"2" * 100, "two.safetensors").exists()  # the same file again costs nothing
    with pytest.raises(UploadRefused, match="reload the page"):
        store.save("a", b"3" * 100, "three.safetensors")
    with pytest.raises(UploadRefused):
        UploadStore(tmp_path, session_bytes=150).save("b", b"4" * 200, "big.safetensors")
    assert store.save("c", b"3" * 100, "three.safetensors").exists()  # another session is not affected


def test_a_full_store_evicts_its_oldest_files_first(tmp_path: Path) -> None:
    store = UploadStore(tmp_path, store_bytes=250)
    first = store.save("a", b"1" * 100, "first.safetensors")
    second = store.save("b", b"2" * 100, "second.safetensors")
    third = store.save("c", b"3" * 100, "third.safetensors")
    assert not first.exists() and second.exists() and third.exists()
    assert sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()) <= 250


def test_a_sessions_folder_is_deleted_when_the_session_is(tmp_path: Path) -> None:
    owner = SessionUploads(UploadStore(tmp_path))
    kept = owner.save(b"model", "mine.safetensors")
    other = SessionUploads(UploadStore(tmp_path)).save(b"model", "yours.safetensors")  # dropped at once
    gc.collect()
    assert kept.exists() and not other.exists()
    del owner
    gc.collect()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture()
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AE_DASHBOARD_CACHE", str(tmp_path))
    return tmp_path


def test_a_page_session_keeps_its_upload_until_it_ends(isolated_cache: Path, tiny_vae: TrainedModel) -> None:
    app = open_page("views/overview.py")
    app.sidebar.file_uploader[0].upload("mine.safetensors", weights_bytes(tiny_vae), "application/octet-stream").run()
    assert not app.exception and not app.sidebar.error
    stored = list((isolated_cache / "uploads").rglob("*.safetensors"))
    assert len(stored) == 1 and stored[0].parent.parent == isolated_cache / "uploads"
    del app
    gc.collect()
    assert not list((isolated_cache / "uploads").rglob("*")), "the ended session's upload is still on disk"


def test_an_evicted_upload_is_dropped_with_a_message(isolated_cache: Path, tiny_vae: TrainedModel) -> None:
    from dashboard.resources import load_uploaded

    app = open_page("views/overview.py")
    app.sidebar.file_uploader[0].upload("mine.safetensors", weights_bytes(tiny_vae), "application/octet-stream").run()
    for path in (isolated_cache / "uploads").rglob("*.safetensors"):
        path.unlink()  # what eviction by another session's upload does
    load_uploaded.clear()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("upload:mine is no longer on the server" in e.value for e in app.sidebar.error)
