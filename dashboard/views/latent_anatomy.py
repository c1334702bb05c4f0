"""Latent anatomy: how much each dimension carries (KL, active units), the beta sweep's collapse, traversals."""

from functools import partial

import streamlit as st

from ae_models.anatomy.pca import CHART_SIZES, model_squared_error, pca_squared_errors
from ae_models.anatomy.traversal import traversal_centre, traversal_codes, traversal_offsets, traversal_scales
from ae_models.anatomy.usage import usage_of
from ae_models.latent_ops import decode_codes
from ae_models.library import beta_sweeps, default_models
from dashboard.anatomy_data import held_out_encoding, held_out_usage, pca_for, size_curve_for
from dashboard.anatomy_figures import dimension_names, error_by_size, kl_bars, sweep_usage, traversal_grid
from dashboard.anatomy_notes import pca_note, size_curve_caption, sweep_usage_note, traversal_note, usage_note
from dashboard.exports import safe_filename
from dashboard.imaging import gif_bytes, tile, upscale
from dashboard.map_figure import latent_scatter
from dashboard.notes import notice
from dashboard.presentation import show_figure
from dashboard.resources import per_model
from dashboard.session import remember_clicked_row, require_sample, require_selection

selection = require_selection()
sample = require_sample(selection)

st.title("Latent anatomy")
st.markdown(
    "A VAE pays for every code it uses: its loss charges the KL from each image's code distribution to N(0, I), "
    "dimension by dimension. A dimension worth more reconstruction than it costs carries information; one that "
    "is not worth it is switched off, left at N(0, 1) for every image (*posterior collapse*). This page measures "
    "it on held-out images and shows what each dimension does to the picture."
)

st.header("How much each dimension carries")
if selection.vae is None:
    st.info("No VAE is loaded for this dataset and latent size: an AE's codes are points, with no KL to split.")
else:
    usage = held_out_usage(selection.vae, selection.weights_dir)
    if usage is None:
        st.warning(f"The held-out images of {selection.dataset} cannot be read here, so there is nothing to measure.")
    else:
        st.caption(
            f"The VAE's KL to N(0, 1) per dimension, averaged over its {usage.n_images} held-out images; grey bars "
            "are inactive dimensions by Burda et al.'s (2016) criterion: the variance over the images of the "
            "dimension's posterior mean is at most 0.01."
        )
        show_figure(kl_bars(usage, f"VAE · {selection.vae.name}: KL per dimension"), "kl-per-dimension")
        notice(usage_note(usage))

st.header("β sweep: posterior collapse made visible")
sweeps = beta_sweeps(list(selection.models))
if not sweeps:
    st.info("No β sweep is loaded: it needs VAEs trained with several β values on the same data and latent size.")
for label, sweep in sweeps.items():
    usages = [held_out_usage(model, selection.weights_dir) for model in sweep]
    if any(u is None for u in usages):
        st.warning(f"The held-out images of the sweep on {label} cannot be read here.")
        continue
    st.caption(
        "Left: how many dimensions stay active as β (the KL's weight) grows. Right: each model's KL per dimension, "
        "largest first, one row per β; dark cells are dimensions the model has switched off."
    )
    show_figure(sweep_usage([m.beta for m in sweep], usages, label), f"sweep-usage-{label}")
    notice(sweep_usage_note([m.beta for m in sweep], usages))

st.header("Latent traversals")
st.caption(
    "One row per dimension, most informative first (VAE: most KL; AE: widest spread). Each row changes only that "
    "dimension, in units of the prior's σ for the VAE and of that dimension's spread over the data for the AE, "
    "which has no prior."
)
examples = sample.example_rows(per_class=1)
names = sample.images.class_names
controls = st.columns(3)
starts = {"origin": "the centre (VAE: 0; AE: its codes' mean)"} | {
    row: f"held-out image {row} ({names[label]})"
    for row, label in zip(examples, sample.images.labels[examples].tolist(), strict=True)
}
start = controls[0].selectbox("Start from", list(starts), format_func=starts.__getitem__, key="traverse_start")
extent = controls[1].slider("Range (± units)", 1.0, 4.0, 3.0, 0.5, key="traverse_extent")
steps = controls[2].slider("Steps per row", 5, 11, 9, step=2, key="traverse_steps")
offsets = traversal_offsets(steps, extent)
if start != "origin":
    st.image(upscale(sample.images.images[int(start)], 3), caption=f"held-out image {start}")

