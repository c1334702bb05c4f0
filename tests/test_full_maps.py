"""Full maps on the 8x8 digits (1,797 rows, no test set): the file format, float16 coordinates, refusals, split
marking, and the queries the map page makes over all rows."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors import safe_open

from ae_models.datasets import split_indices
from ae_models.files import sha256_of, write_tagged
from ae_models.fullmap import (
    SPLIT_NAMES,
    FullMapError,
    dataset_rows,
    full_map_path_for,
    load_full_map,
    nearest_rows,
    place_codes,
    rows_matching,
    write_full_map,
)
from ae_models.fullmap import build as build_module
from ae_models.fullmap.projection import Projection
from ae_models.fullmap.store import FULL_MAP_FORMAT, read_full_map_file
from ae_models.latent_ops import mean_code
from ae_models.models import encode_in_batches
from ae_models.weights import save_model

N_DIGITS = 1797


def _fake_umap(codes: torch.Tensor) -> tuple[torch.Tensor, Projection]:
    """A stand-in layout at UMAP's scale (spread over about -20..30): the file stores whatever the projection gave."""
    coords = codes[:, :2] * 7.0 + torch.tensor([5.0, -3.0]) + 0.001 * torch.arange(len(codes)).unsqueeze(1)
    return coords, Projection("umap", {"n_neighbors": 15}, 1.5, 1.25, {"umap-learn": "test"})


@pytest.fixture()
def ae_file(tmp_path: Path, tiny_ae) -> Path:
    path = tmp_path / "tiny_ae.safetensors"
    save_model(tiny_ae, path)
    return path


@pytest.fixture()
def umap_file(tmp_path: Path, tiny_ae, monkeypatch) -> Path:
    """Weights whose full map has a UMAP-style layout (stored as float16)."""
    path = tmp_path / "tiny_umap.safetensors"
    save_model(tiny_ae, path)
    monkeypatch.setattr(build_module, "project_all", _fake_umap)
    write_full_map(path)
    return path


def test_latent_two_map_stores_no_coordinates_and_loads_the_codes(vae_file: Path, tiny_vae) -> None:
    out = write_full_map(vae_file)
    assert out == full_map_path_for(vae_file) and out.name == "tiny_vae.fullmap.safetensors"
    with safe_open(str(out), framework="pt") as handle:
        assert set(handle.keys()) == {"probe_rows", "probe_codes"}
        metadata = handle.metadata()
    assert metadata["ae_models.format"] == FULL_MAP_FORMAT
    assert metadata["ae_models.weights_sha256"] == sha256_of(vae_file)
    assert json.loads(metadata["ae_models.projection"])["method"] == "latent"
    full = load_full_map(vae_file, tiny_vae)
    expected = encode_in_batches(tiny_vae.network, dataset_rows("digits").images.images)
    assert len(full) == N_DIGITS and full.is_plane and full.coords.dtype == torch.float32
    assert torch.equal(full.codes, expected.mean) and torch.equal(full.coords, expected.mean)
    assert full.logvar is not None and full.logvar.shape == (N_DIGITS, 2)
    assert torch.equal(full.labels, dataset_rows("digits").images.labels)


def test_umap_coordinates_round_trip_through_float16_within_the_stated_bound(umap_file: Path, tiny_ae) -> None:
    full = load_full_map(umap_file, tiny_ae)
    exact, projection = _fake_umap(full.codes)
    error = (full.coords - exact).abs()
    record = read_full_map_file(full_map_path_for(umap_file))
    assert record.coords.dtype == torch.float16 and record.coords.shape == (N_DIGITS, 2)
    assert float(error.max()) == pytest.approx(record.coord_max_error)
    magnitude = float(exact.abs().max())  # float16 keeps 11 significant bits: |x| < 2^k is within 2^(k-11)
    assert 0 < float(error.max()) <= 2.0 ** (np.ceil(np.log2(magnitude)) - 11)
    assert full.projection == projection and not full.is_plane
    assert full_map_path_for(umap_file).stat().st_size < N_DIGITS * 2 * 2 + 2000  # 4 bytes a row and a header


def test_split_follows_the_models_own_record(vae_file: Path, tiny_vae) -> None:
    write_full_map(vae_file)
    full = load_full_map(vae_file, tiny_vae)
    info = tiny_vae.dataset
    train_idx, val_idx = split_indices(N_DIGITS, info.val_fraction, info.split_seed)
    assert full.n_pool == N_DIGITS  # digits has no official test set
    assert [full.split_name(r) for r in val_idx[:3]] == ["validation"] * 3
    assert torch.equal(rows_matching(full, splits=["validation"]), torch.from_numpy(val_idx))
    assert torch.equal(rows_matching(full, splits=["training"]), torch.from_numpy(train_idx))
    assert len(rows_matching(full, splits=["test"])) == 0


def test_test_rows_follow_the_pool(monkeypatch) -> None:
    from ae_models.fullmap.rows import split_of_rows

    split = split_of_rows(50, 20, 0.2, 3)
    _, val_idx = split_indices(50, 0.2, 3)
    assert [SPLIT_NAMES[c] for c in split[50:].tolist()] == ["test"] * 20
    assert set(torch.nonzero(split == 1).flatten().tolist()) == set(val_idx.tolist())
    assert int((split[:50] == 0).sum()) == 50 - len(val_idx)


def _rewrite(path: Path, change) -> None:
    """Rewrite a map file in place after `change(tensors, metadata)`: a map that is well formed but wrong."""
    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata()
        tensors = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
    del metadata["ae_models.format"]
    change(tensors, metadata)
    write_tagged(path, tensors, FULL_MAP_FORMAT, metadata, force=True)


