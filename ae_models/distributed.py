"""Data-parallel training under torchrun: one process per CPU core (gloo) or GPU (nccl), one shared model.

A plain `python -m ae_models train` is a world of one and takes none of these paths.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel

CPU = torch.device("cpu")


@dataclass(frozen=True)
class Worker:
    """This process's place in the training group."""

    rank: int = 0
    world_size: int = 1
    device: torch.device = CPU

    @property
    def is_main(self) -> bool:
        """The one process that prints progress and writes files."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def shard(self, batch: Tensor) -> Tensor:
        """This process's share of a global batch; together the shares cover it exactly once."""
        return batch[self.rank :: self.world_size]

    def wrap(self, model: nn.Module) -> nn.Module:
        """DDP averages gradients across processes during backward, so every copy takes the same step."""
        if not self.distributed:
            return model
        return DistributedDataParallel(model, device_ids=[self.device] if self.device.type == "cuda" else None)

    def sum(self, values: Tensor) -> Tensor:
        """Element-wise sum over all processes (the tensor itself when alone)."""
        if self.distributed:
            values = values.to(self.device)
            dist.all_reduce(values)
        return values.cpu()


SINGLE = Worker()


def launched_by_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


@contextmanager
def process_group() -> Iterator[Worker]:
    """Join torchrun's group for the duration: nccl when this machine has GPUs, gloo on CPU."""
    if not launched_by_torchrun():
        yield SINGLE
        return
    on_gpu = torch.cuda.is_available()
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local_rank) if on_gpu else torch.device("cpu")
    if on_gpu:
        torch.cuda.set_device(device)
    dist.init_process_group(backend="nccl" if on_gpu else "gloo")
    try:
        yield Worker(dist.get_rank(), dist.get_world_size(), device)
    finally:
        dist.destroy_process_group()
