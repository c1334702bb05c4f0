from pathlib import Path

import numpy as np
import pytest
import torch

from ae_models.config import DatasetInfo
from ae_models.datasets import split_indices
from ae_models.files import sha256_of
from ae_models.latent_maps import (
    MapError,
    build_map,
    ensure_map,
    find_map,
    load_map,
    map_locations,
    map_path_for,
    save_map,
)
from ae_models.samples import SampleError, draw_sample, held_out_by, load_sample, save_sample


@pytest.fixture(scope="module")
def digits_sample():
    return draw_sample("digits", size=300)


def test_sample_round_trip_quantises_to_uint8(tmp_path: Path, digits_sample) -> None:
    save_sample(digits_sample, tmp_path / "s.safetensors")
    loaded = load_sample(tmp_path / "s.safetensors")
    assert loaded.dataset == "digits" and len(loaded.images) == 300
    assert torch.allclose(loaded.images.images, digits_sample.images.images, atol=1 / 255)
    assert torch.equal(loaded.pool_index, digits_sample.pool_index)
    assert torch.equal(loaded.held_out, digits_sample.held_out)
    assert 0 < int(loaded.held_out.sum()) < 300


def test_sample_file_errors_are_typed(tmp_path: Path) -> None:
    (tmp_path / "bad.safetensors").write_bytes(b"garbage")
    with pytest.raises(SampleError):
        load_sample(tmp_path / "bad.safetensors")


def test_latent_two_map_is_the_codes(tmp_path: Path, vae_file: Path, tiny_vae, digits_sample) -> None:
    digest = sha256_of(vae_file)
    latent_map = build_map(tiny_vae.network, digits_sample, digest)
    assert latent_map.method == "latent"
    assert torch.equal(latent_map.coords, latent_map.codes)
    assert latent_map.logvar.shape == (300, 2)
    save_map(latent_map, map_path_for(vae_file))
    loaded = load_map(map_path_for(vae_file), digest)
    assert torch.equal(loaded.coords, latent_map.coords)
    with pytest.raises(MapError, match="other weights"):
        load_map(map_path_for(vae_file), "0" * 64)


def test_map_path_sits_beside_the_weights() -> None:
    assert map_path_for("weights/mnist_vae_z2.safetensors") == Path("weights/mnist_vae_z2.map.safetensors")


def test_ensure_map_computes_once_into_the_cache(tmp_path: Path, vae_file: Path, tiny_vae, digits_sample) -> None:
    cache = tmp_path / "cache"
    messages = []
    first = ensure_map(vae_file, tiny_vae.network, digits_sample, cache, messages.append)
    assert len(messages) == 1 and len(list(cache.iterdir())) == 1
    second = ensure_map(vae_file, tiny_vae.network, digits_sample, cache, messages.append)
    assert len(messages) == 1 and torch.equal(first.coords, second.coords)
    assert not map_path_for(vae_file).exists()


@pytest.mark.slow
def test_larger_latents_are_projected_with_umap(digits_sample) -> None:
    from ae_models.pipeline import train_spec

    from .conftest import tiny_spec

    trained = train_spec(tiny_spec("ae", latent=6, epochs=2))
    latent_map = build_map(trained.network, digits_sample, "x" * 64)
    assert latent_map.method == "umap"
    assert latent_map.coords.shape == (300, 2) and latent_map.codes.shape == (300, 6)
    assert torch.isfinite(latent_map.coords).all()


def test_held_out_rows_follow_each_models_own_split(digits_sample) -> None:
    pool = 1797  # scikit-learn's 8x8 digits
    default = DatasetInfo("digits", pool - 180, 180, 0.1, 0)
    assert torch.equal(held_out_by(digits_sample, [default]).held_out, digits_sample.held_out)
    other = DatasetInfo("digits", pool - 359, 359, 0.2, 7)
    _, val_idx = split_indices(pool, 0.2, 7)
    expected = torch.from_numpy(np.isin(digits_sample.pool_index.numpy(), val_idx))
    assert torch.equal(held_out_by(digits_sample, [other]).held_out, expected)
    assert torch.equal(held_out_by(digits_sample, [default, other]).held_out, expected & digits_sample.held_out)
    elsewhere = DatasetInfo("mnist-5k", 4500, 500, 0.5, 3)
    assert torch.equal(held_out_by(digits_sample, [elsewhere]).held_out, torch.ones(300, dtype=torch.bool))


def test_a_map_is_found_beside_the_weights_or_in_the_cache(tmp_path: Path, vae_file: Path, tiny_vae, digits_sample):
    digest = sha256_of(vae_file)
    cache = tmp_path / "maps"
    assert find_map(vae_file, digest, cache) is None
    ensure_map(vae_file, tiny_vae.network, digits_sample, cache)
    assert map_locations(vae_file, digest, cache)[-1].is_file() and not map_path_for(vae_file).exists()
    assert torch.equal(
        find_map(vae_file, digest, cache).codes, build_map(tiny_vae.network, digits_sample, digest).codes
    )
