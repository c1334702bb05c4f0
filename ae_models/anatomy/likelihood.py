"""An importance-weighted estimate of log p(x) for a VAE (Burda, Grosse & Salakhutdinov 2016, eq. 8).

With z_1..z_k drawn from the encoder's q(z|x), L_k = log 1/k sum_i p(x|z_i) p(z_i) / q(z_i|x). Its expectation
is a lower bound on log p(x) that never decreases with k (Burda et al., Theorem 1); L_1 is the ELBO, and L_k tends
to log p(x) as k grows. So -L_k is an upper bound on the negative log-likelihood, tighter than the negative ELBO;
the gap between the two is how much the ELBO's single Gaussian q(z|x) costs.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..evaluation import EVAL_SEED
from ..losses import reconstruction_error
from ..models import Autoencoder
from .aggregate import prior_log_density

DEFAULT_K = 64
_LOG_2PI = math.log(2 * math.pi)


def _log_normal(z: Tensor, mean: Tensor, logvar: Tensor) -> Tensor:
    """log N(z; mean, diag(exp(logvar))), summed over the last dimension."""
    return -0.5 * (_LOG_2PI + logvar + (z - mean).pow(2) / logvar.exp()).sum(dim=-1)


@torch.no_grad()
def iw_log_likelihood(
    model: Autoencoder, images: Tensor, k: int, seed: int = EVAL_SEED, images_per_batch: int = 64
) -> Tensor:
    """(N,) the estimate L_k of log p(x) in nats for each image, under the decoder's Bernoulli likelihood."""
    if model.kind != "vae":
        raise ValueError("an AE has no q(z|x) and no prior: it defines no likelihood")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    estimates = []
    for batch in images.split(images_per_batch):
        encoding = model.encode(batch)
        mean, logvar = encoding.mean, encoding.logvar
        assert logvar is not None
        eps = torch.randn((k, *mean.shape), generator=generator, dtype=mean.dtype)
        z = mean + torch.exp(0.5 * logvar) * eps  # (k, B, D)
        logits = model.decode_logits(z.reshape(-1, z.shape[-1]))
        log_px_z = -reconstruction_error(logits, batch.repeat(k, *([1] * (batch.dim() - 1))), "bce").reshape(k, -1)
        log_pz = prior_log_density(z.reshape(-1, z.shape[-1])).reshape(k, -1).to(log_px_z.dtype)
        log_w = log_px_z + log_pz - _log_normal(z, mean, logvar)
        estimates.append(torch.logsumexp(log_w, dim=0) - math.log(k))
    return torch.cat(estimates)
