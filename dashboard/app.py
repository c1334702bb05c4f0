"""Entry point: `latent-explorer` or `python -m dashboard.serve` [-- --weights-dir DIR] (see dashboard/serve.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from dashboard import replica, selected_star, url_state  # noqa: F401 (selected_star: see below)
from dashboard.chart_helpers import chart_helpers
from dashboard.page_list import PAGES
from dashboard.picker import sidebar_picker
from dashboard.presentation import presentation_mode, presentation_toggle
from dashboard.session import check_link_rows
from dashboard.settings import weights_dir
from dashboard.view_controls import view_controls

# Browser components are declared here, at start-up, not by the page that mounts them: a component first declared
# while another page is open closed that page's open dropdowns (seen with the latent map's star component).
HERE = Path(__file__).resolve().parent
ICON = HERE / "assets" / "icon.png"  # served by the app itself: a material icon favicon is fetched from a font CDN
url_state.restore()
replica.note_move()
st.set_page_config(
    page_title="Latent space explorer",
    page_icon=str(ICON),
    layout="wide",
    initial_sidebar_state="collapsed" if presentation_mode() else "auto",
)
with st.sidebar:
    chart_helpers()
pages = {
    section: [
        st.Page(p.file, title=p.title, icon=f":material/{p.icon}:", url_path=p.url_path or None, default=not p.url_path)
        for p in PAGES
        if p.section == section
    ]
    for section in dict.fromkeys(p.section for p in PAGES)
}
navigation = st.navigation(pages)
presentation_toggle()
selection = sidebar_picker(weights_dir())
st.session_state["selection"] = selection
check_link_rows(selection)
view_controls(start_page=pages["Explore"][0])
try:
    navigation.run()
except Exception:  # st.stop and st.rerun are BaseExceptions and pass through
    # a page's own failure is a message in that page, never a traceback for the visitor; the log keeps the details
    logging.getLogger("dashboard").exception("page %s failed", navigation.url_path or "overview")
    st.error("This page cannot be shown for the chosen models. The other pages still work: pick other models or pages.")
finally:  # also after a page's st.stop()
    url_state.publish()
