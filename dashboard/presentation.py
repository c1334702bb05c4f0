"""Presentation mode and figure display: every chart goes through show_figure, so exports and fonts are uniform."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from .figure_cache import FrozenFigure, shared_figure
from .url_state import PRESENTATION_KEY

CHART_FONT_PX = 20  # chart text on a projector; the browser test holds every chart text at >= 18 px
CHART_TITLE_PX = 26
_SPARE_BUTTONS = ["zoomIn2d", "zoomOut2d", "autoScale2d", "lasso2d", "select2d"]
# Larger type, captions and notes too (at Streamlit's 0.875rem they were 17.5 px); less empty space above the
# title so a page's main picture fits a 1080-pixel screen; image grids as wide as their column (pixelated, like
# the tiles they are) but never taller than most of the screen.
_PRESENTATION_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; padding-bottom: 2rem; }
[data-testid="stHeader"] { background: transparent; pointer-events: none; }
[data-testid="stHeader"] button { pointer-events: auto; }
[data-testid="stFullScreenFrame"] > div:has(> [data-testid="stImage"]), [data-testid="stImage"],
[data-testid="stImageContainer"] { width: 100%; }
[data-testid="stImage"] img { width: 100% !important; height: auto; max-height: 62vh; object-fit: contain;
                              object-position: left top; image-rendering: pixelated; }
[data-testid="stCaptionContainer"], [data-testid="stImageCaption"] { font-size: 1rem; }
[data-testid="stDownloadButton"], [data-testid="stFileUploader"], .modebar-container, [data-testid="stMainMenu"],
[data-testid="stExpander"] { display: none !important; }
</style>
"""
# On every screen: the sidebar opens and closes at once (its 0.3 s slide resized every chart on every frame of
# it). Phones (Streamlit stacks columns below 640 px): the latent map's selection panel comes right after the
# first map instead of after both, so a tapped point's images are one short scroll away; no chart toolbar, which
# covered the chart's title at that width.
_SCREEN_CSS = """
<style>
[data-testid="stSidebar"] { transition: none; }
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(#selected-image) > [data-testid="stColumn"] { order: 2; }
  [data-testid="stHorizontalBlock"]:has(#selected-image) > [data-testid="stColumn"]:first-child { order: 0; }
  [data-testid="stHorizontalBlock"]:has(#selected-image) > [data-testid="stColumn"]:last-child { order: 1; }
  .modebar-container { display: none !important; }
}
</style>
"""


def presentation_mode() -> bool:
    return bool(st.session_state.get(PRESENTATION_KEY, False))


def presentation_toggle() -> None:
    """Sidebar switch: larger type, no download buttons, uploaders or chart toolbars, for a room full of people."""
    st.sidebar.toggle("Presentation mode", key=PRESENTATION_KEY, help="larger fonts and hidden export controls")
    st.html(_SCREEN_CSS + (_PRESENTATION_CSS if presentation_mode() else ""))


def _finished(build: Callable[..., go.Figure], presenting: bool, *args: object, **kwargs: object) -> go.Figure:
    """The figure as show_figure draws it: legend below, projector type when presenting."""
    figure = build(*args, **kwargs)
    _legend_below(figure)
    if presenting:
        _projector_fonts(figure)
    return figure


def shared(build: Callable[..., go.Figure], *args: object, **kwargs: object) -> FrozenFigure:
    """build(*args, **kwargs) finished for show_figure in this presentation mode, made and serialised once per
    server for equal arguments (dashboard/figure_cache.py): for figures that many reruns and visitors share."""
    return shared_figure(_finished, build, presentation_mode(), *args, **kwargs)


def overlaid(base: FrozenFigure, traces: list[dict]) -> FrozenFigure:
    """A shared figure (see `shared`) with a visitor's own traces (plain dicts, as map_figure.map_overlays makes
    them) drawn over it, finished as the base was: what show_figure would send for the whole figure built afresh."""
    layer = _finished(lambda: go.Figure(data=traces, _validate=False), presentation_mode())
    return base.with_traces(layer.to_dict()["data"])


def show_figure(figure: go.Figure, key: str, **kwargs: object) -> object:
    """Draw a Plotly figure with a PNG export button (the camera icon: offline, in the browser, 3x resolution)."""
    if not isinstance(figure, FrozenFigure):  # a shared one was finished when it was made
        figure = _finished(lambda: figure, presentation_mode())
    modes = kwargs.get("selection_mode", ())
    kept = {"lasso2d": "lasso" in modes, "select2d": "box" in modes}  # the tools of a chart's selection modes
    config = {
        "toImageButtonOptions": {"format": "png", "filename": key, "scale": 3}, "displaylogo": False,
        # a short toolbar stays clear of the chart's title
        "modeBarButtonsToRemove": [button for button in _SPARE_BUTTONS if not kept.get(button)],
    }  # fmt: skip
    return st.plotly_chart(figure, key=key, config=config, width="stretch", **kwargs)


def show_table(rows: object, headers: Mapping[str, str] | None = None) -> None:
    """A table: scrollable and sortable on a screen; on a projector a plain table in the page's own type, as wide as
    the page, with the first column (the model) naming the rows, so no column is cut off at the right edge.

    `headers` (column -> short header) shows only those columns, under short headers, so that a wide table fits
    the page; on a screen each full column name is the header's tooltip (a download keeps every column)."""
    table = pd.DataFrame(rows)
    if headers:
        table = table[list(headers)]
    if not presentation_mode():
        config = {name: st.column_config.Column(short, help=name) for name, short in (headers or {}).items()}
        st.dataframe(table, hide_index=True, column_config=config)
        return
    table = table.rename(columns=headers or {})
    numbers = table.set_index(table.columns[0]).style.format(lambda v: f"{v:g}" if isinstance(v, float) else v)
    st.table(numbers)


def _legend_below(figure: go.Figure) -> None:
    """A horizontal legend under the chart goes to the bottom of the figure, below the x axis's title: placed at a
    fraction of the plot's height it landed on the title whenever it wrapped to more rows or the type grew."""
    legend = figure.layout.legend
    if legend.orientation == "h" and (legend.y or 0) < 0:
        figure.update_layout(legend={"yref": "container", "y": 0, "yanchor": "bottom"})


def _projector_fonts(figure: go.Figure) -> None:
    """Every text of the figure at projector size: figures set some sizes explicitly (legends, labels)."""
    figure.update_layout(
        font_size=CHART_FONT_PX, title_font_size=CHART_TITLE_PX, legend_font_size=CHART_FONT_PX,
        legend_entrywidth=0,  # fixed entry widths were chosen for small type: let each entry fit its name
        hoverlabel_font_size=CHART_FONT_PX,
    )  # fmt: skip
    figure.update_xaxes(tickfont_size=CHART_FONT_PX, title_font_size=CHART_FONT_PX)
    figure.update_yaxes(tickfont_size=CHART_FONT_PX, title_font_size=CHART_FONT_PX)
    figure.for_each_annotation(lambda note: note.update(font_size=max(note.font.size or 0, CHART_FONT_PX)))
    figure.for_each_trace(
        lambda trace: trace.update(textfont_size=max(trace.textfont.size or 0, CHART_FONT_PX)),
        selector=lambda trace: "textfont" in trace,
    )
