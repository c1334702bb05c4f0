"""Training curves: reconstruction and KL per epoch from the histories stored in the weights, and the β sweep."""

import streamlit as st

from ae_models.library import beta_sweeps
from dashboard.figures import loss_curves, rate_distortion
from dashboard.notes import notice, sweep_note, training_note
from dashboard.presentation import show_figure, show_table
from dashboard.session import follow_sidebar, require_selection

selection = require_selection()

st.title("Training curves")
st.caption(
    "Every number here is read from the training history stored inside each weights file — nothing is simulated. "
    "Reconstruction and KL are in nats per image; the total is reconstruction + β·KL, the objective each model "
    "minimised. An AE has no KL term: its KL curve stays at zero."
)
models = list(selection.models)
by_name = {m.name: m for m in models}
left, right = st.columns([5, 1])
follow_sidebar("training_curves", selection, lambda: {"curve_models": [m.name for m in selection.pair]})
chosen = left.multiselect("Models", list(by_name), key="curve_models")
log_scale = right.toggle("Log scale", value=True, help="early epochs dwarf the rest on a linear axis", key="curve_log")
if chosen:
    show_figure(loss_curves([by_name[name] for name in chosen], log_scale), "loss-curves")
    notice(training_note({name: [r.val_total for r in by_name[name].trained.history] for name in chosen}))
else:
    st.info("Choose one or more models to plot their curves.")

st.header("β sweep: rate versus distortion")
sweeps = beta_sweeps(models)
if not sweeps:
    st.info("No β sweep loaded: it needs VAEs trained with several β values on the same data and latent size.")
st.caption(
    "β weighs the KL term. Small β: codes carry more information (high rate) and reconstructions are sharper (low "
    "distortion), but the code distribution drifts from N(0, I). Large β: codes hug the prior, samples get smoother "
    "and reconstructions blurrier. β = 1 is the plain VAE, whose loss is the negative ELBO."
)
for label, sweep in sweeps.items():
    show_figure(rate_distortion(sweep, label), f"rate-distortion-{label}")
    ordered = sorted(sweep, key=lambda m: m.beta)
    notice(
        sweep_note(
            [m.beta for m in ordered],
            [m.trained.final_metrics.kl or 0.0 for m in ordered],
            [m.trained.final_metrics.reconstruction for m in ordered],
        )
    )
    show_table(
        [
            {
                "model": m.name, "β": m.beta, "reconstruction": round(m.trained.final_metrics.reconstruction, 2),
                "KL": round(m.trained.final_metrics.kl or 0.0, 2),
                "negative ELBO": round(m.trained.final_metrics.neg_elbo or 0.0, 2),
            }
            for m in sweep
        ]
    )  # fmt: skip
