"""Entry point: `streamlit run dashboard/app.py [-- --weights-dir DIR]`."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # streamlit runs this file as a script

from dashboard.picker import sidebar_picker
from dashboard.settings import weights_dir

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Latent space explorer", page_icon=":material/explore:", layout="wide")
navigation = st.navigation(
    [
        st.Page(VIEWS / "overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page(VIEWS / "latent_map.py", title="Latent map", icon=":material/scatter_plot:", url_path="latent-map"),
        st.Page(
            VIEWS / "interpolation.py", title="Interpolation", icon=":material/linear_scale:", url_path="interpolation"
        ),
        st.Page(VIEWS / "sampling.py", title="Sampling", icon=":material/casino:", url_path="sampling"),
        st.Page(
            VIEWS / "training_curves.py",
            title="Training curves",
            icon=":material/show_chart:",
            url_path="training-curves",
        ),
    ]
)
st.session_state["selection"] = sidebar_picker(weights_dir())
navigation.run()
