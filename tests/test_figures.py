"""The latent-map figure: every class visible, one trace for clicks, highlight, ring labels off the data."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from ae_models.latent_maps import load_map
from dashboard.figures import MAX_GRID_LABELS, PALETTE, image_grid
from dashboard.imaging import png_data_uri
from dashboard.map_figure import PRIOR_NAME, RINGED_NAME, latent_scatter, map_overlays, marker_span

from .conftest import WEIGHTS_DIR


def _blobs(n_classes: int = 10, per_class: int = 100) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(n_classes), per_class)
    return rng.normal(size=(len(labels), 2)), labels  # every class in the same place: the worst overlap


def test_every_class_is_drawn_among_the_last_points_and_one_trace_holds_every_row() -> None:
    """With a trace per class, class 9 covered class 3 wherever they met, and a click went to the topmost trace."""
    coords, labels = _blobs()
    figure = latent_scatter(coords, labels, [str(i) for i in range(10)], title="t", axis_names=("x", "y"))
    points = [t for t in figure.data if t.customdata is not None]
    assert len(points) == 1
    rows = np.asarray(points[0].customdata)
    assert sorted(rows.tolist()) == list(range(len(coords)))
    assert set(labels[rows[-100:]].tolist()) == set(range(10))  # the top layer mixes all classes
    np.testing.assert_array_equal(np.asarray(points[0].x), coords[rows, 0].astype(np.float32))  # sent as float32


def test_highlight_greys_the_other_classes_and_draws_them_underneath() -> None:
    coords, labels = _blobs()
    figure = latent_scatter(
        coords, labels, [str(i) for i in range(10)], title="t", axis_names=("x", "y"), highlight=[3]
    )
    points = figure.data[0]
    scale = points.marker.colorscale  # value i is painted in scale[2 * i]'s colour
    rows = np.asarray(points.customdata)
    colours = np.array([scale[2 * int(value)][1] for value in points.marker.color])
    assert (labels[rows[-100:]] == 3).all() and (colours[-100:] == PALETTE[3]).all()
    assert len(set(colours[:-100].tolist())) == 1 and PALETTE[3] not in colours[:-100]


def test_prior_rings_are_named_in_the_legend_not_written_on_the_data() -> None:
    """The labels used to sit at the top of each ring, on the MNIST VAE's densest codes."""
    coords = load_map(WEIGHTS_DIR / "mnist_vae_z2.map.safetensors").coords.numpy()
    figure = latent_scatter(
        coords, np.zeros(len(coords), dtype=int), ["x"], title="t", axis_names=("x", "y"), prior_rings=True
    )
    assert len(figure.layout.shapes) == 3 and not figure.layout.annotations
    assert PRIOR_NAME in {trace.name for trace in figure.data}


def test_marker_span_grows_with_the_spread_of_the_map() -> None:
    small = marker_span(np.array([[0.0, 0.0], [4.0, 1.0]]))
    assert marker_span(np.array([[0.0, 0.0], [40.0, 10.0]])) == 10 * small > 0


def test_the_map_figure_built_without_plotlys_checks_passes_them() -> None:
    """latent_scatter skips Plotly's per-property validation (it halves the figure's cost on every rerun): every
    overlay it can draw must still be a valid figure, the same trace for trace once Plotly has checked it."""
    coords, labels = _blobs()
    figure = latent_scatter(
        coords, labels, [str(i) for i in range(10)], title="t", axis_names=("x", "y"), selected=[3, 7],
        highlight=[2], prior_rings=True, ellipses=coords[:40], path=coords[:10], extra_points=("draws", coords[:5]),
    )  # fmt: skip
    checked = json.loads(pio.to_json(go.Figure(figure.to_dict())))  # Plotly raises on any invalid property
    sent = json.loads(pio.to_json(figure))
    assert checked["data"] == sent["data"]
    assert checked["layout"] == {k: v for k, v in sent["layout"].items() if v != []}  # its check drops empty lists


def test_decoded_plane_labels_sit_at_tile_centres_and_do_not_crowd() -> None:
    """Reviewer: the plane's labels read as tile edges, 15 odd decimals in a row. Each label marks a tile's centre
    (the code decoded there), at most MAX_GRID_LABELS per axis, the last tile included."""
    n, tile_px = 15, 28
    ticks = np.linspace(-12.6, 49.9, n)
    picture = np.zeros((n * tile_px, n * tile_px), dtype=np.uint8)
    figure = image_grid(png_data_uri(picture), picture.shape, ticks, ticks, "plane")
    x_axis = figure.layout.xaxis
    assert 3 <= len(x_axis.tickvals) <= MAX_GRID_LABELS
    for value, text in zip(x_axis.tickvals, x_axis.ticktext, strict=True):
        tile = int(value // tile_px)
        assert value == pytest.approx((tile + 0.5) * tile_px) and text == f"{ticks[tile]:.1f}"
    assert x_axis.ticktext[-1] == f"{ticks[-1]:.1f}" and figure.layout.yaxis.ticktext[0] == f"{ticks[-1]:.1f}"


def test_rings_of_a_big_selection_are_fainter_so_the_other_map_stays_readable() -> None:
    """9,649 rings of a lasso at a fixed 0.4 opacity painted the AE's map black (a newcomer's review)."""
    coords = np.random.default_rng(0).normal(size=(20_000, 2))
    opacity = [
        float(next(t for t in map_overlays(coords, ringed=np.arange(n)) if t["name"] == RINGED_NAME)["marker"]["color"]
              .rsplit(",", 1)[1].rstrip(")"))
        for n in (10, 600, 5_000, 20_000)
    ]  # fmt: skip
    assert opacity[0] == opacity[1] == 0.5  # a few hundred rings stay dark enough to find
    assert opacity[2] < 0.1 and opacity[3] == 0.06  # thousands: each ring nearly clear, never invisible
