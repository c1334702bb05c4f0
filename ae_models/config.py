"""Configuration records that travel inside weights files, so a file alone can rebuild its model."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

ModelKind = Literal["ae", "vae"]
Architecture = Literal["mlp", "conv"]
ReconstructionLoss = Literal["bce", "mse"]

MODEL_KINDS: tuple[str, ...] = ("ae", "vae")
ARCHITECTURES: tuple[str, ...] = ("mlp", "conv")
ACTIVATIONS: tuple[str, ...] = ("relu", "silu")
RECONSTRUCTION_LOSSES: tuple[str, ...] = ("bce", "mse")


class ConfigError(ValueError):
    """A configuration that cannot describe a model or a training run."""


def _from_mapping(cls: type, data: dict[str, Any]) -> Any:
    """Build a dataclass from JSON data, refusing unknown or missing keys with a readable message."""
    if not isinstance(data, dict):
        raise ConfigError(f"{cls.__name__} must be a JSON object, got {type(data).__name__}")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{cls.__name__} has unknown keys: {', '.join(unknown)}")
    try:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
    except TypeError as err:
        raise ConfigError(f"{cls.__name__}: {err}") from None


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of one AE or VAE.

    The default is the book's (GANs in Action, ch. 2): 784 -> 256 (ReLU) -> z -> 256 (ReLU) -> 784.
    """

    kind: ModelKind = "vae"
    image_shape: tuple[int, int] = (28, 28)
    latent_dim: int = 2
    architecture: Architecture = "mlp"
    hidden_sizes: tuple[int, ...] = (256,)
    conv_channels: tuple[int, ...] = (32, 64)
    activation: Literal["relu", "silu"] = "relu"

    def __post_init__(self) -> None:
        if self.kind not in MODEL_KINDS:
            raise ConfigError(f"kind must be one of {MODEL_KINDS}, got {self.kind!r}")
        if self.activation not in ACTIVATIONS:
            raise ConfigError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.architecture not in ARCHITECTURES:
            raise ConfigError(f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}")
        if len(self.image_shape) != 2 or any(not isinstance(s, int) or s < 1 for s in self.image_shape):
            raise ConfigError(f"image_shape must be two positive integers, got {self.image_shape!r}")
        if not isinstance(self.latent_dim, int) or self.latent_dim < 1:
            raise ConfigError(f"latent_dim must be a positive integer, got {self.latent_dim!r}")
        if not self.hidden_sizes or any(not isinstance(h, int) or h < 1 for h in self.hidden_sizes):
            raise ConfigError(f"hidden_sizes must be positive integers, got {self.hidden_sizes!r}")
        if self.architecture == "conv":
            if not self.conv_channels or any(not isinstance(c, int) or c < 1 for c in self.conv_channels):
                raise ConfigError(f"conv_channels must be positive integers, got {self.conv_channels!r}")
            stride = 2 ** len(self.conv_channels)
            if any(s % stride for s in self.image_shape):
                raise ConfigError(
                    f"a conv model with {len(self.conv_channels)} stride-2 layers needs image sides "
                    f"divisible by {stride}, got {self.image_shape}"
                )

    @property
    def n_pixels(self) -> int:
        return self.image_shape[0] * self.image_shape[1]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        return _from_mapping(cls, data)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that, with the data and the seed, determines a training run."""

    epochs: int = 30
    batch_size: int = 64
    learning_rate: float = 2e-3
    lr_schedule: Literal["constant", "one-cycle"] = "one-cycle"
    beta: float = 1.0
    kl_warmup_epochs: int = 0
    reconstruction_loss: ReconstructionLoss = "bce"
    augment: float = 0.0
    input_noise: float = 0.0
    seed: int = 0
    val_fraction: float = 0.1
    split_seed: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ConfigError("epochs and batch_size must be at least 1")
        if not self.learning_rate > 0:
            raise ConfigError(f"learning_rate must be positive, got {self.learning_rate}")
        if self.lr_schedule not in ("constant", "one-cycle"):
            raise ConfigError(f"lr_schedule must be 'constant' or 'one-cycle', got {self.lr_schedule!r}")
        if not self.beta >= 0:
            raise ConfigError(f"beta must be non-negative, got {self.beta}")
        if self.kl_warmup_epochs < 0:
            raise ConfigError("kl_warmup_epochs must be non-negative")
        if self.reconstruction_loss not in RECONSTRUCTION_LOSSES:
            raise ConfigError(f"reconstruction_loss must be one of {RECONSTRUCTION_LOSSES}")
        if not 0 <= self.augment <= 1 or not 0 <= self.input_noise <= 1:
            raise ConfigError("augment and input_noise must lie in [0, 1]")
        if not 0 < self.val_fraction < 1:
            raise ConfigError(f"val_fraction must lie strictly between 0 and 1, got {self.val_fraction}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        return _from_mapping(cls, data)
