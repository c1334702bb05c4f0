"""Held-out scores in nats per image: reconstruction, KL and the negative ELBO."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor

from .losses import kl_to_standard_normal, reconstruction_error
from .models import Autoencoder

EVAL_SEED = 1234  # fixed noise, so re-scoring a model gives the number recorded in its file


@dataclass(frozen=True)
class Metrics:
    """Means per image. An AE has no KL and no ELBO: those stay None rather than a misleading 0."""

    reconstruction: float
    kl: float | None
    neg_elbo: float | None
    n_images: int

    def to_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


@torch.no_grad()
def per_image_losses(
    model: Autoencoder, images: Tensor, loss: str = "bce", seed: int = EVAL_SEED, batch_size: int = 1000
) -> tuple[Tensor, Tensor]:
    """Reconstruction and KL for each image, with the VAE's z sampled (one seeded draw), as in the ELBO."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    recon, kl = [], []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size]
        logits, encoding = model(batch, generator)
        recon.append(reconstruction_error(logits, batch, loss))
        kl.append(kl_to_standard_normal(encoding))
    return torch.cat(recon), torch.cat(kl)


def evaluate(model: Autoencoder, images: Tensor, loss: str = "bce", seed: int = EVAL_SEED) -> Metrics:
    if len(images) == 0:
        raise ValueError("cannot evaluate on zero images")
    recon, kl = per_image_losses(model, images, loss, seed)
    reconstruction = float(recon.mean())
    if model.kind == "ae":
        return Metrics(reconstruction, None, None, len(images))
    mean_kl = float(kl.mean())
    return Metrics(reconstruction, mean_kl, reconstruction + mean_kl, len(images))
