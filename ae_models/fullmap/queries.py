"""What the map page asks of a full map: rows near a code, filters, placement (a selection's mean code is
latent_ops.mean_code over `full_map.codes`, the rule the sample's codes follow too)."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor

from ..latent_ops import nearest_neighbours, place_on_map
from .loader import FullMap
from .rows import SPLIT_NAMES


def nearest_rows(full_map: FullMap, code: Tensor, k: int, exclude_row: int | None = None) -> tuple[Tensor, Tensor]:
    """Global rows and Euclidean distances of the k codes nearest to `code` over ALL rows (exact, one cdist:
    a few ms for 70,000 x 16), nearest first; exclude_row skips the query's own row."""
    return nearest_neighbours(full_map.codes, code.to(full_map.codes.dtype), k, exclude_row)


def rows_matching(
    full_map: FullMap, classes: Iterable[int] | None = None, splits: Iterable[str] | None = None
) -> Tensor:
    """Global rows whose class is in `classes` and whose split name (SPLIT_NAMES) is in `splits`; None means any."""
    keep = torch.ones(len(full_map), dtype=torch.bool)
    if classes is not None:
        keep &= torch.isin(full_map.labels, torch.as_tensor(list(classes), dtype=torch.long))
    if splits is not None:
        codes = [SPLIT_NAMES.index(name) for name in splits]
        keep &= torch.isin(full_map.split, torch.as_tensor(codes, dtype=torch.uint8))
    return torch.nonzero(keep).flatten()


def place_codes(full_map: FullMap, new_codes: Tensor) -> Tensor:
    """Map coordinates (M, 2) of new codes (drawn or uploaded images, prior draws, a path): the codes themselves
    on a latent-2 map, else the inverse-distance average of their 10 nearest codes' positions among all rows
    (latent_ops.place_on_map; benchmarks/full_map_placement.py measures it against UMAP's transform)."""
    return place_on_map(new_codes.to(full_map.codes.dtype), full_map.codes, full_map.coords)
