"""Held-out scores in nats per image: reconstruction, KL and the negative ELBO."""

from __future__ import annotations

import torch
from torch import Tensor

from .config import Metrics
from .losses import kl_to_standard_normal, reconstruction_error
from .models import BATCH_SIZE, Autoencoder, decode_logits_in_batches, encode_in_batches

EVAL_SEED = 1234  # fixed noise, so re-scoring a model gives the number recorded in its file


@torch.no_grad()
def per_image_losses(
    model: Autoencoder, images: Tensor, loss: str = "bce", seed: int = EVAL_SEED, batch_size: int = BATCH_SIZE
) -> tuple[Tensor, Tensor]:
    """Reconstruction and KL for each image, with the VAE's z sampled (one seeded draw), as in the ELBO."""
    encoding = encode_in_batches(model, images, batch_size)
    codes = model.sample_latent(encoding, torch.Generator().manual_seed(seed))
    logits = decode_logits_in_batches(model, codes, batch_size)
    return reconstruction_error(logits, images, loss), kl_to_standard_normal(encoding)


def evaluate(model: Autoencoder, images: Tensor, loss: str = "bce", seed: int = EVAL_SEED) -> Metrics:
    if len(images) == 0:
        raise ValueError("cannot evaluate on zero images")
    recon, kl = per_image_losses(model, images, loss, seed)
    reconstruction = float(recon.mean())
    if model.kind == "ae":
        return Metrics(reconstruction, None, None, len(images))
    mean_kl = float(kl.mean())
    return Metrics(reconstruction, mean_kl, reconstruction + mean_kl, len(images))
