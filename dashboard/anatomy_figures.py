"""Figures of the latent anatomy pages: KL per dimension, the beta sweep's collapse, traversals, the codes
against the prior. Plain Plotly, no WebGL (these pages show several at once)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ae_models.anatomy.aggregate import PlaneDensity
from ae_models.anatomy.usage import LatentUsage

from .figures import PALETTE, SELECTED_COLOR, chart_layout
from .imaging import png_data_uri

ACTIVE_COLOR, INACTIVE_COLOR = PALETTE[0], "#b0b0b0"
HOLE_NAME = "holes (click to decode)"
HOLE_STRIDE = 3  # one hole marker every 3 grid points each way: clickable without hiding the density
ROWS_NAME = "rows"  # the traversal grid's clickable layer: one invisible point per cell, its row in customdata


def dimension_names(dims: Sequence[int]) -> list[str]:
    return [f"z{d + 1}" for d in dims]


def kl_bars(usage: LatentUsage, title: str) -> go.Figure:
    """Mean KL of each dimension over held-out images, largest first; grey bars are inactive dimensions."""
    order = usage.by_kl
    colours = [ACTIVE_COLOR if usage.active[d] else INACTIVE_COLOR for d in order]
    bars = go.Bar(
        x=dimension_names(order), y=[usage.kl[d] for d in order], marker={"color": colours},
        customdata=[[usage.activity[d], "active" if usage.active[d] else "inactive"] for d in order],
        hovertemplate="%{x}: %{y:.2f} nats<br>activity %{customdata[0]:.3g} (%{customdata[1]})<extra></extra>",
        name="KL per dimension",
    )  # fmt: skip
    layout = chart_layout(
        title, 380, xaxis={"title": {"text": "latent dimension, most KL first"}, "type": "category"},
        yaxis={"title": {"text": "KL(q(z_d|x) ‖ N(0, 1)), nats"}}, showlegend=False,
    )  # fmt: skip
    return go.Figure(bars, layout)


def sweep_usage(betas: Sequence[float], usages: Sequence[LatentUsage], subtitle: str) -> go.Figure:
    """Left: active units against beta. Right: each model's KL per dimension (sorted) against beta."""
    fig = make_subplots(
        rows=1, cols=2, column_widths=[0.4, 0.6],
        subplot_titles=("Active units (Burda et al. 2016)", "KL per dimension, sorted (nats)"),
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=list(betas), y=[u.n_active for u in usages], mode="lines+markers", name="active units",
            marker={"size": 10, "color": PALETTE[0]}, hovertemplate="β=%{x:g}: %{y} active units<extra></extra>",
        ),
        row=1, col=1,
    )  # fmt: skip
    width = len(usages[0].kl)
    fig.add_trace(
        go.Heatmap(
            z=[[u.kl[d] for d in u.by_kl] for u in usages], x=[str(rank) for rank in range(1, width + 1)],
            y=[f"β={b:g}" for b in betas], colorscale="Viridis", colorbar={"title": {"text": "nats"}},
            hovertemplate="%{y}, dimension ranked %{x}: %{z:.2f} nats<extra></extra>", name="KL per dimension",
        ),
        row=1, col=2,
    )  # fmt: skip
    fig.update_xaxes(title="β", type="log", tickvals=list(betas), ticktext=[f"{b:g}" for b in betas], row=1, col=1)
    fig.update_yaxes(title="active units", range=[0, width + 0.5], row=1, col=1)
    fig.update_xaxes(title="dimension rank by KL", row=1, col=2)
    layout = chart_layout(f"β sweep on {subtitle}: posterior collapse", 440, showlegend=False)
    return fig.update_layout(layout | {"margin": layout["margin"] | {"t": 90}})


