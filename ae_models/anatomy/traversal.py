"""Latent traversals: decode a code while one dimension at a time moves and the others stay put.

A VAE's dimensions are measured in units of the prior's sigma (1), since N(0, I) is the scale its decoder was
trained on; an AE has no prior, so each dimension moves in units of its own spread over the data.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from ..models import Encoding


def traversal_scales(encoding: Encoding) -> Tensor:
    """(D,) one step of each dimension: the prior's sigma for a VAE, the codes' standard deviation for an AE."""
    if encoding.logvar is not None:
        return torch.ones(encoding.mean.shape[1])
    return encoding.mean.std(dim=0)


def traversal_centre(encoding: Encoding) -> Tensor:
    """(D,) the code an origin traversal starts from: the prior's mean for a VAE, the codes' mean for an AE."""
    if encoding.logvar is not None:
        return torch.zeros(encoding.mean.shape[1])
    return encoding.mean.mean(dim=0)


def traversal_offsets(steps: int, extent: float) -> Tensor:
    """The `steps` positions of a row, in units of the dimension's scale: -extent to +extent, evenly spaced."""
    if steps < 2 or extent <= 0:
        raise ValueError("a traversal needs at least 2 steps and a positive extent")
    return torch.linspace(-extent, extent, steps)


def traversal_codes(base: Tensor, dims: Sequence[int], scales: Tensor, steps: int, extent: float) -> Tensor:
    """(len(dims) * steps, D) codes, row by row: row r moves dimension dims[r] from base - extent * scale to
    base + extent * scale while every other dimension stays at base."""
    offsets = traversal_offsets(steps, extent)
    codes = base.to(torch.float32).repeat(len(dims), steps, 1)
    for row, dim in enumerate(dims):
        codes[row, :, dim] = base[dim] + offsets * scales[dim]
    return codes.reshape(-1, base.shape[0])
