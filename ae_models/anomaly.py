"""Anomaly detection without labels: an image the model cannot rebuild, or whose code lands far from every
training code, is unlike what it was trained on (a one-class classifier)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn import metrics
from torch import Tensor

from .latent_ops import EXACT
from .losses import reconstruction_error
from .models import Autoencoder, decode_logits_in_batches, encode_in_batches


@torch.no_grad()
def reconstruction_scores(model: Autoencoder, images: Tensor) -> Tensor:
    """Per-image Bernoulli reconstruction error (nats) through the code mean: deterministic, higher = stranger."""
    return reconstruction_error(decode_logits_in_batches(model, encode_in_batches(model, images).mean), images)


@torch.no_grad()
def latent_distance_scores(model: Autoencoder, images: Tensor, reference_codes: Tensor, k: int = 5) -> Tensor:
    """Mean distance from each image's code to its k nearest reference codes ("proximity in latent space")."""
    codes = encode_in_batches(model, images).mean
    distances = torch.cdist(codes, reference_codes, compute_mode=EXACT)
    return torch.topk(distances, min(k, reference_codes.shape[0]), largest=False).values.mean(dim=1)


@dataclass(frozen=True)
class RocCurve:
    """False- and true-positive rates at every threshold, and the area under them; positives are the anomalies
    (high scores)."""

    false_positive_rate: Tensor
    true_positive_rate: Tensor
    thresholds: Tensor
    auc: float


def _labelled(normal_scores: Tensor, anomaly_scores: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(is anomaly, score) for every image, as scikit-learn's metrics take them."""
    is_anomaly = np.concatenate([np.zeros(len(normal_scores)), np.ones(len(anomaly_scores))])
    return is_anomaly, torch.cat([normal_scores, anomaly_scores]).double().numpy()


def roc_curve(normal_scores: Tensor, anomaly_scores: Tensor) -> RocCurve:
    """Exact ROC over every observed score (ties resolved together), by scikit-learn."""
    is_anomaly, scores = _labelled(normal_scores, anomaly_scores)
    fpr, tpr, thresholds = metrics.roc_curve(is_anomaly, scores, drop_intermediate=False)
    auc = float(metrics.roc_auc_score(is_anomaly, scores))
    return RocCurve(torch.from_numpy(fpr).float(), torch.from_numpy(tpr).float(), torch.from_numpy(thresholds), auc)


@dataclass(frozen=True)
class Confusion:
    """Counts at one threshold: a score at or above it is flagged as an anomaly."""

    true_positives: int
    false_negatives: int
    false_positives: int
    true_negatives: int


def confusion_at(threshold: float, normal_scores: Tensor, anomaly_scores: Tensor) -> Confusion:
    is_anomaly, scores = _labelled(normal_scores, anomaly_scores)
    counts = metrics.confusion_matrix(is_anomaly, scores >= threshold, labels=[0, 1])
    (true_negatives, false_positives), (false_negatives, true_positives) = counts.tolist()
    return Confusion(true_positives, false_negatives, false_positives, true_negatives)


OUTLIER_KINDS = ("other dataset", "pure noise", "rotated")
# images of the same size and a different subject: each dataset's natural "other dataset" outliers
CONTRAST_DATASETS = {"mnist-5k": "fashion-mnist", "fashion-mnist": "mnist-5k"}


def contrast_dataset(dataset: str) -> str | None:
    """The dataset whose images serve as "other dataset" anomalies for models of this one, if there is one."""
    return CONTRAST_DATASETS.get(dataset)


def outlier_images(kind: str, normal: Tensor, other_dataset: Tensor | None, seed: int = 0) -> Tensor:
    """Images the model should find strange: another dataset's, uniform noise, or the normal ones turned 90 degrees."""
    if kind == "pure noise":
        return torch.rand(normal.shape, generator=torch.Generator().manual_seed(seed))
    if kind == "rotated":
        return torch.rot90(normal, 1, dims=(1, 2))
    if kind == "other dataset":
        if other_dataset is None or other_dataset.shape[1:] != normal.shape[1:]:
            raise ValueError("no other dataset of the same image size is available")
        return other_dataset[: len(normal)]
    raise ValueError(f"unknown outlier kind {kind!r}; use one of {', '.join(OUTLIER_KINDS)}")
