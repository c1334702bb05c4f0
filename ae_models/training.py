"""Seeded end-to-end training with Adam, recording the per-epoch history the loss-curve page draws."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch import Tensor

from .augmentation import gaussian_noise, random_affine
from .config import TrainConfig
from .evaluation import evaluate
from .losses import kl_weight, loss_parts
from .models import Autoencoder


@dataclass(frozen=True)
class EpochRecord:
    """Means per image over one epoch (train) and on the held-out split at its end (val)."""

    epoch: int
    beta: float
    train_reconstruction: float
    train_kl: float
    train_total: float
    val_reconstruction: float
    val_kl: float
    val_total: float
    seconds: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


EpochCallback = Callable[[EpochRecord], None]


def _scheduler(
    optimizer: torch.optim.Optimizer, config: TrainConfig, steps: int
) -> torch.optim.lr_scheduler.LRScheduler:
    if config.lr_schedule == "one-cycle":
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.learning_rate, total_steps=steps)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)


def train(
    model: Autoencoder,
    train_images: Tensor,
    val_images: Tensor,
    config: TrainConfig,
    on_epoch: EpochCallback | None = None,
) -> list[EpochRecord]:
    """Train in place and return the history; the same seed, data and config give the same weights."""
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    batches_per_epoch = math.ceil(len(train_images) / config.batch_size)
    scheduler = _scheduler(optimizer, config, config.epochs * batches_per_epoch)
    history: list[EpochRecord] = []
    for epoch in range(config.epochs):
        started = time.perf_counter()
        beta = kl_weight(epoch, config.beta, config.kl_warmup_epochs) if model.kind == "vae" else 0.0
        model.train()
        # jitter fades out linearly: early epochs see varied digits, the last ones the real distribution
        jitter = config.augment * (1 - epoch / config.epochs)
        sums = torch.zeros(3)
        for index in torch.randperm(len(train_images), generator=generator).split(config.batch_size):
            target = random_affine(train_images[index], jitter, generator)
            inputs = gaussian_noise(target, config.input_noise, generator)
            encoding = model.encode(inputs)
            logits = model.decode_logits(model.sample_latent(encoding, generator))
            parts = loss_parts(logits, target, encoding, beta, config.reconstruction_loss)
            optimizer.zero_grad(set_to_none=True)
            parts.total.backward()
            optimizer.step()
            scheduler.step()
            sums += torch.stack([parts.reconstruction, parts.kl, parts.total]).detach() * len(index)
        train_recon, train_kl, train_total = (sums / len(train_images)).tolist()
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
        )
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
    model.eval()
    return history
