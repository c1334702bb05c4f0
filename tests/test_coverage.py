"""The numbers captions quote: draws outside a model's codes, the plane window, faithful endpoints, classic codecs."""

from __future__ import annotations

import pytest
import torch

from ae_models.compression import classic_codecs, codec_report
from ae_models.corruption import corrupt
from ae_models.coverage import (
    code_region,
    codes_window,
    contrast,
    contrast_floor,
    decoder_inputs,
    summarize_codes,
)
from ae_models.latent_maps import load_map
from ae_models.library import load_library_model
from ae_models.recognition import (
    UNRECOGNISABLE,
    classify_like,
    fit_judge,
    interpolation_endpoints,
    rebuilt_as_own_class,
)
from ae_models.samples import load_sample, sample_path

from .conftest import WEIGHTS_DIR


def _shipped(name: str):
    return load_library_model(WEIGHTS_DIR / f"{name}.safetensors").network


def test_outside_codes_is_scale_free_and_sees_far_points() -> None:
    codes = torch.randn(500, 2, generator=torch.Generator().manual_seed(0))
    points = torch.tensor([[0.0, 0.0], [30.0, 30.0], [0.1, -0.2]])
    assert code_region(codes).outside(points).tolist() == [False, True, False]
    assert code_region(codes * 10).outside(points * 10).tolist() == [False, True, False]
    with pytest.raises(ValueError):
        code_region(codes[:1])


def test_points_in_gaps_are_outside_yet_within_the_codes_span() -> None:
    """Two clusters with a hole between them: a point in the hole is in a gap, a point beyond the edge is not."""
    rng = torch.Generator().manual_seed(0)
    codes = torch.cat([torch.randn(300, 2, generator=rng) * 0.3 - 5, torch.randn(300, 2, generator=rng) * 0.3 + 5])
    points = torch.tensor([[0.0, 0.0], [30.0, 30.0], [5.0, 5.0]])
    region = code_region(codes)
    assert region.outside(points).tolist() == [True, True, False]
    assert region.in_gaps(points).tolist() == [True, False, False]


def test_decoder_inputs_leave_ae_codes_alone_and_draw_from_vae_posteriors() -> None:
    codes = torch.zeros(4000, 3)
    assert decoder_inputs(codes, None) is codes
    drawn = decoder_inputs(codes, torch.full((4000, 3), 2 * torch.log(torch.tensor(0.5))))
    assert abs(drawn.std().item() - 0.5) < 0.02
    assert torch.equal(drawn, decoder_inputs(codes, torch.full((4000, 3), 2 * torch.log(torch.tensor(0.5)))))


def test_codes_window_frames_each_models_own_codes() -> None:
    """The issue's defect: the plane showed +-2.5 around the origin while the MNIST AE's codes span about -20..60."""
    windows = {}
    for name in ("mnist_ae_z2", "mnist_vae_z2"):
        codes = load_map(WEIGHTS_DIR / f"{name}.map.safetensors").codes
        windows[name] = window = codes_window(codes)
        assert window.contains(codes).float().mean() >= 0.97
    assert windows["mnist_ae_z2"].extent > 5 * windows["mnist_vae_z2"].extent
    with pytest.raises(ValueError):
        codes_window(torch.zeros(10, 3))


def test_rebuilt_as_own_class_follows_what_the_network_returns() -> None:
    sample = load_sample(sample_path(WEIGHTS_DIR, "mnist-5k"))
    rows = sample.example_rows(per_class=1)

    class Swap(torch.nn.Module):
        """Returns the image of the next class: never its own."""

        def reconstruct(self, images: torch.Tensor) -> torch.Tensor:
            return sample.images.images[rows].roll(1, dims=0)

    class Copy(torch.nn.Module):
        def reconstruct(self, images: torch.Tensor) -> torch.Tensor:
            return images

    assert not rebuilt_as_own_class([Swap()], sample, rows).any()
    assert rebuilt_as_own_class([Copy()], sample, rows).float().mean() >= 0.8


def test_code_summary_span_is_what_the_map_plots() -> None:
    """Defect: the caption said the MNIST AE's z1 spans -11.2 to 48.4 (percentiles) while its points run -19..57."""
    latent_map = load_map(WEIGHTS_DIR / "mnist_ae_z2.map.safetensors")
    summary = summarize_codes(latent_map.codes, torch.zeros(len(latent_map.codes), dtype=torch.long))
    assert summary.low == tuple(latent_map.codes.min(dim=0).values.tolist())
    assert summary.high == tuple(latent_map.codes.max(dim=0).values.tolist())


