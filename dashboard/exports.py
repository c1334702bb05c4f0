"""Data tables as CSV for download: what a presenter pastes into slides or a notebook."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

import numpy as np
import torch

from ae_models.latent_maps import LatentMap
from ae_models.samples import EvaluationSample


def safe_filename(text: str) -> str:
    """A download name every OS accepts: letters, digits, '-', '_' and '.' kept, anything else (':' in an upload's
    name, slashes, spaces) becomes '_'."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text).strip(".") or "download"


def csv_bytes(columns: Mapping[str, Sequence[object]]) -> bytes:
    """Equal-length columns -> UTF-8 CSV with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns.keys())
    writer.writerows(zip(*columns.values(), strict=True))
    return buffer.getvalue().encode()


def map_table_csv(latent_map: LatentMap, sample: EvaluationSample) -> bytes:
    """One row per evaluation image: where it sits on the map and its full code (and log-variance for a VAE)."""
    names = sample.images.class_names
    columns: dict[str, Sequence[object]] = {
        "row": range(len(sample.images)),
        "pool_index": sample.pool_index.tolist(),
        "class": [names[label] for label in sample.images.labels.tolist()],
        "held_out": sample.held_out.tolist(),
        "map_x": [round(v, 5) for v in latent_map.coords[:, 0].tolist()],
        "map_y": [round(v, 5) for v in latent_map.coords[:, 1].tolist()],
    }
    for dim in range(latent_map.codes.shape[1]):
        columns[f"z{dim + 1}"] = [round(v, 5) for v in latent_map.codes[:, dim].tolist()]
    if latent_map.logvar is not None:
        for dim in range(latent_map.logvar.shape[1]):
            columns[f"logvar{dim + 1}"] = [round(v, 5) for v in latent_map.logvar[:, dim].tolist()]
    return csv_bytes(columns)


def selection_csv(
    rows: Sequence[int], splits: Sequence[str], classes: Sequence[str], coords: np.ndarray, codes: torch.Tensor
) -> bytes:
    """The images of a map selection: their row, split and class, where they sit on the map and their code."""
    index = np.asarray(rows, dtype=int)
    columns: dict[str, Sequence[object]] = {
        "row": index.tolist(),
        "split": list(splits),
        "class": list(classes),
        "map_x": np.round(coords[index, 0].astype(float), 5).tolist(),
        "map_y": np.round(coords[index, 1].astype(float), 5).tolist(),
    }
    chosen = codes[torch.as_tensor(index, dtype=torch.long)].numpy().astype(float)
    for dim in range(chosen.shape[1]):
        columns[f"z{dim + 1}"] = np.round(chosen[:, dim], 5).tolist()
    return csv_bytes(columns)
