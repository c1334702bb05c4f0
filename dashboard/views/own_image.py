"""Your own image: draw or upload a digit, prepare it the way MNIST was made, and see what the models make of it."""

import hashlib

import streamlit as st
import torch

from ae_models.anomaly import reconstruction_scores
from ae_models.fullmap import nearest_rows, place_codes
from ae_models.latent_ops import nearest_neighbours, place_on_map
from ae_models.user_images import MAX_UPLOAD_BYTES, ImageInputError, read_image, to_mnist_style
from dashboard.drawing_canvas import drawing_pad
from dashboard.imaging import tile, upscale
from dashboard.map_figure import latent_scatter, map_overlays
from dashboard.map_points import full_images, sample_images
from dashboard.notes import neighbours_note, notice
from dashboard.presentation import overlaid, shared, show_figure
from dashboard.resources import per_model
from dashboard.session import images_on_the_map, maps_for, require_sample, require_selection

MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // 2**20
N_NEIGHBOURS = 8

selection = require_selection()
sample = require_sample(selection)

st.title("Your own image")
st.caption(
    "Draw a digit or upload a picture. It is prepared the way MNIST was made: grayscale, bright ink on black, "
    "cropped to the ink, fitted into 20x20 pixels and centred by mass in 28x28."
)
if sample.images.image_shape != (28, 28):
    st.info("This page needs a model of 28x28 images.")
    st.stop()

draw_tab, upload_tab = st.tabs(["Draw", "Upload"])
with draw_tab:
    drawn = drawing_pad(key="pad")
with upload_tab:
    upload = st.file_uploader(
        f"An image of a digit (PNG, JPEG, GIF, BMP, WebP; at most {MAX_UPLOAD_MB} MB)",
        type=None,
        key="own_upload",
        max_upload_size=MAX_UPLOAD_MB,  # the browser refuses a larger file before sending it
    )
    st.caption(  # the browser marks a refused file with a red icon only; the reason is in a tooltip
        f"A file over {MAX_UPLOAD_MB} MB is stopped by your browser before it is sent and marked in red: "
        "crop or shrink the picture first."
    )


def _newest_input(drawn: bytes | None, upload: object) -> str | None:
    """Which input changed since the last run ("drawing" or "upload"), so the choice below follows the newest."""
    current = {
        "drawing": hashlib.sha256(drawn).hexdigest() if drawn else None,
        "upload": getattr(upload, "file_id", None),
    }
    seen = st.session_state.get("own_seen", {})
    st.session_state["own_seen"] = current
    changed = [name for name, value in current.items() if value is not None and value != seen.get(name)]
    return changed[-1] if changed else None


newest = _newest_input(drawn, upload)
if newest is not None:
    st.session_state["own_source"] = newest
source = st.radio("Use", ["drawing", "upload"], horizontal=True, key="own_source")
data = drawn if source == "drawing" else (upload.getvalue() if upload is not None else None)
if data is None:
    st.info("Draw a digit on the black pad or upload an image to begin.")
    st.stop()
try:
    gray, notes = read_image(data)
    image = to_mnist_style(gray)
except ImageInputError as err:
    st.error(f"That image cannot be used: {err}")
    st.stop()
for note in notes:
    st.info(f"Note: {note}.")

batch = image.unsqueeze(0)
map_view_by_digest = {v.model.sha256: v for v in maps_for(selection.pair, selection)}
cells = st.columns(1 + len(selection.pair))
cells[0].image(upscale(image, 6), caption="prepared input (28x28)")
held_out = sample.images.images[sample.held_out]
for cell, model in zip(cells[1:], selection.pair, strict=True):
    score = float(reconstruction_scores(model.network, batch)[0])
    typical = per_model(model, reconstruction_scores, held_out)
    percentile = float((typical < score).float().mean() * 100)
    cell.image(upscale(model.network.reconstruct(batch)[0], 6), caption=f"{model.kind.upper()} reconstruction")
    cell.metric(
        "anomaly score", f"{score:.1f} nats", help="reconstruction error; higher than held-out images = unusual"
    )
    cell.caption(f"stranger than {percentile:.0f}% of held-out {selection.dataset} images")

st.subheader("Where it lands, and its nearest neighbours")
map_models = [m for m in selection.pair if m.sha256 in map_view_by_digest]
chosen = images_on_the_map(st.container(), sample, map_models) if map_models else None
full = (
    dict(zip([m.sha256 for m in map_models], chosen.full, strict=True))
    if chosen is not None and chosen.full is not None
    else None
)
shown = sample_images(sample) if full is None else full_images(list(full.values()))
searched = (
    f"the {len(shown):,} images of the dataset"
    if full is not None
    else f"the pool's {len(shown):,} images"
    if chosen is not None and chosen.whole_pool
    else f"the sample's {len(shown):,} images"
)
votes = {}
for column, model in zip(st.columns(len(selection.pair)), selection.pair, strict=True):
    map_view = map_view_by_digest.get(model.sha256)
    if map_view is None:
        continue
    code = model.network.encode(batch).mean
    if full is None:
        coords = map_view.coords
        position = place_on_map(code, map_view.latent_map.codes, map_view.latent_map.coords).numpy()
        neighbours, _ = nearest_neighbours(map_view.latent_map.codes, code[0], N_NEIGHBOURS)
    else:  # every image of the dataset: placed among all of them, neighbours searched over all of them
        coords = full[model.sha256].coords.numpy()
        position = place_codes(full[model.sha256], code).numpy()
        neighbours, _ = nearest_rows(full[model.sha256], code[0], N_NEIGHBOURS)
    with column:
        figure = shared(  # the map is every visitor's (70,000 points on the full map): built once per server
            latent_scatter, coords, shown.labels, shown.class_names, title=f"{model.kind.upper()} · {model.name}",
            axis_names=map_view.axis_names, equal_axes=map_view.is_plane, height=440,
        )  # fmt: skip
        figure = overlaid(figure, map_overlays(coords, extra_points=("your image", position)))
        show_figure(figure, f"own-map-{model.sha256[:12]}")
        st.image(tile(shown.images[neighbours], columns=N_NEIGHBOURS, upscale=2))
        classes = torch.from_numpy(shown.labels[neighbours.numpy()])
        names = ", ".join(shown.class_names[i] for i in classes.tolist())
        st.caption(f"{N_NEIGHBOURS} nearest codes in the {model.kind.upper()} among {searched}: {names}")
        commonest = int(classes.mode().values)
        votes[model.kind.upper()] = (shown.class_names[commonest], int((classes == commonest).sum()), len(classes))
if votes:
    notice(neighbours_note(votes))
if any(not v.is_plane for v in map_view_by_digest.values()):
    st.caption(f"On UMAP maps the image is placed from its nearest codes among {searched} (fast, no UMAP refit).")
