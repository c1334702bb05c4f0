"""A plain reference classifier for pictures: does a model's reconstruction still look like the image's class?

k nearest neighbours in pixel space over the labelled evaluation images (scikit-learn), the simplest honest
judge that needs no trained network of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from sklearn.neighbors import KNeighborsClassifier
from torch import Tensor

from .models import Autoencoder
from .samples import EvaluationSample

NEIGHBOURS = 5


def classify_like(pictures: Tensor, reference: Tensor, labels: Tensor) -> Tensor:
    """The majority class among each picture's NEIGHBOURS nearest reference images (Euclidean, pixel space)."""
    judge = KNeighborsClassifier(n_neighbors=min(NEIGHBOURS, len(reference)))
    judge.fit(reference.flatten(1).numpy(), labels.numpy())
    return torch.from_numpy(judge.predict(pictures.flatten(1).numpy()))


@torch.no_grad()
def rebuilt_as_own_class(networks: Sequence[Autoencoder], sample: EvaluationSample, rows: Sequence[int]) -> Tensor:
    """For each row: True when every network's reconstruction is classified as the image's own class, judged
    against the other evaluation images (the row itself is left out, so a copy of it cannot vote)."""
    rows_t = torch.as_tensor(list(rows), dtype=torch.long)
    others = torch.ones(len(sample.images), dtype=torch.bool)
    others[rows_t] = False
    images, labels = sample.images.images, sample.images.labels
    faithful = torch.ones(len(rows_t), dtype=torch.bool)
    for network in networks:
        network.eval()
        predicted = classify_like(network.reconstruct(images[rows_t]), images[others], labels[others])
        faithful &= predicted == labels[rows_t]
    return faithful


def interpolation_endpoints(
    networks: Sequence[Autoencoder], sample: EvaluationSample, classes: tuple[int, int] = (0, 1), per_class: int = 20
) -> tuple[int, int]:
    """Default rows for an interpolation: the first held-out example of each class that every network rebuilds as
    that class, so the strip starts and ends on recognisable pictures (the first example if none qualifies)."""
    candidates = sample.example_rows(per_class=per_class)
    faithful = rebuilt_as_own_class(networks, sample, candidates)
    labels = sample.images.labels
    chosen = []
    for wanted in classes:
        of_class = [i for i, row in enumerate(candidates) if int(labels[row]) == wanted]
        good = [i for i in of_class if faithful[i]] or of_class
        chosen.append(candidates[good[0]])
    return chosen[0], chosen[1]
