"""Entry point: `python -m dashboard.serve` (or `streamlit run dashboard/app.py`) [-- --weights-dir DIR]."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # streamlit runs this file as a script

from dashboard.picker import sidebar_picker
from dashboard.presentation import presentation_toggle
from dashboard.settings import weights_dir

VIEWS = Path(__file__).resolve().parent / "views"
PAGES = {
    "Explore": [
        ("overview.py", "Overview", "home", ""),
        ("latent_map.py", "Latent map", "scatter_plot", "latent-map"),
        ("interpolation.py", "Interpolation", "linear_scale", "interpolation"),
        ("sampling.py", "Sampling", "casino", "sampling"),
        ("training_curves.py", "Training curves", "show_chart", "training-curves"),
    ],
    "Uses": [
        ("anomaly.py", "Anomaly detection", "troubleshoot", "anomaly"),
        ("denoising.py", "Denoising", "auto_fix_high", "denoising"),
        ("own_image.py", "Your own image", "draw", "own-image"),
        ("compression.py", "Compression", "compress", "compression"),
    ],
}

st.set_page_config(page_title="Latent space explorer", page_icon=":material/explore:", layout="wide")
navigation = st.navigation(
    {
        section: [
            st.Page(VIEWS / file, title=title, icon=f":material/{icon}:", url_path=path or None, default=not path)
            for file, title, icon, path in pages
        ]
        for section, pages in PAGES.items()
    }
)
presentation_toggle()
st.session_state["selection"] = sidebar_picker(weights_dir())
try:
    navigation.run()
except Exception:  # st.stop and st.rerun are BaseExceptions and pass through
    # a page's own failure is a message in that page, never a traceback for the visitor; the log keeps the details
    logging.getLogger("dashboard").exception("page %s failed", navigation.url_path or "overview")
    st.error("This page cannot be shown for the chosen models. The other pages still work: pick other models or pages.")
