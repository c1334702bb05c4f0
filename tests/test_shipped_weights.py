"""The shipped weights: complete, loadable, tied to their maps, reproducing their numbers, meeting the quality bar."""

from __future__ import annotations

import pytest

from ae_models.catalog import shipped_specs
from ae_models.datasets import load_split
from ae_models.evaluation import evaluate
from ae_models.files import sha256_of
from ae_models.fullmap import SPLIT_NAMES, load_full_map
from ae_models.latent_maps import load_map, map_path_for
from ae_models.library import weights_files
from ae_models.samples import load_sample, sample_path
from ae_models.weights import load_model

from .conftest import REPO_ROOT

SHIPPED = REPO_ROOT / "weights"
SPECS = shipped_specs()


def test_the_folder_holds_exactly_the_catalog_and_stays_small() -> None:
    assert {p.name for p in weights_files(SHIPPED)} == {spec.filename for spec in SPECS}
    total = sum(p.stat().st_size for p in SHIPPED.rglob("*") if p.is_file())
    assert total < 80 * 2**20, f"weights/ is {total / 2**20:.1f} MiB; the issue asks for tens of MB"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_shipped_model_matches_its_spec_map_and_recorded_metrics(spec) -> None:
    path = SHIPPED / spec.filename
    trained = load_model(path)
    assert trained.config.kind == spec.model.kind and trained.config.latent_dim == spec.model.latent_dim
    assert trained.training == spec.training and trained.dataset.name == spec.dataset
    assert len(trained.history) == spec.training.epochs

    latent_map = load_map(map_path_for(path), sha256_of(path))
    sample = load_sample(sample_path(SHIPPED, spec.dataset))
    assert latent_map.coords.shape == (len(sample.images), 2)
    assert latent_map.method == ("latent" if spec.model.latent_dim == 2 else "umap")

    info = trained.dataset
    val = load_split(info.name, "val", info.val_fraction, info.split_seed)
    assert len(val) == info.n_val
    again = evaluate(trained.network, val.images, trained.training.reconstruction_loss)
    recorded = trained.final_metrics
    assert again.n_images == recorded.n_images
    assert again.reconstruction == pytest.approx(recorded.reconstruction, rel=1e-4)
    if recorded.kl is not None:
        assert again.kl == pytest.approx(recorded.kl, rel=1e-4)
    assert trained.history[-1].val_reconstruction == pytest.approx(recorded.reconstruction, rel=1e-4)


def _metrics(name: str):
    return load_model(SHIPPED / f"{name}.safetensors").final_metrics


def test_mnist_vaes_beat_the_reference_models_on_held_out_digits() -> None:
    # anchors (same 5k digits, held-out scoring): book 784-256-2 VAE 163.6, pytorch/examples 784-400-20 VAE 110.3
    assert _metrics("mnist_vae_z2").neg_elbo <= 152
    assert _metrics("mnist_vae_z16").neg_elbo <= 100


def test_fashion_vaes_beat_the_plain_mlp_recipe_on_the_official_test_set() -> None:
    # anchors (Fashion-MNIST's 10,000 test images, this project's own train): the pytorch/examples 784-400 MLP VAE
    # at latent 16 scores 244.7 after 10 epochs and 241.8 after 30; the MLP-256 VAEs shipped before, 265.6 at
    # latent 2 and 245.6 at latent 16
    test = load_split("fashion-mnist", "test").images
    scores = {z: evaluate(load_model(SHIPPED / f"fashion_vae_z{z}.safetensors").network, test) for z in (2, 16)}
    assert scores[16].n_images == 10_000
    assert scores[16].neg_elbo <= 238
    assert scores[2].neg_elbo < 265.6


def test_the_latent_two_ae_reconstructs_better_than_the_vae() -> None:
    assert _metrics("mnist_ae_z2").reconstruction < _metrics("mnist_vae_z2").reconstruction


def test_the_beta_sweep_trades_rate_for_distortion() -> None:
    sweep = sorted((s.training.beta, _metrics(s.name)) for s in SPECS if s.name.startswith("mnist_sweep"))
    kls = [m.kl for _, m in sweep]
    recons = [m.reconstruction for _, m in sweep]
    assert kls == sorted(kls, reverse=True), "more beta, less KL"
    assert recons == sorted(recons), "more beta, worse reconstruction"


# Fashion's four maps read 70,000 images and encode them four times (about 20 s): `make scenario-test` runs them
FULL_MAP_SPECS = [
    pytest.param(s, marks=pytest.mark.scenario) if s.dataset == "fashion-mnist" else s for s in SPECS
]  # fmt: skip


@pytest.mark.parametrize("spec", FULL_MAP_SPECS, ids=lambda s: s.name)
def test_shipped_full_map_covers_every_image_marked_by_split(spec) -> None:
    path = SHIPPED / spec.filename
    trained = load_model(path)
    full = load_full_map(path, trained)
    info = trained.dataset
    counts = [int((full.split == code).sum()) for code in range(len(SPLIT_NAMES))]
    test_rows = len(full) - info.n_train - info.n_val
    assert counts == [info.n_train, info.n_val, test_rows] and full.coords.shape == (len(full), 2)
    assert full.is_plane == (spec.model.latent_dim == 2)
    assert (len(full), full.n_pool) == {"mnist-5k": (5000, 5000), "fashion-mnist": (70000, 60000)}[spec.dataset]
