"""Input corruptions used in training: small affine jitter (more data from 5k digits) and noise (denoising AE)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

MAX_ROTATION_RAD = 0.17  # about 10 degrees at strength 1
MAX_SCALE = 0.08
MAX_SHIFT = 0.08  # fraction of the half-width, about 1 pixel of 28 at strength 1


def random_affine(images: Tensor, strength: float, generator: torch.Generator) -> Tensor:
    """Rotate, scale and shift each image a little; strength 0 returns the images unchanged."""
    if strength <= 0:
        return images
    n = images.shape[0]

    def uniform(*shape: int) -> Tensor:
        return ((torch.rand(shape, generator=generator) * 2 - 1) * strength).to(images.device)

    angle = uniform(n) * MAX_ROTATION_RAD
    scale = 1 + uniform(n) * MAX_SCALE
    shift = uniform(n, 2) * MAX_SHIFT
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, [n, 1, *images.shape[1:]], align_corners=False)
    return F.grid_sample(images.unsqueeze(1), grid, align_corners=False).squeeze(1)


def gaussian_noise(images: Tensor, std: float, generator: torch.Generator) -> Tensor:
    """Additive Gaussian noise, clipped back to [0, 1] so the input stays a valid image."""
    if std <= 0:
        return images
    return (images + std * torch.randn(images.shape, generator=generator).to(images.device)).clamp_(0.0, 1.0)
