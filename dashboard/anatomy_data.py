"""Latent anatomy's numbers for a page, once per server per model: usage on held-out images, the plane's density."""

from __future__ import annotations

import logging

import streamlit as st

from ae_models.anatomy.aggregate import PlaneDensity, plane_density
from ae_models.anatomy.usage import LatentUsage, latent_usage
from ae_models.latent_maps import LatentMap
from ae_models.library import LibraryModel
from ae_models.models import Encoding, encode_in_batches
from ae_models.samples import held_out_by

from .resources import evaluation_sample, per_model


def _held_out_images(model: LibraryModel, weights_dir: str):
    """The model's own held-out images of its dataset's evaluation sample, or None where that cannot be read."""
    try:
        sample = evaluation_sample(weights_dir, model.dataset)
    except Exception:  # a missing dataset or a broken sample: the card shows a dash, the log keeps why
        logging.getLogger("dashboard").info("no evaluation sample for %s", model.dataset, exc_info=True)
        return None
    images = sample.images.images[held_out_by(sample, [model.trained.dataset]).held_out]
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


def card_caption(model: LibraryModel, weights_dir: str) -> str | None:
    """The anatomy line of a VAE's model card: its active units on held-out images (None for an AE)."""
    if model.kind != "vae":
        return None
    usage = held_out_usage(model, weights_dir)
    count = "—" if usage is None else f"{usage.n_active} of {model.latent_dim}"
    return f"active units (Burda et al. 2016, held-out images): {count}"
