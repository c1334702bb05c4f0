"""Anomaly detection: a model trained only on normal images rebuilds strange ones badly — a one-class classifier."""

from functools import partial

import streamlit as st
import torch

from ae_models.anomaly import (
    OUTLIER_KINDS,
    confusion_at,
    contrast_dataset,
    latent_distance_scores,
    outlier_images,
    reconstruction_scores,
    roc_curve,
)
from dashboard.exports import csv_bytes
from dashboard.figures import roc_figure, score_histogram
from dashboard.imaging import tile
from dashboard.presentation import show_figure
from dashboard.resources import evaluation_sample, per_model
from dashboard.session import maps_for, require_sample, require_selection

selection = require_selection()
sample = require_sample(selection)

st.title("Anomaly detection")
st.markdown(
    "An autoencoder trained on one kind of image learns to rebuild *that* kind. Feed it something else and the "
    "reconstruction error jumps: a **one-class classifier** that needed no labels and no examples of anomalies. "
    "Its codes tell the same story: strange images land far from every training image's code."
)

held_out = sample.held_out
normal = sample.images.images[held_out]
other_name = contrast_dataset(selection.dataset)
controls = st.columns(3)
kinds = [k for k in OUTLIER_KINDS if k != "other dataset" or other_name]
outlier_kind = controls[0].radio(
    "Anomalies", kinds, horizontal=True,
    format_func=lambda k: f"{other_name} images" if k == "other dataset" else k,
)  # fmt: skip
score_kind = controls[1].radio("Score", ["reconstruction error", "distance in latent space"], horizontal=True)
controls[2].metric("Normal (held-out) images", len(normal))

other_images = None
if outlier_kind == "other dataset":
    other_images = evaluation_sample(selection.weights_dir, other_name).images.images[-len(normal) :]
outliers = outlier_images(outlier_kind, normal, other_images, seed=0)

map_view_by_digest = {map_view.model.sha256: map_view for map_view in maps_for(selection.pair, selection)}
scores = {}
for model in selection.pair:
    if score_kind == "reconstruction error":
        normal_scores = per_model(model, reconstruction_scores, normal)
        outlier_scores = per_model(model, reconstruction_scores, outliers)
    else:
        if model.sha256 not in map_view_by_digest:
            st.stop()
        training_codes = map_view_by_digest[model.sha256].latent_map.codes[~held_out]
        normal_scores = per_model(model, latent_distance_scores, normal, training_codes)
        outlier_scores = per_model(model, latent_distance_scores, outliers, training_codes)
    scores[model.name] = (model, normal_scores, outlier_scores)

unit = "nats" if score_kind == "reconstruction error" else "latent distance"
st.subheader("How far apart the scores are")
for column, (name, (model, normal_scores, outlier_scores)) in zip(st.columns(len(scores)), scores.items(), strict=True):
    with column:
        show_figure(
            score_histogram(normal_scores.numpy(), outlier_scores.numpy(), f"{model.kind.upper()} · {name}", unit),
            f"anomaly-hist-{model.sha256[:12]}",
        )
curves = {name: roc_curve(normal_scores, outlier_scores) for name, (_, normal_scores, outlier_scores) in scores.items()}
left, right = st.columns([3, 2])
with left:
    show_figure(roc_figure(curves), "anomaly-roc")
    st.caption(
        "AUC 1 separates perfectly, 0.5 is a coin flip. Below 0.5 the anomalies score *lower* than normal images: "
        "a Fashion model rebuilds mostly-black digits more easily than clothes, a known trap of likelihood-based "
        "detectors; and in a 2-D latent plane outliers often land among the codes, so distance fails there."
    )
with right:
    st.subheader("Threshold")
    percentile = st.slider(
        "Flag images scoring above this percentile of normal scores", 50.0, 99.9, 95.0, 0.1,
        help="the 95th percentile flags about 5% of normal images by design",
    )  # fmt: skip
    for name, (model, normal_scores, outlier_scores) in scores.items():
        threshold = float(torch.quantile(normal_scores, percentile / 100))
        counts = confusion_at(threshold, normal_scores, outlier_scores)
        st.markdown(f"**{model.kind.upper()} · {name}** — threshold {threshold:.2f} {unit}, AUC {curves[name].auc:.3f}")
        cells = st.columns(4)
        cells[0].metric("caught", counts.true_positives, help="anomalies flagged")
        cells[1].metric("missed", counts.false_negatives, help="anomalies not flagged")
        cells[2].metric("false alarms", counts.false_positives, help="normal images flagged")
        cells[3].metric("passed", counts.true_negatives, help="normal images not flagged")

st.subheader("Most and least typical held-out images")
st.caption("By the first model's score: left, the images it rebuilds best; right, the ones it finds strangest.")
model, normal_scores, _ = next(iter(scores.values()))
order = torch.argsort(normal_scores)
typical, strange = st.columns(2)
typical.image(tile(normal[order[:8]], columns=8, upscale=2), caption="most typical (lowest scores)")
strange.image(tile(normal[order[-8:].flip(0)], columns=8, upscale=2), caption="least typical (highest scores)")

table = {"set": ["normal"] * len(normal) + [outlier_kind] * len(outliers)}
for name, (_, normal_scores, outlier_scores) in scores.items():
    table[f"{name} score"] = [round(v, 4) for v in torch.cat([normal_scores, outlier_scores]).tolist()]
st.download_button("Download scores (CSV)", partial(csv_bytes, table), "anomaly-scores.csv", "text/csv")
