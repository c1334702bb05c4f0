"""A fixed evaluation sample per dataset, stored as uint8 safetensors so the dashboard needs no dataset install."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from .config import DatasetInfo
from .datasets import LabeledImages, load_source, split_indices
from .files import UnreadableFile, per_dataset_path, read_tagged, write_tagged

SAMPLE_FORMAT = "ae_models.sample/1"
DEFAULT_SAMPLE_SIZE = 2000


class SampleError(ValueError):
    """A sample file that is missing or malformed."""


@dataclass(frozen=True)
class EvaluationSample:
    """Images drawn from a dataset's pool; `held_out` marks those in the validation split."""

    images: LabeledImages
    pool_index: torch.Tensor
    held_out: torch.Tensor

    @property
    def dataset(self) -> str:
        return self.images.name

    def example_rows(self, per_class: int = 1, held_out_only: bool = True) -> list[int]:
        """Rows to show as examples: the first few of each class, held-out images where possible."""
        eligible = self.held_out if held_out_only and bool(self.held_out.any()) else torch.ones_like(self.held_out)
        rows = []
        for label in range(len(self.images.class_names)):
            matches = torch.nonzero((self.images.labels == label) & eligible).flatten()[:per_class]
            rows.extend(matches.tolist())
        return rows


def draw_sample(
    dataset: str, size: int = DEFAULT_SAMPLE_SIZE, seed: int = 0, val_fraction: float = 0.1, split_seed: int = 0
) -> EvaluationSample:
    pool = load_source(dataset).pool
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(len(pool), size=min(size, len(pool)), replace=False))
    _, val_idx = split_indices(len(pool), val_fraction, split_seed)
    held_out = torch.from_numpy(np.isin(chosen, val_idx))
    return EvaluationSample(pool.subset(chosen), torch.from_numpy(chosen), held_out)


def held_out_by(sample: EvaluationSample, splits: Iterable[DatasetInfo]) -> EvaluationSample:
    """The sample with `held_out` marking only images that none of these models trained on.

    Each split is a model's own record (its pool of n_train + n_val images, val_fraction and split_seed), so a
    model trained with another split than the sample was drawn with still gets its true held-out images.
    Records of other datasets are ignored.
    """
    held_out = torch.ones_like(sample.held_out)
    for info in splits:
        if info.name == sample.dataset:
            _, val_idx = split_indices(info.n_train + info.n_val, info.val_fraction, info.split_seed)
            held_out &= torch.from_numpy(np.isin(sample.pool_index.numpy(), val_idx))
    return replace(sample, held_out=held_out)


def is_whole_pool(sample: EvaluationSample, splits: Iterable[DatasetInfo]) -> bool:
    """Whether the sample holds every image of the pool these models drew their train and validation images from
    (a small dataset such as digits' 1,797 is smaller than the sample size): then it is no sample to speak of."""
    return any(info.name == sample.dataset and info.n_train + info.n_val == len(sample.images) for info in splits)


def sample_path(weights_dir: str | Path, dataset: str) -> Path:
    return per_dataset_path(weights_dir, "samples", dataset, ".safetensors")


def save_sample(sample: EvaluationSample, path: str | Path, force: bool = False) -> None:
    tensors = {
        "images": (sample.images.images * 255).round().to(torch.uint8),
        "labels": sample.images.labels,
        "pool_index": sample.pool_index,
        "held_out": sample.held_out.to(torch.uint8),
    }
    metadata = {
        "ae_models.dataset": sample.dataset,
        "ae_models.class_names": json.dumps(list(sample.images.class_names)),
    }
    write_tagged(path, tensors, SAMPLE_FORMAT, metadata, force)


def load_sample(path: str | Path) -> EvaluationSample:
    try:
        metadata, tensors = read_tagged(path, SAMPLE_FORMAT)
        images = LabeledImages(
            metadata["ae_models.dataset"],
            tensors["images"].float() / 255.0,
            tensors["labels"].long(),
            tuple(json.loads(metadata["ae_models.class_names"])),
        )
        return EvaluationSample(images, tensors["pool_index"].long(), tensors["held_out"].bool())
    except (UnreadableFile, KeyError, ValueError, json.JSONDecodeError) as err:
        raise SampleError(f"{path}: cannot read evaluation sample ({err})") from None
