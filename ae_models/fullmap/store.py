"""The full-map file beside a weights file (`<name>.fullmap.safetensors`): only what cannot be recomputed fast.

Tensors: `coords` (N, 2) float16 for UMAP maps (absent for latent 2, whose map is the codes), and `probe_rows` /
`probe_codes`, the float32 codes of 16 evenly spaced rows, so a loader whose recomputed codes differ (other images
under the same dataset name and size) is refused instead of showing codes beside a layout made from others.
Metadata (str -> JSON str under `ae_models.`): the weights' SHA-256, the dataset, its row count and pool size, the
projection (method, UMAP parameters, fit wall and CPU seconds, versions) and the coordinates' largest rounding error.

float16 keeps 11 significant bits: a coordinate of magnitude below 2^k is stored within 2^(k-11) map units, so a
UMAP map inside +-32 (all shipped ones) is within 2^-7 = 0.0078 units, about a tenth of a pixel on a 600-pixel
wide map of a 40-unit extent. The exact largest error of each file is in its metadata (`coord_max_error`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from ..files import UnreadableFile, read_tagged, write_tagged
from .projection import Projection

FULL_MAP_FORMAT = "ae_models.full_map/1"
FULL_MAP_SUFFIX = ".fullmap.safetensors"
N_PROBES = 16
_KEY = "ae_models."


class FullMapError(ValueError):
    """A full-map file that is missing, malformed, or made for other weights or another dataset size."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def full_map_path_for(weights_path: str | Path) -> Path:
    weights_path = Path(weights_path)
    return weights_path.with_name(weights_path.name.removesuffix(".safetensors") + FULL_MAP_SUFFIX)


def full_map_size(weights_path: str | Path) -> int:
    """How many rows the full map beside a weights file has, from that file alone (FullMapError when it cannot
    be read): enough to check a row from a link without loading the map."""
    return read_full_map_file(full_map_path_for(weights_path)).n_rows


def probe_rows_for(n_rows: int) -> Tensor:
    return torch.linspace(0, n_rows - 1, min(N_PROBES, n_rows)).round().long()


def write_full_map_file(record: FullMapRecord, path: str | Path, force: bool = False) -> None:
    tensors = {"probe_rows": record.probe_rows, "probe_codes": record.probe_codes}
    if record.coords is not None:
        tensors["coords"] = record.coords
    projection = record.projection
    metadata = {
        _KEY + "weights_sha256": record.weights_sha256,
        _KEY + "dataset": record.dataset,
        _KEY + "n_rows": json.dumps(record.n_rows),
        _KEY + "n_pool": json.dumps(record.n_pool),
        _KEY + "projection": json.dumps(
            {
                "method": projection.method,
                "params": projection.params,
                "fit_seconds": projection.fit_seconds,
                "fit_cpu_seconds": projection.fit_cpu_seconds,
                "versions": projection.versions,
            }
        ),
        _KEY + "coord_max_error": json.dumps(record.coord_max_error),
    }
    write_tagged(path, tensors, FULL_MAP_FORMAT, metadata, force)


def read_full_map_file(path: str | Path) -> FullMapRecord:
    """Read and check a full-map file's own consistency; every failure is a FullMapError naming the file."""
    try:
        metadata, tensors = read_tagged(path, FULL_MAP_FORMAT)
        projection = json.loads(metadata[_KEY + "projection"])
        record = FullMapRecord(
            weights_sha256=metadata[_KEY + "weights_sha256"],
            dataset=metadata[_KEY + "dataset"],
            n_rows=int(json.loads(metadata[_KEY + "n_rows"])),
            n_pool=int(json.loads(metadata[_KEY + "n_pool"])),
            projection=Projection(
                str(projection["method"]),
                dict(projection["params"]),
                float(projection["fit_seconds"]),
                float(projection["fit_cpu_seconds"]),
                dict(projection["versions"]),
            ),
            coords=tensors.get("coords"),
            probe_rows=tensors["probe_rows"],
            probe_codes=tensors["probe_codes"],
            coord_max_error=float(json.loads(metadata[_KEY + "coord_max_error"])),
        )
    except (UnreadableFile, KeyError, TypeError, ValueError) as err:  # json.JSONDecodeError is a ValueError
        raise FullMapError(path, f"cannot read the full map ({type(err).__name__}: {err})") from None
    problem = _inconsistency(record)
    if problem:
        raise FullMapError(path, problem)
    return record


def _inconsistency(record: FullMapRecord) -> str | None:
    """What makes a parsed record unusable, or None."""
    if not 0 < record.n_pool <= record.n_rows:
        return f"pool size {record.n_pool} does not fit {record.n_rows} rows"
    if record.projection.method not in ("latent", "umap"):
        return f"unknown projection method {record.projection.method!r}"
    if (record.coords is None) != (record.projection.method == "latent"):
        return "coordinates must be stored for a UMAP map and only for one"
    if record.coords is not None:
        if record.coords.dtype != torch.float16 or record.coords.shape != (record.n_rows, 2):
            return (
                f"coords are {record.coords.dtype} {tuple(record.coords.shape)}, expected float16 ({record.n_rows}, 2)"
            )
        if not torch.isfinite(record.coords).all():
            return "coords hold NaN or infinite values"
    rows, codes = record.probe_rows, record.probe_codes
    if rows.dtype != torch.int64 or rows.ndim != 1 or codes.dtype != torch.float32 or codes.shape[:1] != rows.shape:
        return "probe_rows / probe_codes are malformed"
    if len(rows) and (int(rows.min()) < 0 or int(rows.max()) >= record.n_rows):
        return "probe_rows point outside the map's rows"
    return None


@dataclass(frozen=True)
class FullMapRecord:
    """What a full-map file holds: coords (N, 2) float16 or None for latent 2, and the probe codes."""

    weights_sha256: str
    dataset: str
    n_rows: int
    n_pool: int
    projection: Projection
    coords: Tensor | None
    probe_rows: Tensor
    probe_codes: Tensor
    coord_max_error: float
