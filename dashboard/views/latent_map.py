"""Latent map: where the encoder puts each image, AE and VAE side by side, with a linked selection: a click
picks one image for the side panel, a box or lasso picks many for the gallery below the maps."""

from functools import partial

import numpy as np
import streamlit as st
import torch

from ae_models.coverage import PlaneWindow, codes_window
from ae_models.latent_ops import decode_codes, manifold_grid, mean_code, nearest_neighbours, sigma_ellipses
from dashboard import url_state
from dashboard.exports import map_table_csv, safe_filename, selection_csv
from dashboard.figures import image_grid
from dashboard.imaging import tile, upscale
from dashboard.map_figure import (
    DENSITY_BINS,
    class_histogram,
    density_map,
    latent_scatter,
    map_overlays,
    marker_span,
)
from dashboard.map_points import MapPoints, full_images, full_points, sample_images
from dashboard.map_selection import GALLERY_SIZE, class_counts
from dashboard.notes import map_note, notice, plane_note, sigma_note
from dashboard.presentation import overlaid, presentation_mode, shared, show_figure
from dashboard.resources import code_summary, decoded_plane, trained_region
from dashboard.selected_star import mark_selected, star_points
from dashboard.session import (
    AREA_ROWS_KEY,
    FULL_AREA_ROWS_KEY,
    FULL_ROW_KEY,
    SELECTED_ROW_KEY,
    MapView,
    area_chart_key,
    copy_state,
    follow_map_view,
    images_on_the_map,
    maps_for,
    remember_map_selection,
    require_sample,
    require_selection,
    scope_map_selection,
)

N_ELLIPSES = 250
N_NEIGHBOURS = 8
DENSITY_FROM = 10_000  # images from which the map offers a density view (dots overlap into a blot)
SELECTION_MODES = ("points", "box", "lasso")

selection = require_selection()
sample = require_sample(selection)

st.title("Latent map")
map_views = maps_for(selection.pair, selection)
if not map_views:
    st.stop()
is_plane = all(v.is_plane for v in map_views)
scope_map_selection((selection.dataset, selection.latent_dim, tuple(v.model.sha256 for v in map_views)))
either_map = "either map" if len(map_views) > 1 else "the map"
caption = st.empty()  # written once the view below is known
class_names = sample.images.class_names  # the full map's are the same dataset's
highlight = st.pills(
    "Highlight classes", range(len(class_names)), format_func=lambda i: class_names[i], selection_mode="multi",
    key="map_highlight", help="the other classes turn grey and go underneath; none chosen shows every class",
)  # fmt: skip
filters = st.columns(2, vertical_alignment="bottom")  # one row: the maps stay on a projector's screen
chosen = images_on_the_map(filters[0], sample, [v.model for v in map_views])
full, view, whole_pool = chosen.full, chosen.view, chosen.whole_pool  # the sample stands in for an unreadable map
follow_map_view(view, sample)
if full is None:
    shown = sample_images(sample)
    points = [
        MapPoints(v.model, v.coords, v.latent_map.codes, v.is_plane, f"map-{v.model.sha256[:12]}") for v in map_views
    ]
    row_key, area_key = SELECTED_ROW_KEY, AREA_ROWS_KEY
else:
    shown = full_images(full)
    points = [full_points(v.model, m) for v, m in zip(map_views, full, strict=True)]
    row_key, area_key = FULL_ROW_KEY, FULL_AREA_ROWS_KEY
labels = shown.labels
shown_from = "dataset" if full is not None else "pool" if whole_pool else "sample"  # where neighbours are searched
present_splits = np.unique(shown.split).tolist()
which_images = (  # the page's caption, written once the density toggle below is known
    f"{len(shown):,} {selection.dataset} images "
    + (
        "(every image of the dataset: " + ", ".join(shown.split_names[i] for i in present_splits) + ") "
        if full is not None
        else "(the whole pool: training and validation images) "
        if whole_pool
        else "(the evaluation sample) "
    )
)
placed_by = "placed by its code " + (
    "(z₁, z₂) — the 2-D latent space itself." if is_plane else f"({selection.latent_dim}-D), flattened to 2-D by UMAP."
)
splits = filters[1].pills(
    "Highlight splits", present_splits, format_func=lambda i: shown.split_names[i], selection_mode="multi",
    key=f"map_splits_{view}",
    help="training: images at least one of the models trained on; none chosen shows every split",
)  # fmt: skip
rows_shown = np.isin(shown.split, splits) if splits else None

