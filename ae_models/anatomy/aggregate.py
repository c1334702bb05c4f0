"""The codes over the data (the aggregate posterior) against the prior N(0, I) they are sampled from.

A VAE's aggregate posterior is exactly a mixture, q(z) = 1/N sum_i N(z; mu_i, sigma_i^2) (Hoffman & Johnson 2016,
"ELBO surgery"); an AE's codes are points, so its density is a Gaussian kernel estimate with Scott's bandwidth.
A "hole" is where the prior puts mass and the data almost none: q(z) < HOLE_RATIO * p(z). Prior draws that land
there decode to whatever the decoder makes of a code it never met in training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from ..models import Encoding

HOLE_RATIO = 0.1
PLANE_EXTENT = 4.0  # the plane's half-width: N(0, I) puts all but 0.07% of its mass in [-4, 4]^2
PLANE_POINTS = 61
_LOG_2PI = math.log(2 * math.pi)


def kernel_sigmas(codes: Tensor) -> Tensor:
    """(N, D) Scott's rule bandwidth (Scott 1992) per dimension, the same for every code: sd * N^(-1/(D+4))."""
    n, d = codes.shape
    return (codes.std(dim=0) * n ** (-1.0 / (d + 4))).expand(n, d)


def component_sigmas(encoding: Encoding) -> Tensor:
    """The mixture's per-code widths: each image's posterior sigma (VAE) or the kernel bandwidth (AE)."""
    return encoding.sigma if encoding.sigma is not None else kernel_sigmas(encoding.mean)


def mixture_log_density(points: Tensor, means: Tensor, sigmas: Tensor) -> Tensor:
    """(M,) log of 1/N sum_i N(point; mean_i, diag(sigma_i^2)), in float64.

    The squared Mahalanobis distances come from three matrix products (sum_d x_d^2 a_id - 2 x_d m_id a_id +
    m_id^2 a_id with a = 1/sigma^2), never an (M, N, D) array: about a second less per latent plane.
    """
    points, means, sigmas = points.to(torch.float64), means.to(torch.float64), sigmas.to(torch.float64)
    precision = sigmas.pow(-2)
    log_norm = -0.5 * means.shape[1] * _LOG_2PI - sigmas.log().sum(dim=1)
    squared = points.pow(2) @ precision.T - 2 * points @ (means * precision).T + (means.pow(2) * precision).sum(dim=1)
    return torch.logsumexp(log_norm - 0.5 * squared, dim=1) - math.log(len(means))


def prior_log_density(points: Tensor) -> Tensor:
    """(M,) log N(point; 0, I)."""
    points = points.to(torch.float64)
    return -0.5 * (points.shape[1] * _LOG_2PI + points.pow(2).sum(dim=1))


@dataclass(frozen=True)
class PlaneDensity:
    """Latent 2 on a square grid (row i: z2 = axis[i], column j: z1 = axis[j]): both log densities and the holes."""

    axis: Tensor
    log_codes: Tensor
    log_prior: Tensor
    ratio: float = HOLE_RATIO

    @property
    def holes(self) -> Tensor:
        return self.log_codes < self.log_prior + math.log(self.ratio)

    @property
    def cell_area(self) -> float:
        return float(self.axis[1] - self.axis[0]) ** 2

    @property
    def prior_mass_in_holes(self) -> float:
        """The share of N(0, I)'s draws that land in a hole (grid integration of the prior over the holes)."""
        return float((self.log_prior.exp() * self.holes).sum() * self.cell_area)

    @property
    def codes_mass_in_holes(self) -> float:
        """The share of the codes' own density there: small by construction (at most the ratio times the above)."""
        return float((self.log_codes.exp() * self.holes).sum() * self.cell_area)

    def points(self) -> Tensor:
        """(n * n, 2) grid points, row by row as the density arrays are laid out."""
        z2, z1 = torch.meshgrid(self.axis, self.axis, indexing="ij")
        return torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)


def plane_density(
    encoding: Encoding, extent: float = PLANE_EXTENT, n: int = PLANE_POINTS, ratio: float = HOLE_RATIO
) -> PlaneDensity:
    """The codes' density and the prior's over [-extent, extent]^2 (latent 2 only)."""
    if encoding.mean.shape[1] != 2:
        raise ValueError(f"the plane density needs 2-D codes, got {encoding.mean.shape[1]}-D")
    axis = torch.linspace(-extent, extent, n, dtype=torch.float64)
    z2, z1 = torch.meshgrid(axis, axis, indexing="ij")
    grid = torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)
    log_codes = mixture_log_density(grid, encoding.mean, component_sigmas(encoding)).reshape(n, n)
    return PlaneDensity(axis, log_codes, prior_log_density(grid).reshape(n, n), ratio)
