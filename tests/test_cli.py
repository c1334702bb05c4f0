"""The CLI end to end, in a subprocess, as a user runs it."""

import json
import subprocess
import sys
from pathlib import Path

from .conftest import REPO_ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ae_models", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )


def test_train_info_evaluate_project(tmp_path: Path) -> None:
    out = tmp_path / "digits_vae.safetensors"
    result = run_cli(
        "train",
        "--dataset",
        "digits",
        "--kind",
        "vae",
        "--latent",
        "2",
        "--hidden",
        "32",
        "--epochs",
        "2",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert out.exists() and (tmp_path / "digits_vae.map.safetensors").exists()
    assert (tmp_path / "samples" / "digits.safetensors").exists()

    info = run_cli("info", str(out))
    assert info.returncode == 0 and "VAE" in info.stdout and "digits: 1,617 train / 180 validation" in info.stdout

    evaluated = run_cli("evaluate", str(out), "--dataset", "digits")
    assert evaluated.returncode == 0, evaluated.stderr
    scores = json.loads(evaluated.stdout)
    assert scores["n_images"] == 180 and scores["split"] == "val"
    assert abs(scores["neg_elbo"] - (scores["reconstruction"] + scores["kl"])) < 1e-6

    refused = run_cli("train", "--dataset", "digits", "--epochs", "1", "--out", str(out))
    assert refused.returncode == 2 and "already exists" in refused.stderr

    reproject = run_cli("project", str(out))
    assert reproject.returncode == 2 and "already exists" in reproject.stderr
    assert run_cli("project", str(out), "--force").returncode == 0
    full = run_cli("project", str(out), "--full")
    assert full.returncode == 0 and (tmp_path / "digits_vae.fullmap.safetensors").exists(), full.stderr
    assert "already exists" in run_cli("project", str(out), "--full").stderr


def test_bad_input_gives_a_message_not_a_traceback(tmp_path: Path) -> None:
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x00" * 100)
    for args in (
        ("info", str(junk)),
        ("evaluate", str(junk)),
        ("info", str(tmp_path / "missing.safetensors")),
        ("train", "--dataset", "nope", "--out", str(tmp_path / "x.safetensors")),
        (
            "train",
            "--dataset",
            "digits",
            "--arch",
            "conv",
            "--channels",
            *"8888",
            "--out",
            str(tmp_path / "y.safetensors"),
        ),
        ("train", "--dataset", "digits", "--val-fraction", "1.5", "--out", str(tmp_path / "z.safetensors")),
    ):
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "x.safetensors").exists()
