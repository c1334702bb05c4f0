"""Full maps: every image of a model's dataset on its 2-D latent map, not a 2,000-image sample.

One job per module: `rows` (the dataset's images in one fixed order, each marked training / validation / test),
`projection` (latent 2 is its own plane, larger codes go through UMAP fitted on every row), `store` (the lean file
beside the weights: float16 coordinates tied to the weights' SHA-256), `build` (make that file), `loader` (read it
back with the codes recomputed) and `queries` (neighbours over all rows, mean codes, placing new codes).

For a page: `full = load_full_map(weights_path, trained)` (FullMapError when missing or not for these weights),
then `full.coords`, `full.codes`, `full.labels`, `full.split` (SPLIT_NAMES codes), `full.images`, row r everywhere;
`nearest_rows(full, code, k, exclude_row)`, `rows_matching(full, classes, splits)`, `place_codes(full, new_codes)`;
a selection's mean code: `latent_ops.mean_code(full.codes, rows)`; the same image in a sample and on the full map:
`full_row_of(sample, row)`, `sample_row_of(sample, full_row)` (None when the sample lacks it).
"""

from __future__ import annotations

from .build import write_full_map
from .loader import FullMap, load_full_map
from .queries import nearest_rows, place_codes, rows_matching
from .rows import SPLIT_NAMES, DatasetRows, dataset_rows, full_row_of, sample_row_of
from .store import FullMapError, full_map_path_for, full_map_size

__all__ = [
    "SPLIT_NAMES",
    "DatasetRows",
    "FullMap",
    "FullMapError",
    "dataset_rows",
    "full_map_path_for",
    "full_map_size",
    "full_row_of",
    "load_full_map",
    "nearest_rows",
    "place_codes",
    "rows_matching",
    "sample_row_of",
    "write_full_map",
]
