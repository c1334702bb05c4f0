"""Latent anatomy's numbers against independent computations on small cases, and on the shipped beta sweep."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from scipy.stats import gaussian_kde, multivariate_normal
from torch.distributions import Normal, kl_divergence

from ae_models.anatomy import size_curve
from ae_models.anatomy.aggregate import kernel_sigmas, mixture_log_density, plane_density, prior_log_density
from ae_models.anatomy.pca import (
    CHART_SIZES,
    PcaBasis,
    PcaError,
    fit_pca,
    interpolate_images,
    load_pca,
    model_squared_error,
    pca_squared_errors,
    save_pca,
)
from ae_models.anatomy.size_curve import (
    SizeCurveError,
    load_size_curve,
    save_size_curve,
    size_curve_path,
    train_size_curve,
)
from ae_models.anatomy.traversal import traversal_centre, traversal_codes, traversal_scales
from ae_models.anatomy.usage import kl_per_dimension, latent_usage, usage_of
from ae_models.datasets import load_split
from ae_models.library import beta_sweeps, load_library_model, weights_files
from ae_models.losses import kl_to_standard_normal
from ae_models.models import Encoding
from ae_models.samples import held_out_by, load_sample, sample_path

from .conftest import WEIGHTS_DIR


def _encoding(n: int = 50, d: int = 4, seed: int = 0) -> Encoding:
    generator = torch.Generator().manual_seed(seed)
    return Encoding(torch.randn(n, d, generator=generator), torch.randn(n, d, generator=generator) * 0.5 - 1)


def test_kl_per_dimension_is_torch_distributions_kl_and_sums_to_the_total() -> None:
    encoding = _encoding()
    per_dim = kl_per_dimension(encoding)
    reference = kl_divergence(Normal(encoding.mean, encoding.sigma), Normal(0.0, 1.0))
    torch.testing.assert_close(per_dim, reference)
    torch.testing.assert_close(per_dim.sum(dim=1), kl_to_standard_normal(encoding))


def test_usage_averages_kl_and_counts_active_units_by_the_variance_of_the_means() -> None:
    means = torch.tensor([[0.0, 1.0, 0.0], [0.05, -1.0, 0.5], [0.1, 0.0, -0.5]])
    encoding = Encoding(means, torch.zeros_like(means))
    usage = usage_of(encoding)
    variances = np.var(means.numpy(), axis=0, ddof=1)  # 0.0025 (below the threshold), 1.0, 0.25
    np.testing.assert_allclose(usage.activity, variances, rtol=1e-6)
    assert usage.active == (False, True, True) and usage.n_active == 2
    np.testing.assert_allclose(usage.kl, (0.5 * means.pow(2)).mean(0).numpy(), rtol=1e-5)  # sigma = 1: KL = mu^2/2
    assert usage.by_kl == [1, 2, 0]
    assert math.isclose(usage.total_kl, sum(usage.kl))


def test_an_ae_has_no_kl_and_its_dimensions_are_ordered_by_spread() -> None:
    codes = torch.tensor([[0.0, 0.0], [1.0, 3.0], [2.0, -3.0]])
    usage = usage_of(Encoding(codes))
    assert usage.kl == (0.0, 0.0) and usage.by_kl == [1, 0]
    with pytest.raises(ValueError, match="no KL"):
        kl_per_dimension(Encoding(codes))


def test_shipped_sweep_switches_dimensions_off_as_beta_grows() -> None:
    models = [load_library_model(path) for path in weights_files(WEIGHTS_DIR) if "sweep" in path.name]
    sweep = next(iter(beta_sweeps(models).values()))
    sample = load_sample(sample_path(WEIGHTS_DIR, sweep[0].dataset))
    images = sample.images.images[held_out_by(sample, [m.trained.dataset for m in sweep]).held_out]
    usages = [latent_usage(m.network, images) for m in sweep]
    assert usages[-1].n_active < usages[0].n_active, [u.n_active for u in usages]
    assert sweep[0].beta < sweep[-1].beta
    for model, usage in zip(sweep, usages, strict=True):  # held-out KL close to what training measured
        assert usage.total_kl == pytest.approx(model.trained.final_metrics.kl, rel=0.1)


def test_traversal_moves_one_dimension_per_row_in_its_own_units() -> None:
    base = torch.tensor([0.5, -1.0, 2.0])
    scales = torch.tensor([1.0, 2.0, 0.5])
    codes = traversal_codes(base, [2, 0], scales, steps=5, extent=2.0).reshape(2, 5, 3)
    offsets = np.linspace(-2, 2, 5)
    np.testing.assert_allclose(codes[0, :, 2], 2.0 + offsets * 0.5, rtol=1e-6)
    np.testing.assert_allclose(codes[1, :, 0], 0.5 + offsets * 1.0, rtol=1e-6)
    assert (codes[0, :, :2] == base[:2]).all() and (codes[1, :, 1:] == base[1:]).all()


def test_traversal_units_are_the_prior_for_a_vae_and_the_data_for_an_ae() -> None:
    encoding = _encoding()
    assert torch.equal(traversal_scales(encoding), torch.ones(4))
    assert torch.equal(traversal_centre(encoding), torch.zeros(4))
    codes = encoding.mean * torch.tensor([1.0, 2.0, 3.0, 4.0]) + 5
    ae = Encoding(codes)
    np.testing.assert_allclose(traversal_scales(ae), np.std(codes.numpy(), axis=0, ddof=1), rtol=1e-5)
    np.testing.assert_allclose(traversal_centre(ae), codes.numpy().mean(0), rtol=1e-5)


def test_mixture_density_matches_scipy() -> None:
    encoding = _encoding(n=20, d=2)
    points = torch.randn(30, 2, generator=torch.Generator().manual_seed(3)) * 2
    ours = mixture_log_density(points, encoding.mean, encoding.sigma).numpy()
    reference = np.log(
        np.mean(
            [
                multivariate_normal(m, np.diag(s**2)).pdf(points.numpy())
                for m, s in zip(encoding.mean.numpy(), encoding.sigma.numpy(), strict=True)
            ],
            axis=0,
        )
    )
    np.testing.assert_allclose(ours, reference, rtol=1e-5)
    np.testing.assert_allclose(prior_log_density(points), multivariate_normal(np.zeros(2)).logpdf(points), rtol=1e-6)


def test_kernel_bandwidth_is_scotts_rule() -> None:
    codes = torch.randn(200, 2, generator=torch.Generator().manual_seed(1)) * torch.tensor([1.0, 3.0])
    factor = gaussian_kde(codes.numpy().T).factor  # scipy's default bandwidth: Scott's n^(-1/(d+4))
    np.testing.assert_allclose(kernel_sigmas(codes)[0], factor * np.std(codes.numpy(), axis=0, ddof=1), rtol=1e-5)


@pytest.mark.parametrize("spread", [0.3, 2.5])
def test_prior_mass_in_holes_matches_monte_carlo(spread: float) -> None:
    """Grid integration of the prior over the holes against the share of 20,000 prior draws that land in one."""
    generator = torch.Generator().manual_seed(0)
    centres = torch.tensor([[-1.5, 0.0], [1.5, 0.5]])
    means = centres[torch.arange(200) % 2] + spread * 0.3 * torch.randn(200, 2, generator=generator)
    encoding = Encoding(means, torch.full_like(means, 2 * math.log(0.3)))
    density = plane_density(encoding)
    draws = torch.randn(20_000, 2, generator=generator)
    in_hole = mixture_log_density(draws, means, encoding.sigma) < prior_log_density(draws) + math.log(density.ratio)
    assert density.prior_mass_in_holes == pytest.approx(float(in_hole.float().mean()), abs=0.015)
    assert 0 < density.prior_mass_in_holes < 1
    assert density.codes_mass_in_holes <= density.ratio * density.prior_mass_in_holes + 1e-9
    assert float(density.log_prior.exp().sum() * density.cell_area) == pytest.approx(1.0, abs=0.01)


def test_pca_reconstructs_like_a_numpy_svd_and_round_trips(tmp_path) -> None:
    basis = fit_pca("digits")
    train = load_split("digits", "train").images.flatten(1).double().numpy()
    centred = train - train.mean(0)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    val = load_split("digits", "val").images
    flat = val.flatten(1).double().numpy() - train.mean(0)
    by_svd = flat @ directions[:5].T @ directions[:5] + train.mean(0)
    np.testing.assert_allclose(basis.reconstruct(val, 5).flatten(1).numpy(), by_svd, atol=1e-4)
    errors = pca_squared_errors(basis, val, [2, 5, 32, 64])
    assert list(errors) == [2, 5, 32] and errors[2] > errors[5] > errors[32]  # 64 is more than the file holds
    assert errors[5] == pytest.approx(float(((val.flatten(1).numpy() - by_svd) ** 2).sum(1).mean()), rel=1e-4)
    save_pca(basis, tmp_path / "pca.safetensors")
    loaded = load_pca(tmp_path / "pca.safetensors")
    torch.testing.assert_close(loaded.components, basis.components)
    assert loaded.image_shape == (8, 8) and loaded.dataset == "digits"
    (tmp_path / "pca.safetensors").write_bytes(b"junk")
    with pytest.raises(PcaError, match="cannot read PCA basis"):
        load_pca(tmp_path / "pca.safetensors")


def test_pca_path_runs_between_the_reconstructions_and_its_midpoint_is_their_mean() -> None:
    generator = torch.Generator().manual_seed(0)
    components = torch.linalg.qr(torch.randn(64, 6, generator=generator)).Q.T  # 6 orthonormal rows
    basis = PcaBasis("synthetic", torch.rand(64, generator=generator), components, (8, 8))
    start, end = torch.rand(2, 8, 8, generator=generator)
    path = interpolate_images(basis, start, end, 4, 5)
    ends = basis.reconstruct(torch.stack([start, end]), 4)
    assert path.shape == (5, 8, 8)
    torch.testing.assert_close(path[[0, -1]], ends)
    torch.testing.assert_close(path[2], ends.mean(0))  # linear: the middle frame is the blend half and half
    assert not torch.allclose(path[2], basis.reconstruct(((start + end) / 2)[None], 2)[0])  # the size is honoured


def test_model_squared_error_is_the_mean_over_images(tiny_ae) -> None:
    images = load_split("digits", "val").images[:10]
    manual = ((images - tiny_ae.network.reconstruct(images)) ** 2).sum(dim=(1, 2)).mean()
    assert model_squared_error(tiny_ae.network, images) == pytest.approx(float(manual), rel=1e-5)


def test_size_curve_is_made_round_trips_and_falls_with_size_as_pca_does(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(size_curve, "MAX_EPOCHS", 5)  # the recipe, shortened: train-all's test runs it in full
    curve = train_size_curve("digits")
    assert curve.epochs == 5
    train = load_split("digits", "train").images.flatten(1).double().numpy()
    val = load_split("digits", "val").images.flatten(1).double().numpy() - train.mean(0)
    _, _, directions = np.linalg.svd(train - train.mean(0), full_matrices=False)
    by_svd = [float(((val - val @ directions[:s].T @ directions[:s]) ** 2).sum(1).mean()) for s in CHART_SIZES]
    assert all(big > small for big, small in itertools.pairwise(by_svd))  # PCA: more components, less error
    assert set(curve.errors) == {"ae", "vae"} and all(list(e) == list(CHART_SIZES) for e in curve.errors.values())
    assert curve.errors["ae"][32] < curve.errors["ae"][2]  # not the VAE's: its KL may make extra sizes cost
    assert curve.n_val == len(val) and curve.image_shape == (8, 8)
    path = size_curve_path(tmp_path, "digits")
    save_size_curve(curve, path)
    assert load_size_curve(path) == replace(curve, seconds=round(curve.seconds, 1))
    with pytest.raises(FileExistsError):
        save_size_curve(curve, path)
    path.write_text('{"format": "ae_models.size_errors/1", "errors": {"ae": {"3": 1.0}}}')
    with pytest.raises(SizeCurveError, match="cannot read size curve"):
        load_size_curve(path)