def traversal_grid(picture: np.ndarray, row_labels: Sequence[str], offsets: Sequence[float], unit: str,
                   title: str) -> go.Figure:  # fmt: skip
    """A traversal picture (one row per dimension) with the dimension on the y axis and the step on the x axis.

    Over every cell lies an invisible point named ROWS_NAME whose customdata is its row, so a click picks a row
    (a Plotly image trace sends no selection events)."""
    rows, columns = len(row_labels), len(offsets)
    cell_x, cell_y = np.meshgrid((np.arange(columns) + 0.5) * picture.shape[1] / columns,
                                 (np.arange(rows) + 0.5) * picture.shape[0] / rows)  # fmt: skip
    row_of_cell = np.repeat(np.arange(rows), columns)
    fig = go.Figure(go.Image(source=png_data_uri(picture), hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=cell_x.ravel(), y=cell_y.ravel(), customdata=row_of_cell, text=[row_labels[r] for r in row_of_cell],
        mode="markers", name=ROWS_NAME, showlegend=False, marker={"size": 24, "opacity": 0},
        hovertemplate="%{text}: click to animate<extra></extra>",
    ))  # fmt: skip
    fig.update_xaxes(
        tickvals=(np.arange(columns) + 0.5) * picture.shape[1] / columns,
        ticktext=[f"{v:+.1f}" for v in offsets], title=f"offset in {unit}", showgrid=False,
    )  # fmt: skip
    fig.update_yaxes(
        tickvals=(np.arange(rows) + 0.5) * picture.shape[0] / rows, ticktext=list(row_labels), showgrid=False,
        scaleanchor="x", range=[picture.shape[0] - 0.5, -0.5],
    )  # fmt: skip
    fig.update_xaxes(range=[-0.5, picture.shape[1] - 0.5])  # the image's own extent (pixels centred on integers):
    # the points must not widen the axes around it
    return fig.update_layout(chart_layout(title, max(320, 44 * rows + 120)))


def marginal_histograms(draws: np.ndarray, dims: Sequence[int], title: str, columns: int = 4) -> go.Figure:
    """Per dimension: the histogram of the codes (density) against the N(0, 1) curve they are sampled from."""
    rows = math.ceil(len(dims) / columns)
    names = [f"{n}: mean {draws[:, d].mean():+.2f}, sd {draws[:, d].std():.2f}" for n, d in
             zip(dimension_names(dims), dims, strict=True)]  # fmt: skip
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=names, vertical_spacing=0.5 / max(rows, 1) / 2)
    reach = max(4.0, float(np.quantile(np.abs(draws[:, list(dims)]), 0.99)))
    curve_x = np.linspace(-reach, reach, 121)
    curve_y = np.exp(-0.5 * curve_x**2) / math.sqrt(2 * math.pi)
    for index, dim in enumerate(dims):
        row, col = divmod(index, columns)
        values = np.clip(draws[:, dim], -reach, reach)
        fig.add_trace(
            go.Histogram(
                x=values, histnorm="probability density", xbins={"start": -reach, "end": reach, "size": reach / 20},
                marker={"color": PALETTE[0]}, opacity=0.75, name="codes", showlegend=index == 0, legendgroup="codes",
            ),
            row=row + 1, col=col + 1,
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=curve_x, y=curve_y, mode="lines", line={"color": SELECTED_COLOR, "width": 2}, name="N(0, 1)",
                showlegend=index == 0, legendgroup="prior", hoverinfo="skip",
            ),
            row=row + 1, col=col + 1,
        )  # fmt: skip
    fig.update_annotations(font={"size": 12})
    layout = chart_layout(title, 190 * rows + 140, legend={"orientation": "h", "y": -0.08}, bargap=0)
    return fig.update_layout(layout)


