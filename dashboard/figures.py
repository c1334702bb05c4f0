"""Plotly figures for the pages; every figure carries the global sample row in `customdata` where points are."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ae_models.library import LibraryModel

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
SELECTED_COLOR = "#111111"
FONT = {"size": 14}


def chart_layout(title: str, height: int, **extra: object) -> dict:
    """The layout every chart starts from: title, height, margins, fonts."""
    layout = {
        "title": {"text": title, "font": {"size": 16}},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "font": FONT,
        "legend": {"itemsizing": "constant"},
    }
    return layout | extra


def _base_layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    return fig.update_layout(chart_layout(title, height))


def _pixel(value: float, ticks: np.ndarray, size: int) -> float:
    """Where a latent value falls along a grid picture `size` pixels long whose tile centres are at `ticks`."""
    tile = size / len(ticks)
    return tile / 2 + (value - ticks[0]) / (ticks[-1] - ticks[0]) * (len(ticks) - 1) * tile


MAX_GRID_LABELS = 8


def image_grid(
    source: str,
    shape: tuple[int, int],
    x_ticks: np.ndarray,
    y_ticks: np.ndarray,
    title: str,
    height: int = 560,
    prior_radius: float | None = None,
) -> go.Figure:
    """A tiled grid of decoded images (a PNG data URI of `shape` pixels) with latent coordinates on the axes (the
    book's figure 2.7), optionally with the N(0, I) circle of `prior_radius` drawn where it lies in the plane.

    The picture goes in as one PNG (an image trace draws row 0 at the top, where the largest z2 is), so the
    figure stays small however many tiles it has.
    """
    fig = go.Figure(go.Image(source=source, hoverinfo="skip"))
    every = math.ceil(len(x_ticks) / MAX_GRID_LABELS)  # a label on every tile crowded into a row of odd decimals
    for axis, ticks, size, name in (
        (fig.update_xaxes, x_ticks, shape[1], "z₁ at the centre of the labelled tiles"),
        (fig.update_yaxes, y_ticks[::-1], shape[0], "z₂"),
    ):
        centres = (np.arange(len(ticks)) + 0.5) * size / len(ticks)
        labelled = np.arange(len(ticks))[(len(ticks) - 1) % every :: every]  # the last tile always has one
        axis(
            tickvals=centres[labelled], ticktext=[f"{ticks[i]:.1f}" for i in labelled], title=name, showgrid=False,
            ticks="outside", ticklen=6,  # a tick mark points at the labelled tile's centre
        )  # fmt: skip
    fig.update_yaxes(scaleanchor="x")
    if prior_radius is not None:
        x0, x1 = (_pixel(v, x_ticks, shape[1]) for v in (-prior_radius, prior_radius))
        y0, y1 = (_pixel(-v, -y_ticks[::-1], shape[0]) for v in (prior_radius, -prior_radius))
        fig.add_shape(type="circle", x0=x0, x1=x1, y0=y0, y1=y1, line={"color": "#ffd400", "dash": "dash", "width": 2})
    return _base_layout(fig, title, height)


SPLITS = ("train", "val")


def log_ticks(low: float, high: float) -> list[float]:
    """Round values (1, 2, 5 times a power of ten; every digit on a shorter range) between low and high, written out
    in full: Plotly's own log ticks label the steps inside a decade with single digits ("5, 4, 3, 2, 100")."""
    if low <= 0 or high <= 0:
        return []
    powers = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    for digits in ((1, 2, 5), range(1, 10)):
        ticks = [d * 10.0**p for p in powers for d in digits if low <= d * 10.0**p <= high]
        if len(ticks) >= 3:
            return ticks
    return sorted({float(f"{value:.3g}") for value in np.geomspace(low, high, 4)})  # a range within one digit


def loss_curves(models: Sequence[LibraryModel], log_scale: bool = False) -> go.Figure:
    """Reconstruction, KL and total per epoch, each on its own scale; solid = validation, dotted = train."""
    fig = make_subplots(rows=1, cols=3, subplot_titles=("Reconstruction (nats/image)", "KL (nats/image)", "Total loss"))
    for index, model in enumerate(models):
        color = PALETTE[index % len(PALETTE)]
        epochs = [r.epoch for r in model.trained.history]
        for column, field in enumerate(("reconstruction", "kl", "total"), start=1):
            for split, dash in zip(SPLITS, ("dot", "solid"), strict=True):
                fig.add_trace(
                    go.Scatter(
                        x=epochs, y=[getattr(r, f"{split}_{field}") for r in model.trained.history],
                        mode="lines", line={"color": color, "dash": dash, "width": 2},
                        name=f"{model.name} ({split})", legendgroup=model.name,
                        showlegend=column == 1,
                        hovertemplate=f"{model.name} {split}<br>epoch %{{x}}: %{{y:.2f}}<extra></extra>",
                    ),
                    row=1, col=column,
                )  # fmt: skip
    fig.update_xaxes(title="epoch")
    if log_scale:  # the KL panel stays linear: an AE's KL is exactly 0, which a log axis cannot show
        for column, field in ((1, "reconstruction"), (3, "total")):
            values = [getattr(r, f"{split}_{field}") for m in models for r in m.trained.history for split in SPLITS]
            ticks = log_ticks(min(values), max(values)) if values else []
            fig.update_yaxes(type="log", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks], col=column)
    _base_layout(fig, "Training history (solid: validation, dotted: train)", 480)
    return fig.update_layout(legend={"orientation": "h", "y": -0.25}, margin={"t": 90})


