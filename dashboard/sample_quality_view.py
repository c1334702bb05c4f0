"""The sampling page's "how good are the samples" section: a judge's scores for prior draws of each model."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import torch

from ae_models.anatomy.judge import TrainedJudge, judge_path, load_judge
from ae_models.anatomy.sample_quality import SampleScores, score_samples
from ae_models.latent_ops import decode_codes, fitted_gaussian_codes, prior_codes
from ae_models.library import LibraryModel
from ae_models.models import encode_in_batches
from ae_models.samples import EvaluationSample

from .anatomy_data import stored_baseline
from .picker import Selection
from .presentation import show_table
from .resources import per_model

DRAWS, DRAW_SEED = 500, 0

EXPLANATION = (
    "Judging generated images is hard: there is no ground truth for a sample, and a model's likelihood says little "
    "about how its samples look (Theis et al. 2016). So a classifier trained on the same training images judges "
    "them. *Confidence*: its mean top-class probability — high when samples look like some class, whatever they "
    "look like otherwise. *Class entropy*: of the histogram of predicted classes, in nats (the log of the number "
    "of classes when all are equally common) — it sees a model that draws only some classes, not one that draws "
    "the same few images of every class. *Fréchet distance*: between Gaussians fitted to the classifier's "
    "features of the samples and of the held-out images (FID, Heusel et al. 2017, with this classifier in place of "
    "Inception) — it compares two moments only, and with a few hundred held-out images it is biased upwards: the "
    "real training images' row is the floor to read it against. A model that copied its training images would "
    "score perfectly on all three."
)


@st.cache_resource(show_spinner="Judging 500 samples per model ...", max_entries=64)
def _scores(sha256: str, draws: str, judge_key: str, _model: LibraryModel, _judge: TrainedJudge,
            _reference: torch.Tensor, _codes: torch.Tensor | None) -> SampleScores:  # fmt: skip
    """A model's DRAWS prior (or fitted-Gaussian) samples, decoded and judged, once per server."""
    if draws == "prior":
        codes = prior_codes(DRAWS, _model.latent_dim, DRAW_SEED)
    else:
        codes = fitted_gaussian_codes(_codes, DRAWS, DRAW_SEED)
    return score_samples(_judge, decode_codes(_model.network, codes), _reference)


@st.cache_resource(show_spinner=False, max_entries=8)
def _real_scores(judge_key: str, _judge: TrainedJudge, _sample: EvaluationSample) -> tuple[torch.Tensor, SampleScores]:
    """The held-out images' features (the reference) and the real training images' scores against them."""
    images = _sample.images.images
    _, reference = _judge.judge(images[_sample.held_out])
    return reference, score_samples(_judge, images[~_sample.held_out], reference)


def _row(source: str, scores: SampleScores) -> dict[str, object]:
    return {
        "source": source, "images": scores.n, "confidence": round(scores.confidence, 3),
        "class entropy (nats)": round(scores.class_entropy, 2), "≈ classes": round(scores.classes_equivalent, 1),
        "Fréchet distance": round(scores.frechet, 2),
    }  # fmt: skip


def show_sample_quality(selection: Selection, sample: EvaluationSample) -> None:
    st.header("How good are the samples? A judge's scores")
    image_shape = tuple(sample.images.images.shape[1:])
    judge = stored_baseline(judge_path(selection.weights_dir, selection.dataset), load_judge, image_shape)
    if judge is None:
        st.info(
            f"No judge for {selection.dataset} in this weights folder: "
            f"`python -m ae_models baselines {selection.dataset}` trains one."
        )
        return
    if int(sample.held_out.sum()) < 2 or int((~sample.held_out).sum()) < 2:
        st.info("The evaluation sample has too few held-out images to judge against.")
        return
    key = f"{judge_path(selection.weights_dir, selection.dataset)}:{Path(selection.weights_dir).resolve()}"
    reference, real = _real_scores(key, judge, sample)
    rows = [_row("real training images (the judge learnt from them)", real)]
    for model in selection.pair:
        scores = _scores(model.sha256, "prior", key, model, judge, reference, None)
        rows.append(_row(f"{model.kind.upper()} · N(0, I) draws", scores))
    if selection.ae is not None:
        codes = per_model(selection.ae, encode_in_batches, sample.images.images).mean
        scores = _scores(selection.ae.sha256, "fitted", key, selection.ae, judge, reference, codes)
        rows.append(_row("AE · fitted-Gaussian draws", scores))
    st.caption(
        f"{DRAWS:,} draws per row (seed {DRAW_SEED}, temperature 1), judged by a small classifier trained on "
        f"{selection.dataset}'s training split ({judge.accuracy:.1%} right on its {judge.n_val:,} held-out "
        f"images); the Fréchet distance is to the {int(sample.held_out.sum())} held-out images of the evaluation "
        "sample."
    )
    show_table(rows)
    st.markdown(EXPLANATION)
