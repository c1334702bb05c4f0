"""Sidebar controls for the presenter: copy a link to the current view, and reset the demo to its start."""

from __future__ import annotations

import streamlit as st

from . import replica, url_state

# The browser's own address is the view (url_state.publish keeps it current, fragments included), so the copy
# happens in the page: nothing goes through the server and the link is never one run behind.
_HTML = """
<div class="view-link">
  <button type="button" data-testid="copy-view-link">Copy link to this view</button>
  <input type="text" readonly hidden aria-label="link to this view" data-testid="view-link">
</div>
"""
_CSS = """
.view-link { display: flex; flex-direction: column; gap: 0.4rem; }
button { font: inherit; padding: 0.35rem 0.75rem; border-radius: 0.5rem; border: 1px solid rgba(49, 51, 63, 0.2);
         background: #fff; cursor: pointer; text-align: left; }
button:hover { border-color: #1f77b4; color: #1f77b4; }
input { font: inherit; font-size: 0.8em; width: 100%; box-sizing: border-box; }
"""
_JS = """
export default function(component) {
  const root = component.parentElement;
  const button = root.querySelector('button'), field = root.querySelector('input');
  button.onclick = async () => {
    const link = new URL(window.location.href);
    link.searchParams.delete('%s');  // which server this tab is on: not part of the view
    field.value = link.href;
    field.hidden = false;
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = 'Link copied';
    } catch (err) {  // plain http on a LAN address is not a secure context: select it for Ctrl+C instead
      field.select();
      button.textContent = 'Copy the selected link';
    }
    setTimeout(() => { button.textContent = 'Copy link to this view'; }, 2500);
  };
}
"""
_copy_link = st.components.v2.component(
    "latent_explorer_view_link", html=_HTML, css=_CSS, js=_JS % replica.SERVER_PARAM
)


_GO_TO_START_KEY = "_reset_go_to_start"


def _reset() -> None:
    url_state.reset()
    st.session_state[_GO_TO_START_KEY] = True


def view_controls(start_page: st.Page) -> None:
    """Copy link and Reset, in the sidebar; Reset also goes back to the start page."""
    with st.sidebar:
        _copy_link(key="view_link")
        st.button("Reset the demo", icon=":material/restart_alt:", help="every page back to its start", on_click=_reset)
    if st.session_state.pop(_GO_TO_START_KEY, False):
        st.switch_page(start_page)