def rate_distortion(models: Sequence[LibraryModel], subtitle: str) -> go.Figure:
    """Final validation KL (rate) against reconstruction (distortion), one labelled point per beta."""
    ordered = sorted(models, key=lambda m: m.beta)
    kl = [m.trained.final_metrics.kl for m in ordered]
    recon = [m.trained.final_metrics.reconstruction for m in ordered]
    fig = go.Figure(
        go.Scatter(
            x=kl, y=recon, mode="lines+markers+text", text=[f"β={m.beta:g}" for m in ordered],
            textposition="top right", marker={"size": 11, "color": PALETTE[0]}, line={"dash": "dot"},
            customdata=[m.name for m in ordered],
            hovertemplate="%{customdata}<br>KL %{x:.2f} nats<br>reconstruction %{y:.2f} nats<extra></extra>",
        )
    )  # fmt: skip
    fig.update_xaxes(title="rate: KL(q(z|x) ‖ N(0, I)) in nats")
    fig.update_yaxes(title="distortion: reconstruction in nats")
    return _base_layout(fig, f"β sweep on {subtitle}: the rate–distortion trade-off (validation)", 460)


def score_histogram(
    normal: np.ndarray, outliers: np.ndarray, title: str, unit: str, threshold: float | None = None
) -> go.Figure:
    """Overlaid score histograms: the further apart, the easier a threshold separates them (drawn as a line)."""
    low, high = float(min(normal.min(), outliers.min())), float(max(normal.max(), outliers.max()))
    bins = {"start": low, "end": high, "size": (high - low) / 40 or 1.0}
    traces = [
        {"type": "histogram", "x": values, "name": name, "xbins": bins, "opacity": 0.65, "marker": {"color": color}}
        for values, name, color in ((normal, "normal (held-out)", PALETTE[0]), (outliers, "anomalies", PALETTE[3]))
    ]
    shapes, annotations = [], []
    if threshold is not None:
        shapes.append({"type": "line", "x0": threshold, "x1": threshold, "yref": "paper", "y0": 0, "y1": 1,
                       "line": {"color": SELECTED_COLOR, "dash": "dash", "width": 2}})  # fmt: skip
        annotations.append({"x": threshold, "yref": "paper", "y": 1, "text": "threshold: flagged →",
                            "showarrow": False, "xanchor": "left", "yanchor": "bottom"})  # fmt: skip
    layout = chart_layout(title, 380, barmode="overlay", xaxis={"title": {"text": f"score ({unit})"}},
                     yaxis={"title": {"text": "images"}}, legend={"orientation": "h", "y": -0.3},
                     shapes=shapes, annotations=annotations)  # fmt: skip
    return go.Figure(data=traces, layout=layout)


def roc_figure(curves: dict) -> go.Figure:
    """ROC curves with their AUC in the legend; the diagonal is a coin flip."""
    traces = [
        {
            "type": "scatter", "x": curve.false_positive_rate.tolist(), "y": curve.true_positive_rate.tolist(),
            "mode": "lines", "name": f"{name} (AUC {curve.auc:.3f})", "line": {"color": PALETTE[i], "width": 3},
        }
        for i, (name, curve) in enumerate(curves.items())
    ]  # fmt: skip
    traces.append({"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines", "name": "chance",
                   "line": {"dash": "dot", "color": "grey"}})  # fmt: skip
    layout = chart_layout("ROC: anomalies caught vs false alarms", 440, legend={"orientation": "h", "y": -0.25},
                     xaxis={"title": {"text": "false-positive rate"}, "range": [0, 1]},
                     yaxis={"title": {"text": "true-positive rate"}, "range": [0, 1.02]})  # fmt: skip
    return go.Figure(data=traces, layout=layout)


def compression_figure(reports: Sequence[tuple[LibraryModel, object]]) -> go.Figure:
    """PSNR per model, grouped by latent size (with its compression ratio): smaller code, blurrier image."""
    categories = {r.latent_dim: f"latent {r.latent_dim} ({r.ratio:.0f}x smaller)" for _, r in reports}
    traces = [  # a colour per model, so no two legend entries look alike; hatching marks the VAEs
        {
            "type": "bar", "name": f"{model.kind.upper()} · {model.name}", "x": [categories[report.latent_dim]],
            "y": [report.mean_psnr_db], "marker": {
                "color": PALETTE[index % len(PALETTE)], "pattern": {"shape": "/" if model.kind == "vae" else ""}
            },
            "text": [f"{report.mean_psnr_db:.1f} dB"], "textposition": "outside",
        }
        for index, (model, report) in enumerate(reports)
    ]  # fmt: skip
    layout = chart_layout("Reconstruction quality of held-out images by code size (hatched: VAE)", 420,
                     barmode="group", yaxis={"title": {"text": "PSNR (dB)"}},
                     xaxis={"title": {"text": "code size"}, "categoryorder": "array",
                            "categoryarray": [categories[k] for k in sorted(categories)]})  # fmt: skip
    return go.Figure(data=traces, layout=layout)
