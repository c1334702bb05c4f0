"""The sampling page's draws at one seed, made once per server: every visitor who steps to a seed sees the same
draws (a classroom steps through the same few seeds), and decoding them, judging them and encoding their pictures
was most of the page's rerun. The same holds for the AE's second try, draws from a Gaussian fitted to its codes."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch

from ae_models.coverage import contrast, contrast_floor
from ae_models.latent_maps import LatentMap
from ae_models.latent_ops import decode_codes, fitted_gaussian_codes, prior_codes
from ae_models.library import LibraryModel
from ae_models.recognition import UNRECOGNISABLE

from .imaging import png_bytes, tile
from .resources import evaluation_sample, per_model, reference_judge, trained_region

SEEDS_KEPT = 64  # draws kept (a pair's seed and controls each): two PNGs of about 11 kB and counts apiece
COLUMNS = 8


@dataclass(frozen=True)
class Draws:
    """One model's decoded draws, as the sampling page shows and counts them."""

    picture: bytes  # PNG: the draws COLUMNS to a row, twice their size
    read_as: list[str | None]  # the class the judge reads in each draw (None: like no real image)
    washed_out: int  # draws fainter than all but a few of the model's reconstructions of real images


@st.cache_resource(show_spinner=False, max_entries=SEEDS_KEPT)
def prior_draws(
    shas: tuple[str, ...],
    weights_dir: str,
    dataset: str,
    count: int,
    seed: int,
    temperature: float,
    _models: tuple[LibraryModel, ...],
) -> list[Draws]:
    """The same `count` codes drawn from N(0, T^2 I) with `seed`, decoded by each model (the weights' digests
    `shas` stand for `_models`), judged against the dataset's evaluation images in one reading."""
    codes = prior_codes(count, _models[0].latent_dim, seed, temperature)
    decoded = [decode_codes(model.network, codes) for model in _models]
    sample = evaluation_sample(weights_dir, dataset)
    names = sample.images.class_names
    classes = reference_judge(weights_dir, dataset).read(torch.cat(decoded)).classes.split(count)
    return [
        Draws(
            picture=png_bytes(tile(images, columns=COLUMNS, upscale=2)),
            read_as=[None if i == UNRECOGNISABLE else names[i] for i in read.tolist()],
            washed_out=int((contrast(images) < per_model(model, contrast_floor, sample.images.images)).sum()),
        )
        for model, images, read in zip(_models, decoded, classes, strict=True)
    ]


@dataclass(frozen=True)
class FittedDraws:
    """An AE's draws from a Gaussian fitted to its own codes, as the sampling page shows and counts them."""

    picture: bytes  # PNG, as Draws.picture
    outside: int  # draws outside the codes its decoder was trained on
    in_gaps: int  # of those, inside the codes' span on every axis: in a hole between them
    washed_out: int  # as Draws.washed_out


@st.cache_resource(show_spinner=False, max_entries=SEEDS_KEPT)
def fitted_draws(
    sha256: str, weights_dir: str, count: int, seed: int, temperature: float, _model: LibraryModel, _map: LatentMap
) -> FittedDraws:
    """`count` codes drawn with `seed` from the Gaussian fitted to the codes of the model's map (the weights'
    digest `sha256` stands for both), decoded and counted against the region its decoder was trained on."""
    codes = fitted_gaussian_codes(_map.codes, count, seed, temperature)
    images = decode_codes(_model.network, codes)
    region = trained_region(sha256, _map)
    floor = per_model(_model, contrast_floor, evaluation_sample(weights_dir, _model.dataset).images.images)
    return FittedDraws(
        picture=png_bytes(tile(images, columns=COLUMNS, upscale=2)),
        outside=int(region.outside(codes).sum()),
        in_gaps=int(region.in_gaps(codes).sum()),
        washed_out=int((contrast(images) < floor).sum()),
    )
