"""Presentation mode and figure display: every chart goes through show_figure, so exports and fonts are uniform."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from .url_state import PRESENTATION_KEY

_PRESENTATION_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stDownloadButton"], [data-testid="stFileUploader"], .modebar-container, [data-testid="stToolbar"],
[data-testid="stExpander"] { display: none !important; }
</style>
"""


def presentation_mode() -> bool:
    return bool(st.session_state.get(PRESENTATION_KEY, False))


def presentation_toggle() -> None:
    """Sidebar switch: larger type, no download buttons, uploaders or chart toolbars, for a room full of people."""
    st.sidebar.toggle("Presentation mode", key=PRESENTATION_KEY, help="larger fonts and hidden export controls")
    if presentation_mode():
        st.html(_PRESENTATION_CSS)


def show_figure(figure: go.Figure, key: str, **kwargs: object) -> object:
    """Draw a Plotly figure with a PNG export button (the camera icon: offline, in the browser, 3x resolution)."""
    if presentation_mode():
        figure.update_layout(font={"size": 20}, title_font={"size": 24})
    config = {"toImageButtonOptions": {"format": "png", "filename": key, "scale": 3}, "displaylogo": False}
    return st.plotly_chart(figure, key=key, config=config, width="stretch", **kwargs)
