"""From a dataset name and two configs to a saved, scored model with its evaluation sample and map."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from .config import DatasetInfo, ModelConfig, TrainConfig
from .datasets import load_split
from .distributed import SINGLE, Worker
from .evaluation import evaluate
from .files import check_target, sha256_of, write_beside
from .latent_maps import build_map, map_path_for, save_map
from .models import build_model
from .samples import draw_sample, load_sample, sample_path, save_sample
from .serving import check_servable
from .training import EpochCallback, train
from .weights import TrainedModel, encode_model, load_model, save_model


@dataclass(frozen=True)
class ModelSpec:
    """One model to train: what it is called, on which data, with which architecture and schedule."""

    name: str
    dataset: str
    model: ModelConfig
    training: TrainConfig

    @property
    def filename(self) -> str:
        return f"{self.name}.safetensors"


class TargetTaken(FileExistsError):
    """Another run wrote the target first; this run's model was kept beside it under another name."""


def train_spec(spec: ModelSpec, on_epoch: EpochCallback | None = None, worker: Worker = SINGLE) -> TrainedModel:
    """Train on the dataset's seeded train split and score on its validation split; the model ends on the CPU."""
    cfg = spec.training
    train_set = load_split(spec.dataset, "train", cfg.val_fraction, cfg.split_seed)
    val_set = load_split(spec.dataset, "val", cfg.val_fraction, cfg.split_seed)
    train_images, val_images = train_set.images.to(worker.device), val_set.images.to(worker.device)
    torch.manual_seed(cfg.seed)
    model = build_model(replace(spec.model, image_shape=train_set.image_shape)).to(worker.device)
    history = train(model, train_images, val_images, cfg, on_epoch, worker)
    metrics = evaluate(model, val_images, cfg.reconstruction_loss)
    info = DatasetInfo(spec.dataset, len(train_set), len(val_set), cfg.val_fraction, cfg.split_seed)
    return TrainedModel(model.cpu(), cfg, info, history, metrics)


def write_map(weights_path: Path, force: bool = False) -> Path:
    """Precompute the 2-D map beside a weights file, drawing the dataset's evaluation sample if needed."""
    trained = load_model(weights_path)
    check_servable(str(weights_path), trained, datasets=None)  # its images fit its dataset, its outputs are finite
    info = trained.dataset
    samples_file = sample_path(weights_path.parent, info.name)
    if samples_file.exists():
        sample = load_sample(samples_file)
    else:
        sample = draw_sample(info.name, val_fraction=info.val_fraction, split_seed=info.split_seed)
        with contextlib.suppress(FileExistsError):  # a parallel train-all worker saved the same seeded draw first
            save_sample(sample, samples_file)
    out = map_path_for(weights_path)
    save_map(build_map(trained.network, sample, sha256_of(weights_path)), out, force=force)
    return out


def train_and_save(
    spec: ModelSpec,
    target: Path,
    force: bool = False,
    on_epoch: EpochCallback | None = None,
    worker: Worker = SINGLE,
) -> TrainedModel:
    """Train, then write the weights and their map (the main process only). A target that exists or cannot be
    written stops it before training; one that another run wrote meanwhile keeps this result under another name."""
    check_target(target, force)
    trained = train_spec(spec, on_epoch, worker)
    if worker.is_main:
        try:
            save_model(trained, target, force=force)
        except FileExistsError:
            kept = write_beside(target, encode_model(trained))
            write_map(kept, force=True)
            raise TargetTaken(
                f"{target} was written by another run while this one trained and was left as it is; "
                f"this run's model was saved as {kept}"
            ) from None
        write_map(target, force=True)
    return trained
