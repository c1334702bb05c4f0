"""Overview: what an AE and a VAE are, the loaded models, and held-out reconstructions by both."""

import streamlit as st

from ae_models.report import describe_architecture
from dashboard.anatomy_data import card_caption
from dashboard.imaging import tile
from dashboard.session import require_sample, require_selection

st.title("Autoencoders and VAEs, hands on")
st.markdown(
    """
An **autoencoder (AE)** squeezes an image *x* through an encoder into a small code *z* and a decoder rebuilds
*x\\**. It is trained end to end on one loss, the reconstruction error ‖x − x\\*‖, and needs no labels.

A **variational autoencoder (VAE)** encodes each image as a distribution — a mean μ and a spread σ — and
samples *z = μ + σ·ε* with ε ~ N(0, I) (the *reparameterization trick*, so gradients flow through μ and σ).
Its loss adds the **KL divergence** from that distribution to N(0, I). This pulls all codes into one
well-filled region, which is why random draws from N(0, I) decode into plausible images for a VAE. An AE's
codes sit wherever its training put them, so how well such draws decode is down to its run: the Sampling page
counts it for the models loaded.
"""
)
st.graphviz_chart(
    """
digraph {
  rankdir=LR; bgcolor="transparent"; node [shape=box style="rounded,filled" fontname="Helvetica" fontsize=12];
  x [label="image x" fillcolor="#dbe9f6"]; enc [label="encoder" fillcolor="#f6e3c6"];
  mu [label="μ, log σ²\\n(VAE only)" fillcolor="#f3d0d0"]; eps [label="ε ~ N(0, I)" shape=ellipse fillcolor="#eeeeee"];
  z [label="code z\\n(latent)" fillcolor="#d8f0d2"]; dec [label="decoder" fillcolor="#f6e3c6"];
  xr [label="reconstruction x*" fillcolor="#dbe9f6"];
  x -> enc; enc -> z [label="AE: z = code" fontsize=10]; enc -> mu [style=dashed];
  mu -> z [label="z = μ + σ·ε" fontsize=10 style=dashed]; eps -> z [style=dashed]; z -> dec -> xr;
}
""",
    width="stretch",
)
st.caption("Solid path: the plain AE. Dashed: what the VAE adds — a distribution per image and sampled codes.")

selection = require_selection()
RECON_HELP = "reconstruction error, nats per image, on the training run's whole validation split (VAE: sampled z)"

st.header("Loaded models")
st.caption(
    "Final numbers as training measured them on its whole validation split at the last epoch, in nats per image "
    "(lower is better); a VAE's reconstruction there goes through a sampled code z, so it reads higher than the "
    "Compression page's, which decodes the mean μ of a held-out sample."
)
columns = st.columns(3)
for index, model in enumerate(selection.models):
    trained = model.trained
    metrics = trained.final_metrics
    with columns[index % 3].container(border=True):
        st.markdown(f"**{model.name}**")
        st.caption(f"{describe_architecture(trained)} · {trained.dataset.name} · {trained.n_parameters:,} parameters")
        left, middle, right = st.columns(3)
        left.metric("epochs", len(trained.history))
        middle.metric("recon", f"{metrics.reconstruction:.1f}", help=RECON_HELP)
        right.metric("KL", "—" if metrics.kl is None else f"{metrics.kl:.1f}", help="KL to N(0, I), nats per image")
        anatomy = card_caption(model, selection.weights_dir)
        if anatomy:
            st.caption(anatomy)

st.header("Held-out images and their reconstructions")
sample = require_sample(selection)
rows = sample.example_rows(per_class=1)
images = sample.images.images[rows]
st.caption(
    f"Top row: {selection.dataset} images the models never trained on, one per class. Below: what each model rebuilds "
    f"from its {selection.latent_dim}-number code (VAE through the mean μ)."
)
pictures = [("original", images)] + [(m.name, m.network.reconstruct(images)) for m in selection.pair]
for name, batch in pictures:
    st.image(tile(batch, columns=len(rows), upscale=3), caption=name)