def hole_map(density: PlaneDensity, title: str, chosen: tuple[float, float] | None = None) -> go.Figure:
    """The codes' density (shaded) under the prior's 1-3 sigma circles, with the holes as clickable crosses."""
    axis = density.axis.numpy()
    log_codes = density.log_codes.numpy()
    floor = float(log_codes.max()) - 12  # shade 12 nats (a factor of 160,000) below the peak: the rest is white
    points = density.points().numpy().reshape(len(axis), len(axis), 2)[::HOLE_STRIDE, ::HOLE_STRIDE]
    holes = density.holes.numpy()[::HOLE_STRIDE, ::HOLE_STRIDE]
    hole_points = points[holes]
    traces: list[dict] = [
        {"type": "contour", "x": axis, "y": axis, "z": np.maximum(log_codes, floor), "colorscale": "Blues",
         "contours": {"coloring": "fill", "showlines": False}, "ncontours": 14, "name": "log density of the codes",
         "colorbar": {"title": {"text": "log q(z)"}}, "hovertemplate": "z=(%{x:.2f}, %{y:.2f})<br>log q(z)=%{z:.1f}"
         "<extra></extra>"},
        {"type": "scatter", "x": hole_points[:, 0], "y": hole_points[:, 1], "mode": "markers", "name": HOLE_NAME,
         "marker": {"symbol": "x", "size": 8, "color": "#d62728"}, "customdata": hole_points,
         "hovertemplate": "hole at (%{x:.2f}, %{y:.2f}): click to decode<extra></extra>"},
    ]  # fmt: skip
    if chosen is not None:
        traces.append({"type": "scatter", "x": [chosen[0]], "y": [chosen[1]], "mode": "markers", "name": "decoded",
                       "marker": {"symbol": "circle-open", "size": 16, "color": SELECTED_COLOR, "line": {"width": 3}},
                       "hoverinfo": "skip"})  # fmt: skip
    rings = [{"type": "circle", "x0": -r, "x1": r, "y0": -r, "y1": r, "line": {"color": "#ffb000", "dash": "dash",
              "width": 2}} for r in (1, 2, 3)]  # fmt: skip
    layout = chart_layout(
        title, 520, shapes=rings, legend={"orientation": "h", "y": -0.15}, clickmode="event+select",
        xaxis={"title": {"text": "z₁"}, "range": [axis[0], axis[-1]]},
        yaxis={"title": {"text": "z₂"}, "range": [axis[0], axis[-1]], "scaleanchor": "x"},
    )  # fmt: skip
    return go.Figure(data=traces, layout=layout)


def error_by_size(
    pca: dict[int, float],
    models: dict[str, dict[int, float]],
    dataset: str,
    small: dict[str, dict[int, float]] | None = None,
) -> go.Figure:
    """Held-out squared error against latent size: PCA at every size, each model kind at the sizes loaded (big
    markers), and each kind's small-MLP curve at every size (dashed, in the kind's colour) where there is one."""
    traces = [go.Scatter(x=list(pca), y=list(pca.values()), mode="lines+markers", name="PCA",
                         line={"color": INACTIVE_COLOR, "dash": "dot"}, marker={"size": 9})]  # fmt: skip
    for index, (kind, errors) in enumerate(models.items()):
        traces.append(
            go.Scatter(
                x=list(errors), y=list(errors.values()), mode="lines+markers", name=kind,
                marker={"size": 12, "color": PALETTE[index]}, line={"color": PALETTE[index]},
            )
        )  # fmt: skip
    colours = {kind: PALETTE[index] for index, kind in enumerate(models)}
    for index, (kind, errors) in enumerate((small or {}).items()):
        colour = colours.get(kind, PALETTE[(len(models) + index) % len(PALETTE)])
        traces.append(
            go.Scatter(
                x=list(errors), y=list(errors.values()), mode="lines+markers", name=f"{kind} · small MLP",
                marker={"size": 6, "color": colour, "symbol": "diamond"}, line={"color": colour, "dash": "dash"},
            )
        )  # fmt: skip
    layout = chart_layout(
        f"{dataset}: held-out reconstruction error by latent size", 420,
        xaxis={"title": {"text": "latent size"}, "type": "log", "tickvals": list(pca), "ticktext": list(map(str, pca))},
        yaxis={"title": {"text": "squared error per image (sum over pixels)"}},
        legend={"orientation": "h", "y": -0.2},
    )  # fmt: skip
    for trace in traces:
        trace.hovertemplate = f"{trace.name}, latent %{{x}}: %{{y:.2f}}<extra></extra>"
    return go.Figure(traces, layout)
