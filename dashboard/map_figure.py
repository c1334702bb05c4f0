"""The latent-map scatter: every image one point, classes mixed in draw order, overlays (prior rings, posterior
ellipses, paths, extra points, the selection) on top; `customdata` carries the global sample row."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .figures import PALETTE, SELECTED_COLOR, chart_layout

DIMMED = "#d0d0d0"
MARKER_PX = 5
DENSITY_BINS = 150  # cells per side of the density view
NAMED_POINTS = 10_000  # up to this many points each carries its class name for the hover label; beyond, the names
# were a third of the bytes sent and most of the time spent building and serialising the figure on every rerun
PRIOR_RADII = (1, 2, 3)
RINGED_NAME = "selected area"  # the rows of a box or lasso drawn on the other model's map, ringed
RING_INK = 300  # rings' total opacity: a few rings are dark, thousands of them each nearly clear (never below 0.06)
PRIOR_NAME = "prior rings 1–3σ"  # legend entries share one width: keep overlay names as short as class names
MAP_LEGEND = {
    "orientation": "h", "y": -0.15, "x": 0, "itemsizing": "constant", "entrywidth": 100, "font": {"size": 12},
    "itemclick": False, "itemdoubleclick": False,  # the entries are a colour key; the page's control highlights
}  # fmt: skip


def _stepped(colours: Sequence[str]) -> list[list[object]]:
    """A Plotly colour scale that paints value i (of len(colours)) in colours[i] and nothing in between."""
    edges = np.linspace(0, 1, len(colours) + 1)
    return [[float(edge), colour] for i, colour in enumerate(colours) for edge in (edges[i], edges[i + 1])]


def draw_order(n: int, seed: int = 0) -> np.ndarray:
    """A fixed shuffle of the points: drawn class by class, the last classes would hide the first ones."""
    return np.random.default_rng(seed).permutation(n)


def marker_span(coords: np.ndarray, plot_px: float = 420.0, marker_px: float = MARKER_PX) -> float:
    """Roughly how many data units one marker covers when the map shows all of `coords` in `plot_px` pixels."""
    spread = float(np.ptp(coords, axis=0).max()) if len(coords) else 1.0
    return marker_px / plot_px * spread


def latent_scatter(
    coords: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    *,
    title: str,
    axis_names: tuple[str, str],
    selected: Sequence[int] = (),
    highlight: Sequence[int] | None = None,
    rows_shown: np.ndarray | None = None,
    hide_others: bool = False,
    prior_rings: bool = False,
    ellipses: np.ndarray | None = None,
    path: np.ndarray | None = None,
    extra_points: tuple[str, np.ndarray] | None = None,
    ringed: np.ndarray | None = None,
    equal_axes: bool = True,
    height: int = 520,
) -> go.Figure:
    """All images in one WebGL trace, in a fixed shuffled order so every class shows (a trace per class would paint
    the last class over the others; a click picks the point nearest the cursor either way); `customdata` holds the row
    of the shown images for selections. `highlight` (class indices) and `rows_shown` (a mask over the rows, such
    as a split) grey out the other points, or leave them out with `hide_others`. `ringed` rows (a box or lasso
    drawn on another model's map) get a ring, to compare where the two models put the same images.

    Built from plain dicts in one constructor call, without Plotly's per-property validation: adding traces and
    shapes one by one costs Plotly ~10x more, validating 2,000 points nearly doubles the cost of building and
    sending the figure (7 -> 4 ms), and three pages rebuild it on every rerun.
    """
    order = draw_order(len(coords))
    shown = (
        np.ones(len(class_names), dtype=bool) if highlight is None else np.isin(np.arange(len(class_names)), highlight)
    )
    emphasised = shown[labels] if rows_shown is None else shown[labels] & rows_shown
    if hide_others:
        order = order[emphasised[order]]
    order = np.concatenate([order[~emphasised[order]], order[emphasised[order]]])  # greyed ones underneath
    colours = [PALETTE[i % len(PALETTE)] if shown[i] else DIMMED for i in range(len(class_names))]
    # a class index per point (a greyed class is grey in the scale), one past the last class for a row greyed alone
    colour_index = np.where(emphasised | ~shown[labels], labels, len(class_names))[order]
    colour_index = colour_index.astype(np.min_scalar_type(len(class_names)))
    names = np.asarray(class_names, dtype=object)
    traces: list[dict] = [
        {
            "type": "scattergl", "x": coords[order, 0].astype(np.float32), "y": coords[order, 1].astype(np.float32),
            "customdata": order.astype(np.int32), "mode": "markers", "name": "images", "showlegend": False,
            "marker": {  # class indices through a stepped colour scale: numbers travel and validate faster than
                "size": MARKER_PX, "color": colour_index, "opacity": 0.7,  # 2,000 colour strings
                "colorscale": _stepped([*colours, DIMMED] if rows_shown is not None else colours),
                "cmin": -0.5, "cmax": len(class_names) + (rows_shown is not None) - 0.5,
            },
            "hovertemplate": ("%{text}<br>" if len(order) <= NAMED_POINTS else "")
            + "row %{customdata}<br>(%{x:.2f}, %{y:.2f})<extra></extra>",
            # a click selects the point (Plotly's clickmode) without dimming the rest: the selection is shown by
            # a star drawn over the chart (dashboard/selected_star.py), so the figure stays the same
            "selected": {"marker": {"opacity": 0.7}}, "unselected": {"marker": {"opacity": 0.7}},
        }
    ]  # fmt: skip
    if len(order) <= NAMED_POINTS:
        traces[0]["text"] = names[labels[order]]
    traces += [  # legend entries only: the colours of the classes, greyed when not highlighted
        {
            "type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name,
            "marker": {"size": 9, "color": colours[label]}, "hoverinfo": "skip",
        }
        for label, name in enumerate(class_names)
        if (labels[order] == label).any()
    ]  # fmt: skip
    # WebGL traces always paint above SVG ones, so every overlay is WebGL too to stay visible
    if ellipses is not None:
        traces.append(
            {
                "type": "scattergl", "x": ellipses[:, 0], "y": ellipses[:, 1], "mode": "lines",
                "name": "VAE 1σ ellipses", "line": {"width": 1, "color": "rgba(60,60,60,0.35)"}, "hoverinfo": "skip",
            }
        )  # fmt: skip
    shapes, annotations = [], []
    if prior_rings:  # labelled in the legend, innermost first: text on the rings would sit on the data
        shapes += [
            {
                "type": "circle", "x0": -radius, "y0": -radius, "x1": radius, "y1": radius,
                "line": {"color": "rgba(0,0,0,0.45)", "dash": "dash", "width": 1.5},
            }
            for radius in PRIOR_RADII
        ]  # fmt: skip
        traces.append(
            {
                "type": "scatter", "x": [None], "y": [None], "mode": "lines", "name": PRIOR_NAME,
                "line": {"dash": "dash", "color": "black"},
            }
        )  # fmt: skip
    traces += map_overlays(coords, extra_points=extra_points, path=path, ringed=ringed, selected=selected)
    y_axis = {"title": {"text": axis_names[1]}, "zeroline": False}
    if equal_axes:  # distances in a latent plane are real; UMAP axes have no common unit, so let it fill the space
        y_axis |= {"scaleanchor": "x", "scaleratio": 1}
    layout = chart_layout(
        title, height, shapes=shapes, annotations=annotations, clickmode="event+select", dragmode="pan",
        xaxis={"title": {"text": axis_names[0]}, "zeroline": False}, yaxis=y_axis,
        legend=MAP_LEGEND,
    )  # fmt: skip
    return go.Figure(data=traces, layout=layout, _validate=False)  # tests/test_figures.py checks what it builds


def ring_colour(count: int) -> str:
    """SELECTED_COLOR (#111111) at an opacity that keeps `count` overlapping rings from painting the map black."""
    return f"rgba(17, 17, 17, {min(0.5, max(0.06, RING_INK / max(count, 1))):.2f})"


def map_overlays(
    coords: np.ndarray,
    *,
    extra_points: tuple[str, np.ndarray] | None = None,
    path: np.ndarray | None = None,
    ringed: np.ndarray | None = None,
    selected: Sequence[int] = (),
) -> list[dict]:
    """The traces over a latent map that change with a visitor's controls, drawn last (latent_scatter's top
    layers): named extra points (prior draws, a decoded point), a path through the map, rows ringed (an area
    selected on another map) and the selected rows
    (`coords` are the map's, by row). Apart from the map they lie on, so that a page can draw them over a map
    shared by every visitor (presentation.overlaid) instead of building the whole map for each of them."""
    traces: list[dict] = []
    if extra_points is not None:
        name, points = extra_points
        traces.append(
            {
                "type": "scattergl", "x": points[:, 0], "y": points[:, 1], "mode": "markers", "name": name,
                "marker": {"size": 9, "symbol": "x", "color": SELECTED_COLOR}, "hoverinfo": "skip",
            }
        )  # fmt: skip
    if path is not None:
        traces.append(
            {
                "type": "scattergl", "x": path[:, 0], "y": path[:, 1], "mode": "lines+markers",
                "name": "path A→B", "line": {"color": SELECTED_COLOR, "width": 2},
                "marker": {"size": 7, "symbol": "circle-open"}, "hoverinfo": "skip",
            }
        )  # fmt: skip
    if ringed is not None:  # no customdata: a later box over the rings selects the images, not the rings twice
        traces.append(
            {
                "type": "scattergl", "x": coords[ringed, 0].astype(np.float32),
                "y": coords[ringed, 1].astype(np.float32), "mode": "markers", "name": RINGED_NAME,
                # SELECTED_COLOR, thinner as they are more: thousands of rings (a big lasso) must not blacken the map
                "marker": {"size": 8, "symbol": "circle-open", "color": ring_colour(len(ringed)), "line": {"width": 1}},
                "hoverinfo": "skip",
            }
        )  # fmt: skip
    if len(selected):
        chosen = np.asarray(selected)
        traces.append(
            {
                "type": "scattergl", "x": coords[chosen, 0], "y": coords[chosen, 1], "customdata": chosen,
                "mode": "markers+text", "name": "selected",
                "text": [chr(ord("A") + i) if len(chosen) > 1 else "" for i in range(len(chosen))],
                "textposition": "top center", "textfont": {"size": 15, "color": SELECTED_COLOR},
                "marker": {"size": 16, "symbol": "star", "color": "#ffd400", "line": {"color": SELECTED_COLOR}},
                "hovertemplate": "selected row %{customdata}<extra></extra>",
            }
        )  # fmt: skip
    return traces


def density_map(
    coords: np.ndarray,
    *,
    title: str,
    axis_names: tuple[str, str],
    equal_axes: bool,
    bins: int = DENSITY_BINS,
    height: int = 520,
) -> go.Figure:
    """How many images fall in each cell of a bins x bins grid over the map, on a log colour scale: tens of
    thousands of dots overlap into a blot, where counts still show the dense cores. A heatmap is one small picture
    (no WebGL context, a few kB to send), whatever the number of images."""
    counts, x_edges, y_edges = np.histogram2d(coords[:, 0], coords[:, 1], bins=bins)
    shown = np.where(counts > 0, np.log10(np.maximum(counts, 1)), np.nan).T  # rows along y; empty cells blank
    top = max(1.0, float(np.nanmax(shown)) if counts.any() else 1.0)
    ticks = list(range(int(np.floor(top)) + 1))
    trace = {
        "type": "heatmap", "z": shown.astype(np.float32), "name": "density",
        "x": ((x_edges[:-1] + x_edges[1:]) / 2).astype(np.float32),
        "y": ((y_edges[:-1] + y_edges[1:]) / 2).astype(np.float32),
        "colorscale": "Viridis", "zmin": 0, "zmax": top,
        "colorbar": {"title": {"text": "images"}, "tickvals": ticks, "ticktext": [f"{10**t:,}" for t in ticks]},
        "customdata": counts.T.astype(np.int32),
        "hovertemplate": "(%{x:.2f}, %{y:.2f}): %{customdata} images<extra></extra>",
    }  # fmt: skip
    y_axis = {"title": {"text": axis_names[1]}, "zeroline": False}
    if equal_axes:
        y_axis |= {"scaleanchor": "x", "scaleratio": 1}
    layout = chart_layout(
        title, height, dragmode="pan", xaxis={"title": {"text": axis_names[0]}, "zeroline": False}, yaxis=y_axis
    )
    return go.Figure(data=[trace], layout=layout, _validate=False)


def class_histogram(counts: np.ndarray, class_names: Sequence[str], title: str, height: int = 300) -> go.Figure:
    """How many of a selection's images each class has, bars in the classes' map colours."""
    trace = {
        "type": "bar", "x": list(class_names), "y": counts.tolist(), "name": "classes",
        "marker": {"color": [PALETTE[i % len(PALETTE)] for i in range(len(class_names))]},
        "hovertemplate": "%{x}: %{y} images<extra></extra>",
    }  # fmt: skip
    layout = chart_layout(
        title, height, yaxis={"title": {"text": "images"}}, xaxis={"type": "category", "tickangle": -30}
    )
    return go.Figure(data=[trace], layout=layout, _validate=False)
