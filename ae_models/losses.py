"""Loss terms in nats per image, returned as parts so the curves can show each one.

The KL term is the closed form for a diagonal Gaussian against N(0, I) (Kingma & Welling 2014,
"Auto-Encoding Variational Bayes", Appendix B): KL = -1/2 * sum(1 + log sigma^2 - mu^2 - sigma^2).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from .models import Encoding


@dataclass(frozen=True)
class LossParts:
    """Per-image means over a batch; `total` is the objective (reconstruction + beta * KL)."""

    reconstruction: Tensor
    kl: Tensor
    total: Tensor


def reconstruction_error(logits: Tensor, images: Tensor, kind: str = "bce") -> Tensor:
    """Per-image error summed over pixels: Bernoulli negative log-likelihood (nats) or squared error."""
    if kind == "bce":
        per_pixel = F.binary_cross_entropy_with_logits(logits, images, reduction="none")
    elif kind == "mse":
        per_pixel = (torch.sigmoid(logits) - images) ** 2
    else:
        raise ValueError(f"unknown reconstruction loss {kind!r}; use 'bce' or 'mse'")
    return per_pixel.flatten(1).sum(dim=1)


def kl_to_standard_normal(encoding: Encoding) -> Tensor:
    """Per-image KL(q(z|x) || N(0, I)) in nats; zero for an AE, which has no distribution."""
    if encoding.logvar is None:
        return torch.zeros(encoding.mean.shape[0], dtype=encoding.mean.dtype)
    mean, logvar = encoding.mean, encoding.logvar
    return -0.5 * (1 + logvar - mean.pow(2) - logvar.exp()).sum(dim=1)


def loss_parts(logits: Tensor, images: Tensor, encoding: Encoding, beta: float = 1.0, kind: str = "bce") -> LossParts:
    reconstruction = reconstruction_error(logits, images, kind).mean()
    kl = kl_to_standard_normal(encoding).mean()
    return LossParts(reconstruction=reconstruction, kl=kl, total=reconstruction + beta * kl)


def kl_weight(epoch: int, beta: float, warmup_epochs: int) -> float:
    """Linear KL warm-up: the weight climbs from beta/warmup to beta over the first epochs (epoch counts from 0)."""
    if warmup_epochs <= 0:
        return beta
    return beta * min(1.0, (epoch + 1) / warmup_epochs)
