"""How a VAE spends its KL: per latent dimension, and which dimensions carry information at all.

The KL of each dimension is the closed form of losses.py split by dimension (Kingma & Welling 2014, Appendix B).
Active units follow Burda, Grosse & Salakhutdinov 2016 ("Importance Weighted Autoencoders", section 5.2): a
dimension u is active when the variance over the data of its posterior mean, Var_x(E_q(z|x)[z_u]), exceeds 0.01.
An inactive dimension's posterior is the same for every image: the decoder cannot read anything from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..models import Autoencoder, Encoding, encode_in_batches

ACTIVE_THRESHOLD = 0.01


def kl_per_dimension(encoding: Encoding) -> Tensor:
    """(N, D) KL(q(z_d|x) || N(0, 1)) in nats for each image and dimension; it sums over d to the total KL."""
    if encoding.logvar is None:
        raise ValueError("an AE's codes are points, not distributions: they have no KL")
    mean, logvar = encoding.mean, encoding.logvar
    return -0.5 * (1 + logvar - mean.pow(2) - logvar.exp())


def activity(means: Tensor) -> Tensor:
    """(D,) variance over the images of each dimension's posterior mean (Burda et al. 2016's A_u)."""
    if len(means) < 2:
        raise ValueError("activity needs the codes of at least two images")
    return means.var(dim=0)


@dataclass(frozen=True)
class LatentUsage:
    """Per dimension: mean KL over the images (nats; zeros for an AE) and activity; and the threshold used."""

    kl: tuple[float, ...]
    activity: tuple[float, ...]
    n_images: int
    threshold: float = ACTIVE_THRESHOLD

    @property
    def active(self) -> tuple[bool, ...]:
        return tuple(a > self.threshold for a in self.activity)

    @property
    def n_active(self) -> int:
        return sum(self.active)

    @property
    def total_kl(self) -> float:
        return sum(self.kl)

    @property
    def by_kl(self) -> list[int]:
        """Dimensions from the most KL to the least (an AE: from the widest spread to the narrowest)."""
        key = self.kl if any(self.kl) else self.activity
        return sorted(range(len(key)), key=lambda d: -key[d])


def usage_of(encoding: Encoding) -> LatentUsage:
    kl = kl_per_dimension(encoding).mean(0) if encoding.logvar is not None else torch.zeros(encoding.mean.shape[1])
    return LatentUsage(tuple(kl.tolist()), tuple(activity(encoding.mean).tolist()), len(encoding.mean))


def latent_usage(network: Autoencoder, images: Tensor) -> LatentUsage:
    """The usage of each dimension over these images (held-out ones, for an honest count)."""
    return usage_of(encode_in_batches(network, images))
