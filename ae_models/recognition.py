"""A plain reference classifier for pictures: does a model's reconstruction still look like the image's class?

k nearest neighbours in pixel space over the labelled evaluation images (scikit-learn), the simplest honest
judge that needs no trained network of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.neighbors import NearestNeighbors
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


@dataclass(frozen=True)
class Judge:
    """A k-NN index over a reference set and each reference image's nearest rows, built once per set.

    Fitting the index and measuring the set's own spacing (every image against every other) is what costs; asking
    it about a few pictures is cheap. So one judge serves every rerun, and a caller that must leave some reference
    rows out (the endpoints of an interpolation, the images being denoised) names them per call instead of fitting
    a judge on the rest: the reading is exactly that of a judge fitted without those rows.
    """

    index: NearestNeighbors
    reference: np.ndarray  # (N, pixels), what the index holds
    labels: np.ndarray
    closest: np.ndarray  # (N, 2) each row's two nearest rows, ascending: itself and its nearest other, barring twins
    closest_distances: np.ndarray

    def read(self, pictures: Tensor, excluded: Sequence[int] = ()) -> Reading:
        """The majority class among each picture's NEIGHBOURS nearest reference images (Euclidean, pixel space),
        the `excluded` rows left out.

        A picture farther from every reference image than 99% of the reference images are from their nearest other
        one does not look like data (a grey blob is nearest to *some* image, so k-NN alone would still name a class):
        it reads as UNRECOGNISABLE.
        """
        kept = np.ones(len(self.labels), dtype=bool)
        kept[np.asarray(excluded, dtype=np.int64)] = False
        if kept.sum() < 2:
            raise ValueError("need at least two reference images to measure their spacing")
        dropped = len(kept) - int(kept.sum())
        k = min(NEIGHBOURS, len(kept) - dropped)
        # among the k + dropped nearest rows at least k are kept: the first k of those are the nearest kept ones
        distances, rows = self.index.kneighbors(pictures.flatten(1).numpy(), n_neighbors=k + dropped)
        first_kept = np.argsort(~kept[rows], axis=1, kind="stable")[:, :k]
        voters = np.take_along_axis(rows, first_kept, axis=1)
        nearest = np.take_along_axis(distances, first_kept[:, :1], axis=1)[:, 0]
        classes = np.unique(self.labels[kept])  # a fitted classifier's classes_: ties go to the smallest label
        votes = (self.labels[voters][:, :, None] == classes).sum(axis=1)
        column = votes.argmax(axis=1)
        readings = torch.from_numpy(classes[column])
        readings[torch.from_numpy(nearest > np.quantile(self._spacing(kept, dropped), OUTSIDE_QUANTILE))] = (
            UNRECOGNISABLE
        )
        agreement = votes[np.arange(len(column)), column] / k
        return Reading(readings, torch.from_numpy(agreement).float())

    def _spacing(self, kept: np.ndarray, dropped: int) -> np.ndarray:
        """Each kept row's distance to its nearest other kept row. The stored two nearest rows answer for all
        rows whose nearest other is kept; only rows that lost it to `excluded` are asked again, for dropped + 2
        rows (at most `dropped` of them are excluded and one is the row itself)."""
        indices = np.flatnonzero(kept)
        spacing = np.full(len(indices), np.nan, dtype=self.closest_distances.dtype)
        for column in range(self.closest.shape[1]):
            row = self.closest[indices, column]
            usable = np.isnan(spacing) & (row != indices) & kept[row]
            spacing[usable] = self.closest_distances[indices, column][usable]
        lost = np.flatnonzero(np.isnan(spacing))
        if len(lost):
            distances, rows = self.index.kneighbors(self.reference[indices[lost]], n_neighbors=dropped + 2)
            usable = (rows != indices[lost, None]) & kept[rows]
            spacing[lost] = distances[np.arange(len(lost)), usable.argmax(axis=1)]
        return spacing


def fit_judge(reference: Tensor, labels: Tensor) -> Judge:
    """Index the reference images and find each one's nearest other (the judge's spacing), once per set."""
    if len(reference) < 2:
        raise ValueError("need at least two reference images to measure their spacing")
    flat = reference.flatten(1).numpy()
    index = NearestNeighbors().fit(flat)
    distances, rows = index.kneighbors(flat, n_neighbors=2)
    return Judge(index, flat, labels.numpy(), rows, distances)


def classify_like(pictures: Tensor, reference: Tensor, labels: Tensor) -> Reading:
    """A fresh judge's reading of the pictures (see Judge.read); for one-off calls, as a judge is built per set."""
    return fit_judge(reference, labels).read(pictures)


@torch.no_grad()
def rebuilt_as_own_class(networks: Sequence[Autoencoder], sample: EvaluationSample, rows: Sequence[int]) -> Tensor:
    """For each row: True when every network's reconstruction is classified as the image's own class, judged
    against the other evaluation images (the rows themselves are left out, so a copy of one cannot vote)."""
    rows = list(rows)
    images, labels = sample.images.images, sample.images.labels
    judge = fit_judge(images, labels)
    faithful = torch.ones(len(rows), dtype=torch.bool)
    for network in networks:
        network.eval()
        faithful &= judge.read(network.reconstruct(images[rows]), excluded=rows).classes == labels[rows]
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
