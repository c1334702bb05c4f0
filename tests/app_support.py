"""Helpers the AppTest suites share: open the app on a page or from a link, and read what it drew."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from .conftest import REPO_ROOT

APP = str(REPO_ROOT / "dashboard" / "app.py")


def serve_only(weights_file: Path, name: str, tmp_path: Path, monkeypatch) -> None:
    """Point the dashboard at a weights folder holding this one model as `name` (and a fresh cache beside it)."""
    weights = tmp_path / "weights"
    weights.mkdir()
    (weights / name).write_bytes(weights_file.read_bytes())
    monkeypatch.setenv("AE_DASHBOARD_WEIGHTS", str(weights))
    monkeypatch.setenv("AE_DASHBOARD_CACHE", str(tmp_path / "cache"))


def open_page(page: str, group: tuple[str, int] | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    if group is not None:
        app.sidebar.selectbox(key="group").set_value(group).run()
    app.switch_page(page).run()
    return app


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def images(app: AppTest) -> list[str]:
    return [image.proto.imgs[0].url for image in app.get("image")]


def charts(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def trace_names(app: AppTest) -> set[str]:
    return {trace.get("name") for chart in charts(app) for trace in chart["data"]}


def selected_stars(app: AppTest) -> dict[str, list[float]]:
    """Chart key -> [x, y, row] of the star drawn over each latent map (dashboard/selected_star.py)."""
    star = next(c for c in app.get("bidi_component") if c.proto.component_name.endswith("selected_star"))
    return json.loads(star.proto.json)["stars"]


def open_link(query: dict[str, str], page: str | None = None) -> AppTest:
    """A fresh session opened from a link: the query string is there on its very first run."""
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params = dict(query)
    app.run()
    if page is not None:
        app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def notices(app: AppTest) -> list[str]:
    return [toast.value for toast in app.toast]


def chart_values(values: object) -> np.ndarray:
    """A trace's array as the chart's spec holds it: a list, or Plotly's typed array ({"bdata", "dtype"})."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"])
    return np.asarray(values)


def png_of_a_digit() -> bytes:
    """A drawn zero, black on white, as a PNG upload."""
    from PIL import Image, ImageDraw

    picture = Image.new("L", (90, 120), 255)
    ImageDraw.Draw(picture).ellipse((15, 15, 75, 105), outline=0, width=10)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()
