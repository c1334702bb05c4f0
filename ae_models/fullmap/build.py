"""Make the full-map file of a weights file: encode every row of its dataset, project, store lean."""

from __future__ import annotations

from pathlib import Path

import torch

from ..files import check_target, sha256_of
from ..models import encode_in_batches
from ..serving import check_servable
from ..weights import TrainedModel, WeightsError, load_model
from .projection import project_all
from .rows import DatasetRows, dataset_rows
from .store import FullMapRecord, full_map_path_for, probe_rows_for, write_full_map_file


def pool_mismatch(trained: TrainedModel, rows: DatasetRows) -> str | None:
    """Why the model's recorded pool (n_train + n_val) is not the dataset's pool, which its split must mark; or None."""
    recorded = trained.dataset.n_train + trained.dataset.n_val
    if recorded == rows.n_pool:
        return None
    name = trained.dataset.name
    return f"the model was trained on a pool of {recorded:,} {name} images; the dataset has {rows.n_pool:,}"


def build_full_map(trained: TrainedModel, weights_sha256: str, rows: DatasetRows) -> FullMapRecord:
    """UMAP for latent sizes above 2 (a minute or two for 70,000 rows on one core; see README)."""
    codes = encode_in_batches(trained.network, rows.images.images).mean
    coords, projection = project_all(codes)
    coords16 = None if coords is None else coords.to(torch.float16)
    if coords16 is not None and not torch.isfinite(coords16).all():
        raise ValueError("UMAP coordinates exceed float16's range")  # UMAP layouts span tens of units, never 65,504
    error = 0.0 if coords is None else float((coords16.float() - coords).abs().max())
    probes = probe_rows_for(len(rows))
    return FullMapRecord(
        weights_sha256, rows.images.name, len(rows), rows.n_pool, projection, coords16, probes, codes[probes], error
    )


def write_full_map(weights_path: str | Path, force: bool = False) -> Path:
    """Write `<name>.fullmap.safetensors` beside the weights; an existing one is kept unless force is set."""
    weights_path = Path(weights_path)
    out = full_map_path_for(weights_path)
    check_target(out, force)  # before the minutes of UMAP, not after
    trained = load_model(weights_path)
    check_servable(str(weights_path), trained, datasets=None)
    rows = dataset_rows(trained.dataset.name)
    mismatch = pool_mismatch(trained, rows)
    if mismatch:
        raise WeightsError(weights_path, mismatch)
    write_full_map_file(build_full_map(trained, sha256_of(weights_path), rows), out, force)
    return out
