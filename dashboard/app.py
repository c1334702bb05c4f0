"""Entry point: `python -m dashboard.serve` (or `streamlit run dashboard/app.py`) [-- --weights-dir DIR]."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # streamlit runs this file as a script

from dashboard.page_list import PAGES
from dashboard.picker import sidebar_picker
from dashboard.presentation import presentation_toggle
from dashboard.settings import weights_dir

st.set_page_config(page_title="Latent space explorer", page_icon=":material/explore:", layout="wide")
navigation = st.navigation(
    {
        section: [
            st.Page(
                p.file, title=p.title, icon=f":material/{p.icon}:", url_path=p.url_path or None, default=not p.url_path
            )
            for p in PAGES
            if p.section == section
        ]
        for section in dict.fromkeys(p.section for p in PAGES)
    }
)
presentation_toggle()
st.session_state["selection"] = sidebar_picker(weights_dir())
navigation.run()