options = st.columns(5)
# a UMAP map's own keys: a toggle left on over a latent-2 map must not draw N(0, I) rings around UMAP's (0, 0)
plane_key = "" if is_plane else "_umap"
show_prior = (
    options[0].toggle("N(0, I) prior rings", value=is_plane, disabled=not is_plane, key=f"map_prior{plane_key}")
    and is_plane
)
show_sigma = (
    options[1].toggle("VAE σ ellipses", value=False, disabled=not is_plane, key=f"map_sigma{plane_key}") and is_plane
)
probe = None
if options[2].toggle("Decode any point", value=False, disabled=not is_plane, key="probe_on") and is_plane:
    sliders = st.columns(2)
    windows = [codes_window(v.latent_map.codes) for v in map_views]  # reach every model's codes, not just the prior's
    reach = max(4.0, *(max(abs(w.centre[0]), abs(w.centre[1])) + w.extent for w in windows))
    reach = float(np.ceil(reach))
    z1 = sliders[0].slider("z₁", -reach, reach, 0.0, 0.05, key="probe_z1")
    z2 = sliders[1].slider("z₂", -reach, reach, 0.0, 0.05, key="probe_z2")
    probe = torch.tensor([[z1, z2]])
density = len(shown) >= DENSITY_FROM and options[3].toggle(
    "Density view", value=False, key="map_density", help="counts per cell instead of one dot per image"
)
if len(shown) < DENSITY_FROM and chosen.missing is None:  # the toggle itself appears only where dots overlap
    options[3].caption(f"A density view (images per cell) is offered from {DENSITY_FROM:,} images on the map.")
hide_others = options[4].toggle(
    "Hide the others", value=False, key="map_hide", help="the classes and splits not highlighted leave the map"
)


if density:  # no dots to colour, click or select: the caption must not promise them
    caption.caption(
        f"Each cell counts how many of the {which_images}fall there, each image {placed_by} Colour is the number of "
        "images (log scale), not their class; switch the density view off to see the classes and to click or "
        "select images."
    )
else:
    caption.caption(
        f"Each dot is one of {which_images}{placed_by}"
        + " Colour is the true class, which the models never saw. **Click a point** to inspect it"
        + (" in both maps" if len(map_views) > 1 else "")
        + (  # presentation mode and phones hide the chart toolbars, and with them the box and lasso tools
            "."
            if presentation_mode()
            else "; with the chart's toolbar (on screens wider than a phone) **drag a box or lasso** to gather many "
            f"images in a gallery below {'the maps' if len(map_views) > 1 else 'the map'}."
        )
    )