def test_junk_reads_as_no_class_while_real_pictures_keep_theirs() -> None:
    """Defect: the plain AE's grey blobs at MNIST latent 16 were counted as "5 of 10 the right class"."""
    sample = load_sample(sample_path(WEIGHTS_DIR, "mnist-5k"))
    rows = sample.example_rows(per_class=1)
    others = torch.ones(len(sample.images), dtype=torch.bool)
    others[rows] = False
    reference, labels = sample.images.images[others], sample.images.labels[others]
    noisy = corrupt(sample.images.images[rows], "gaussian", 0.4, 0)
    with torch.no_grad():
        blobs = _shipped("mnist_ae_z16").reconstruct(noisy)
        cleaned = _shipped("mnist_dae_z16").reconstruct(noisy)
    assert (classify_like(blobs, reference, labels).classes == UNRECOGNISABLE).all()
    assert (classify_like(cleaned, reference, labels).classes == sample.images.labels[rows]).float().mean() >= 0.8
    real = classify_like(sample.images.images[rows], reference, labels)
    assert (real.classes == sample.images.labels[rows]).float().mean() >= 0.8 and (real.agreement > 0).all()


@pytest.mark.parametrize(("prefix", "latent"), [("mnist", 2), ("mnist", 16), ("fashion", 2), ("fashion", 16)])
def test_default_interpolation_endpoints_are_rebuilt_as_their_class_by_both_models(prefix: str, latent: int) -> None:
    """The old default (the first held-out 0) comes back from the MNIST latent-2 AE as another digit."""
    dataset = "mnist-5k" if prefix == "mnist" else "fashion-mnist"
    sample = load_sample(sample_path(WEIGHTS_DIR, dataset))
    networks = [_shipped(f"{prefix}_{kind}_z{latent}") for kind in ("ae", "vae")]
    a, b = interpolation_endpoints(networks, sample)
    assert [int(sample.images.labels[r]) for r in (a, b)] == [0, 1]
    assert rebuilt_as_own_class(networks, sample, [a, b]).all()


def test_classic_codecs_compare_at_the_models_quality() -> None:
    sample = load_sample(sample_path(WEIGHTS_DIR, "mnist-5k"))
    held_out = sample.images.images[sample.held_out][:60]
    report = codec_report(_shipped("mnist_vae_z16"), held_out)
    classic = classic_codecs(held_out, report.mean_psnr_db)
    assert classic.jpeg_psnr_db >= report.mean_psnr_db and 1 <= classic.jpeg_quality < 95
    assert 0 < classic.png_bytes < report.image_bytes  # digits are mostly black: PNG beats raw bytes
    assert classic_codecs(held_out, 90.0).jpeg_quality == 95  # out of JPEG's reach: its best is reported
    assert report.decoder_bytes > 100_000  # the decompressor is far bigger than any one image


def test_a_blank_picture_is_washed_out_and_a_real_one_is_not() -> None:
    sample = load_sample(sample_path(WEIGHTS_DIR, "mnist-5k"))
    floor = contrast_floor(_shipped("mnist_vae_z16"), sample.images.images)
    assert contrast(torch.zeros(1, 28, 28)).item() == 0 < floor
    assert (contrast(sample.images.images[:50]) > floor).float().mean() > 0.9


def test_the_beta_sweep_caption_holds_for_the_shipped_sweep() -> None:
    """The training-curves page says: small beta, more rate and less distortion; large beta, the reverse."""
    from ae_models.library import beta_sweeps, load_folder

    sweeps = beta_sweeps(load_folder(WEIGHTS_DIR)[0])
    assert sweeps
    for sweep in sweeps.values():
        ordered = sorted(sweep, key=lambda m: m.beta)
        kl = [m.trained.final_metrics.kl for m in ordered]
        reconstruction = [m.trained.final_metrics.reconstruction for m in ordered]
        assert kl == sorted(kl, reverse=True) and reconstruction == sorted(reconstruction)


@pytest.mark.parametrize("dataset", ["mnist-5k", "fashion-mnist"])
def test_one_judge_with_rows_left_out_reads_as_a_judge_fitted_without_them(dataset: str) -> None:
    """The pages keep one judge per sample and name the rows to leave out per call (interpolation endpoints,
    denoised images): every reading must be the one a judge fitted on the remaining rows gives, class, agreement
    and the no-real-image limit alike, also when a kept row's nearest other image is one of those left out."""
    sample = load_sample(sample_path(WEIGHTS_DIR, dataset))
    images, labels = sample.images.images, sample.images.labels
    judge = fit_judge(images, labels)
    generator = torch.Generator().manual_seed(0)
    pictures = torch.cat([
        corrupt(images[:40], "gaussian", 0.3, 0),  # mostly still their class
        images[40:50] + 0.02,
        images[labels == 0][:30].mean(dim=0, keepdim=True) * torch.linspace(0.2, 1.5, 20)[:, None, None],  # blobs
        torch.rand(10, *images.shape[1:], generator=generator),
    ])  # fmt: skip
    nearest_others = judge.closest[:50, 1].tolist()  # rows 0..49 keep their images but lose their nearest other
    for excluded in ([], [3, 1700], sample.example_rows(per_class=3), nearest_others, list(range(0, len(images), 9))):
        kept = torch.ones(len(images), dtype=torch.bool)
        kept[excluded] = False
        cached = judge.read(pictures, excluded=excluded)
        fresh = classify_like(pictures, images[kept], labels[kept])
        assert torch.equal(cached.classes, fresh.classes) and torch.equal(cached.agreement, fresh.agreement)
        assert 0 < (fresh.classes == UNRECOGNISABLE).sum() < len(pictures)  # the limit decides some of them
