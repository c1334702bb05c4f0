"""Operations on latent codes that the pages show: interpolation, sampling, neighbours, grids, placement."""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import Tensor

from .models import Autoencoder

Interpolation = Literal["linear", "spherical"]
EXACT = "donot_use_mm_for_euclid_dist"  # the matmul shortcut loses ~1e-3 of precision, enough to reorder ties


@torch.no_grad()
def decode_codes(model: Autoencoder, codes: Tensor) -> Tensor:
    """Codes (N, latent) -> images (N, H, W) in [0, 1]."""
    model.eval()
    return model.decode(codes.to(torch.float32))


def interpolate(start: Tensor, end: Tensor, steps: int, method: Interpolation = "linear") -> Tensor:
    """`steps` codes from start to end, both included.

    Spherical interpolation keeps the norm near that of typical prior samples, which for high-dimensional
    Gaussians sit on a shell; the straight line cuts through the low-density middle.
    """
    if steps < 2:
        raise ValueError("an interpolation needs at least 2 steps")
    t = torch.linspace(0.0, 1.0, steps).unsqueeze(1)
    if method == "linear":
        return (1 - t) * start + t * end
    if method != "spherical":
        raise ValueError(f"unknown interpolation {method!r}; use 'linear' or 'spherical'")
    cos_omega = torch.dot(start, end) / (start.norm() * end.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos_omega.clamp(-1.0, 1.0))
    if omega.abs() < 1e-4:  # nearly parallel: slerp degenerates to lerp
        return (1 - t) * start + t * end
    return (torch.sin((1 - t) * omega) * start + torch.sin(t * omega) * end) / torch.sin(omega)


def nearest_neighbours(codes: Tensor, query: Tensor, k: int, exclude: int | None = None) -> tuple[Tensor, Tensor]:
    """Indices and Euclidean distances of the k codes closest to query, optionally skipping one row."""
    distances = torch.cdist(query.unsqueeze(0), codes, compute_mode=EXACT).squeeze(0)
    if exclude is not None:
        distances[exclude] = math.inf
    k = min(k, len(codes) - (exclude is not None))
    values, indices = torch.topk(distances, k, largest=False)
    return indices, values


def prior_codes(count: int, latent_dim: int, seed: int, temperature: float = 1.0) -> Tensor:
    """Draws from N(0, temperature^2 I): what a VAE was trained to decode."""
    generator = torch.Generator().manual_seed(seed)
    return temperature * torch.randn(count, latent_dim, generator=generator)


def fitted_gaussian_codes(codes: Tensor, count: int, seed: int, temperature: float = 1.0) -> Tensor:
    """Draws from a full-covariance Gaussian fitted to given codes: the fair second try for an AE."""
    mean = codes.mean(0)
    centred = codes - mean
    covariance = centred.T @ centred / max(len(codes) - 1, 1)
    covariance += 1e-5 * torch.eye(codes.shape[1])
    cholesky = torch.linalg.cholesky(covariance)
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(count, codes.shape[1], generator=generator)
    return mean + temperature * noise @ cholesky.T


def manifold_grid(n: int, extent: float, center: tuple[float, float] = (0.0, 0.0)) -> Tensor:
    """n*n latent-2 codes, row by row from the top (largest y) so the decoded grid reads like the plane."""
    xs = torch.linspace(center[0] - extent, center[0] + extent, n)
    ys = torch.linspace(center[1] + extent, center[1] - extent, n)
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([grid_x.reshape(-1), grid_y.reshape(-1)], dim=1)


def sigma_ellipses(means: Tensor, sigmas: Tensor, n_points: int = 32, scale: float = 1.0) -> Tensor:
    """Outlines (N, n_points, 2) of the axis-aligned scale-sigma ellipses of latent-2 posteriors."""
    angles = torch.linspace(0, 2 * math.pi, n_points)
    unit = torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    return means.unsqueeze(1) + scale * sigmas.unsqueeze(1) * unit


def place_on_map(new_codes: Tensor, codes: Tensor, coords: Tensor, k: int = 10) -> Tensor:
    """Map coordinates for new codes: identity for latent 2, else an inverse-distance average of the k
    nearest sample codes' map positions (UMAP's own transform starts from the same estimate)."""
    if codes.shape[1] == 2 and torch.equal(codes, coords):
        return new_codes.clone()
    distances = torch.cdist(new_codes, codes, compute_mode=EXACT)
    values, indices = torch.topk(distances, min(k, len(codes)), largest=False)
    weights = 1.0 / (values + 1e-6)
    weights = weights / weights.sum(1, keepdim=True)
    return (weights.unsqueeze(2) * coords[indices]).sum(1)
