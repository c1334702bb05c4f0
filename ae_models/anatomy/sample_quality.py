"""Scores of generated samples by a judge (judge.py): how sure it is, how many classes it sees, and how far the
samples' features are from real images' (the Frechet distance of Heusel et al. 2017, "GANs Trained by a Two
Time-Scale Update Rule Converge to a Local Nash Equilibrium", in the judge's feature space instead of Inception's).

None of them is a likelihood: a model that copies its training images scores perfectly on all three.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy import linalg
from torch import Tensor

from .judge import TrainedJudge

EPS = 1e-6


def frechet_distance(features_a: Tensor, features_b: Tensor) -> float:
    """||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 (C_a C_b)^(1/2)) between Gaussians fitted to two feature sets."""
    a, b = features_a.double().numpy(), features_b.double().numpy()
    mean_a, mean_b = a.mean(0), b.mean(0)
    # ReLU features have dead units whose variance is 0: a tiny ridge keeps the product's square root defined
    # (as pytorch-fid does), shifting the distance by about EPS per feature
    ridge = EPS * np.eye(a.shape[1])
    cov_a, cov_b = np.cov(a, rowvar=False) + ridge, np.cov(b, rowvar=False) + ridge
    root = linalg.sqrtm(cov_a @ cov_b)
    root = root.real if np.iscomplexobj(root) else root  # sqrtm leaves tiny imaginary parts from round-off
    value = float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root))
    return max(value, 0.0)


def class_entropy(predicted: Tensor, n_classes: int) -> float:
    """Entropy (nats) of the histogram of predicted classes: log(n_classes) when every class is equally common,
    0 when all samples look like one class."""
    shares = torch.bincount(predicted, minlength=n_classes).double() / len(predicted)
    shares = shares[shares > 0]
    return float(-(shares * shares.log()).sum())


@dataclass(frozen=True)
class SampleScores:
    """Mean top-class probability, entropy of the class histogram (nats; max log(classes)) and Frechet distance
    to the real reference images' features, for `n` samples."""

    confidence: float
    class_entropy: float
    frechet: float
    n: int

    @property
    def classes_equivalent(self) -> float:
        """exp(entropy): the number of equally common classes with the same entropy."""
        return math.exp(self.class_entropy)


def score_samples(judge: TrainedJudge, samples: Tensor, reference_features: Tensor) -> SampleScores:
    probabilities, features = judge.judge(samples)
    confidence = float(probabilities.max(dim=1).values.mean())
    entropy = class_entropy(probabilities.argmax(dim=1), probabilities.shape[1])
    return SampleScores(confidence, entropy, frechet_distance(features, reference_features), len(samples))
