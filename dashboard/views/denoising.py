"""Denoising: damage held-out images, then let each model rebuild them from its code."""

import streamlit as st
import torch

from ae_models.corruption import CORRUPTIONS, corrupt, psnr
from ae_models.library import denoisers_of
from ae_models.recognition import UNRECOGNISABLE
from dashboard.imaging import tile
from dashboard.notes import denoising_note, notice
from dashboard.resources import reference_judge
from dashboard.session import require_sample, require_selection

selection = require_selection()
sample = require_sample(selection)

st.title("Denoising")
st.markdown(
    "An autoencoder can only rebuild what its code can describe, and noise is not in its vocabulary — but a "
    "damaged image can also push its code somewhere else entirely, and then it comes back as another picture. "
    "A **denoising autoencoder** is trained for exactly this: shown noisy inputs, asked for the clean originals. "
    "PSNR (higher is better) measures how close each row is to the clean images; the note below compares every "
    "model with simply keeping the damaged input."
)

controls = st.columns(4)
kind = controls[0].radio(
    "Damage", CORRUPTIONS, help="Gaussian noise, random black/white pixels, or a blanked square", key="damage_kind"
)
strength = controls[1].slider(
    "Strength", 0.0, 1.0, 0.4, 0.05, help="noise std, share of pixels hit, or square side", key="damage_strength"
)
seed = controls[2].number_input("Seed", 0, 10_000, 0, key="damage_seed")
per_class = controls[3].slider("Images per class", 1, 3, 1, key="damage_per_class")

clean_rows = sample.example_rows(per_class=per_class)
clean = sample.images.images[clean_rows]
noisy = corrupt(clean, kind, strength, int(seed))
denoisers = denoisers_of(list(selection.models), selection.dataset)
models = [*selection.pair, *denoisers]
rows = [("clean originals", clean), (f"damaged input ({kind}, strength {strength:g})", noisy)]
rows += [
    (f"{m.kind.upper()}{' (denoising)' if m.is_denoiser else ''} · {m.name}", m.network.reconstruct(noisy))
    for m in models
]

scores = {}
for label, images in rows:
    score = None if images is clean else float(psnr(clean, images).mean())
    st.image(
        tile(images, columns=len(clean) // per_class, upscale=2),
        caption=label if score is None else f"{label} — PSNR {score:.1f} dB",
    )
damaged_score = float(psnr(clean, noisy).mean())
outputs = [images for _, images in rows[2:]]
judge = reference_judge(selection.weights_dir, selection.dataset)
judged = judge.read(torch.cat(outputs), excluded=clean_rows).classes  # the clean originals do not vote
judged = judged.view(len(outputs), -1)  # one reading for all rows
right = (judged == sample.images.labels[clean_rows]).sum(dim=1)
junk = (judged == UNRECOGNISABLE).sum(dim=1)
model_scores = {
    f"{m.kind.upper()}{' (denoising)' if m.is_denoiser else ''}": (
        float(psnr(clean, images).mean()),
        int(hits),
        int(unrecognisable),
    )
    for m, images, hits, unrecognisable in zip(models, outputs, right, junk, strict=True)
}
notice(denoising_note(model_scores, damaged_score, len(clean)))
if not denoisers:
    st.info(f"No denoising AE is loaded for {selection.dataset}; the shipped one, mnist_dae_z16, is for mnist-5k.")
for denoiser in denoisers:
    noise = denoiser.trained.training.input_noise
    st.caption(f"{denoiser.name} (latent {denoiser.latent_dim}) was trained on Gaussian noise of std {noise:g} only.")
