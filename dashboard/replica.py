"""Which server process holds a visitor's session, kept in the address bar, so that a visitor whose session was
lost (its replica died or restarted and the browser reconnected to another) is told so, not left to wonder why the
page changed. The view itself comes back from the URL state (url_state); uploads cannot, and the picker says so."""

from __future__ import annotations

import secrets

import streamlit as st

SERVER_PARAM = "server"
SERVER_ID = secrets.token_hex(4)  # one per server process: this module is imported once and kept
SEEN_KEY = "_server_seen"
MOVED = (
    "The server that held your session stopped, so you are now on another one. Your view was restored from the "
    "address bar; a model you uploaded has to be uploaded again."
)


def note_move() -> None:
    """On a session's first run, a `server` parameter naming another process means the visitor was moved."""
    first_run = not st.session_state.get(SEEN_KEY)
    st.session_state[SEEN_KEY] = True
    previous = st.query_params.get(SERVER_PARAM)
    if first_run and previous not in (None, SERVER_ID):
        st.toast(MOVED, icon=":material/sync_problem:", duration="infinite")
    if previous != SERVER_ID:
        st.query_params[SERVER_PARAM] = SERVER_ID
