"""What the latent map page draws: a set of images by row (the evaluation sample, or every image of a dataset)
with their class and split, and for each model the 2-D position and code of each of those rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ae_models.library import LibraryModel
from ae_models.samples import EvaluationSample

SAMPLE_SPLITS = ("training", "validation")  # a sample image is held out when none of the models trained on it


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

    @property
    def axis_names(self) -> tuple[str, str]:
        return ("z₁", "z₂") if self.is_plane else ("UMAP 1", "UMAP 2")

    @property
    def key(self) -> str:
        """The chart's widget key: one per model, the same whichever images are shown, so a click keeps working."""
        return f"map-{self.model.sha256[:12]}"


def sample_images(sample: EvaluationSample) -> ShownImages:
    """The evaluation sample (its held-out rows marked by the models' own splits, see samples.held_out_by)."""
    return ShownImages(
        sample.images.images,
        sample.images.labels.numpy(),
        sample.held_out.numpy().astype(np.int8),
        SAMPLE_SPLITS,
        sample.images.class_names,
    )
