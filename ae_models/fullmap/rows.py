"""Every image of a dataset in one fixed order, and which split each row belongs to for a given model.

Global row r < n_pool is the pool's image r, the same index an evaluation sample's `pool_index` holds, so a sample
row maps onto the full map as it is; rows from n_pool on are the official test set in its file order. The split
follows the model's own record (datasets.split_indices with its val_fraction and split_seed), as training did.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
from torch import Tensor

from ..datasets import LabeledImages, load_source, split_indices
from ..samples import EvaluationSample

SPLIT_NAMES = ("training", "validation", "test")
TRAINING, VALIDATION, TEST = range(len(SPLIT_NAMES))


@functools.lru_cache(maxsize=2)
def dataset_rows(name: str) -> DatasetRows:
    """All images of a dataset (pool, then test), read once per process: the maps of one dataset share them
    (Fashion-MNIST's 70,000 float32 images are 220 MB; one copy for the four Fashion models)."""
    source = load_source(name)
    if source.test is None:
        return DatasetRows(source.pool, len(source.pool))
    pool, test = source.pool, source.test
    images = LabeledImages(
        name, torch.cat([pool.images, test.images]), torch.cat([pool.labels, test.labels]), pool.class_names
    )
    return DatasetRows(images, len(pool))


def split_of_rows(n_pool: int, n_test: int, val_fraction: float, split_seed: int) -> Tensor:
    """The split code (TRAINING, VALIDATION, TEST) of each global row, uint8 (N,)."""
    split = torch.full((n_pool + n_test,), TEST, dtype=torch.uint8)
    split[:n_pool] = TRAINING
    _, val_idx = split_indices(n_pool, val_fraction, split_seed)
    split[torch.from_numpy(val_idx)] = VALIDATION
    return split


def full_row_of(sample: EvaluationSample, row: int) -> int:
    """The full map's row of an evaluation sample's row: the same image (global row r is the pool's image r)."""
    return int(sample.pool_index[row])


def sample_row_of(sample: EvaluationSample, full_row: int) -> int | None:
    """The evaluation sample's row of a full map's row, or None when the sample does not hold that image."""
    found = torch.nonzero(sample.pool_index == full_row).flatten()
    return int(found[0]) if len(found) else None


@dataclass(frozen=True)
class DatasetRows:
    """A dataset's images in global-row order; the first n_pool rows are the training pool."""

    images: LabeledImages
    n_pool: int

    def __len__(self) -> int:
        return len(self.images)

    @property
    def n_test(self) -> int:
        return len(self.images) - self.n_pool