def test_a_map_for_other_weights_is_refused(vae_file: Path, ae_file: Path, tiny_ae) -> None:
    write_full_map(vae_file)
    full_map_path_for(vae_file).rename(full_map_path_for(ae_file))
    with pytest.raises(FullMapError, match=r"tiny_ae\.fullmap\.safetensors: made for other weights"):
        load_full_map(ae_file, tiny_ae)


def test_a_map_for_another_dataset_size_is_refused(vae_file: Path, tiny_vae) -> None:
    write_full_map(vae_file)
    _rewrite(
        full_map_path_for(vae_file),
        lambda tensors, metadata: metadata.update({"ae_models.n_rows": "1800", "ae_models.n_pool": "1800"}),
    )
    with pytest.raises(FullMapError, match=r"made for 1,800 images .* but digits has 1,797"):
        load_full_map(vae_file, tiny_vae)


def test_a_model_trained_on_another_pool_size_is_refused(vae_file: Path, tiny_vae) -> None:
    write_full_map(vae_file)
    other_pool = replace(tiny_vae, dataset=replace(tiny_vae.dataset, n_train=tiny_vae.dataset.n_train + 5))
    with pytest.raises(FullMapError, match=r"trained on a pool of 1,802 digits images; the dataset has 1,797"):
        load_full_map(vae_file, other_pool)


def test_a_map_of_other_images_is_refused(vae_file: Path, tiny_vae) -> None:
    write_full_map(vae_file)
    _rewrite(
        full_map_path_for(vae_file), lambda tensors, metadata: tensors.update(probe_codes=tensors["probe_codes"] + 0.01)
    )
    with pytest.raises(FullMapError, match="differ from those the map was made from"):
        load_full_map(vae_file, tiny_vae)


@pytest.mark.parametrize("payload", [b"garbage", b""])
def test_a_malformed_or_missing_map_is_one_typed_error(vae_file: Path, tiny_vae, payload: bytes) -> None:
    with pytest.raises(FullMapError, match=r"tiny_vae\.fullmap\.safetensors: cannot read"):
        load_full_map(vae_file, tiny_vae)  # missing
    full_map_path_for(vae_file).write_bytes(payload)
    with pytest.raises(FullMapError, match=r"tiny_vae\.fullmap\.safetensors: cannot read"):
        load_full_map(vae_file, tiny_vae)


def test_writing_refuses_to_overwrite_without_force(vae_file: Path) -> None:
    write_full_map(vae_file)
    with pytest.raises(FileExistsError):
        write_full_map(vae_file)
    write_full_map(vae_file, force=True)


def test_nearest_rows_search_all_rows_like_brute_force(umap_file: Path, tiny_ae) -> None:
    full = load_full_map(umap_file, tiny_ae)
    codes = full.codes.double().numpy()
    for row in (0, 917, N_DIGITS - 1):
        rows, distances = nearest_rows(full, full.codes[row], 12, exclude_row=row)
        brute = np.sqrt(((codes - codes[row]) ** 2).sum(1))
        brute[row] = np.inf
        order = np.argsort(brute, kind="stable")[:12]
        assert rows.tolist() == order.tolist()
        assert np.allclose(distances.numpy(), brute[order], atol=1e-5)


def test_mean_code_and_class_filter(vae_file: Path, tiny_vae) -> None:
    write_full_map(vae_file)
    full = load_full_map(vae_file, tiny_vae)
    sevens = rows_matching(full, classes=[7])
    assert len(sevens) == int((full.labels == 7).sum()) > 0 and bool((full.labels[sevens] == 7).all())
    assert torch.allclose(mean_code(full.codes, sevens), full.codes[full.labels == 7].mean(0))
    assert torch.allclose(mean_code(full.codes, [3, 5]), (full.codes[3] + full.codes[5]) / 2)


def test_placement_on_a_plane_is_the_code(vae_file: Path, tiny_vae) -> None:
    write_full_map(vae_file)
    plane = load_full_map(vae_file, tiny_vae)
    new_codes = torch.tensor([[0.5, -0.25], [3.0, 2.0]])
    assert torch.equal(place_codes(plane, new_codes), new_codes)


def test_placement_on_umap_starts_from_the_nearest_rows(umap_file: Path, tiny_ae) -> None:
    full = load_full_map(umap_file, tiny_ae)
    placed = place_codes(full, full.codes[[10, 20]])
    assert torch.allclose(placed, full.coords[[10, 20]], atol=1e-3)  # a row's own code lands on its own point


@pytest.mark.scenario  # UMAP's numba compile alone takes 15-40 s
def test_a_latent_six_model_gets_a_real_umap_layout_with_its_record(tmp_path: Path) -> None:
    from ae_models.pipeline import train_spec

    from .conftest import tiny_spec

    trained = train_spec(tiny_spec("ae", latent=6, epochs=2))
    path = tmp_path / "digits_ae_z6.safetensors"
    save_model(trained, path)
    write_full_map(path)
    full = load_full_map(path, trained)
    record = read_full_map_file(full_map_path_for(path))
    assert not full.is_plane and full.codes.shape == (N_DIGITS, 6) and full.coords.shape == (N_DIGITS, 2)
    assert full.projection.params["low_memory"] is True and full.projection.params["random_state"] == 0
    assert full.projection.fit_seconds > 0 and full.projection.fit_cpu_seconds > 0
    assert set(full.projection.versions) == {"umap-learn", "pynndescent", "numba", "numpy"}
    magnitude = float(full.coords.abs().max())
    assert record.coord_max_error <= 2.0 ** (np.ceil(np.log2(magnitude)) - 11)
