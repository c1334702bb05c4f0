"""What crosses the boundary between a live training process and the server: the settings a visitor chose
(validated here, with one message per problem), the commands the page sends, and the messages the worker sends back.

Plain data, pickled over a pipe: nothing here trains or draws."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..config import ConfigError, EpochRecord

LIVE_DATASETS = ("mnist-5k", "digits", "fashion-mnist")
LIVE_LATENT_SIZES = (2, 16)
FASHION_SUBSET_RANGE = (1000, 54000)  # its training split holds 54,000 of the 60,000
BETA_RANGE = (0.0, 50.0)
LEARNING_RATE_RANGE = (1e-5, 0.05)
BATCH_RANGE = (8, 1024)
EPOCH_RANGE = (1, 500)
WARMUP_RANGE = (0, EPOCH_RANGE[1])  # and never past the run's own epochs
DEFAULT_EPOCHS = 30
# 30 epochs of the 8x8 digits end in seconds, and 150 still in about 20 s (a newcomer's review: epoch 87 after 12 s),
# before a presenter could steer beta: the digits get the most the range allows, about a minute
FAST_DATASET_EPOCHS = {"digits": EPOCH_RANGE[1]}
HIDDEN_WIDTH = 256  # the book's MLP (GANs in Action, ch. 2), as the shipped models
SAMPLE_SEED = 0  # the fixed N(0, I) draws decoded every epoch


def default_epochs(dataset: str) -> int:
    """The epochs a run on this dataset is offered: enough time to move beta while it trains."""
    return FAST_DATASET_EPOCHS.get(dataset, DEFAULT_EPOCHS)


class LiveSettingsError(ConfigError):
    """Settings a live run cannot start with; the message names the setting and its allowed range."""


def _check_range(name: str, value: float, bounds: tuple[float, float]) -> None:
    low, high = bounds
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise LiveSettingsError(f"{name} must be a finite number, got {value!r}")
    if not low <= value <= high:
        raise LiveSettingsError(f"{name} must lie between {low:g} and {high:g}, got {value:g}")


@dataclass(frozen=True)
class LiveSettings:
    """One live run as the visitor set it up. `fashion_images` is how many Fashion-MNIST images to train on."""

    dataset: str = "mnist-5k"
    kind: Literal["ae", "vae"] = "vae"
    latent_dim: int = 2
    architecture: Literal["mlp", "conv"] = "mlp"
    beta: float = 1.0
    kl_warmup_epochs: int = 0
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = DEFAULT_EPOCHS
    fashion_images: int = 5000
    seed: int = 0

    def __post_init__(self) -> None:
        if self.dataset not in LIVE_DATASETS:
            raise LiveSettingsError(f"dataset must be one of {', '.join(LIVE_DATASETS)}, got {self.dataset!r}")
        if self.kind not in ("ae", "vae"):
            raise LiveSettingsError(f"kind must be 'ae' or 'vae', got {self.kind!r}")
        if self.latent_dim not in LIVE_LATENT_SIZES:
            raise LiveSettingsError(f"the latent size must be 2 or 16, got {self.latent_dim!r}")
        if self.architecture not in ("mlp", "conv"):
            raise LiveSettingsError(f"architecture must be 'mlp' or 'conv', got {self.architecture!r}")
        _check_range("beta", self.beta, BETA_RANGE)
        _check_range("the learning rate", self.learning_rate, LEARNING_RATE_RANGE)
        _check_range("the batch size", self.batch_size, BATCH_RANGE)
        _check_range("epochs", self.epochs, EPOCH_RANGE)
        _check_range("the KL warm-up", self.kl_warmup_epochs, (0, self.epochs))
        if self.dataset == "fashion-mnist":  # the count means nothing for the other datasets
            _check_range("the Fashion-MNIST image count", self.fashion_images, FASHION_SUBSET_RANGE)
        for name in ("batch_size", "epochs", "kl_warmup_epochs", "fashion_images", "latent_dim", "seed"):
            if not isinstance(getattr(self, name), int):
                raise LiveSettingsError(f"{name.replace('_', ' ')} must be a whole number")

    def check_change(self, beta: float, learning_rate: float) -> None:
        """A mid-run change must stay within the same bounds as the start."""
        _check_range("beta", beta, BETA_RANGE)
        _check_range("the learning rate", learning_rate, LEARNING_RATE_RANGE)


# Commands, page -> worker


@dataclass(frozen=True)
class Adjust:
    """Train from the next epoch on with this beta (the warm-up still scales it) and learning rate."""

    beta: float
    learning_rate: float


Command = Adjust | Literal["pause", "resume", "stop"]


# Messages, worker -> page


@dataclass(frozen=True)
class SettingChange:
    """A visitor's change, applied from `epoch` (1-based) on: the curves mark it there."""

    epoch: int
    beta: float
    learning_rate: float


@dataclass(frozen=True)
class RunStarted:
    """Sent once the data is loaded: what the fixed views show, so each epoch sends only what moves."""

    n_train: int
    n_val: int
    class_names: tuple[str, ...]
    map_labels: np.ndarray  # (N,) class of each held-out image on the map
    originals: np.ndarray  # (K, H, W) uint8 held-out images shown with their reconstructions


@dataclass(frozen=True)
class EpochSnapshot:
    """One epoch: its losses and how the model looks after it.

    `map_coords` are the held-out codes (latent 2) or their projection on this epoch's 2 principal components
    (latent 16; `explained` is the variance share they keep), signs aligned with the previous epoch's."""

    record: EpochRecord
    map_coords: np.ndarray  # (N, 2) float32
    explained: float | None
    reconstructions: np.ndarray  # (K, H, W) uint8
    prior_decodes: np.ndarray  # (M, H, W) uint8
    change: SettingChange | None

    @property
    def finite(self) -> bool:
        r = self.record
        values = (r.train_reconstruction, r.train_kl, r.train_total, r.val_reconstruction, r.val_kl, r.val_total)
        return all(math.isfinite(v) for v in values) and bool(np.isfinite(self.map_coords).all())


Ending = Literal["completed", "stopped", "diverged", "failed"]


@dataclass(frozen=True)
class RunEnded:
    """The last message: why it ended (`message` reads on from "The run ..."), and the weights file of the last
    good epoch (None when no epoch finished)."""

    ending: Ending
    message: str
    weights: bytes | None
    good_epochs: int
