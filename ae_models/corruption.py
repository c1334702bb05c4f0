"""Ways to damage an image for the denoising page, and PSNR to say how much a model repaired."""

from __future__ import annotations

import torch
from torch import Tensor

from .augmentation import gaussian_noise

CORRUPTIONS: tuple[str, ...] = ("gaussian", "salt-and-pepper", "masked-square")


def corrupt(images: Tensor, kind: str, strength: float, seed: int = 0) -> Tensor:
    """Strength in [0, 1]: noise std, fraction of flipped pixels, or side of the blanked square (of the image)."""
    if not 0 <= strength <= 1:
        raise ValueError(f"strength must lie in [0, 1], got {strength}")
    generator = torch.Generator().manual_seed(seed)
    if kind == "gaussian":
        return gaussian_noise(images, strength, generator)
    if kind == "salt-and-pepper":
        hit = torch.rand(images.shape, generator=generator) < strength
        salt = (torch.rand(images.shape, generator=generator) < 0.5).to(images.dtype)
        return torch.where(hit, salt, images)
    if kind == "masked-square":
        damaged = images.clone()
        height, width = images.shape[-2:]
        side = round(strength * min(height, width))
        if side == 0:
            return damaged
        tops = torch.randint(0, height - side + 1, (len(images),), generator=generator)
        lefts = torch.randint(0, width - side + 1, (len(images),), generator=generator)
        for index, (top, left) in enumerate(zip(tops.tolist(), lefts.tolist(), strict=True)):
            damaged[index, top : top + side, left : left + side] = 0.0
        return damaged
    raise ValueError(f"unknown corruption {kind!r}; use one of {', '.join(CORRUPTIONS)}")


def psnr(clean: Tensor, restored: Tensor) -> Tensor:
    """Peak signal-to-noise ratio per image in dB for pixels in [0, 1]; higher is closer to the clean image."""
    mse = ((clean - restored) ** 2).flatten(1).mean(dim=1).clamp_min(1e-10)
    return 10 * torch.log10(1.0 / mse)
