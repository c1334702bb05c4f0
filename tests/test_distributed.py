"""`torchrun --nproc_per_node 2 -m ae_models train` on CPU (gloo): DDP gives the usual file and one process's model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import torch

from ae_models.config import ModelConfig, TrainConfig
from ae_models.distributed import Worker
from ae_models.pipeline import ModelSpec, train_spec
from ae_models.training import _global_batches
from ae_models.weights import load_model

from .conftest import REPO_ROOT

FLAGS = ["--dataset", "digits", "--kind", "ae", "--latent", "2", "--hidden", "32", "--epochs", "3",
         "--batch-size", "64", "--lr", "0.005"]  # fmt: skip
SAME_SPEC = ModelSpec(
    "single",
    "digits",
    ModelConfig(kind="ae", image_shape=(8, 8), latent_dim=2, hidden_sizes=(32,)),
    TrainConfig(epochs=3, batch_size=64, learning_rate=0.005),
)


def test_shares_cover_each_global_batch_once() -> None:
    batch = torch.arange(7)
    shares = [Worker(rank, 3).shard(batch) for rank in range(3)]
    assert sorted(torch.cat(shares).tolist()) == batch.tolist()
    assert _global_batches(17, 8, Worker(0, 2)) == 2 and _global_batches(17, 8, Worker()) == 3


def test_two_cpu_processes_train_the_same_model_as_one(tmp_path: Path) -> None:
    out = tmp_path / "ddp.safetensors"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               "-m", "ae_models", "train", *FLAGS, "--out", str(out)]  # fmt: skip
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("wrote") == 1 and "data-parallel on 2 processes" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ddp.map.safetensors", "ddp.safetensors", "samples"]

    distributed = load_model(out)
    single = train_spec(SAME_SPEC)
    assert distributed.config == single.config and distributed.training == single.training
    assert distributed.dataset == single.dataset and len(distributed.history) == 3
    # same global batches and schedule, gradients averaged: the model matches up to float summation order
    assert abs(distributed.final_metrics.reconstruction - single.final_metrics.reconstruction) < 0.01 * abs(
        single.final_metrics.reconstruction
    )
    for name, tensor in distributed.network.state_dict().items():
        assert torch.allclose(tensor, single.network.state_dict()[name], atol=0.02), name
