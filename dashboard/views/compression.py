"""Compression: the code is the compressed file and the decoder the decompressor; how small, and at what cost."""

from functools import partial

import streamlit as st

from ae_models.compression import CODE_DTYPES, codec_report
from ae_models.library import default_models
from dashboard.exports import csv_bytes
from dashboard.figures import compression_figure
from dashboard.imaging import tile
from dashboard.notes import compression_note, notice
from dashboard.presentation import show_figure, show_table
from dashboard.resources import classic_baseline, per_model
from dashboard.session import require_sample, require_selection

selection = require_selection()
models = default_models(list(selection.models), selection.dataset)
sample = require_sample(selection, models)

st.title("Compression")
st.markdown(
    "Store only the code *z* and let the decoder rebuild the image: an autoencoder is a learned lossy codec. "
    "Fewer latent numbers mean a smaller file and a blurrier picture. Quality is measured on held-out images. "
    "The baseline is the raw image: one byte per pixel, 784 bytes for 28x28; the table also gives the same images "
    "as lossless PNG and as JPEG at the lowest quality that matches each model's PSNR."
)
code_dtype = st.radio(
    "Store each code number as", list(CODE_DTYPES), horizontal=True, help="float16 halves the size", key="code_dtype"
)

held_out = sample.images.images[sample.held_out]
reports = [(model, per_model(model, codec_report, held_out, code_dtype)) for model in models]
classic = [classic_baseline(selection.dataset, round(r.mean_psnr_db, 1), held_out) for _, r in reports]
table = {
    "model": [m.name for m, _ in reports],
    "kind": [m.kind.upper() for m, _ in reports],
    "latent size": [r.latent_dim for _, r in reports],
    "code bytes": [r.code_bytes for _, r in reports],
    "raw bytes (8-bit)": [r.image_bytes for _, r in reports],
    "ratio": [round(r.ratio, 1) for _, r in reports],
    "PSNR (dB)": [round(r.mean_psnr_db, 2) for _, r in reports],
    "PNG bytes (lossless)": [round(c.png_bytes) for c in classic],
    "JPEG bytes at that PSNR": [round(c.jpeg_bytes) for c in classic],
    "JPEG quality": [c.jpeg_quality for c in classic],
    "JPEG PSNR (dB)": [round(c.jpeg_psnr_db, 2) for c in classic],
    "decoder (MB)": [round(r.decoder_bytes / 1e6, 2) for _, r in reports],
    "reconstruction (nats, held-out sample, through μ)": [round(r.mean_reconstruction_nats, 2) for _, r in reports],
}
show_table(
    table,
    {  # the raw size is the same for every model (the text above and the notes give it): only in the download
        "model": "model", "kind": "kind", "latent size": "latent", "code bytes": "code bytes", "ratio": "ratio",
        "PSNR (dB)": "PSNR dB", "PNG bytes (lossless)": "PNG bytes", "JPEG bytes at that PSNR": "JPEG bytes",
        "JPEG quality": "JPEG q", "JPEG PSNR (dB)": "JPEG dB", "decoder (MB)": "decoder MB",
        "reconstruction (nats, held-out sample, through μ)": "recon. nats",
    },
)  # fmt: skip
st.download_button("Download table (CSV)", partial(csv_bytes, table), "compression.csv", "text/csv")
show_figure(compression_figure(reports), "compression-tradeoff")
shown = [(m, r, c) for (m, r), c in zip(reports, classic, strict=True) if m in selection.pair]
for model, report, baseline in shown:
    notice(
        compression_note(
            f"{model.kind.upper()} · {model.name}", report.code_bytes, report.mean_psnr_db, baseline.png_bytes,
            baseline.jpeg_bytes, baseline.jpeg_quality, baseline.jpeg_psnr_db, report.decoder_bytes,
            report.image_bytes,
        )
    )  # fmt: skip

st.subheader("The same held-out images after the round trip")
examples = sample.images.images[sample.example_rows(per_class=1)]
height, width = examples.shape[1:]
st.image(tile(examples, columns=len(examples), upscale=2), caption=f"originals ({height * width} bytes each, raw)")
for model, report in reports:
    restored = model.network.reconstruct(examples)
    st.image(
        tile(restored, columns=len(examples), upscale=2),
        caption=f"{model.name}: {report.code_bytes} bytes per image ({report.ratio:.0f}x smaller than raw), "
        f"PSNR {report.mean_psnr_db:.1f} dB",
    )
