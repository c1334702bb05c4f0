"""Encoder and decoder builders shared by the AE and the VAE, so the two differ only in their latent head."""

from __future__ import annotations

from torch import nn

from .config import ModelConfig


def build_encoder(config: ModelConfig, out_features: int) -> nn.Sequential:
    """Image (N, H, W) -> features (N, out_features); the VAE asks for 2 * latent (mean and log-variance)."""
    if config.architecture == "conv":
        layers: list[nn.Module] = [nn.Unflatten(1, (1, config.image_shape[0]))]
        in_ch = 1
        for ch in config.conv_channels:
            layers += [nn.Conv2d(in_ch, ch, kernel_size=4, stride=2, padding=1), _activation(config)]
            in_ch = ch
        layers.append(nn.Flatten())
        width = in_ch * _conv_bottleneck_pixels(config)
    else:
        layers = [nn.Flatten()]
        width = config.n_pixels
    for hidden in config.hidden_sizes:
        layers += [nn.Linear(width, hidden), _activation(config)]
        width = hidden
    layers.append(nn.Linear(width, out_features))
    return nn.Sequential(*layers)


def build_decoder(config: ModelConfig) -> nn.Sequential:
    """Code (N, latent) -> pixel logits (N, H, W); a sigmoid turns them into the image."""
    layers: list[nn.Module] = []
    width = config.latent_dim
    for hidden in reversed(config.hidden_sizes):
        layers += [nn.Linear(width, hidden), _activation(config)]
        width = hidden
    if config.architecture == "conv":
        channels = list(reversed(config.conv_channels))
        h, w = (s // 2 ** len(channels) for s in config.image_shape)
        layers += [nn.Linear(width, channels[0] * h * w), _activation(config), nn.Unflatten(1, (channels[0], h, w))]
        for in_ch, out_ch in zip(channels, [*channels[1:], 1], strict=True):
            layers.append(nn.ConvTranspose2d(in_ch, out_ch, kernel_size=4, stride=2, padding=1))
            if out_ch != 1:
                layers.append(_activation(config))
        layers.append(nn.Flatten(1, 2))
    else:
        layers += [nn.Linear(width, config.n_pixels), nn.Unflatten(1, config.image_shape)]
    return nn.Sequential(*layers)


def _conv_bottleneck_pixels(config: ModelConfig) -> int:
    factor = 2 ** len(config.conv_channels)
    return (config.image_shape[0] // factor) * (config.image_shape[1] // factor)


def _activation(config: ModelConfig) -> nn.Module:
    return nn.SiLU() if config.activation == "silu" else nn.ReLU()