def _draw_map(map_view: MapView, map_points: MapPoints, ringed: list[int]) -> None:
    """One model's map; `ringed`: rows of a box or lasso drawn on another map, ringed here to compare."""
    title = f"{map_view.model.kind.upper()} · {map_view.model.name}"
    if density:
        counted = np.isin(labels, highlight) if highlight else np.ones(len(labels), dtype=bool)
        counted &= True if rows_shown is None else rows_shown
        figure = shared(
            density_map, map_points.coords[counted], title=title, axis_names=map_points.axis_names,
            equal_axes=map_points.is_plane,
        )  # fmt: skip
        show_figure(figure, map_points.key)
        st.caption(
            f"Images per cell of a {DENSITY_BINS} × {DENSITY_BINS} grid, {counted.sum():,} images"
            + (" (the highlighted ones)" if counted.sum() < len(labels) else "")
            + ". Switch the density view off to click or select images."
        )
        return
    ellipses = None
    all_sigmas = map_view.latent_map.encoding.sigma
    if show_sigma and all_sigmas is not None:
        subset = torch.arange(0, len(map_view.latent_map.codes), max(1, len(map_view.latent_map.codes) // N_ELLIPSES))
        sigmas = all_sigmas[subset]
        outlines = sigma_ellipses(map_view.latent_map.codes[subset], sigmas)
        gaps = torch.full((len(subset), 1, 2), float("nan"))
        ellipses = torch.cat([outlines, gaps], dim=1).reshape(-1, 2).numpy()
        small = sigma_note(float(sigmas.median()), marker_span(map_points.coords))
    figure = shared(  # most visitors look at the same maps: built once per server (dashboard/figure_cache.py)
        latent_scatter, map_points.coords, labels, class_names, title=title, axis_names=map_points.axis_names,
        prior_rings=show_prior, ellipses=ellipses, equal_axes=map_points.is_plane, highlight=highlight or None,
        rows_shown=rows_shown, hide_others=hide_others,
    )  # fmt: skip
    if probe is not None or ringed:  # they move with a visitor's sliders and selections: drawn over the shared map
        overlays = map_overlays(
            map_points.coords,
            extra_points=("decoded point", probe.numpy()) if probe is not None else None,
            ringed=np.asarray(ringed, dtype=np.int64) if ringed else None,
        )
        figure = overlaid(figure, overlays)
    on_select = partial(remember_map_selection, map_points.key, row_key, area_key)
    show_figure(figure, map_points.key, on_select=on_select, selection_mode=SELECTION_MODES)
    if ellipses is not None and small:
        st.caption(small)


def _find_row_box(row: int | None) -> None:
    """The row box shows the selected row, however it was chosen (a click, a link, the other view), and selects
    the row typed in it. Inside the maps' fragment, so that a click's rerun of the fragment refreshes it."""
    find_key = f"map_find_row_{view}"
    if st.session_state.get(find_key) != row:
        st.session_state[find_key] = row
    st.number_input(
        "Find image by row", min_value=0, max_value=len(shown) - 1, value=None, step=1, key=find_key,
        on_change=copy_state, args=(find_key, row_key), placeholder=f"0–{len(shown) - 1:,}",
        help="selects that image, as a click on its point would",
    )  # fmt: skip


def _selection_panel(row: int | None) -> None:
    st.subheader("Selected image")
    if row is None:
        st.info(
            f"Click a point in {either_map} to see the image, "
            + ("both reconstructions" if len(points) > 1 else "its reconstruction")
            + " and its nearest neighbours."
        )
        return
    image = shown.images[row : row + 1]
    cells = st.columns(1 + len(points))
    cells[0].image(upscale(image[0], 4), caption=f"original, row {row} ({class_names[labels[row]]})")
    for cell, map_points in zip(cells[1:], points, strict=True):
        cell.image(upscale(map_points.model.network.reconstruct(image)[0], 4), caption=map_points.model.kind.upper())
    for map_points in points:
        neighbours, distances = nearest_neighbours(map_points.codes, map_points.codes[row], N_NEIGHBOURS, row)
        st.image(tile(shown.images[neighbours], columns=N_NEIGHBOURS, upscale=2))
        st.caption(
            f"{N_NEIGHBOURS} nearest codes in the {map_points.model.kind.upper()}'s {selection.latent_dim}-D space "
            f"among all {len(shown):,} images of the {shown_from}"
            f", whatever the filters show (distance {distances[0]:.2f}–{distances[-1]:.2f}); classes: "
            + ", ".join(class_names[labels[i]] for i in neighbours.tolist())
        )


def _area_gallery(rows: list[int]) -> None:
    """The images of the last box or lasso selection: the first GALLERY_SIZE, their classes, their mean code
    decoded by each model, and all of them in a CSV."""
    if not rows:
        return
    drawn_on = next((p for p in points if p.key == st.session_state.get(area_chart_key(area_key))), None)
    on_map = f", drawn on the {drawn_on.model.kind.upper()} map" if drawn_on is not None and len(points) > 1 else ""
    st.subheader(f"Selected area: {len(rows):,} images{on_map}")
    others = [p.model.kind.upper() for p in points if p is not drawn_on]
    if drawn_on is not None and others and not density:
        st.caption(f"The same images are ringed on the {' and '.join(others)} map: where that model puts them.")
    first = rows[:GALLERY_SIZE]
    pictures, histogram = st.columns([3, 2])
    pictures.image(
        tile(shown.images[first], columns=16, upscale=2),
        caption=f"the first {len(first)} of the {len(rows):,} selected images" if len(rows) > len(first) else
        f"all {len(rows)} selected images",
    )  # fmt: skip
    with histogram:
        counts = class_counts(rows, labels, len(class_names))
        show_figure(class_histogram(counts, class_names, "Classes in the selection"), "map-selection-classes")
    cells = st.columns(len(points) + 2)
    for cell, map_points in zip(cells, points, strict=False):
        decoded = decode_codes(map_points.model.network, mean_code(map_points.codes, rows).unsqueeze(0))[0]
        cell.image(upscale(decoded, 3), caption=f"{map_points.model.kind.upper()}: the mean code, decoded")
        cell.download_button(
            f"Selection: {map_points.model.name} (CSV)",
            partial(  # built only when clicked
                selection_csv, rows, shown.split_of(rows), [class_names[i] for i in labels[rows]],
                map_points.coords, map_points.codes,
            ),
            safe_filename(f"{map_points.model.name}-selection.csv"), "text/csv", key=f"area-csv-{map_points.key}",
            help="per selected image: row, split, class, map position, code",
        )  # fmt: skip
    st.caption(
        f"Each model's mean code is the average of the {len(rows):,} selected images' {selection.latent_dim}-D "
        "codes; an average of codes can decode to something none of them looks like."
    )


@st.fragment
def maps_and_panel() -> None:
    url_state.publish()  # a click reruns only this fragment, after its callback changed the registered row
    row = st.session_state.get(row_key)
    if row is not None and row >= len(shown):
        row = None
    area_rows = [r for r in st.session_state.get(area_key, []) if r < len(shown)]
    drawn_on = st.session_state.get(area_chart_key(area_key))
    *map_columns, panel = st.columns([3] * len(map_views) + [2])
    below = st.container()
    with panel:  # first: the panel's images reach the browser before the maps' (unchanged) elements
        _find_row_box(row)
        _selection_panel(row)
        mark_selected(star_points({p.key: p.coords for p in points}, row))  # the maps stay as they were
    with below:  # the gallery below the maps, sent before them: an area changes the other map (its rings)
        _area_gallery(area_rows)
    for column, map_view, map_points in zip(map_columns, map_views, points, strict=True):
        with column:  # the map the area was drawn on shows Plotly's own selection; the others ring its images
            _draw_map(map_view, map_points, area_rows if map_points.key != drawn_on else [])


maps_and_panel()
summaries = {v.model.kind.upper(): code_summary(v.model.sha256, v.latent_map, sample.images.labels) for v in map_views}
sampled = f" Measured on the {len(sample.images):,}-image sample." if full is not None else ""
notice(map_note(summaries, is_plane, selection.latent_dim) + sampled)

downloads = st.columns(len(map_views) + 2)
for column, map_view in zip(downloads, map_views, strict=False):
    column.download_button(
        f"Map data: {map_view.model.name} (CSV)",
        partial(map_table_csv, map_view.latent_map, sample),  # built only when clicked, not on every rerun
        safe_filename(f"{map_view.model.name}-map.csv"), "text/csv", key=f"csv-{map_view.model.sha256[:12]}",
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
        "Each tile is the decoder's output for one point of a regular grid over the latent plane (the book's "
        "figure 2.7). Framed on “each model's codes”, each plane covers the bulk of that model's codes (the note "
        "says how many lie inside), which may be tens of units wide for an AE and a few for a VAE; the dashed "
        "yellow circle is where N(0, I) puts 99% of its draws."
    )
    controls = st.columns(3)
    n = controls[0].slider("Tiles per side", 5, 25, 15, key="plane_tiles")
    frame = controls[1].radio(
        "Frame", ["each model's codes", "the prior's ±3"], horizontal=True, key="plane_frame",
        help="the prior's frame shows both models over the same small square around the origin",
    )  # fmt: skip
    outside, framed = {}, {}
    for column, map_view in zip(st.columns(len(map_views)), map_views, strict=True):
        window = (
            codes_window(map_view.latent_map.codes) if frame == "each model's codes" else PlaneWindow((0.0, 0.0), 3.0)
        )
        centre, extent = window.centre, window.extent
        picture, shape = decoded_plane(map_view.model.sha256, map_view.model, n, extent, centre)
        grid = manifold_grid(n, extent, centre)
        region = trained_region(map_view.model.sha256, map_view.latent_map)
        outside[map_view.model.kind.upper()] = float(region.outside(grid).float().mean())
        framed[map_view.model.kind.upper()] = float(window.contains(map_view.latent_map.codes).float().mean())
        x_ticks = np.linspace(centre[0] - extent, centre[0] + extent, n)
        y_ticks = np.linspace(centre[1] - extent, centre[1] + extent, n)
        with column:
            show_figure(
                shared(
                    image_grid, picture, shape, x_ticks, y_ticks,
                    f"{map_view.model.kind.upper()} · {map_view.model.name}",
                    prior_radius=float(np.sqrt(-2 * np.log(0.01))),
                ),
                f"grid-{map_view.model.sha256[:12]}",
            )  # fmt: skip
    notice(plane_note(outside, framed) + sampled)
