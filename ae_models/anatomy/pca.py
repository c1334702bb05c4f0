"""The PCA baseline: the book notes that an autoencoder with one weight matrix per network is close to PCA (a
linear AE trained on squared error spans the principal subspace, Baldi & Hornik 1989). Fitted with scikit-learn
on the same training split as the shipped models and stored as `pca/<dataset>.safetensors` beside the weights.

PCA's components are nested, so one file of MAX_COMPONENTS serves every latent size up to it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from sklearn.decomposition import PCA
from torch import Tensor

from ..datasets import load_split
from ..files import UnreadableFile, per_dataset_path, read_tagged, write_tagged
from ..latent_ops import interpolate
from ..models import Autoencoder

PCA_FORMAT = "ae_models.pca/1"
MAX_COMPONENTS = 32
CHART_SIZES = (2, 4, 8, 16, 32)


class PcaError(ValueError):
    """A PCA file that is missing or malformed."""


@dataclass(frozen=True)
class PcaBasis:
    """The training images' mean and their first principal directions (rows, unit length, by variance)."""

    dataset: str
    mean: Tensor
    components: Tensor
    image_shape: tuple[int, int]

    def encode(self, images: Tensor, size: int) -> Tensor:
        """(N, size) coordinates of the images along the first `size` components."""
        self._check(size)
        return (images.flatten(1) - self.mean) @ self.components[:size].T

    def decode(self, codes: Tensor) -> Tensor:
        """(N, H, W) images back from coordinates (not clipped: PCA knows nothing of [0, 1])."""
        self._check(codes.shape[1])
        return (codes @ self.components[: codes.shape[1]] + self.mean).reshape(-1, *self.image_shape)

    def reconstruct(self, images: Tensor, size: int) -> Tensor:
        return self.decode(self.encode(images, size))

    def _check(self, size: int) -> None:
        if not 1 <= size <= len(self.components):
            raise ValueError(f"this PCA has {len(self.components)} components; asked for {size}")


def interpolate_images(basis: PcaBasis, start: Tensor, end: Tensor, size: int, steps: int) -> Tensor:
    """(steps, H, W) images on the straight line between two images' PCA codes, both ends included, not clipped.

    PCA decodes linearly, so each frame is (1 - t) * start' + t * end' of the two images' reconstructions: a
    cross-fade that can only overlay the endpoints' shapes, never pass through a third one as a nonlinear decoder
    may (the comparison the book draws between a linear and a deep autoencoder).
    """
    codes = basis.encode(torch.stack([start, end]), size)
    return basis.decode(interpolate(codes[0], codes[1], steps, "linear"))


def squared_error(images: Tensor, reconstructions: Tensor) -> Tensor:
    """(N,) squared error summed over pixels: what PCA minimises, so the fair common yardstick for all three."""
    return (images - reconstructions).flatten(1).pow(2).sum(dim=1)


def fit_pca(dataset: str, val_fraction: float = 0.1, split_seed: int = 0) -> PcaBasis:
    train = load_split(dataset, "train", val_fraction, split_seed)
    flat = train.images.flatten(1).numpy()
    pca = PCA(n_components=min(MAX_COMPONENTS, *flat.shape), svd_solver="randomized", random_state=0).fit(flat)
    return PcaBasis(
        dataset, torch.from_numpy(pca.mean_).float(), torch.from_numpy(pca.components_).float(), train.image_shape
    )


def pca_path(weights_dir: str | Path, dataset: str) -> Path:
    return per_dataset_path(weights_dir, "pca", dataset, ".safetensors")


def save_pca(basis: PcaBasis, path: str | Path, force: bool = False) -> None:
    metadata = {"ae_models.dataset": basis.dataset, "ae_models.image_shape": json.dumps(list(basis.image_shape))}
    write_tagged(path, {"mean": basis.mean, "components": basis.components}, PCA_FORMAT, metadata, force)


def load_pca(path: str | Path) -> PcaBasis:
    try:
        metadata, tensors = read_tagged(path, PCA_FORMAT)
        height, width = (int(v) for v in json.loads(metadata["ae_models.image_shape"]))
        mean, components = tensors["mean"].float(), tensors["components"].float()
        if mean.shape != (height * width,) or components.ndim != 2 or components.shape[1] != height * width:
            raise ValueError(f"mean {tuple(mean.shape)} and components {tuple(components.shape)} do not fit the image")
        if not (torch.isfinite(mean).all() and torch.isfinite(components).all()):
            raise ValueError("holds NaN or infinite values")
    except (UnreadableFile, KeyError, ValueError, TypeError) as err:
        raise PcaError(f"{path}: cannot read PCA basis ({err})") from None
    return PcaBasis(metadata["ae_models.dataset"], mean, components, (height, width))


def model_squared_error(network: Autoencoder, images: Tensor) -> float:
    """Mean squared error per image of a model's reconstructions through the code mean, as PCA is scored."""
    return float(squared_error(images, network.reconstruct(images)).mean())


def pca_squared_errors(basis: PcaBasis, images: Tensor, sizes: Sequence[int]) -> dict[int, float]:
    """Mean squared error per image of PCA's reconstructions at each size (up to its component count)."""
    return {size: float(squared_error(images, basis.reconstruct(images, size)).mean()) for size in sizes
            if size <= len(basis.components)}  # fmt: skip
