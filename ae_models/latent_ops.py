"""Operations on latent codes that the pages show: interpolation, sampling, neighbours, grids, placement."""

from __future__ import annotations

import math
from collections.abc import Iterable
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

    Linear walks the straight line, which cuts through the low-density middle between two codes. Spherical turns
    the direction at constant angular speed (slerp, Shoemake 1985, as used for latent walks by White 2016,
    "Sampling Generative Networks") and moves the length linearly from one code's norm to the other's, so every
    point's norm lies between the endpoints' norms. Plain slerp on raw codes overshoots far outside the data when
    the codes have different lengths or point in nearly opposite directions.
    """
    if steps < 2:
        raise ValueError("an interpolation needs at least 2 steps")
    t = torch.linspace(0.0, 1.0, steps, dtype=torch.float64).unsqueeze(1)
    a, b = start.to(torch.float64), end.to(torch.float64)
    if method == "linear":
        path = (1 - t) * a + t * b
    elif method == "spherical":
        path = _spherical(a, b, t)
    else:
        raise ValueError(f"unknown interpolation {method!r}; use 'linear' or 'spherical'")
    path = path.to(start.dtype)
    path[0], path[-1] = start, end
    return path


def _spherical(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Rotate a's direction towards b's in their common plane while the length moves linearly (float64)."""
    norm_a, norm_b = a.norm(), b.norm()
    if min(norm_a, norm_b) < 1e-12:  # a zero code has no direction: the straight line is the radial path
        return (1 - t) * a + t * b
    unit_a, unit_b = a / norm_a, b / norm_b
    cos_omega = torch.dot(unit_a, unit_b).clamp(-1.0, 1.0)
    omega = torch.arccos(cos_omega)
    towards_b = unit_b - cos_omega * unit_a  # the part of b's direction orthogonal to a's
    if omega < 1e-6:  # same direction: only the length changes
        towards_b = torch.zeros_like(unit_a)
    elif towards_b.norm() < 1e-6:  # opposite directions: every great circle joins them, take one
        towards_b = _orthogonal_unit(unit_a)
    else:
        towards_b = towards_b / towards_b.norm()
    direction = torch.cos(t * omega) * unit_a + torch.sin(t * omega) * towards_b
    return ((1 - t) * norm_a + t * norm_b) * direction


def _orthogonal_unit(unit: Tensor) -> Tensor:
    """A unit vector orthogonal to `unit`: the basis axis least aligned with it, with its `unit` part removed."""
    if len(unit) < 2:
        raise ValueError("spherical interpolation between opposite 1-D codes is undefined; use 'linear'")
    axis = torch.zeros_like(unit)
    axis[unit.abs().argmin()] = 1.0
    orthogonal = axis - torch.dot(axis, unit) * unit
    return orthogonal / orthogonal.norm()


def nearest_neighbours(codes: Tensor, query: Tensor, k: int, exclude: int | None = None) -> tuple[Tensor, Tensor]:
    """Indices and Euclidean distances of the k codes closest to query, optionally skipping one row."""
    distances = torch.cdist(query.unsqueeze(0), codes, compute_mode=EXACT).squeeze(0)
    if exclude is not None:
        distances[exclude] = math.inf
    k = min(k, len(codes) - (exclude is not None))
    values, indices = torch.topk(distances, k, largest=False)
    return indices, values


def mean_code(codes: Tensor, rows: Iterable[int] | Tensor) -> Tensor:
    """The mean (latent,) of the codes at `rows` (a box or lasso selection), for decoding; one rule for the
    sample's codes and a full map's."""
    index = rows if isinstance(rows, Tensor) else torch.as_tensor(list(rows), dtype=torch.long)
    if index.numel() == 0:
        raise ValueError("the mean code of no rows is undefined: select at least one point")
    return codes[index.long()].mean(0)


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