for column, model in zip(st.columns(len(selection.pair)), selection.pair, strict=True):
    encoding = held_out_encoding(model, selection.weights_dir)
    if encoding is None:
        column.warning(f"The held-out images of {selection.dataset} cannot be read here.")
        continue
    usage = usage_of(encoding)
    order = usage.by_kl
    if start == "origin":
        base = traversal_centre(encoding)
    else:
        base = model.network.encode(sample.images.images[int(start) : int(start) + 1]).mean[0]
    scales = traversal_scales(encoding)
    decoded = decode_codes(model.network, traversal_codes(base, order, scales, steps, extent))
    if model.kind == "vae":
        labels, unit = (
            [f"{n} · {usage.kl[d]:.1f} nats" for n, d in zip(dimension_names(order), order, strict=True)],
            "σ",
        )
    else:
        spreads = scales.tolist()
        labels, unit = [f"{n} · sd {spreads[d]:.2f}" for n, d in zip(dimension_names(order), order, strict=True)], "sd"
    grid_key, row_key = f"traversal-{model.sha256[:12]}", f"animate_{model.sha256[:12]}"
    with column:
        show_figure(
            traversal_grid(tile(decoded, columns=steps, upscale=2), labels, offsets.tolist(), unit,
                           f"{model.kind.upper()} · {model.name}"),
            grid_key, on_select=partial(remember_clicked_row, grid_key, row_key), selection_mode="points",
        )  # fmt: skip
        rows = decoded.reshape(len(order), steps, *decoded.shape[1:])
        animated = st.selectbox("Animate a row (or click it)", range(len(order)), format_func=labels.__getitem__,
                                key=row_key)  # fmt: skip
        animation = gif_bytes([upscale(image, 4) for image in rows[animated]])
        st.image(animation, caption=f"{model.kind.upper()}: {labels[animated]}, animated")
        st.download_button(
            "Download GIF", animation, safe_filename(f"traversal-{model.name}-{labels[animated].split()[0]}.gif"),
            "image/gif", key=f"gif-{model.sha256[:12]}",
        )  # fmt: skip
notice(traversal_note(steps, extent))

st.header("A linear baseline: PCA")
basis = pca_for(selection.weights_dir, selection.dataset, tuple(sample.images.images.shape[1:]))
if basis is None:
    st.info(f"No PCA basis for {selection.dataset} here: `python -m ae_models baselines {selection.dataset}` fits one.")
    st.stop()
st.caption(
    "An autoencoder whose encoder and decoder are one weight matrix each, trained on squared error, learns the "
    "same subspace as PCA (Baldi & Hornik 1989). PCA is fitted with scikit-learn on the same training images as the "
    "models; all three are scored by squared error on the held-out images (the AE and VAE through the code mean)."
)
held_out = sample.images.images[sample.held_out]
pca_errors = pca_squared_errors(basis, held_out, CHART_SIZES)
by_kind: dict[str, dict[int, float]] = {}
for model in default_models(list(selection.models), selection.dataset):
    by_kind.setdefault(model.kind.upper(), {})[model.latent_dim] = per_model(model, model_squared_error, held_out)
curve = size_curve_for(selection.weights_dir, selection.dataset, basis.image_shape)
small = {} if curve is None else {kind.upper(): errors for kind, errors in curve.errors.items()}
chart, pca_map = st.columns([3, 2])
with chart:
    show_figure(error_by_size(pca_errors, by_kind, selection.dataset, small), "pca-error-by-size")
    st.caption(size_curve_caption(sorted({size for errors in by_kind.values() for size in errors}), curve))
with pca_map:
    coords = basis.encode(sample.images.images, 2).numpy()
    show_figure(
        latent_scatter(
            coords, sample.images.labels.numpy(), names, title="PCA's map: the first two components",
            axis_names=("PC 1", "PC 2"), height=420,
        ),
        "pca-map",
    )  # fmt: skip
size = selection.latent_dim
if size <= len(basis.components):
    rows = sample.example_rows(per_class=1)
    originals = sample.images.images[rows]
    pictures = [("original", originals), (f"PCA, {size} components", basis.reconstruct(originals, size).clamp(0, 1))]
    pictures += [(f"{m.kind.upper()} · {m.name}", m.network.reconstruct(originals)) for m in selection.pair]
    for name, batch in pictures:
        st.image(tile(batch, columns=len(rows), upscale=2), caption=name)
    errors = {"PCA": pca_squared_errors(basis, held_out, [size])[size]}
    errors |= {m.kind.upper(): per_model(m, model_squared_error, held_out) for m in selection.pair}
    notice(pca_note(size, errors))
