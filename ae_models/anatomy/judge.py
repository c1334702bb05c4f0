"""A small classifier of a dataset's images, trained on the models' own training split: the judge that scores
generated samples (sample_quality.py). Stored beside the weights as `judges/<dataset>.safetensors`.

Its penultimate layer is the feature space of the Frechet distance, as Inception's is for FID (Heusel et al.
2017); on 28x28 digits a network that knows digits is the only sensible choice of features.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

from ..datasets import load_split
from ..files import UnreadableFile, per_dataset_path, read_tagged, write_tagged

JUDGE_FORMAT = "ae_models.judge/1"
FEATURES = 64
CHANNELS = (16, 32)
MIN_EPOCHS, IMAGES_SEEN, BATCH, LEARNING_RATE, SEED = 4, 50_000, 64, 2e-3, 0  # small datasets get more epochs


class JudgeError(ValueError):
    """A judge file that is missing, malformed or made for another dataset or image size."""


class Judge(nn.Module):
    """Two stride-2 convolutions, a FEATURES-wide dense layer (the features), then the class logits."""

    def __init__(self, image_shape: tuple[int, int], n_classes: int) -> None:
        super().__init__()
        convolutions = [
            nn.Unflatten(1, (1, image_shape[0])),
            nn.Conv2d(1, CHANNELS[0], 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(CHANNELS[0], CHANNELS[1], 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(),
        ]  # fmt: skip
        flat = nn.Sequential(*convolutions)(torch.zeros(1, *image_shape)).shape[1]
        self.features = nn.Sequential(*convolutions, nn.Linear(flat, FEATURES), nn.ReLU())
        self.head = nn.Linear(FEATURES, n_classes)
        self.image_shape = image_shape

    def forward(self, images: Tensor) -> Tensor:
        return self.head(self.features(images))


@dataclass(frozen=True)
class TrainedJudge:
    """The judge with its dataset and its accuracy on the held-out (validation) split."""

    network: Judge
    dataset: str
    class_names: tuple[str, ...]
    accuracy: float
    n_val: int

    @property
    def image_shape(self) -> tuple[int, int]:
        return self.network.image_shape

    @torch.no_grad()
    def judge(self, images: Tensor, batch_size: int = 1000) -> tuple[Tensor, Tensor]:
        """Class probabilities (N, classes) and features (N, FEATURES) of images, in eval mode."""
        self.network.eval()
        features = torch.cat([self.network.features(batch) for batch in images.split(batch_size)])
        return torch.softmax(self.network.head(features), dim=1), features


def train_judge(dataset: str, val_fraction: float = 0.1, split_seed: int = 0) -> TrainedJudge:
    """Seeded Adam on the dataset's train split (the split the shipped models trained on), scored on its val split;
    at least IMAGES_SEEN images' worth of epochs, so the 4,500 digits of mnist-5k get 11 and Fashion-MNIST 4."""
    train_set = load_split(dataset, "train", val_fraction, split_seed)
    val_set = load_split(dataset, "val", val_fraction, split_seed)
    epochs = max(MIN_EPOCHS, IMAGES_SEEN // len(train_set))
    torch.manual_seed(SEED)
    network = Judge(train_set.image_shape, len(train_set.class_names))
    optimizer = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE)
    order = torch.Generator().manual_seed(SEED)
    network.train()
    for _ in range(epochs):
        for rows in torch.randperm(len(train_set), generator=order).split(BATCH):
            loss = nn.functional.cross_entropy(network(train_set.images[rows]), train_set.labels[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    network.eval().requires_grad_(False)
    judged = TrainedJudge(network, dataset, tuple(train_set.class_names), 0.0, len(val_set))
    probabilities, _ = judged.judge(val_set.images)
    accuracy = float((probabilities.argmax(1) == val_set.labels).float().mean())
    return TrainedJudge(network, dataset, judged.class_names, accuracy, len(val_set))


def judge_path(weights_dir: str | Path, dataset: str) -> Path:
    return per_dataset_path(weights_dir, "judges", dataset, ".safetensors")


def save_judge(judge: TrainedJudge, path: str | Path, force: bool = False) -> None:
    metadata = {
        "ae_models.dataset": judge.dataset,
        "ae_models.class_names": json.dumps(list(judge.class_names)),
        "ae_models.image_shape": json.dumps(list(judge.network.image_shape)),
        "ae_models.accuracy": json.dumps(judge.accuracy),
        "ae_models.n_val": json.dumps(judge.n_val),
    }
    write_tagged(path, judge.network.state_dict(), JUDGE_FORMAT, metadata, force)


def load_judge(path: str | Path) -> TrainedJudge:
    try:
        metadata, tensors = read_tagged(path, JUDGE_FORMAT)
        class_names = tuple(str(name) for name in json.loads(metadata["ae_models.class_names"]))
        height, width = (int(v) for v in json.loads(metadata["ae_models.image_shape"]))
        network = Judge((height, width), len(class_names))
        network.load_state_dict(tensors, strict=True)
        accuracy, n_val = (
            float(json.loads(metadata["ae_models.accuracy"])),
            int(json.loads(metadata["ae_models.n_val"])),
        )
    except (UnreadableFile, KeyError, ValueError, TypeError, RuntimeError) as err:
        raise JudgeError(f"{path}: cannot read judge ({err})") from None
    network.eval().requires_grad_(False)
    return TrainedJudge(network, metadata["ae_models.dataset"], class_names, accuracy, n_val)
