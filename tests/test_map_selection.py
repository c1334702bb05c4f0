"""A box or lasso on a latent map: the selected points become the right global rows, however the points are split
into traces, and the page's callback tells a click (one row for the panel) from an area (rows for the gallery)."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from matplotlib.path import Path as Polygon

from dashboard import session
from dashboard.exports import selection_csv
from dashboard.map_figure import latent_scatter
from dashboard.map_selection import MapSelection, class_counts, read_selection

LASSO = np.array([[-1.0, -1.5], [1.5, -0.5], [0.5, 1.5], [-1.2, 0.8]])


def _event(points: list[dict], lasso: bool = False, box: bool = False) -> SimpleNamespace:
    """A chart's selection state as st.plotly_chart hands it to the page."""
    area = [{"x": LASSO[:, 0].tolist(), "y": LASSO[:, 1].tolist()}]
    return SimpleNamespace(
        selection=SimpleNamespace(points=points, lasso=area if lasso else [], box=area if box else [])
    )


def _lasso_points(traces: list[dict], polygon: np.ndarray) -> list[dict]:
    """What Plotly reports for a lasso: every point inside it, per trace, with its index in that trace."""
    inside = Polygon(polygon)
    points = []
    for curve, trace in enumerate(traces):
        if trace.get("customdata") is None:
            continue
        xy = np.column_stack([trace["x"], trace["y"]])
        for index in np.flatnonzero(inside.contains_points(xy)):
            data = trace["customdata"][index]
            points.append({
                "curve_number": curve, "point_number": int(index), "point_index": int(index),
                "x": float(xy[index, 0]), "y": float(xy[index, 1]),
                "customdata": data.tolist() if isinstance(data, np.ndarray) else int(data),
            })  # fmt: skip
    return points


def _per_class_traces(coords: np.ndarray, labels: np.ndarray) -> list[dict]:
    """A trace per class (as plotly express draws a coloured scatter), each carrying its points' global rows."""
    return [
        {"x": coords[labels == c, 0], "y": coords[labels == c, 1], "customdata": np.flatnonzero(labels == c)[:, None]}
        for c in np.unique(labels)
    ]


@pytest.fixture()
def blobs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 10, 3_000)
    return rng.normal(size=(len(labels), 2)), labels


def test_a_lasso_over_several_class_traces_gives_the_global_rows_inside_it(blobs) -> None:
    coords, labels = blobs
    points = _lasso_points(_per_class_traces(coords, labels), LASSO)
    picked = read_selection(_event(points, lasso=True))
    expected = np.flatnonzero(Polygon(LASSO).contains_points(coords))
    assert picked.by_area and sorted(picked.rows) == expected.tolist()
    assert len({p["curve_number"] for p in points}) == 10  # the lasso did cross every class's trace
    assert sorted(p["point_index"] for p in points) != expected.tolist()  # indices within a trace are not rows


def test_a_box_over_the_page_s_own_map_gives_the_global_rows_inside_it(blobs) -> None:
    """latent_scatter draws the rows in a shuffled order, greyed ones first, hidden ones left out, with overlay
    traces beside them: the rows still come out right."""
    coords, labels = blobs
    split = np.arange(len(labels)) % 3
    figure = latent_scatter(
        coords, labels, [str(c) for c in range(10)], title="t", axis_names=("x", "y"), highlight=[2, 5],
        rows_shown=split > 0, hide_others=True, extra_points=("decoded point", coords[:4]), selected=[1, 2],
    )  # fmt: skip
    traces = [{"x": t.x, "y": t.y, "customdata": t.customdata} for t in figure.data if t.x is not None]
    box = np.array([[-0.5, -0.5], [1.0, -0.5], [1.0, 1.2], [-0.5, 1.2]])
    picked = read_selection(_event(_lasso_points(traces[:1], box), box=True))
    inside = Polygon(box).contains_points(coords) & np.isin(labels, [2, 5]) & (split > 0)
    assert picked.by_area and sorted(picked.rows) == np.flatnonzero(inside).tolist()


def test_a_click_is_not_an_area_and_rows_come_once_in_plotlys_order() -> None:
    assert read_selection(_event([{"customdata": [412]}])) == MapSelection((412,), False)
    twice = [{"customdata": 9}, {"customdata": [4]}, {"customdata": 9}, {"x": 1.0}]
    assert read_selection(_event(twice, lasso=True)) == MapSelection((9, 4), True)
    assert read_selection(None) == MapSelection((), False)


def test_the_page_callback_sends_a_click_to_the_panel_and_an_area_to_the_gallery(monkeypatch) -> None:
    state: dict[str, object] = {}
    monkeypatch.setattr(session.st, "session_state", state)
    state["map"] = _event([{"customdata": [7]}])
    session.remember_map_selection("map", session.SELECTED_ROW_KEY, session.AREA_ROWS_KEY)
    assert state == {"map": state["map"], session.SELECTED_ROW_KEY: 7}
    state["map"] = _event([{"customdata": [3]}, {"customdata": [11]}], lasso=True)
    session.remember_map_selection("map", session.SELECTED_ROW_KEY, session.AREA_ROWS_KEY)
    assert state[session.AREA_ROWS_KEY] == [3, 11] and state[session.SELECTED_ROW_KEY] == 7  # the panel keeps its row


def test_gallery_figures_and_csv_describe_exactly_the_selected_rows() -> None:
    labels = np.array([0, 1, 1, 2, 2, 2])
    codes = torch.arange(12, dtype=torch.float32).reshape(6, 2)
    coords = np.arange(12, dtype=np.float32).reshape(6, 2) / 10
    rows = [5, 1, 3]
    assert class_counts(rows, labels, 4).tolist() == [0, 1, 2, 0]
    table = list(
        csv.DictReader(io.StringIO(selection_csv(rows, ["test"] * 3, ["c", "b", "c"], coords, codes).decode()))
    )
    assert [r["row"] for r in table] == ["5", "1", "3"] and table[0]["split"] == "test" and table[1]["class"] == "b"
    assert (float(table[2]["map_x"]), float(table[2]["z2"])) == (0.6, 7.0)
