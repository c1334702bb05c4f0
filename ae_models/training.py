"""Seeded end-to-end training with Adam, recording the per-epoch history the loss-curve page draws."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import torch
from torch import Tensor

from .augmentation import gaussian_noise, random_affine
from .config import ConfigError, EpochRecord, TrainConfig
from .distributed import SINGLE, Worker
from .evaluation import evaluate
from .losses import kl_weight, loss_parts
from .models import Autoencoder

EpochCallback = Callable[[EpochRecord], None]


class EpochSettings(NamedTuple):
    """What one epoch trains with: the KL weight and the (constant-schedule) learning rate."""

    beta: float
    learning_rate: float


# Asked before each epoch (counting from 0): the settings to train it with, or None to end the run there. A live
# run's hook may block while the run is paused and change beta or the learning rate between epochs.
SettingsHook = Callable[[int], EpochSettings | None]


def scheduled_settings(config: TrainConfig) -> SettingsHook:
    """The config's own schedule: beta with its linear KL warm-up, the configured learning rate."""
    return lambda epoch: EpochSettings(kl_weight(epoch, config.beta, config.kl_warmup_epochs), config.learning_rate)


def _global_batches(n_images: int, batch_size: int, worker: Worker) -> int:
    """Optimizer steps per epoch: a last batch too small to give every process an image is dropped."""
    sizes = [batch_size] * (n_images // batch_size) + ([n_images % batch_size] if n_images % batch_size else [])
    return sum(size >= worker.world_size for size in sizes)


def _scheduler(
    optimizer: torch.optim.Optimizer, config: TrainConfig, steps: int
) -> torch.optim.lr_scheduler.LRScheduler:
    if config.lr_schedule == "one-cycle":
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.learning_rate, total_steps=steps)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)


def _change_learning_rate(
    optimizer: torch.optim.Optimizer, scheduler: torch.optim.lr_scheduler.LRScheduler, config: TrainConfig, lr: float
) -> None:
    """Move a constant schedule to a new rate; Adam's moment estimates are kept, as a mid-run change should."""
    if config.lr_schedule != "constant":
        raise ConfigError("the learning rate can only change mid-run under the constant schedule")
    scheduler.base_lrs = [lr] * len(optimizer.param_groups)
    for group in optimizer.param_groups:
        group["lr"] = lr


def train(
    model: Autoencoder,
    train_images: Tensor,
    val_images: Tensor,
    config: TrainConfig,
    on_epoch: EpochCallback | None = None,
    worker: Worker = SINGLE,
    settings: SettingsHook | None = None,
) -> list[EpochRecord]:
    """Train in place and return the history; the same seed, data, config and world size give the same weights.

    `settings` replaces the config's beta/learning-rate schedule epoch by epoch (the live page's hook); the history
    records what each epoch actually trained with, and ends early where the hook said stop.

    Under torchrun every process walks the same global batches (a shared, seeded order) and trains on its own
    share of each; DDP averages the gradients, so the step count and learning-rate schedule match one process.
    """
    torch.manual_seed(config.seed)
    order = torch.Generator().manual_seed(config.seed)
    # alone, one stream drives order and noise (as the shipped weights were made); in a group the order must
    # stay identical across processes while each draws its own jitter, noise and latent samples
    noise = torch.Generator().manual_seed(config.seed + 1 + worker.rank) if worker.distributed else order
    network = worker.wrap(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    scheduler = _scheduler(
        optimizer, config, config.epochs * _global_batches(len(train_images), config.batch_size, worker)
    )
    history: list[EpochRecord] = []
    settings = settings or scheduled_settings(config)
    learning_rate = config.learning_rate
    for epoch in range(config.epochs):
        chosen = settings(epoch)
        if chosen is None:
            break
        if chosen.learning_rate != learning_rate:
            _change_learning_rate(optimizer, scheduler, config, chosen.learning_rate)
            learning_rate = chosen.learning_rate
        started = time.perf_counter()
        beta = chosen.beta if model.kind == "vae" else 0.0
        model.train()
        # jitter fades out linearly: early epochs see varied digits, the last ones the real distribution
        jitter = config.augment * (1 - epoch / config.epochs)
        sums = torch.zeros(4)
        for batch in torch.randperm(len(train_images), generator=order).split(config.batch_size):
            if len(batch) < worker.world_size:
                continue
            index = worker.shard(batch)
            target = random_affine(train_images[index], jitter, noise)
            logits, encoding = network(gaussian_noise(target, config.input_noise, noise), noise)
            parts = loss_parts(logits, target, encoding, beta, config.reconstruction_loss)
            optimizer.zero_grad(set_to_none=True)
            parts.total.backward()
            optimizer.step()
            scheduler.step()
            seen = torch.stack([parts.reconstruction, parts.kl, parts.total, torch.tensor(1.0)]).detach().cpu()
            sums += seen * len(index)
        totals = worker.sum(sums)
        train_recon, train_kl, train_total = (totals[:3] / totals[3]).tolist()
        val = evaluate(model, val_images, config.reconstruction_loss)
        val_kl = val.kl or 0.0
        record = EpochRecord(
            epoch=epoch + 1,
            beta=beta,
            train_reconstruction=train_recon,
            train_kl=train_kl,
            train_total=train_total,
            val_reconstruction=val.reconstruction,
            val_kl=val_kl,
            val_total=val.reconstruction + beta * val_kl,
            seconds=time.perf_counter() - started,
            learning_rate=learning_rate if config.lr_schedule == "constant" else None,
        )
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
    model.eval()
    return history
