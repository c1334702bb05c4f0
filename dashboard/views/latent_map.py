"""Latent map: where the encoder puts each image, AE and VAE side by side, with a linked selection."""

from functools import partial

import numpy as np
import streamlit as st
import torch

from ae_models.latent_ops import decode_codes, nearest_neighbours, sigma_ellipses
from dashboard.exports import map_table_csv
from dashboard.figures import image_grid, latent_scatter
from dashboard.imaging import tile, upscale
from dashboard.presentation import show_figure
from dashboard.resources import decoded_plane
from dashboard.session import SELECTED_ROW_KEY, MapView, maps_for, require_sample, require_selection, rows_from_event

N_ELLIPSES = 250
N_NEIGHBOURS = 8

selection = require_selection()
sample = require_sample(selection)
labels = sample.images.labels.numpy()
class_names = sample.images.class_names

st.title("Latent map")
map_views = maps_for(selection.pair, selection)
if not map_views:
    st.stop()
is_plane = all(v.is_plane for v in map_views)
st.caption(
    f"Each dot is one of {len(sample.images):,} {selection.dataset} images placed by its code "
    + (
        "(z₁, z₂) — the 2-D latent space itself."
        if is_plane
        else f"({selection.latent_dim}-D), flattened to 2-D by UMAP."
    )
    + " Colour is the true class, which the models never saw. **Click a point** to inspect it in both maps."
)

options = st.columns(4)
show_prior = options[0].toggle("N(0, I) prior rings", value=is_plane, disabled=not is_plane)
show_sigma = options[1].toggle("VAE σ ellipses", value=False, disabled=not is_plane)
probe = None
if options[2].toggle("Decode any point", value=False, disabled=not is_plane, key="probe_on") and is_plane:
    sliders = st.columns(2)
    z1 = sliders[0].slider("z₁", -4.0, 4.0, 0.0, 0.05, key="probe_z1")
    z2 = sliders[1].slider("z₂", -4.0, 4.0, 0.0, 0.05, key="probe_z2")
    probe = torch.tensor([[z1, z2]])


def _select(key: str) -> None:
    rows = rows_from_event(st.session_state.get(key))
    if rows:
        st.session_state[SELECTED_ROW_KEY] = rows[-1]


def _draw_map(map_view: MapView, chosen: list[int]) -> None:
    ellipses = None
    sigma = map_view.latent_map.encoding.sigma
    if show_sigma and sigma is not None:
        subset = torch.arange(0, len(map_view.latent_map.codes), max(1, len(map_view.latent_map.codes) // N_ELLIPSES))
        outlines = sigma_ellipses(map_view.latent_map.codes[subset], sigma[subset])
        gaps = torch.full((len(subset), 1, 2), float("nan"))
        ellipses = torch.cat([outlines, gaps], dim=1).reshape(-1, 2).numpy()
    figure = latent_scatter(
        map_view.coords, labels, class_names, title=f"{map_view.model.kind.upper()} · {map_view.model.name}",
        axis_names=map_view.axis_names, selected=chosen, prior_rings=show_prior, ellipses=ellipses,
        equal_axes=map_view.is_plane,
        extra_points=("decoded point", probe.numpy()) if probe is not None else None,
    )  # fmt: skip
    key = f"map-{map_view.model.sha256[:12]}"
    show_figure(figure, key, on_select=lambda: _select(key), selection_mode="points")


@st.fragment
def maps_and_panel() -> None:
    row = st.session_state.get(SELECTED_ROW_KEY)
    if row is not None and row >= len(sample.images):
        row = None
    chosen = [row] if row is not None else []
    *map_columns, panel = st.columns([3] * len(map_views) + [2])
    for column, map_view in zip(map_columns, map_views, strict=True):
        with column:
            _draw_map(map_view, chosen)
    with panel:
        st.subheader("Selected image")
        if row is None:
            st.info("Click a point in either map to see the image, both reconstructions and its nearest neighbours.")
            return
        image = sample.images.images[row : row + 1]
        cells = st.columns(1 + len(map_views))
        cells[0].image(upscale(image[0], 4), caption=f"original ({class_names[labels[row]]})")
        for cell, map_view in zip(cells[1:], map_views, strict=True):
            cell.image(
                upscale(map_view.model.network.reconstruct(image)[0], 4), caption=f"{map_view.model.kind.upper()}"
            )
        for map_view in map_views:
            neighbours, distances = nearest_neighbours(
                map_view.latent_map.codes, map_view.latent_map.codes[row], N_NEIGHBOURS, row
            )
            st.image(tile(sample.images.images[neighbours], columns=N_NEIGHBOURS, upscale=2))
            st.caption(
                f"{N_NEIGHBOURS} nearest codes in the {map_view.model.kind.upper()}'s {selection.latent_dim}-D space "
                f"(distance {distances[0]:.2f}–{distances[-1]:.2f}); classes: "
                + ", ".join(class_names[labels[i]] for i in neighbours.tolist())
            )


maps_and_panel()

downloads = st.columns(len(map_views) + 2)
for column, map_view in zip(downloads, map_views, strict=False):
    column.download_button(
        f"Map data: {map_view.model.name} (CSV)",
        partial(map_table_csv, map_view.latent_map, sample),  # built only when clicked, not on every rerun
        f"{map_view.model.name}-map.csv", "text/csv", key=f"csv-{map_view.model.sha256[:12]}",
        help="per image: row, class, held-out, map position, code",
    )  # fmt: skip

if probe is not None:
    st.subheader(f"Decoded at z = ({probe[0, 0]:.2f}, {probe[0, 1]:.2f})")
    cells = st.columns(len(map_views) + 2)
    for cell, map_view in zip(cells, map_views, strict=False):
        cell.image(upscale(decode_codes(map_view.model.network, probe)[0], 5), caption=map_view.model.kind.upper())

if is_plane:
    st.header("The decoded plane")
    st.caption(
        "Each tile is the decoder's output for one point of a regular grid over the latent plane "
        "(the book's figure 2.7): a VAE's plane morphs smoothly between classes; an AE's has gaps and garbage."
    )
    controls = st.columns(3)
    n = controls[0].slider("Tiles per side", 5, 25, 15)
    extent = controls[1].slider("Range (± around the centre)", 0.5, 5.0, 2.5, 0.25)
    centre_on_codes = controls[2].toggle("Centre on each model's codes", value=False)
    tabs = st.tabs([f"{v.model.kind.upper()} · {v.model.name}" for v in map_views])
    for tab, map_view in zip(tabs, map_views, strict=True):
        centre = tuple(map_view.latent_map.codes.mean(0).tolist()) if centre_on_codes else (0.0, 0.0)
        picture = decoded_plane(map_view.model.sha256, map_view.model, n, extent, centre)
        x_ticks = np.linspace(centre[0] - extent, centre[0] + extent, n)
        y_ticks = np.linspace(centre[1] - extent, centre[1] + extent, n)
        with tab:
            show_figure(
                image_grid(picture, x_ticks, y_ticks, f"Decoded grid, {map_view.model.name}"),
                f"grid-{map_view.model.sha256[:12]}",
            )
