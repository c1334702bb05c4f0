"""The autoencoder and the variational autoencoder: same encoder/decoder builders, different latent heads."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .config import ModelConfig
from .networks import build_decoder, build_encoder

LOGVAR_RANGE = (-30.0, 20.0)  # keeps exp(logvar) finite on odd inputs without touching trained values
BATCH_SIZE = 1000  # images per forward pass when scoring many: bounds activation memory on large splits


@dataclass(frozen=True)
class Encoding:
    """Where the encoder puts an image: a point (AE) or a diagonal Gaussian (VAE)."""

    mean: Tensor
    logvar: Tensor | None = None

    @property
    def sigma(self) -> Tensor | None:
        return None if self.logvar is None else torch.exp(0.5 * self.logvar)


class Autoencoder(nn.Module):
    """Deterministic AE: x -> z -> x*, trained on reconstruction error alone."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = build_encoder(config, self._encoder_width())
        self.decoder = build_decoder(config)

    @property
    def kind(self) -> str:
        return self.config.kind

    def _encoder_width(self) -> int:
        return self.config.latent_dim

    def encode(self, images: Tensor) -> Encoding:
        return Encoding(mean=self.encoder(images))

    def sample_latent(self, encoding: Encoding, generator: torch.Generator | None = None) -> Tensor:
        """The code the decoder sees during training; the AE has no noise."""
        return encoding.mean

    def decode_logits(self, codes: Tensor) -> Tensor:
        return self.decoder(codes)

    def decode(self, codes: Tensor) -> Tensor:
        """Codes (N, latent) -> images (N, H, W) in [0, 1]."""
        return torch.sigmoid(self.decode_logits(codes))

    def forward(self, images: Tensor, generator: torch.Generator | None = None) -> tuple[Tensor, Encoding]:
        encoding = self.encode(images)
        return self.decode_logits(self.sample_latent(encoding, generator)), encoding

    @torch.no_grad()
    def reconstruct(self, images: Tensor) -> Tensor:
        """Deterministic reconstruction through the code mean, as the maps and galleries show it."""
        return self.decode(self.encode(images).mean)


class VariationalAutoencoder(Autoencoder):
    """VAE: the encoder outputs (mu, log sigma^2); training samples z = mu + sigma * eps."""

    def _encoder_width(self) -> int:
        return 2 * self.config.latent_dim

    def encode(self, images: Tensor) -> Encoding:
        mean, logvar = self.encoder(images).chunk(2, dim=-1)
        return Encoding(mean=mean, logvar=logvar.clamp(*LOGVAR_RANGE))

    def sample_latent(self, encoding: Encoding, generator: torch.Generator | None = None) -> Tensor:
        """Reparameterization trick: the noise is an input, so gradients flow through mu and sigma."""
        assert encoding.sigma is not None
        eps = torch.randn(encoding.mean.shape, generator=generator, dtype=encoding.mean.dtype).to(encoding.mean.device)
        return encoding.mean + encoding.sigma * eps


def build_model(config: ModelConfig) -> Autoencoder:
    return VariationalAutoencoder(config) if config.kind == "vae" else Autoencoder(config)


@torch.no_grad()
def encode_in_batches(model: Autoencoder, images: Tensor, batch_size: int = BATCH_SIZE) -> Encoding:
    """Code means (and log-variances for a VAE) of many images, batch by batch to bound memory, in eval mode."""
    model.eval()
    parts = [model.encode(batch) for batch in images.split(batch_size)]
    logvars = [part.logvar for part in parts if part.logvar is not None]
    return Encoding(torch.cat([part.mean for part in parts]), torch.cat(logvars) if logvars else None)


@torch.no_grad()
def decode_logits_in_batches(model: Autoencoder, codes: Tensor, batch_size: int = BATCH_SIZE) -> Tensor:
    """Decoder logits for many codes, batch by batch to bound memory, in eval mode."""
    model.eval()
    return torch.cat([model.decode_logits(batch) for batch in codes.split(batch_size)])
