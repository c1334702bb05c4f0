"""What a visitor picked on a latent map: one clicked point, or the points inside a box or lasso, as global rows.

A map's points may sit in one trace or in several (one per class, overlays on top): a point's index inside its
trace says nothing about which image it is, so every row comes from the point's `customdata`, which
map_figure.latent_scatter fills with the row of the shown images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GALLERY_SIZE = 64  # images shown of a selected area; the CSV holds them all


def rows_from_event(event: object) -> list[int]:
    """Global rows of the points selected in a latent_scatter (from customdata, not trace indices), in order."""
    try:
        points = event.selection.points  # type: ignore[attr-defined]
    except AttributeError:
        return []
    rows = []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list):
            data = data[0] if data else None
        if isinstance(data, int | float):
            rows.append(int(data))
    return rows


@dataclass(frozen=True)
class MapSelection:
    """Rows picked on a map, each once, in the order Plotly listed them; `by_area` when a box or lasso drew them."""

    rows: tuple[int, ...]
    by_area: bool


def read_selection(event: object) -> MapSelection:
    """A chart's selection state (st.plotly_chart's on_select value) as rows: a click, or a box/lasso's points."""
    selection = getattr(event, "selection", None)
    by_area = bool(getattr(selection, "box", None) or getattr(selection, "lasso", None))
    return MapSelection(tuple(dict.fromkeys(rows_from_event(event))), by_area)


def class_counts(rows: Sequence[int], labels: np.ndarray, n_classes: int) -> np.ndarray:
    """How many of the rows fall in each class (the gallery's histogram)."""
    return np.bincount(labels[np.asarray(rows, dtype=int)], minlength=n_classes)
