"""What a page needs from the shared picker and the shared resources, with a friendly stop when it is missing."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ae_models.datasets import DatasetError
from ae_models.fullmap import (
    FullMap,
    FullMapError,
    full_map_path_for,
    full_map_size,
    full_row_of,
    sample_row_of,
)
from ae_models.latent_maps import LatentMap
from ae_models.library import LibraryModel
from ae_models.samples import EvaluationSample, is_whole_pool

from . import url_state
from .map_selection import read_selection, rows_from_event
from .picker import Selection
from .resources import MapUnavailable, evaluation_sample, full_map, held_out_sample, latent_map, map_job_seconds
from .url_state import FULL_ROW_KEY, MAP_VIEW_KEY, SELECTED_ROW_KEY

AREA_ROWS_KEY = "map_area_rows"  # the rows of the latent map's last box or lasso selection
FULL_AREA_ROWS_KEY = "full_map_area_rows"  # the same on the full map: rows of all images
ROWS_VIEW_KEY = "map_rows_view"  # the view ("sample" or "full") the latent map's selected row was last shown in
MAP_SCOPE_KEY = "map_selection_scope"  # the dataset, latent size and models the map's selections were made on


def require_selection() -> Selection:
    selection: Selection | None = st.session_state.get("selection")
    if selection is None or not selection.pair:
        st.info("Load a model first: put weights in the weights folder or upload a .safetensors file in the sidebar.")
        st.stop()
    return selection


def require_sample(selection: Selection, models: Iterable[LibraryModel] | None = None) -> EvaluationSample:
    """The dataset's evaluation sample, its held-out rows those that none of the models (default: the pair)
    trained on, by each model's own recorded split."""
    splits = tuple(m.trained.dataset for m in (selection.pair if models is None else models))
    try:
        return held_out_sample(selection.weights_dir, selection.dataset, splits)
    except DatasetError as err:  # says how to install the dataset
        st.error(f"The evaluation images for {selection.dataset!r} are not available: {err}")
        st.stop()
    except Exception:  # the details name server files: they go to the log, not to the visitor
        logging.getLogger("dashboard").exception("evaluation sample for %s", selection.dataset)
        st.error(f"The evaluation images for {selection.dataset!r} cannot be read on this server.")
        st.stop()


def check_link_rows(selection: Selection | None) -> None:
    """Rows from a link (selected point, interpolation endpoints) must exist in this group's evaluation sample;
    a full map's row (`frow`) among the rows of the group's full map."""
    if selection is None or not selection.pair:
        return
    if url_state.pending("frow"):
        try:
            rows = full_map_size(selection.pair[0].path)  # the models of a group share their dataset
        except FullMapError:  # no full map to show the row on
            rows = 0
        url_state.check("frow", lambda row: row < rows)
    if not any(url_state.pending(param) for param in url_state.ROW_PARAMS):
        return
    try:
        size = len(evaluation_sample(selection.weights_dir, selection.dataset).images)
    except Exception:  # the page says why the sample is missing; the rows cannot be shown either way
        size = 0
    for param in url_state.ROW_PARAMS:
        url_state.check(param, lambda row: row < size)


@dataclass(frozen=True)
class MapView:
    model: LibraryModel
    latent_map: LatentMap

    @property
    def axis_names(self) -> tuple[str, str]:
        return ("z₁", "z₂") if self.is_plane else ("UMAP 1", "UMAP 2")

    @property
    def is_plane(self) -> bool:
        return self.latent_map.method == "latent"

    @property
    def coords(self) -> np.ndarray:
        return self.latent_map.coords.numpy()


def maps_for(models: list[LibraryModel], selection: Selection) -> list[MapView]:
    """The maps that are ready; for the others, a progress note that refreshes itself until they are."""
    map_views, waiting = [], []
    for model in models:
        try:
            ready = latent_map(model, selection.weights_dir)
        except MapUnavailable as err:
            st.warning(f"No latent map for {model.name}: {err}")
            continue
        if ready is None:
            waiting.append(model.name)
        else:
            map_views.append(MapView(model, ready))
    if waiting:
        _wait_for_maps(waiting)
    return map_views


