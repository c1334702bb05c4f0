"""A plain reference classifier for pictures: does a model's reconstruction still look like the image's class?

k nearest neighbours in pixel space over the labelled evaluation images (scikit-learn), the simplest honest
judge that needs no trained network of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.neighbors import KNeighborsClassifier
from torch import Tensor

from .coverage import OUTSIDE_QUANTILE
from .models import Autoencoder
from .samples import EvaluationSample

NEIGHBOURS = 5
UNRECOGNISABLE = -1  # the class of a picture that looks like no real image


@dataclass(frozen=True)
class Reading:
    """What the judge makes of each picture: its class (UNRECOGNISABLE for junk) and the share of the nearest
    reference images that voted for that class (how sure the judge is)."""

    classes: Tensor
    agreement: Tensor


def classify_like(pictures: Tensor, reference: Tensor, labels: Tensor) -> Reading:
    """The majority class among each picture's NEIGHBOURS nearest reference images (Euclidean, pixel space).

    A picture farther from every reference image than 99% of the reference images are from their nearest other
    one does not look like data (a grey blob is nearest to *some* image, so k-NN alone would still name a class):
    it reads as UNRECOGNISABLE.
    """
    judge = KNeighborsClassifier(n_neighbors=min(NEIGHBOURS, len(reference)))
    references, flat = reference.flatten(1).numpy(), pictures.flatten(1).numpy()
    judge.fit(references, labels.numpy())
    votes = torch.from_numpy(judge.predict_proba(flat))
    agreement, column = votes.max(dim=1)
    classes = torch.from_numpy(judge.classes_)[column]
    spacing = judge.kneighbors(references, n_neighbors=min(2, len(references)), return_distance=True)[0][:, -1]
    nearest = judge.kneighbors(flat, n_neighbors=1, return_distance=True)[0][:, 0]
    classes[torch.from_numpy(nearest > np.quantile(spacing, OUTSIDE_QUANTILE))] = UNRECOGNISABLE
    return Reading(classes, agreement.float())


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
        predicted = classify_like(network.reconstruct(images[rows_t]), images[others], labels[others]).classes
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
