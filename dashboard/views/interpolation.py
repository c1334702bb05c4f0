"""Interpolation: walk in a straight line (or a great circle) between two codes and decode every step."""

from functools import partial

import numpy as np
import streamlit as st
import torch

from ae_models.anatomy.pca import interpolate_images
from ae_models.latent_ops import decode_codes, interpolate, place_on_map
from ae_models.recognition import UNRECOGNISABLE
from dashboard import url_state
from dashboard.anatomy_data import pca_for
from dashboard.imaging import gif_bytes, labelled_png, side_by_side, tile, with_label
from dashboard.map_figure import latent_scatter, map_overlays
from dashboard.notes import interpolation_note, notice
from dashboard.presentation import overlaid, shared, show_figure
from dashboard.resources import default_endpoints, reference_judge
from dashboard.session import (
    SELECTED_ROW_KEY,
    follow_sidebar,
    maps_for,
    remember_clicked_row,
    require_sample,
    require_selection,
)

PER_CLASS = 20  # examples offered per class by the endpoint pickers
CLICKED_KEY = "interp_clicked_row"
ENDPOINTS = ("A", "B")

selection = require_selection()
sample = require_sample(selection)
labels = sample.images.labels.numpy()
class_names = sample.images.class_names
examples = sample.example_rows(per_class=PER_CLASS)

st.title("Interpolation")
st.caption(
    "Encode two images, walk between their codes in equal steps, and decode every step. A good latent space "
    "gives a smooth morph through plausible images; holes in it show up as blurry or broken frames."
)


def _class_rows(label: int) -> list[int]:
    return [r for r in examples if labels[r] == label] or np.flatnonzero(labels == label).tolist()


def _endpoint_state(endpoint: str, row: int) -> dict[str, object]:
    """An endpoint at a row, with its class and example pickers showing that row."""
    same_class = _class_rows(int(labels[row]))
    return {
        f"endpoint_{endpoint}": row,
        f"class_{endpoint}": class_names[labels[row]],
        f"index_{endpoint}": same_class.index(row) if row in same_class[:PER_CLASS] else 0,
    }


def _set_endpoint(endpoint: str, row: int) -> None:
    st.session_state.update(_endpoint_state(endpoint, row))  # in callbacks or before the pickers are drawn


def _default_endpoints() -> dict[str, object]:
    rows = default_endpoints(tuple(m.sha256 for m in selection.pair), tuple(selection.pair), selection.dataset, sample)
    return {
        k: v for endpoint, row in zip(ENDPOINTS, rows, strict=True) for k, v in _endpoint_state(endpoint, row).items()
    }


follow_sidebar("interpolation", selection, _default_endpoints)  # rows of another sample mean nothing here
clicked = st.session_state.pop(CLICKED_KEY, None)  # a point clicked on the map below, in the last run
if clicked is not None and 0 <= clicked < len(labels):
    _set_endpoint(st.session_state.get("interp_target", "A"), clicked)
if not all(0 <= st.session_state.get(f"endpoint_{e}", -1) < len(labels) for e in ENDPOINTS):
    st.session_state.update(_default_endpoints())
for endpoint in ENDPOINTS:  # rows from a link arrive without their pickers: make the pickers show them
    if st.session_state.get(f"class_{endpoint}") != class_names[labels[st.session_state[f"endpoint_{endpoint}"]]]:
        _set_endpoint(endpoint, st.session_state[f"endpoint_{endpoint}"])
if st.session_state.get(SELECTED_ROW_KEY) is not None and "endpoint_from_map_page" not in st.session_state:
    row = st.session_state[SELECTED_ROW_KEY]
    if row < len(labels) and not url_state.from_link("a"):  # a link's own endpoint A wins
        _set_endpoint("A", row)  # carry the latent-map selection over
    st.session_state["endpoint_from_map_page"] = True


def _pick_by_class(endpoint: str) -> None:
    rows = _class_rows(class_names.index(st.session_state[f"class_{endpoint}"]))
    index = min(st.session_state[f"index_{endpoint}"], len(rows) - 1)
    st.session_state[f"endpoint_{endpoint}"] = rows[index]


controls = st.columns([2, 2, 3, 2])
for column, endpoint in zip(controls[:2], ENDPOINTS, strict=True):
    with column.container(border=True):
        row = st.session_state[f"endpoint_{endpoint}"]
        st.markdown(f"**Endpoint {endpoint}**: row {row} ({class_names[labels[row]]})")
        st.selectbox("class", class_names, key=f"class_{endpoint}", on_change=_pick_by_class, args=(endpoint,))
        st.number_input(
            "example", 0, PER_CLASS - 1, key=f"index_{endpoint}", on_change=_pick_by_class, args=(endpoint,)
        )
