"""What one epoch of a live run looks like: the held-out map, reconstructions of fixed held-out images and decodes
of fixed N(0, I) draws. The same images and the same draws every epoch, so the pictures differ only by training."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..datasets import LabeledImages
from ..latent_ops import decode_codes, prior_codes
from ..models import Autoencoder, encode_in_batches
from .records import SAMPLE_SEED

MAP_IMAGES = 1000  # held-out images on the map (all of them for the smaller datasets)
PRIOR_DRAWS = 16


def to_uint8(images: torch.Tensor) -> np.ndarray:
    return (images.detach().clamp(0, 1) * 255).round().to(torch.uint8).numpy()


@dataclass(frozen=True)
class FixedViews:
    """The inputs every epoch is shown on: held-out images for the map, one per class to rebuild, prior draws."""

    map_images: torch.Tensor
    map_labels: torch.Tensor
    originals: torch.Tensor
    prior: torch.Tensor

    @classmethod
    def of(cls, val: LabeledImages, latent_dim: int) -> FixedViews:
        firsts = [
            int(torch.nonzero(val.labels == c)[0]) for c in range(len(val.class_names)) if (val.labels == c).any()
        ]
        return cls(
            val.images[:MAP_IMAGES],
            val.labels[:MAP_IMAGES],
            val.images[firsts],
            prior_codes(PRIOR_DRAWS, latent_dim, SAMPLE_SEED),
        )


def plane_of(codes: np.ndarray, previous: np.ndarray | None) -> tuple[np.ndarray, float | None]:
    """The map's 2-D coordinates and, for codes wider than 2, the variance share the projection keeps.

    Wider codes are projected on their 2 principal components, refitted each epoch (the codes move as the model
    learns), then turned and mirrored, never stretched, onto the previous epoch's picture (orthogonal Procrustes,
    Schönemann 1966): a refit's axes can swap sign or rotate from one epoch to the next, which would read as motion
    the model never made."""
    if codes.shape[1] == 2:
        return codes.astype(np.float32), None
    from scipy.linalg import orthogonal_procrustes  # deferred: scikit-learn takes seconds to import, and a
    from sklearn.decomposition import PCA  # waiting worker should be ready sooner for the usual latent-2 runs

    pca = PCA(n_components=2, svd_solver="full").fit(codes)
    plane = pca.transform(codes)
    if previous is not None and np.isfinite(plane).all():
        rotation, _ = orthogonal_procrustes(plane - plane.mean(0), previous - previous.mean(0))
        plane = plane @ rotation
    return plane.astype(np.float32), float(pca.explained_variance_ratio_.sum())


@torch.no_grad()
def snapshot_views(
    model: Autoencoder, views: FixedViews, previous: np.ndarray | None
) -> tuple[np.ndarray, float | None, np.ndarray, np.ndarray]:
    """(map coordinates, share kept, reconstructions, prior decodes) of the model as it is now."""
    codes = encode_in_batches(model, views.map_images).mean.numpy()
    finite = bool(np.isfinite(codes).all())  # a diverged model has nothing to project
    coords, explained = plane_of(codes, previous) if finite else (codes[:, :2].astype(np.float32), None)
    return coords, explained, to_uint8(model.reconstruct(views.originals)), to_uint8(decode_codes(model, views.prior))
