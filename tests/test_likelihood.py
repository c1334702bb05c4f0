"""The importance-weighted likelihood (Burda et al. 2016) against quadrature on a 1-D latent, its bounds, its
sidecar file and its CLI."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from ae_models.anatomy.aggregate import prior_log_density
from ae_models.anatomy.likelihood import iw_log_likelihood
from ae_models.anatomy.likelihood_file import (
    LikelihoodError,
    find_likelihood,
    likelihood_path_for,
    load_likelihood,
    save_likelihood,
    write_likelihood,
)
from ae_models.cli import main
from ae_models.datasets import load_split
from ae_models.evaluation import per_image_losses
from ae_models.files import sha256_of
from ae_models.library import weights_files
from ae_models.losses import reconstruction_error
from ae_models.pipeline import train_spec
from ae_models.weights import TrainedModel, load_model, save_model

from .conftest import WEIGHTS_DIR, tiny_spec


@pytest.fixture(scope="module")
def vae_1d() -> TrainedModel:
    spec = tiny_spec("vae", latent=1, epochs=2)
    return train_spec(spec)


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    return load_split("digits", "val").images[:24]


def _quadrature_log_likelihood(trained: TrainedModel, images: torch.Tensor) -> torch.Tensor:
    """log p(x) = log of the integral over z of p(x|z) p(z), by the trapezoid rule on a fine grid of the 1-D z."""
    grid = torch.linspace(-8, 8, 4001).unsqueeze(1)
    with torch.no_grad():
        logits = trained.network.decode_logits(grid)  # (G, H, W)
    log_joint = (
        torch.stack([-reconstruction_error(logits, image.expand_as(logits), "bce") for image in images])
        + prior_log_density(grid).float()
    )  # (N, G)
    step = float(grid[1, 0] - grid[0, 0])
    return torch.logsumexp(log_joint, dim=1) + math.log(step)


def test_iw_estimate_tends_to_the_true_likelihood_from_below(vae_1d: TrainedModel, images: torch.Tensor) -> None:
    truth = _quadrature_log_likelihood(vae_1d, images)
    estimates = {k: iw_log_likelihood(vae_1d.network, images, k).double() for k in (1, 10, 4000)}
    for k in (1, 10, 4000):  # a lower bound in expectation, so its mean stays below the truth's
        assert float(estimates[k].mean()) <= float(truth.mean()) + 0.02, k
    assert float(estimates[1].mean()) < float(estimates[10].mean()) < float(estimates[4000].mean())
    gap = estimates[4000] - truth.double()
    assert float(gap.mean()) == pytest.approx(0.0, abs=0.05)
    assert float(gap.abs().max()) < 0.25


def test_one_sample_is_the_elbo(vae_1d: TrainedModel, images: torch.Tensor) -> None:
    """L_1 = log p(x|z) + log p(z) - log q(z|x) for one draw: on average the ELBO, -(reconstruction + KL)."""
    recon, kl = per_image_losses(vae_1d.network, images.repeat(50, 1, 1))
    elbo = -float((recon + kl).mean())
    one_sample = float(iw_log_likelihood(vae_1d.network, images.repeat(50, 1, 1), 1).mean())
    assert one_sample == pytest.approx(elbo, abs=0.5)


def test_an_ae_and_a_bad_k_are_refused(tiny_ae: TrainedModel, vae_1d: TrainedModel, images: torch.Tensor) -> None:
    with pytest.raises(ValueError, match="AE has no q"):
        iw_log_likelihood(tiny_ae.network, images, 4)
    with pytest.raises(ValueError, match="at least 1"):
        iw_log_likelihood(vae_1d.network, images, 0)


def test_sidecar_round_trip_and_refusals(tmp_path: Path, vae_1d: TrainedModel) -> None:
    weights = save_model(vae_1d, tmp_path / "vae.safetensors")
    out = write_likelihood(weights, k=16)
    assert out == likelihood_path_for(weights) == tmp_path / "vae.likelihood.json"
    record = find_likelihood(weights, sha256_of(weights))
    assert record is not None and record.ks == (1, 8, 16) and record.n_images == 180
    assert record.iw_nll[0] > record.iw_nll[1] > record.iw_nll[2]  # tighter with k
    assert record.neg_elbo >= record.iw_nll[-1]
    with pytest.raises(FileExistsError):
        write_likelihood(weights, k=16)
    assert find_likelihood(weights, "0" * 64) is None  # made for other weights
    save_likelihood(replace(record, iw_nll=(1.0, 2.0)), out, force=True)  # one estimate short
    with pytest.raises(LikelihoodError, match="one per estimate"):
        load_likelihood(out)
    out.write_text(json.dumps({"format": "ae_models.likelihood/1", "neg_elbo": "NaN"}))
    with pytest.raises(LikelihoodError, match="cannot read"):
        load_likelihood(out)


def test_cli_evaluate_iw_and_likelihood(tmp_path: Path, vae_1d: TrainedModel, tiny_ae: TrainedModel, capsys) -> None:
    vae = save_model(vae_1d, tmp_path / "vae.safetensors")
    assert main(["evaluate", str(vae), "--iw", "8"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["iw_k"] == 8 and report["iw_neg_log_likelihood"] < report["neg_elbo"]
    ae = save_model(tiny_ae, tmp_path / "ae.safetensors")
    assert main(["likelihood", str(ae)]) == 2
    assert "an AE defines no likelihood" in capsys.readouterr().err
    assert not likelihood_path_for(ae).exists()
    assert main(["evaluate", str(vae), "--iw", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
    assert main(["likelihood", str(vae), "--k", "4"]) == 0 and likelihood_path_for(vae).exists()


def test_every_shipped_vae_has_its_likelihood_beside_it() -> None:
    """train-all writes them; a retrained VAE without one (or with a stale one) fails here."""
    vaes = [p for p in weights_files(WEIGHTS_DIR) if load_model(p).config.kind == "vae"]
    assert vaes
    for path in vaes:
        record = find_likelihood(path, sha256_of(path))
        assert record is not None, f"{path.name} has no valid likelihood file: python -m ae_models likelihood {path}"
        assert list(record.iw_nll) == sorted(record.iw_nll, reverse=True) and record.iw_nll[-1] < record.neg_elbo
        assert record.neg_elbo == pytest.approx(load_model(path).final_metrics.neg_elbo, rel=1e-4)
