"""A full map ready to draw and query: the stored layout with every row's code recomputed (about a second for
70,000 Fashion-MNIST images through the MLP), checked against the weights and the dataset it was made for.

Cache-friendly: a FullMap is immutable and holds no open file; a server loads each once (the dashboard wraps
load_full_map in its resource cache) and the maps of one dataset share its images (rows.dataset_rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from ..datasets import DatasetError, LabeledImages
from ..files import sha256_of
from ..models import encode_in_batches
from ..weights import TrainedModel
from .build import pool_mismatch
from .projection import Projection
from .rows import SPLIT_NAMES, dataset_rows, split_of_rows
from .store import FullMapError, full_map_path_for, read_full_map_file

PROBE_TOLERANCE = 1e-3  # recomputed codes agree far closer than this across thread counts and CPUs


def load_full_map(weights_path: str | Path, trained: TrainedModel) -> FullMap:
    """The full map beside a weights file, for that model (loaded from that file). Raises FullMapError naming the
    map file when it is missing or malformed, or was made for other weights, another dataset or another size."""
    path = full_map_path_for(weights_path)
    record = read_full_map_file(path)
    digest = sha256_of(weights_path)
    if record.weights_sha256 != digest:
        raise FullMapError(
            path, f"made for other weights (SHA-256 {record.weights_sha256[:12]}...), not {digest[:12]}..."
        )
    name = trained.dataset.name
    if record.dataset != name:
        raise FullMapError(path, f"made for the dataset {record.dataset!r}, but the model was trained on {name!r}")
    try:
        rows = dataset_rows(name)
    except DatasetError as err:
        raise FullMapError(path, f"its dataset cannot be read ({err})") from None
    mismatch = pool_mismatch(trained, rows)
    if mismatch:
        raise FullMapError(path, mismatch)
    if (record.n_rows, record.n_pool) != (len(rows), rows.n_pool):
        raise FullMapError(
            path,
            f"made for {record.n_rows:,} images ({record.n_pool:,} in the pool), "
            f"but {name} has {len(rows):,} ({rows.n_pool:,} in the pool)",
        )
    encoding = encode_in_batches(trained.network, rows.images.images)
    recomputed = encoding.mean[record.probe_rows]
    if recomputed.shape != record.probe_codes.shape or not torch.allclose(
        recomputed, record.probe_codes, rtol=PROBE_TOLERANCE, atol=PROBE_TOLERANCE
    ):
        raise FullMapError(path, f"the codes of {name}'s images differ from those the map was made from")
    coords = encoding.mean.clone() if record.coords is None else record.coords.float()
    info = trained.dataset
    split = split_of_rows(rows.n_pool, rows.n_test, info.val_fraction, info.split_seed)
    return FullMap(path, coords, encoding.mean, encoding.logvar, split, rows.images, rows.n_pool, record.projection)


@dataclass(frozen=True)
class FullMap:
    """Every image of a model's dataset on its map. Row r is global row r everywhere: coords[r], codes[r],
    split[r], images.images[r] and images.labels[r]; rows below n_pool are the pool's images (an evaluation
    sample's pool_index), the rest the official test set. coords (N, 2) float32, codes/logvar (N, latent)."""

    path: Path
    coords: Tensor
    codes: Tensor
    logvar: Tensor | None
    split: Tensor
    images: LabeledImages
    n_pool: int
    projection: Projection

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def labels(self) -> Tensor:
        return self.images.labels

    @property
    def dataset(self) -> str:
        return self.images.name

    @property
    def is_plane(self) -> bool:
        """The map is the latent plane itself (latent 2), not a UMAP layout."""
        return self.projection.method == "latent"

    def split_name(self, row: int) -> str:
        return SPLIT_NAMES[int(self.split[row])]
