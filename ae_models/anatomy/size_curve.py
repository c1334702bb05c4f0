"""Held-out reconstruction error against latent size for small MLP AEs and VAEs, the chart's nonlinear curves.

The shipped models exist only at latent 2 and 16, and training the other sizes at their full recipe would not fit
train-all's budget. So one small recipe (the book's 784-256-z MLP, a few epochs on at most MAX_TRAIN training
images) is trained through the project's own `train` at every chart size, and only the errors are kept, in a small
JSON file per dataset (`sizes/<dataset>.json`, made with the PCA basis): the same recipe at every size makes the
curve's shape honest, where mixing it with the shipped models' longer training would not.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from ..config import MODEL_KINDS, ModelConfig, TrainConfig
from ..datasets import load_split
from ..files import atomic_write_bytes, per_dataset_path
from ..models import build_model
from ..training import train
from .pca import CHART_SIZES, model_squared_error

SIZES_FORMAT = "ae_models.size_errors/1"
MAX_TRAIN = 20_000  # Fashion-MNIST's 54,000 training images are cut to their first 20,000 (mnist-5k keeps 4,500)
IMAGES_SEEN = 135_000  # epochs per model: 30 on mnist-5k, 6 on Fashion-MNIST's 20,000, within [MIN, MAX]_EPOCHS
MIN_EPOCHS, MAX_EPOCHS = 2, 30
MAX_BYTES = 10_000


class SizeCurveError(ValueError):
    """A size-curve file that is missing or malformed."""


def size_curve_recipe(n_train: int) -> tuple[ModelConfig, TrainConfig]:
    """The one small recipe trained at every size (latent_dim and kind are set per model)."""
    epochs = min(MAX_EPOCHS, max(MIN_EPOCHS, IMAGES_SEEN // n_train))
    return ModelConfig(architecture="mlp", hidden_sizes=(256,)), TrainConfig(epochs=epochs, batch_size=128)


def train_size_curve(dataset: str, val_fraction: float = 0.1, split_seed: int = 0) -> SizeCurve:
    """Train the recipe's AE and VAE at each chart size on the training split, score each on the validation split
    by squared error through the code mean (as PCA is scored), and keep only those numbers."""
    started = time.perf_counter()
    train_set = load_split(dataset, "train", val_fraction, split_seed)
    val_images = load_split(dataset, "val", val_fraction, split_seed).images
    train_images = train_set.images[:MAX_TRAIN]
    model_config, training = size_curve_recipe(len(train_images))
    errors: dict[str, dict[int, float]] = {}
    for kind in MODEL_KINDS:
        for size in CHART_SIZES:
            config = ModelConfig(**{**model_config.to_dict(), "kind": kind, "latent_dim": size,
                                    "image_shape": train_set.image_shape})  # fmt: skip
            model = build_model(config)
            train(model, train_images, val_images, training)
            with torch.no_grad():
                errors.setdefault(kind, {})[size] = model_squared_error(model, val_images)
    return SizeCurve(dataset, train_set.image_shape, len(train_images), len(val_images), training.epochs, errors,
                     time.perf_counter() - started)  # fmt: skip


def size_curve_path(weights_dir: str | Path, dataset: str) -> Path:
    return per_dataset_path(weights_dir, "sizes", dataset, ".json")


def save_size_curve(curve: SizeCurve, path: str | Path, force: bool = False) -> None:
    payload = {
        "format": SIZES_FORMAT, "dataset": curve.dataset, "image_shape": list(curve.image_shape),
        "n_train": curve.n_train, "n_val": curve.n_val, "epochs": curve.epochs, "seconds": round(curve.seconds, 1),
        "errors": {kind: {str(size): e for size, e in by_size.items()} for kind, by_size in curve.errors.items()},
    }  # fmt: skip
    atomic_write_bytes(path, json.dumps(payload, indent=1, allow_nan=False).encode(), force=force)


def load_size_curve(path: str | Path) -> SizeCurve:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError(f"larger than {MAX_BYTES} bytes")
        payload = json.loads(path.read_text())
        if payload.get("format") != SIZES_FORMAT:
            raise ValueError(f"not a {SIZES_FORMAT} file")
        errors = {str(kind): {int(size): float(error) for size, error in by_size.items()}
                  for kind, by_size in payload["errors"].items()}  # fmt: skip
        if set(errors) - set(MODEL_KINDS) or any(set(e) - set(CHART_SIZES) for e in errors.values()):
            raise ValueError(f"kinds must be among {MODEL_KINDS} and sizes among {CHART_SIZES}")
        if not all(math.isfinite(v) and v >= 0 for e in errors.values() for v in e.values()):
            raise ValueError("errors must be finite and non-negative")
        height, width = (int(side) for side in payload["image_shape"])
        curve = SizeCurve(
            str(payload["dataset"]), (height, width), int(payload["n_train"]), int(payload["n_val"]),
            int(payload["epochs"]), errors, float(payload["seconds"]),
        )  # fmt: skip
    except (OSError, KeyError, TypeError, ValueError, AttributeError) as err:
        raise SizeCurveError(f"{path}: cannot read size curve ({err})") from None
    return curve


@dataclass(frozen=True)
class SizeCurve:
    """Mean squared error per held-out image for each kind ('ae', 'vae') and latent size, with how it was made."""

    dataset: str
    image_shape: tuple[int, int]
    n_train: int
    n_val: int
    epochs: int
    errors: dict[str, dict[int, float]]
    seconds: float
