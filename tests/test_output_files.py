"""Files the CLI writes: racing writers, targets that cannot be written, stale temp files, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ae_models import files
from ae_models.files import UnwritableTarget, atomic_write_bytes, check_target
from ae_models.pipeline import TargetTaken, train_and_save
from ae_models.weights import load_model

from .conftest import REPO_ROOT, tiny_spec


def test_of_two_racing_writers_exactly_one_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other writer finishes between our existence check and our rename: its file must survive."""
    target = tmp_path / "model.safetensors"
    real_fsync = os.fsync

    def other_writer_finishes_first(fd: int) -> None:
        real_fsync(fd)
        target.write_bytes(b"the other run's model")

    monkeypatch.setattr(files.os, "fsync", other_writer_finishes_first)
    with pytest.raises(FileExistsError, match="another process"):
        atomic_write_bytes(target, b"this run's model")
    assert target.read_bytes() == b"the other run's model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.safetensors"]  # no temp file left


def test_a_train_that_loses_the_race_keeps_its_model_and_says_where(tmp_path: Path) -> None:
    target = tmp_path / "digits_ae.safetensors"

    def other_run_saves_meanwhile(record: object) -> None:
        if not target.exists():
            target.write_bytes(b"the other run's model")

    with pytest.raises(TargetTaken) as raised:
        train_and_save(tiny_spec("ae", epochs=2), target, on_epoch=other_run_saves_meanwhile)
    kept = tmp_path / "digits_ae-2.safetensors"
    assert str(kept) in str(raised.value) and "another run" in str(raised.value)
    assert target.read_bytes() == b"the other run's model"
    assert load_model(kept).config.kind == "ae"
    assert (tmp_path / "digits_ae-2.map.safetensors").exists()


@pytest.mark.parametrize("problem", ["folder as target", "parent is a file", "unwritable folder"])
def test_a_target_that_cannot_be_written_is_refused_before_training(tmp_path: Path, problem: str) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "a-folder").mkdir()
    target, words = {
        "folder as target": (tmp_path / "a-folder", "is a folder"),
        "parent is a file": (tmp_path / "a-file" / "sub" / "model.safetensors", "is a file, not a folder"),
        "unwritable folder": (Path("/proc/ae_models_test/model.safetensors"), "cannot write into /proc"),
    }[problem]
    started = time.perf_counter()
    # a million epochs: had it trained first, the run would hit the timeout instead of returning at once
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ae_models",
            "train",
            "--dataset",
            "digits",
            "--epochs",
            "1000000",
            "--out",
            str(target),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and words in result.stderr and "Traceback" not in result.stderr
    assert time.perf_counter() - started < 120


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temp_files_of_the_target_are_removed_on_the_next_run(tmp_path: Path) -> None:
    target = tmp_path / "model.safetensors"
    here = files._HOST
    stale = tmp_path / f".model.safetensors.{_dead_pid()}-{here}.abc123.tmp"
    live = tmp_path / f".model.safetensors.{os.getpid()}-{here}.def456.tmp"  # a writer still at work: left alone
    elsewhere = tmp_path / f".model.safetensors.{_dead_pid()}-0ther0ne.jkl012.tmp"  # another machine's writer
    unrelated = tmp_path / f".other.safetensors.{_dead_pid()}-{here}.ghi789.tmp"
    for temp in (stale, live, elsewhere, unrelated):
        temp.write_bytes(b"half a model")
    check_target(target)
    assert not stale.exists() and live.exists() and elsewhere.exists() and unrelated.exists()


def test_check_target_refuses_an_existing_file_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "model.safetensors"
    target.write_bytes(b"model")
    with pytest.raises(FileExistsError):
        check_target(target)
    check_target(target, force=True)
    with pytest.raises(UnwritableTarget):
        check_target(tmp_path)


def test_sigterm_stops_training_like_ctrl_c(tmp_path: Path) -> None:
    out = tmp_path / "model.safetensors"
    process = subprocess.Popen(
        [sys.executable, "-m", "ae_models", "train", "--dataset", "digits", "--epochs", "100000", "--out", str(out)],
        cwd=REPO_ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        shown = ""
        while "epoch" not in shown:  # the progress bar is drawn once the first epoch has ended
            assert process.poll() is None, shown
            shown += process.stderr.read(1)
        process.send_signal(signal.SIGTERM)
        rest = process.stderr.read()
        process.wait(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, rest
    assert "interrupted" in rest and "Traceback" not in rest
    assert list(tmp_path.iterdir()) == []
