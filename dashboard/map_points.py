"""What the latent map page draws: a set of images by row (the evaluation sample, or every image of a dataset)
with their class and split, and for each model the 2-D position and code of each of those rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ae_models.fullmap import SPLIT_NAMES, FullMap
from ae_models.library import LibraryModel
from ae_models.samples import EvaluationSample


@dataclass(frozen=True)
class ShownImages:
    """Images, classes and splits by row; `split` indexes `split_names`."""

    images: torch.Tensor
    labels: np.ndarray
    split: np.ndarray
    split_names: tuple[str, ...]
    class_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def split_of(self, rows: np.ndarray | list[int]) -> list[str]:
        return [self.split_names[i] for i in self.split[np.asarray(rows, dtype=int)]]


@dataclass(frozen=True)
class MapPoints:
    """One model's map of the shown images: row i of `coords` and `codes` is row i of the ShownImages."""

    model: LibraryModel
    coords: np.ndarray
    codes: torch.Tensor
    is_plane: bool
    key: str  # the chart's widget key: one per model and set of images, so a selection names rows of that set

    @property
    def axis_names(self) -> tuple[str, str]:
        return ("z₁", "z₂") if self.is_plane else ("UMAP 1", "UMAP 2")


def sample_images(sample: EvaluationSample) -> ShownImages:
    """The evaluation sample: a row is held out (validation) when none of the models trained on it (see
    samples.held_out_by)."""
    return ShownImages(
        sample.images.images,
        sample.images.labels.numpy(),
        sample.held_out.numpy().astype(np.uint8),
        SPLIT_NAMES[:2],
        sample.images.class_names,
    )


def full_images(maps: Sequence[FullMap]) -> ShownImages:
    """Every image of the models' dataset; as for the sample, a pool row is training when any of the models
    trained on it (each model's split is its own), validation when none did, and the official test set is test."""
    first = maps[0]
    split = np.minimum.reduce([m.split.numpy() for m in maps])  # TRAINING < VALIDATION < TEST
    return ShownImages(first.images.images, first.labels.numpy(), split, SPLIT_NAMES, first.images.class_names)


def full_points(model: LibraryModel, full_map: FullMap) -> MapPoints:
    return MapPoints(model, full_map.coords.numpy(), full_map.codes, full_map.is_plane, f"fullmap-{model.sha256[:12]}")
