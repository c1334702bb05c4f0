"""Records that travel inside weights files, so a file alone can rebuild its model and tell how it was made:
the architecture and training configs, the data it saw, its per-epoch history and its final scores.

They sit below every behaviour module: reading a weights file needs these records, not the training loop."""

from __future__ import annotations

import math
import reprlib
import types
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

ModelKind = Literal["ae", "vae"]
Architecture = Literal["mlp", "conv"]
ReconstructionLoss = Literal["bce", "mse"]

MODEL_KINDS: tuple[str, ...] = ("ae", "vae")
ARCHITECTURES: tuple[str, ...] = ("mlp", "conv")
ACTIVATIONS: tuple[str, ...] = ("relu", "silu")
RECONSTRUCTION_LOSSES: tuple[str, ...] = ("bce", "mse")

# Bounds far above anything this project trains, low enough that a hostile or mistyped config cannot ask for
# terabytes: a weights file's metadata is checked against them before any tensor is allocated.
MAX_IMAGE_SIDE = 512
MAX_LATENT_DIM = 1024
MAX_LAYERS = 8
MAX_WIDTH = 16384
MAX_EPOCHS = 1_000_000
MAX_BATCH = 2**20
MAX_SEED = 2**63 - 1


class ConfigError(ValueError):
    """A configuration that cannot describe a model or a training run."""


def _matches(value: Any, hint: Any) -> bool:
    """Whether a JSON value fits a field's type hint (the scalar, Literal, Optional and tuple hints used here)."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is type(None):
        return value is None
    if origin is Literal:  # membership is checked by the class itself, with a message listing the choices
        return isinstance(value, str)
    if origin in (Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        items = args[:1] * len(value) if len(args) == 2 and args[1] is Ellipsis else args
        return len(items) == len(value) and all(_matches(v, h) for v, h in zip(value, items, strict=True))
    return True


def record_from_json(cls: type, data: Any) -> Any:
    """Build a dataclass from untrusted JSON: unknown, missing or mistyped fields give a readable ConfigError."""
    if not isinstance(data, dict):
        raise ConfigError(f"{cls.__name__} must be a JSON object, got {type(data).__name__}")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{cls.__name__} has unknown keys: {reprlib.repr(unknown)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    for name, hint in get_type_hints(cls).items():
        if name in values and not _matches(values[name], hint):
            raise ConfigError(f"{cls.__name__}.{name} has the wrong type: {reprlib.repr(values[name])}")
    try:
        return cls(**values)
    except TypeError as err:
        raise ConfigError(f"{cls.__name__}: {err}") from None


def _check_layers(name: str, sizes: tuple[int, ...]) -> None:
    if not 1 <= len(sizes) <= MAX_LAYERS or any(not isinstance(n, int) or not 1 <= n <= MAX_WIDTH for n in sizes):
        raise ConfigError(f"{name} must be 1 to {MAX_LAYERS} integers in [1, {MAX_WIDTH}], got {reprlib.repr(sizes)}")


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
            raise ConfigError(f"image_shape must be two positive integers, got {reprlib.repr(self.image_shape)}")
        if max(self.image_shape) > MAX_IMAGE_SIDE:
            raise ConfigError(f"image sides above {MAX_IMAGE_SIDE} are not supported, got {self.image_shape!r}")
        if not isinstance(self.latent_dim, int) or not 1 <= self.latent_dim <= MAX_LATENT_DIM:
            raise ConfigError(f"latent_dim must be an integer in [1, {MAX_LATENT_DIM}], got {self.latent_dim!r}")
        _check_layers("hidden_sizes", self.hidden_sizes)
        if self.architecture == "conv":
            _check_layers("conv_channels", self.conv_channels)
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
        return record_from_json(cls, data)


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
        if not 1 <= self.epochs <= MAX_EPOCHS or not 1 <= self.batch_size <= MAX_BATCH:
            raise ConfigError(f"epochs must lie in [1, {MAX_EPOCHS}] and batch_size in [1, {MAX_BATCH}]")
        if not 0 < self.learning_rate < math.inf:
            raise ConfigError(f"learning_rate must be positive and finite, got {self.learning_rate}")
        if self.lr_schedule not in ("constant", "one-cycle"):
            raise ConfigError(f"lr_schedule must be 'constant' or 'one-cycle', got {self.lr_schedule!r}")
        if not 0 <= self.beta < math.inf:
            raise ConfigError(f"beta must be non-negative and finite, got {self.beta}")
        if not 0 <= self.kl_warmup_epochs <= MAX_EPOCHS:
            raise ConfigError(f"kl_warmup_epochs must lie in [0, {MAX_EPOCHS}]")
        if not 0 <= self.seed <= MAX_SEED or not 0 <= self.split_seed <= MAX_SEED:
            raise ConfigError(f"seed and split_seed must lie in [0, 2**63 - 1], got {self.seed} and {self.split_seed}")
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
        return record_from_json(cls, data)


@dataclass(frozen=True)
class DatasetInfo:
    """Enough to reload the exact images the model trained and was validated on."""

    name: str
    n_train: int
    n_val: int
    val_fraction: float
    split_seed: int


@dataclass(frozen=True)
class EpochRecord:
    """Means per image over one epoch (train) and on the held-out split at its end (val), with the beta and the
    learning rate the epoch trained with (None under one-cycle, where the rate moves within each epoch, and in files
    written before it was recorded): a live run's mid-run changes stay in its history."""

    epoch: int
    beta: float
    train_reconstruction: float
    train_kl: float
    train_total: float
    val_reconstruction: float
    val_kl: float
    val_total: float
    seconds: float
    learning_rate: float | None = None

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class Metrics:
    """Means per image. An AE has no KL and no ELBO: those stay None rather than a misleading 0."""

    reconstruction: float
    kl: float | None
    neg_elbo: float | None
    n_images: int

    def to_dict(self) -> dict[str, float | int | None]:
        return asdict(self)
