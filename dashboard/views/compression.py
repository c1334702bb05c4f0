"""Compression: the code is the compressed file and the decoder the decompressor; how small, and at what cost."""

from functools import partial

import streamlit as st

from ae_models.compression import CODE_DTYPES, codec_report
from ae_models.library import default_models
from dashboard.exports import csv_bytes
from dashboard.figures import compression_figure
from dashboard.imaging import tile
from dashboard.presentation import show_figure
from dashboard.resources import per_model
from dashboard.session import require_sample, require_selection

selection = require_selection()
models = default_models(list(selection.models), selection.dataset)
sample = require_sample(selection, models)

st.title("Compression")
st.markdown(
    "Store only the code *z* and let the decoder rebuild the image: an autoencoder is a learned lossy codec. "
    "Fewer latent numbers mean a smaller file and a blurrier picture. Quality is measured on held-out images."
)
code_dtype = st.radio("Store each code number as", list(CODE_DTYPES), horizontal=True, help="float16 halves the size")

held_out = sample.images.images[sample.held_out]
reports = [(model, per_model(model, codec_report, held_out, code_dtype)) for model in models]
table = {
    "model": [m.name for m, _ in reports],
    "kind": [m.kind.upper() for m, _ in reports],
    "latent size": [r.latent_dim for _, r in reports],
    "code bytes": [r.code_bytes for _, r in reports],
    "image bytes (8-bit)": [r.image_bytes for _, r in reports],
    "ratio": [round(r.ratio, 1) for _, r in reports],
    "PSNR (dB)": [round(r.mean_psnr_db, 2) for _, r in reports],
    "reconstruction (nats)": [round(r.mean_reconstruction_nats, 2) for _, r in reports],
}
st.dataframe(table, hide_index=True)
st.download_button("Download table (CSV)", partial(csv_bytes, table), "compression.csv", "text/csv")
show_figure(compression_figure(reports), "compression-tradeoff")

st.subheader("The same held-out images after the round trip")
examples = sample.images.images[sample.example_rows(per_class=1)]
st.image(tile(examples, columns=len(examples), upscale=2), caption="originals (784 bytes each)")
for model, report in reports:
    restored = model.network.reconstruct(examples)
    st.image(
        tile(restored, columns=len(examples), upscale=2),
        caption=f"{model.name}: {report.code_bytes} bytes per image ({report.ratio:.0f}x smaller)",
    )
