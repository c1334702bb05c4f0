"""The sample judge and its scores against independent computations, and on the sampling page."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.stats import entropy

from ae_models.anatomy.judge import JudgeError, judge_path, load_judge, save_judge, train_judge
from ae_models.anatomy.sample_quality import class_entropy, frechet_distance, score_samples
from ae_models.datasets import load_split

from .app_support import assert_clean, open_page, serve_only
from .conftest import WEIGHTS_DIR


def _frechet_by_eigh(a: np.ndarray, b: np.ndarray) -> float:
    """Tr sqrt(C_a C_b) as Tr sqrt(C_a^1/2 C_b C_a^1/2), with symmetric eigendecompositions only (no sqrtm)."""
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    values, vectors = np.linalg.eigh(cov_a)
    root_a = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    inner = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    return float(((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * np.sqrt(
        np.clip(inner, 0, None)).sum())  # fmt: skip


def test_frechet_distance_matches_an_eigendecomposition_and_is_zero_against_itself() -> None:
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(400, 6, generator=generator) @ torch.randn(6, 6, generator=generator)
    b = torch.randn(300, 6, generator=generator) * 2 + 1
    assert frechet_distance(a, b) == pytest.approx(_frechet_by_eigh(a.double().numpy(), b.double().numpy()), rel=1e-6)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_class_entropy_is_the_histograms_entropy() -> None:
    assert class_entropy(torch.arange(100) % 10, 10) == pytest.approx(math.log(10))
    assert class_entropy(torch.full((50,), 3), 10) == 0.0
    skewed = torch.tensor([0, 0, 0, 1, 2, 2, 9])
    assert class_entropy(skewed, 10) == pytest.approx(entropy(np.bincount(skewed.numpy(), minlength=10)))


@pytest.fixture(scope="module")
def digits_judge():
    torch.set_num_threads(1)
    return train_judge("digits")


def test_judge_learns_digits_and_round_trips(tmp_path: Path, digits_judge) -> None:
    assert digits_judge.accuracy > 0.85 and digits_judge.n_val == 180
    path = judge_path(tmp_path, "digits")
    save_judge(digits_judge, path)
    loaded = load_judge(path)
    images = load_split("digits", "val").images[:20]
    for ours, theirs in zip(digits_judge.judge(images), loaded.judge(images), strict=True):
        torch.testing.assert_close(ours, theirs)
    assert loaded.accuracy == digits_judge.accuracy and loaded.class_names == digits_judge.class_names
    path.write_bytes(b"not a judge")
    with pytest.raises(JudgeError, match="cannot read judge"):
        load_judge(path)


def test_held_out_images_against_themselves_score_zero_and_look_real(digits_judge) -> None:
    held_out = load_split("digits", "val").images
    _, features = digits_judge.judge(held_out)
    scores = score_samples(digits_judge, held_out, features)
    assert scores.frechet == pytest.approx(0.0, abs=1e-6)
    assert scores.classes_equivalent > 9  # the ten digits, about equally common
    noise = torch.rand(300, 8, 8, generator=torch.Generator().manual_seed(0))
    assert score_samples(digits_judge, noise, features).frechet > 10 * score_samples(
        digits_judge, load_split("digits", "train").images[:300], features).frechet  # fmt: skip


def test_shipped_judges_report_their_true_accuracy() -> None:
    judge = load_judge(judge_path(WEIGHTS_DIR, "mnist-5k"))
    val = load_split("mnist-5k", "val")
    probabilities, _ = judge.judge(val.images)
    assert float((probabilities.argmax(1) == val.labels).float().mean()) == pytest.approx(judge.accuracy, abs=1e-6)
    assert judge.accuracy > 0.9
    assert load_judge(judge_path(WEIGHTS_DIR, "fashion-mnist")).accuracy > 0.85


def test_sampling_page_shows_the_judges_table() -> None:
    app = open_page("views/sampling.py", ("mnist-5k", 2))
    assert_clean(app)
    table = next(frame.value for frame in app.dataframe if "Fréchet distance" in frame.value.columns)
    assert list(table["source"]) == [
        "real training images (the judge learnt from them)", "AE · N(0, I) draws", "VAE · N(0, I) draws",
        "AE · fitted-Gaussian draws",
    ]  # fmt: skip
    assert table["confidence"].between(0, 1).all() and (table["class entropy (nats)"] <= math.log(10) + 1e-9).all()
    assert any("Theis et al. 2016" in m.value for m in app.markdown)


def test_a_folder_without_baselines_says_how_to_make_them(tmp_path: Path, monkeypatch, vae_file) -> None:
    serve_only(vae_file, "digits_vae.safetensors", tmp_path, monkeypatch)
    app = open_page("views/sampling.py")
    assert_clean(app)
    assert any("python -m ae_models baselines digits" in info.value for info in app.info)
    app.switch_page("views/latent_anatomy.py").run()
    assert_clean(app)
    assert any("No PCA basis for digits" in info.value for info in app.info)