with controls[2]:
    steps = st.slider("Steps", 3, 20, 10, help="decoded codes from A to B, both included", key="interpolation_steps")
    method = st.radio(
        "Path", ["linear", "spherical"], horizontal=True, key="interpolation_path",
        help="spherical turns the code's direction at an even pace and moves its length evenly from A's to B's, "
        "so no step is longer or shorter than both endpoints; linear cuts straight through the middle",
    )  # fmt: skip
with controls[3]:
    target = st.radio("Clicking the map sets", ENDPOINTS, horizontal=True, key="interp_target")

rows = [st.session_state["endpoint_A"], st.session_state["endpoint_B"]]
endpoints = sample.images.images[rows]
strips, paths = [], {}  # (row name, title, decoded steps) per row of the picture
for model in selection.pair:
    codes = model.network.encode(endpoints).mean
    path = interpolate(codes[0], codes[1], steps, method)
    name = f"{model.kind.upper()} · {model.name}"
    strips.append((model.kind.upper(), name, decode_codes(model.network, path)))
    paths[model.sha256] = path
size = selection.latent_dim
basis = pca_for(selection.weights_dir, selection.dataset, tuple(sample.images.images.shape[1:]))
if basis is not None and size <= len(basis.components):
    blend = interpolate_images(basis, endpoints[0], endpoints[1], size, steps).clamp(0, 1)
    strips.append(("PCA", f"PCA · {size} components, linear", blend))

st.subheader(f"{method.capitalize()} interpolation, {steps} steps")
pictures = []  # (picture, title) of each row, labelled for the download only when it is clicked
for _, name, decoded in strips:
    picture = tile(torch.cat([endpoints[:1], decoded, endpoints[1:]]), columns=steps + 2, upscale=3)
    title = f"{name}: original A, {steps} decoded steps, original B"
    pictures.append((picture, title))
    st.image(picture, caption=title)
if strips[-1][0] == "PCA":
    st.caption(
        f"PCA is linear, so its row is a cross-fade: its first and last steps are A's and B's {size}-component "
        "reconstructions and every step between is a weighted blend of those two, pixel by pixel (before clipping "
        "to [0, 1] for display; the straight line whichever path is chosen). It only overlays those two shapes, "
        "where the AE's and VAE's decoders may draw new ones on the way."
    )
else:
    st.caption(f"No PCA row: no PCA basis with {size} components for {selection.dataset} in the weights folder.")
judge = reference_judge(selection.weights_dir, selection.dataset)
judged = judge.read(torch.cat([d for *_, d in strips]), excluded=rows)  # the endpoints' own images do not vote
readings = {  # one reading for every frame of every strip
    kind: [
        (None if i == UNRECOGNISABLE else class_names[i], agreement)
        for i, agreement in zip(frames.tolist(), shares.tolist(), strict=True)
    ]
    for (kind, *_), frames, shares in zip(
        strips, judged.classes.split(steps), judged.agreement.split(steps), strict=True
    )
}
notice(interpolation_note(readings, class_names[labels[rows[0]]], class_names[labels[rows[1]]]))


def _animation() -> bytes:
    """Original A, every step, original B; the rows side by side, each column labelled; built on click."""
    sequences = [(kind, torch.cat([endpoints[:1], decoded, endpoints[1:]])) for kind, _, decoded in strips]
    names = ["original A", *(f"step {i} of {steps}" for i in range(1, steps + 1)), "original B"]
    frames = [
        with_label(
            side_by_side([with_label(tile(s[i : i + 1], 1, pad=2, upscale=8), kind) for kind, s in sequences]),
            name,
            below=True,
        )
        for i, name in enumerate(names)
    ]
    return gif_bytes(frames)


downloads = st.columns(4)
downloads[0].download_button("Download strip (PNG)", partial(labelled_png, pictures), "interpolation.png", "image/png")
downloads[1].download_button("Download animation (GIF)", _animation, "interpolation.gif", "image/gif")


st.subheader("The path on the latent map")
map_views = maps_for(selection.pair, selection)
for column, map_view in zip(st.columns(max(1, len(map_views))), map_views, strict=False):
    placed = place_on_map(paths[map_view.model.sha256], map_view.latent_map.codes, map_view.latent_map.coords).numpy()
    shared_map = shared(  # the same for every visitor of this group; the endpoints and path are drawn over it
        latent_scatter, map_view.coords, labels, class_names,
        title=f"{map_view.model.kind.upper()} · {map_view.model.name}", axis_names=map_view.axis_names,
        equal_axes=map_view.is_plane, height=460,
    )  # fmt: skip
    figure = overlaid(shared_map, map_overlays(map_view.coords, path=placed, selected=rows))
    key = f"interp-map-{map_view.model.sha256[:12]}"
    with column:
        show_figure(figure, key, on_select=partial(remember_clicked_row, key, CLICKED_KEY), selection_mode="points")
if map_views and not map_views[0].is_plane:
    st.caption("For latent sizes above 2 the path is placed on the UMAP map from its nearest sample codes.")
