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
from dashboard.imaging import upscale
from dashboard.notes import anomaly_note, notice
from dashboard.presentation import show_figure
from dashboard.resources import evaluation_sample, per_model
from dashboard.session import maps_for, require_sample, require_selection

EXTREMES = 6  # images shown at each end of each set's scores

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
controls = st.columns([3, 3, 2, 3])
kinds = [k for k in OUTLIER_KINDS if k != "other dataset" or other_name]


def _label(kind: str) -> str:
    return f"{other_name} images" if kind == "other dataset" else kind


outlier_kind = controls[0].radio(
    "Anomalies", kinds, horizontal=True,
    format_func=_label, key="anomaly_kind",
)  # fmt: skip
score_kind = controls[1].radio(
    "Score", ["reconstruction error", "distance in latent space"], horizontal=True, key="anomaly_score"
)
controls[2].metric("Normal (held-out) images", len(normal))
percentile = controls[3].slider(
    "Flag images scoring above this percentile of normal scores", 50.0, 99.9, 95.0, 0.1, key="anomaly_percentile",
    help="the 95th percentile flags about 5% of normal images by design",
)  # fmt: skip

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
thresholds = {
    name: float(torch.quantile(normal_scores, percentile / 100)) for name, (_, normal_scores, _) in scores.items()
}

unit = "nats" if score_kind == "reconstruction error" else "latent distance"
st.subheader("How far apart the scores are")
for column, (name, (model, normal_scores, outlier_scores)) in zip(st.columns(len(scores)), scores.items(), strict=True):
    with column:
        show_figure(
            score_histogram(
                normal_scores.numpy(), outlier_scores.numpy(), f"{model.kind.upper()} · {name}", unit, thresholds[name]
            ),
            f"anomaly-hist-{model.sha256[:12]}",
        )
curves = {name: roc_curve(normal_scores, outlier_scores) for name, (_, normal_scores, outlier_scores) in scores.items()}
left, right = st.columns([3, 2])
with left:
    show_figure(roc_figure(curves), "anomaly-roc")
    st.caption("AUC 1 separates perfectly, 0.5 is a coin flip, below 0.5 the anomalies score *lower* than normal.")
confusions = {}
with right:
    st.subheader(f"Threshold at the {percentile:g}th percentile")
    for name, (model, normal_scores, outlier_scores) in scores.items():
        threshold = thresholds[name]
        counts = confusion_at(threshold, normal_scores, outlier_scores)
        st.markdown(f"**{model.kind.upper()} · {name}** — threshold {threshold:.2f} {unit}, AUC {curves[name].auc:.3f}")
        cells = st.columns(4)
        cells[0].metric("caught", counts.true_positives, help="anomalies flagged")
        cells[1].metric("missed", counts.false_negatives, help="anomalies not flagged")
        cells[2].metric("false alarms", counts.false_positives, help="normal images flagged")
        cells[3].metric("passed", counts.true_negatives, help="normal images not flagged")
        confusions[name] = counts
notice(
    anomaly_note(
        {
            model.kind.upper(): (curves[name].auc, c.true_positives, c.true_positives + c.false_negatives,
                                 c.false_positives, c.false_positives + c.true_negatives)
            for name, (model, _, _) in scores.items()
            for c in (confusions[name],)
        },
        percentile,
    )
)  # fmt: skip

st.subheader("The images behind the scores")
st.caption(
    "For each model, the most and least typical images of each set by its score: anomalies with the lowest "
    "scores are the ones a threshold misses, normal images with the highest are its false alarms."
)
for name, (model, normal_scores, outlier_scores) in scores.items():
    st.markdown(f"**{model.kind.upper()} · {name}** (threshold {thresholds[name]:.2f})")
    sets = (
        ("normal held-out images", normal, normal_scores),
        (f"anomalies ({_label(outlier_kind)})", outliers, outlier_scores),
    )
    for set_name, images, set_scores in sets:
        order = torch.argsort(set_scores)
        typical, strange = st.columns(2)
        ends = ((typical, order[:EXTREMES], "most typical", "lowest"),
                (strange, order[-EXTREMES:].flip(0), "least typical", "highest"))  # fmt: skip
        for column, chosen, title, first in ends:
            column.image(
                [upscale(images[i], 2) for i in chosen.tolist()],
                caption=[f"{float(set_scores[i]):.1f}" for i in chosen.tolist()],
            )
            column.caption(f"{title} {set_name}, {first} score first")

table = {"set": ["normal"] * len(normal) + [outlier_kind] * len(outliers)}
for name, (_, normal_scores, outlier_scores) in scores.items():
    table[f"{name} score"] = [round(v, 4) for v in torch.cat([normal_scores, outlier_scores]).tolist()]
st.download_button("Download scores (CSV)", partial(csv_bytes, table), "anomaly-scores.csv", "text/csv")
