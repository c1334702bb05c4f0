"""Interpolation: walk in a straight line (or a great circle) between two codes and decode every step."""

from functools import partial

import numpy as np
import streamlit as st
import torch

from ae_models.latent_ops import decode_codes, interpolate, place_on_map
from dashboard.figures import latent_scatter
from dashboard.imaging import gif_bytes, png_bytes, tile
from dashboard.presentation import show_figure
from dashboard.session import SELECTED_ROW_KEY, maps_for, require_sample, require_selection, rows_from_event

selection = require_selection()
sample = require_sample(selection)
labels = sample.images.labels.numpy()
class_names = sample.images.class_names
examples = sample.example_rows(per_class=20)

st.title("Interpolation")
st.caption(
    "Encode two images, walk between their codes in equal steps, and decode every step. A good latent space "
    "gives a smooth morph through plausible images; holes in it show up as blurry or broken frames."
)

for endpoint, default in (("A", examples[0]), ("B", examples[min(20, len(examples) - 1)])):
    st.session_state.setdefault(f"endpoint_{endpoint}", default)
if st.session_state.get(SELECTED_ROW_KEY) is not None and "endpoint_from_map_page" not in st.session_state:
    st.session_state["endpoint_A"] = st.session_state[SELECTED_ROW_KEY]  # carry the latent-map selection over
    st.session_state["endpoint_from_map_page"] = True


def _pick_by_class(endpoint: str) -> None:
    label = class_names.index(st.session_state[f"class_{endpoint}"])
    rows = [r for r in examples if labels[r] == label] or np.flatnonzero(labels == label).tolist()
    index = min(st.session_state[f"index_{endpoint}"], len(rows) - 1)
    st.session_state[f"endpoint_{endpoint}"] = rows[index]


controls = st.columns([2, 2, 3, 2])
for column, endpoint in zip(controls[:2], ("A", "B"), strict=True):
    with column.container(border=True):
        row = st.session_state[f"endpoint_{endpoint}"]
        st.markdown(f"**Endpoint {endpoint}**: row {row} ({class_names[labels[row]]})")
        st.selectbox(
            "class",
            class_names,
            index=int(labels[row]),
            key=f"class_{endpoint}",
            on_change=_pick_by_class,
            args=(endpoint,),
        )
        st.number_input("example", 0, 19, 0, key=f"index_{endpoint}", on_change=_pick_by_class, args=(endpoint,))
with controls[2]:
    steps = st.slider("Steps", 3, 20, 10, help="decoded codes from A to B, both included", key="interpolation_steps")
    method = st.radio(
        "Path", ["linear", "spherical"], horizontal=True,
        help="spherical (slerp) keeps the code's length, staying where N(0, I) puts most of its mass",
        key="interpolation_path",
    )  # fmt: skip
with controls[3]:
    target = st.radio("Clicking the map sets", ["A", "B"], horizontal=True)

rows = [st.session_state["endpoint_A"], st.session_state["endpoint_B"]]
endpoints = sample.images.images[rows]
strips, paths = [], {}
for model in selection.pair:
    codes = model.network.encode(endpoints).mean
    path = interpolate(codes[0], codes[1], steps, method)
    strips.append((model, decode_codes(model.network, path)))
    paths[model.sha256] = path

st.subheader(f"{method.capitalize()} interpolation, {steps} steps")
pictures = []
for model, decoded in strips:
    picture = tile(torch.cat([endpoints[:1], decoded, endpoints[1:]]), columns=steps + 2, upscale=3)
    pictures.append(picture)
    st.image(picture, caption=f"{model.kind.upper()} · {model.name}: original A, {steps} decoded steps, original B")

downloads = st.columns(4)


def _animation() -> bytes:
    """One GIF frame per step, the models side by side; encoded only when the button is clicked."""
    return gif_bytes([np.hstack([tile(d[i : i + 1], 1, pad=2, upscale=8) for _, d in strips]) for i in range(steps)])


downloads[0].download_button(
    "Download strip (PNG)", partial(png_bytes, np.vstack(pictures)), "interpolation.png", "image/png"
)
downloads[1].download_button("Download animation (GIF)", _animation, "interpolation.gif", "image/gif")


def _set_endpoint(key: str) -> None:
    clicked = rows_from_event(st.session_state.get(key))
    if clicked:
        st.session_state[f"endpoint_{target}"] = clicked[-1]


st.subheader("The path on the latent map")
map_views = maps_for(selection.pair, selection)
for column, map_view in zip(st.columns(max(1, len(map_views))), map_views, strict=False):
    placed = place_on_map(paths[map_view.model.sha256], map_view.latent_map.codes, map_view.latent_map.coords).numpy()
    figure = latent_scatter(
        map_view.coords, labels, class_names, title=f"{map_view.model.kind.upper()} · {map_view.model.name}",
        axis_names=map_view.axis_names, equal_axes=map_view.is_plane, selected=rows, path=placed, height=460,
    )  # fmt: skip
    key = f"interp-map-{map_view.model.sha256[:12]}"
    with column:
        show_figure(figure, key, on_select=lambda key=key: _set_endpoint(key), selection_mode="points")
if map_views and not map_views[0].is_plane:
    st.caption("For latent sizes above 2 the path is placed on the UMAP map from its nearest sample codes.")