def missing_full_map(models: list[LibraryModel]) -> str | None:
    """Why the full map cannot be shown for these models (a file is not there), or None; reads no map."""
    for model in models:
        if not full_map_path_for(model.path).is_file():
            return f"{model.name} has no full map beside its weights (`python -m ae_models project --full`)"
    return None


@dataclass(frozen=True)
class MapImages:
    """The "Images on the map" choice, ready to draw: the models' full maps when chosen and readable, else None
    (the sample); why the full view is not offered, if it is not; whether the sample is the whole pool."""

    full: list[FullMap] | None
    missing: str | None
    whole_pool: bool

    @property
    def view(self) -> str:
        return "sample" if self.full is None else "full"


def images_on_the_map(container: DeltaGenerator, sample: EvaluationSample, models: list[LibraryModel]) -> MapImages:
    """The "Images on the map" radio in `container` (a column, say): one choice (the `map_view` key, the link's
    `map`) for every page that draws the maps, so a visitor who picked every image sees them on each."""
    whole_pool = is_whole_pool(sample, [m.trained.dataset for m in models])
    sample_words = (
        f"all {len(sample.images):,} images of the pool" if whole_pool else f"a sample of {len(sample.images):,}"
    )
    missing = missing_full_map(models)
    view = container.radio(
        "Images on the map", ["sample", "full"], horizontal=True, key=MAP_VIEW_KEY, disabled=missing is not None,
        format_func={"sample": f"{sample_words} (quick)", "full": "every image of the dataset"}.get,
        help=missing or "every image the dataset has, each marked by its split",
    )  # fmt: skip
    if missing is not None:  # said on the page, not only in the radio's tooltip
        container.caption(f"Every image of the dataset cannot be shown here: {missing}.")
    full = full_maps_for(models) if view == "full" and missing is None else None
    return MapImages(full, missing, whole_pool)


def follow_map_view(view: str, sample: EvaluationSample) -> None:
    """Keep the latent map's selected image across a switch between the sample and the full map (here or on
    another page sharing the choice): the sample's row becomes the full map's row of the same image, and back;
    an image the sample does not hold leaves the sample with no selection, and says so."""
    before = st.session_state.get(ROWS_VIEW_KEY, view)
    st.session_state[ROWS_VIEW_KEY] = view
    if before == view:
        return
    if view == "full":
        row = st.session_state.get(SELECTED_ROW_KEY)
        in_sample = row is not None and row < len(sample.pool_index)
        st.session_state[FULL_ROW_KEY] = full_row_of(sample, row) if in_sample else None
        return
    row = st.session_state.get(FULL_ROW_KEY)
    st.session_state[SELECTED_ROW_KEY] = None if row is None else sample_row_of(sample, row)
    if row is not None and st.session_state[SELECTED_ROW_KEY] is None:
        st.toast(f"Image {row:,} of the dataset is not in the sample: select another here.", icon=":material/info:")


def full_maps_for(models: list[LibraryModel]) -> list[FullMap] | None:
    """The models' full maps, loaded once per server; None, with a warning on the page saying why, if any fails."""
    try:
        return [full_map(model.sha256, str(model.path), model) for model in models]
    except FullMapError as err:  # a missing dataset too: the reason says how to install it
        st.warning(f"The full map cannot be shown: {err.reason} ({Path(err.path).name}). Showing the sample.")
    return None


@st.fragment(run_every=2.0)
def _wait_for_maps(names: list[str]) -> None:
    """Polls until the background job has finished, then reruns the page to show the map."""
    selection = st.session_state.get("selection")
    pending = [m for m in selection.models if m.name in names] if selection else []
    try:
        finished = all(latent_map(m, selection.weights_dir) is not None for m in pending)
    except MapUnavailable:  # the page's rerun says why, in its own words
        finished = True
    if finished:
        st.rerun()
    seconds = max((map_job_seconds(m.sha256) or 0.0) for m in pending) if pending else 0.0
    with st.status(f"Computing the 2-D map for {', '.join(names)}: {seconds:.0f} s so far", state="running"):
        st.write("UMAP runs once per model in the background (typically 20-60 s), then the map is cached on disk.")
        st.write("Other pages stay usable meanwhile.")


