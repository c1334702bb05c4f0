"""Where a model's codes live: which new codes fall outside them, and the window of the plane that frames them.

The pages quote these numbers in their captions, so a caption says what the picture on screen shows for every
model rather than what a textbook model would do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from scipy.stats import chi2
from torch import Tensor

from .latent_ops import EXACT
from .models import Autoencoder

OUTSIDE_QUANTILE = 0.99  # a point is outside when it is farther from every code than 99% of codes are from theirs


@dataclass(frozen=True)
class CodeRegion:
    """Where a model's codes are: a point is outside when it is farther from its nearest code than `limit`."""

    codes: Tensor
    limit: float

    def outside(self, points: Tensor) -> Tensor:
        return torch.cdist(points, self.codes, compute_mode=EXACT).min(dim=1).values > self.limit

    def in_gaps(self, points: Tensor) -> Tensor:
        """Outside, yet within the codes' span on every axis: in a hole between the codes rather than beyond their
        edge (what a single Gaussian fitted to clustered codes cannot avoid putting draws into)."""
        low, high = self.codes.min(dim=0).values, self.codes.max(dim=0).values
        return self.outside(points) & ((points >= low) & (points <= high)).all(dim=1)


def code_region(codes: Tensor, quantile: float = OUTSIDE_QUANTILE) -> CodeRegion:
    """The limit is the `quantile` of the codes' own nearest-other-code distances: a scale-free "no encoded image
    is near here", calibrated on the codes' own spacing (the O(N^2) part: build it once per model)."""
    if len(codes) < 2:
        raise ValueError("need at least two codes to measure their spacing")
    spacing = torch.cdist(codes, codes, compute_mode=EXACT)
    spacing.fill_diagonal_(float("inf"))
    return CodeRegion(codes, float(torch.quantile(spacing.min(dim=1).values, quantile)))


@dataclass(frozen=True)
class PlaneWindow:
    """A square of the latent plane: centre and half-width (the same unit on both axes, so distances stay true)."""

    centre: tuple[float, float]
    extent: float

    def contains(self, points: Tensor) -> Tensor:
        centre = torch.tensor(self.centre, dtype=points.dtype)
        return ((points - centre).abs() <= self.extent + 1e-6).all(dim=1)


def codes_window(codes: Tensor, coverage: float = 0.98, margin: float = 0.05) -> PlaneWindow:
    """The smallest centred square holding the central `coverage` of the 2-D codes on each axis, plus a margin:
    an AE's codes may span tens of units while a VAE's stay within a few."""
    if codes.shape[1] != 2:
        raise ValueError(f"a plane window needs 2-D codes, got {codes.shape[1]}-D")
    tail = (1 - coverage) / 2
    low, high = torch.quantile(codes, tail, dim=0), torch.quantile(codes, 1 - tail, dim=0)
    centre = (low + high) / 2
    extent = float((high - low).max()) / 2 * (1 + margin)
    return PlaneWindow((float(centre[0]), float(centre[1])), extent)


def decoder_inputs(codes: Tensor, logvar: Tensor | None, seed: int = 0) -> Tensor:
    """The codes a decoder met in training: an AE's codes as they are, one draw from each image's posterior
    N(mu, sigma^2) for a VAE (its unused dimensions are wide open, which its decoder has learned to ignore)."""
    if logvar is None:
        return codes
    generator = torch.Generator().manual_seed(seed)
    return codes + torch.exp(0.5 * logvar) * torch.randn(codes.shape, generator=generator)


@dataclass(frozen=True)
class CodeSummary:
    """What a latent map shows at a glance, as numbers a caption can quote."""

    same_class_neighbour: float  # share of images whose nearest other code has the same class
    within_prior: float  # share of codes inside the ball that holds 99% of N(0, I)'s draws
    prior_radius: float  # that ball's radius: about 3 in 2-D, about 5.7 in 16-D
    low: tuple[float, ...]  # per-dimension smallest code: what the map plots, outliers included
    high: tuple[float, ...]  # and largest


def summarize_codes(codes: Tensor, labels: Tensor) -> CodeSummary:
    distances = torch.cdist(codes, codes, compute_mode=EXACT)
    distances.fill_diagonal_(float("inf"))
    nearest = distances.argmin(dim=1)
    low, high = codes.min(dim=0).values, codes.max(dim=0).values
    radius = math.sqrt(chi2.ppf(0.99, codes.shape[1]))  # a norm of N(0, I) draws is chi-distributed
    return CodeSummary(
        same_class_neighbour=float((labels[nearest] == labels).float().mean()),
        within_prior=float((codes.norm(dim=1) <= radius).float().mean()),
        prior_radius=radius,
        low=tuple(low.tolist()),
        high=tuple(high.tolist()),
    )


def contrast(images: Tensor) -> Tensor:
    """Per image: the standard deviation of its pixels. A washed-out smudge has little; a crisp item has much."""
    return images.flatten(1).std(dim=1)


@torch.no_grad()
def contrast_floor(network: Autoencoder, images: Tensor, quantile: float = 0.05) -> float:
    """The contrast that all but `quantile` of the network's own reconstructions exceed: a decoded code below it
    is more washed out than what the decoder makes of nearly any real image. (Distances between codes cannot
    tell this in 16-D, where 2,000 codes are too sparse to trace where the decoder was trained.)"""
    network.eval()
    return float(torch.quantile(contrast(network.reconstruct(images)), quantile))
