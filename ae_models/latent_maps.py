"""2-D maps of an evaluation sample's codes: the codes themselves for latent 2, a UMAP projection otherwise.

A map is stored beside its weights and tied to the weights file's SHA-256, so a page can show it without
ever fitting UMAP in a request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from .files import UnreadableFile, read_tagged, sha256_of, write_tagged
from .models import Autoencoder, Encoding, encode_in_batches
from .samples import EvaluationSample

MAP_FORMAT = "ae_models.latent_map/1"
MAP_SUFFIX = ".map.safetensors"
UMAP_PARAMS = {"n_neighbors": 15, "min_dist": 0.1, "metric": "euclidean", "random_state": 0}


class MapError(ValueError):
    """A map file that is missing, malformed or made for other weights."""


@dataclass(frozen=True)
class LatentMap:
    """Per-sample-image code means (and log-variances for a VAE) and their 2-D coordinates."""

    coords: torch.Tensor
    codes: torch.Tensor
    logvar: torch.Tensor | None
    method: str
    weights_sha256: str
    dataset: str

    @property
    def encoding(self) -> Encoding:
        """The codes as the encoder gave them, so callers read sigma from Encoding rather than redo the exp."""
        return Encoding(self.codes, self.logvar)


def project_to_plane(codes: torch.Tensor) -> tuple[torch.Tensor, str]:
    """Latent 2 is its own map; larger codes go through UMAP (slow first call: numba compiles)."""
    if codes.shape[1] == 2:
        return codes.clone(), "latent"
    import umap  # deferred: importing umap costs seconds of numba compilation

    reducer = umap.UMAP(n_components=2, **UMAP_PARAMS)
    return torch.from_numpy(reducer.fit_transform(codes.numpy())).float(), "umap"


def map_path_for(weights_path: str | Path) -> Path:
    weights_path = Path(weights_path)
    return weights_path.with_name(weights_path.name.removesuffix(".safetensors") + MAP_SUFFIX)


def build_map(model: Autoencoder, sample: EvaluationSample, weights_sha256: str) -> LatentMap:
    encoding = encode_in_batches(model, sample.images.images)
    coords, method = project_to_plane(encoding.mean)
    return LatentMap(coords, encoding.mean, encoding.logvar, method, weights_sha256, sample.dataset)


def save_map(latent_map: LatentMap, path: str | Path, force: bool = False) -> None:
    tensors = {"coords": latent_map.coords, "codes": latent_map.codes}
    if latent_map.logvar is not None:
        tensors["logvar"] = latent_map.logvar
    metadata = {
        "ae_models.method": latent_map.method,
        "ae_models.weights_sha256": latent_map.weights_sha256,
        "ae_models.dataset": latent_map.dataset,
        "ae_models.umap_params": json.dumps(UMAP_PARAMS),
    }
    write_tagged(path, tensors, MAP_FORMAT, metadata, force)


def load_map(path: str | Path, expected_sha256: str | None = None) -> LatentMap:
    """Read a map; with expected_sha256, refuse one that was made for different weights."""
    try:
        metadata, tensors = read_tagged(path, MAP_FORMAT)
        latent_map = LatentMap(
            tensors["coords"],
            tensors["codes"],
            tensors.get("logvar"),
            metadata["ae_models.method"],
            metadata["ae_models.weights_sha256"],
            metadata["ae_models.dataset"],
        )
    except (UnreadableFile, KeyError, ValueError) as err:
        raise MapError(f"{path}: cannot read latent map ({err})") from None
    if expected_sha256 is not None and latent_map.weights_sha256 != expected_sha256:
        raise MapError(f"{path}: made for other weights (SHA-256 {latent_map.weights_sha256[:12]}...), not these")
    if latent_map.coords.shape != (len(latent_map.codes), 2):
        raise MapError(
            f"{path}: coords have shape {tuple(latent_map.coords.shape)}, expected ({len(latent_map.codes)}, 2)"
        )
    return latent_map


def map_locations(weights_path: str | Path, weights_sha256: str, cache_dir: str | Path) -> list[Path]:
    """Where a model's map may live, in the order to look: beside its weights, then in the cache by its digest."""
    return [map_path_for(weights_path), Path(cache_dir) / f"{weights_sha256}{MAP_SUFFIX}"]


def find_map(weights_path: str | Path, weights_sha256: str, cache_dir: str | Path) -> LatentMap | None:
    """A valid map for these weights already on disk, else None; never computes one."""
    for candidate in map_locations(weights_path, weights_sha256, cache_dir):
        try:
            return load_map(candidate, weights_sha256)
        except MapError:
            continue
    return None


def ensure_map(
    weights_path: str | Path,
    model: Autoencoder,
    sample: EvaluationSample,
    cache_dir: str | Path,
    on_status: Callable[[str], None] | None = None,
) -> LatentMap:
    """The map for these weights: beside them if valid, else in cache_dir, else computed and cached there.

    Only the cache file (named by the SHA-256) is ever written, so nothing beside the weights is touched.
    """
    digest = sha256_of(weights_path)
    ready = find_map(weights_path, digest, cache_dir)
    if ready is not None:
        return ready
    if on_status is not None:
        on_status("computing the 2-D map of the evaluation sample (UMAP for latent sizes above 2)")
    latent_map = build_map(model, sample, digest)
    save_map(latent_map, map_locations(weights_path, digest, cache_dir)[-1], force=True)
    return latent_map
