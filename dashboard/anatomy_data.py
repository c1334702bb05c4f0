"""Latent anatomy's numbers for a page, once per server per model: usage on held-out images, the plane's density."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st
import torch

from ae_models.anatomy.aggregate import PlaneDensity, plane_density
from ae_models.anatomy.judge import TrainedJudge
from ae_models.anatomy.likelihood_file import LikelihoodRecord, find_likelihood
from ae_models.anatomy.pca import PcaBasis, load_pca, pca_path
from ae_models.anatomy.size_curve import SizeCurve, load_size_curve, size_curve_path
from ae_models.anatomy.usage import LatentUsage, latent_usage
from ae_models.latent_maps import LatentMap
from ae_models.library import LibraryModel
from ae_models.models import Encoding, encode_in_batches
from ae_models.samples import held_out_by

from .resources import evaluation_sample, per_model

Baseline = TypeVar("Baseline", PcaBasis, TrainedJudge, SizeCurve)


@st.cache_resource(show_spinner=False, max_entries=64)
def _held_out_of(weights_dir: str, sha256: str, _model: LibraryModel) -> torch.Tensor:
    """The model's held-out images, picked once per model: the same tensor on every rerun, so that per_model finds
    its digest instead of hashing it again (a fresh pick cost 2.5 ms per VAE card, ten cards a rerun of Overview)."""
    sample = evaluation_sample(weights_dir, _model.dataset)
    return sample.images.images[held_out_by(sample, [_model.trained.dataset]).held_out]


def _held_out_images(model: LibraryModel, weights_dir: str) -> torch.Tensor | None:
    """The model's own held-out images of its dataset's evaluation sample, or None where that cannot be read."""
    try:
        images = _held_out_of(weights_dir, model.sha256, model)
    except Exception:  # a missing dataset or a broken sample: the card shows a dash, the log keeps why
        logging.getLogger("dashboard").info("no evaluation sample for %s", model.dataset, exc_info=True)
        return None
    if len(images) < 2 or tuple(images.shape[1:]) != model.trained.config.image_shape:
        return None
    return images


def held_out_usage(model: LibraryModel, weights_dir: str) -> LatentUsage | None:
    """KL and activity of each dimension on the model's held-out images (None where they are not available)."""
    images = _held_out_images(model, weights_dir)
    return None if images is None else per_model(model, latent_usage, images)


def held_out_encoding(model: LibraryModel, weights_dir: str) -> Encoding | None:
    """The codes of the model's held-out images (a few hundred: small enough for the per-model cache)."""
    images = _held_out_images(model, weights_dir)
    return None if images is None else per_model(model, encode_in_batches, images)


@st.cache_resource(show_spinner="Measuring the codes' density over the plane ...", max_entries=32)
def plane_of(sha256: str, _latent_map: LatentMap) -> PlaneDensity:
    """The codes' density against the prior over the latent plane (about a second): once per model."""
    return plane_density(_latent_map.encoding)


@st.cache_resource(show_spinner=False, max_entries=128)
def likelihood_of(sha256: str, path: str) -> LikelihoodRecord | None:
    """The model's likelihood sidecar when one beside it is valid and made for these weights."""
    return find_likelihood(path, sha256)


def card_caption(model: LibraryModel, weights_dir: str) -> str | None:
    """The anatomy lines of a VAE's model card: active units on held-out images, and the importance-weighted
    -log p(x) beside the negative ELBO when its sidecar exists (None for an AE)."""
    if model.kind != "vae":
        return None
    usage = held_out_usage(model, weights_dir)
    count = "—" if usage is None else f"{usage.n_active} of {model.latent_dim}"
    lines = [f"active units (Burda et al. 2016, held-out images): {count}"]
    record = likelihood_of(model.sha256, str(model.path))
    if record is not None:
        k, estimate = record.best
        lines.append(
            f"−log p(x), importance-weighted (k={k}): {estimate:.1f} nats against −ELBO {record.neg_elbo:.1f}, a "
            f"gap of {record.neg_elbo - estimate:.1f} ({record.n_images:,} validation images)"
        )
    return "  \n".join(lines)


@st.cache_resource(show_spinner=False, max_entries=16)
def _stored(path: str, mtime: float, _load: Callable[[str], Baseline]) -> Baseline:
    return _load(path)


def stored_baseline(path: Path, load: Callable[[str], Baseline], image_shape: tuple[int, int]) -> Baseline | None:
    """A per-dataset baseline file (PCA basis, judge, size curve) loaded once per version of the file, if it is
    readable and made for this image size (its loader raises a ValueError otherwise)."""
    try:
        baseline = _stored(str(path), path.stat().st_mtime, load)
    except (OSError, ValueError):
        return None
    return baseline if baseline.image_shape == image_shape else None


def pca_for(weights_dir: str, dataset: str, image_shape: tuple[int, int]) -> PcaBasis | None:
    """The dataset's PCA basis from the weights folder, if there is a readable one for this image size."""
    return stored_baseline(pca_path(weights_dir, dataset), load_pca, image_shape)


def size_curve_for(weights_dir: str, dataset: str, image_shape: tuple[int, int]) -> SizeCurve | None:
    """The dataset's small-MLP errors by latent size, if there is a readable file for this image size."""
    return stored_baseline(size_curve_path(weights_dir, dataset), load_size_curve, image_shape)