def selected_row() -> int | None:
    return st.session_state.get(SELECTED_ROW_KEY)


def remember_clicked_row(chart_key: str, state_key: str) -> None:
    """A chart's on_select for points that carry a row in customdata (a latent map's images, a traversal grid's
    rows; bind it with functools.partial): the last clicked point's row goes to st.session_state[state_key], for
    the page to act on (or straight into the widget keyed so).

    A function of this module on purpose, never one defined in a page: Streamlit 1.67 keeps every widget's
    callback for the session's life, and a chart's widget id changes with its figure, so a callback defined in a
    page kept that run's whole namespace (tensors, pictures, figures) alive: server memory grew by 60 % in 5
    minutes of 50 sessions."""
    rows = rows_from_event(st.session_state.get(chart_key))
    if rows:
        st.session_state[state_key] = rows[-1]


def remember_map_selection(chart_key: str, row_key: str, area_key: str) -> None:
    """The latent map's on_select (bind it with functools.partial; module-level for the reason remember_clicked_row
    gives): a click picks the row for the side panel, a box or lasso keeps all of its rows for the gallery."""
    picked = read_selection(st.session_state.get(chart_key))
    if picked.by_area:
        st.session_state[area_key] = list(picked.rows)
        st.session_state[area_chart_key(area_key)] = chart_key
    elif picked.rows:
        st.session_state[row_key] = picked.rows[-1]


def area_chart_key(area_key: str) -> str:
    """Where the key of the chart an area selection was drawn on is kept (the gallery names that map)."""
    return f"{area_key}_chart"


def scope_map_selection(scope: tuple) -> None:
    """Forget the map's selections when the dataset, latent size or models change: their rows would pick other
    images of another map (a box drawn on mnist-5k showed Fashion images after the sidebar switched)."""
    if st.session_state.get(MAP_SCOPE_KEY, scope) != scope:
        for key in (SELECTED_ROW_KEY, AREA_ROWS_KEY, FULL_ROW_KEY, FULL_AREA_ROWS_KEY):
            st.session_state.pop(key, None)
    st.session_state[MAP_SCOPE_KEY] = scope


def copy_state(source_key: str, state_key: str) -> None:
    """A widget's on_change that copies its value to another key (a row typed in a box becomes the selected row)."""
    st.session_state[state_key] = st.session_state.get(source_key)


def remember_clicked_point(chart_key: str, state_key: str) -> None:
    """A chart's on_select for a place rather than a row (bind it with functools.partial, never define it in a
    page, for the reason remember_clicked_row gives): the last clicked point's (x, y) goes to
    st.session_state[state_key]."""
    points = getattr(getattr(st.session_state.get(chart_key), "selection", None), "points", None) or []
    if points and "x" in points[-1] and "y" in points[-1]:
        st.session_state[state_key] = (float(points[-1]["x"]), float(points[-1]["y"]))


def follow_sidebar(page: str, selection: Selection, defaults: Callable[[], dict[str, object]]) -> None:
    """Put this page's widget states back to `defaults()` when the sidebar's dataset, latent size or models changed
    since the page last ran (a keyed widget keeps its state otherwise, and keeps showing the previous group).
    On a page's first run, states already set (from a link, say) are kept."""
    token = (selection.dataset, selection.latent_dim, tuple(m.sha256 for m in selection.pair))
    marker = f"follows_sidebar_{page}"
    previous = st.session_state.get(marker)
    if previous == token:
        return
    st.session_state[marker] = token
    for key, value in defaults().items():
        if previous is not None or key not in st.session_state:
            st.session_state[key] = value
