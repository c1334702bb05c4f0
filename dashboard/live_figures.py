"""The Train live page's pictures: loss curves with the visitor's changes marked, the held-out map on axes that stay
put for the whole run, and the map's GIF over epochs. Figures only: the numbers come from ae_models.live."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont
from plotly.subplots import make_subplots

from ae_models.config import EpochRecord
from ae_models.live.records import EpochSnapshot, SettingChange

from .figures import PALETTE, SPLITS, chart_layout
from .imaging import LABEL_PX, gif_bytes

GIF_SIDE = 360
REFERENCE_GREY = "#9e9e9e"


def change_label(change: SettingChange) -> str:
    return f"β {change.beta:g}, lr {change.learning_rate:g}"


def live_curves(
    snapshots: Sequence[EpochSnapshot], kind: str, reference: tuple[str, Sequence[EpochRecord]] | None = None
) -> go.Figure:
    """Reconstruction and KL per epoch on their own scales (solid: validation, dotted: train); a dashed line where
    the visitor's change first trained; a `reference` (name, history) model's validation curves in grey, over the
    epochs the run has reached. With no epoch yet, the empty axes the curves will be drawn on."""
    # before any epoch the axes sit in a narrow column beside the introduction: the units go on a line of their own
    unit = " " if snapshots else "<br>"
    fig = make_subplots(rows=1, cols=2, subplot_titles=(f"Reconstruction{unit}(nats/image)", f"KL{unit}(nats/image)"))
    epochs = [s.record.epoch for s in snapshots]
    if reference is not None:
        name, history = reference
        for column, part in enumerate(("reconstruction", "kl"), start=1):
            fig.add_trace(
                go.Scatter(
                    x=[r.epoch for r in history], y=[getattr(r, f"val_{part}") for r in history], mode="lines",
                    line={"color": REFERENCE_GREY, "width": 2}, name=f"{name} (validation)", legendgroup="reference",
                    showlegend=column == 1, hovertemplate=f"{name}<br>epoch %{{x}}: %{{y:.2f}}<extra></extra>",
                ),
                row=1, col=column,
            )  # fmt: skip
    for column, part in enumerate(("reconstruction", "kl"), start=1):
        for split, dash in zip(SPLITS, ("dot", "solid"), strict=True):
            fig.add_trace(
                go.Scatter(
                    x=epochs, y=[getattr(s.record, f"{split}_{part}") for s in snapshots], mode="lines+markers",
                    line={"color": PALETTE[0 if split == "val" else 1], "dash": dash, "width": 2},
                    marker={"size": 5}, name=split, legendgroup=split, showlegend=column == 1,
                    hovertemplate=f"{split}<br>epoch %{{x}}: %{{y:.2f}}<extra></extra>",
                ),
                row=1, col=column,
            )  # fmt: skip
    for snapshot in snapshots:
        if snapshot.change is not None:
            fig.add_vline(
                x=snapshot.record.epoch - 0.5, line={"dash": "dash", "color": "#555555", "width": 1},
                annotation_text=change_label(snapshot.change), annotation_position="top left",
            )  # fmt: skip
    fig.update_xaxes(title="epoch", range=[0.5, max(epochs, default=1) + 0.5])
    if not snapshots:  # no numbers on axes that hold nothing yet; a short title, for a phone's width too
        fig.update_xaxes(showticklabels=False)
        fig.update_yaxes(showticklabels=False)
        for column in (1, 2):
            fig.add_annotation(
                text="from epoch 1 on", showarrow=False, x=0.5, y=0.5, row=1, col=column,
                xref="x domain", yref="y domain", font={"color": REFERENCE_GREY},
            )  # fmt: skip
    title = "Losses per epoch" + ("" if kind == "vae" or not snapshots else " (an AE has no KL term: it stays 0)")
    top = 70 if snapshots else 100  # room for the subplot titles' second line under the title
    return fig.update_layout(chart_layout(title, 360, legend={"orientation": "h", "y": -0.3}, margin={"t": top}))


def nice_ceiling(value: float) -> float:
    """The next of 1, 2, 2.5, 5 times a power of ten at or above value: round axis ends."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def map_extent(snapshots: Sequence[EpochSnapshot]) -> float:
    """Half the side of the map's square: the widest the codes have spread in any epoch so far, rounded up. It only
    grows, so a frame's motion is the codes' own and early epochs are not blown up to fill the square."""
    spreads = [float(np.abs(s.map_coords).max()) for s in snapshots if s.finite and len(s.map_coords)]
    return nice_ceiling(max(spreads, default=1.0) * 1.05)


def axis_names(latent_dim: int) -> tuple[str, str]:
    return ("z₁", "z₂") if latent_dim == 2 else ("PC 1 of this epoch", "PC 2 of this epoch")


def live_map(
    snapshot: EpochSnapshot, labels: np.ndarray, class_names: Sequence[str], extent: float, latent_dim: int
) -> go.Figure:
    """The held-out codes after one epoch, coloured by class, on the run's fixed square."""
    x_name, y_name = axis_names(latent_dim)
    traces = [
        go.Scatter(
            x=snapshot.map_coords[labels == c, 0], y=snapshot.map_coords[labels == c, 1], mode="markers",
            marker={"size": 5, "color": PALETTE[c % len(PALETTE)], "opacity": 0.8}, name=name,
            hovertemplate=f"{name}<extra></extra>",
        )
        for c, name in enumerate(class_names)
    ]  # fmt: skip
    fig = go.Figure(traces)
    fig.update_xaxes(range=[-extent, extent], title=x_name, zeroline=True)
    fig.update_yaxes(range=[-extent, extent], title=y_name, zeroline=True, scaleanchor="x")
    kept = "" if snapshot.explained is None else f" · PCA keeps {snapshot.explained:.0%} of the variance"
    title = f"Held-out codes after epoch {snapshot.record.epoch}{kept}"
    return fig.update_layout(chart_layout(title, 480, uirevision="live-map"))


def _rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def map_frame(snapshot: EpochSnapshot, labels: np.ndarray, extent: float, side: int = GIF_SIDE) -> np.ndarray:
    """One GIF frame: the map's dots on a white square of the run's fixed extent, the epoch written at the top."""
    picture = Image.new("RGB", (side, side + LABEL_PX + 8), "white")
    draw = ImageDraw.Draw(picture)
    draw.text((4, 3), f"epoch {snapshot.record.epoch}", fill="black", font=ImageFont.load_default(size=LABEL_PX))
    top = LABEL_PX + 8
    scale = (side - 8) / (2 * extent)
    for (x, y), label in zip(snapshot.map_coords.tolist(), labels.tolist(), strict=True):
        if math.isfinite(x) and math.isfinite(y):
            px, py = side / 2 + x * scale, top + side / 2 - y * scale
            draw.ellipse((px - 2, py - 2, px + 2, py + 2), fill=_rgb(PALETTE[label % len(PALETTE)]))
    return np.asarray(picture)


def map_gif(snapshots: Sequence[EpochSnapshot], labels: np.ndarray) -> bytes:
    """The map epoch by epoch (forward, then back), all frames on the same square."""
    extent = map_extent(snapshots)
    return gif_bytes([map_frame(s, labels, extent) for s in snapshots], frame_ms=300)
