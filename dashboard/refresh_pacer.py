"""A live panel's refresh, paced by the browser: the next refresh is asked for a set time after the browser has
drawn the last one, not on a fixed clock.

`st.fragment(run_every=...)` is a timer in the browser that asks for a refresh every interval whether or not the last
one has been drawn: a busy browser fell behind, the refreshes it had asked for queued up (Train live under load drew
epochs 6-8 s after they were trained, and a Stop reached the worker 16.6 s after the click). The pacer is an empty
component (Streamlit's components v2) placed last in the fragment: its script runs when the browser mounts it, after
the elements above it, and asks for the fragment's next run `seconds` later. So at most one refresh is outstanding,
and a slow browser is refreshed as often as it can draw, no more."""

from __future__ import annotations

import time

import streamlit as st

# each mount cancels the timer of the one before (the component stays mounted across refreshes) and each cleanup
# only its own, whatever order Streamlit runs them in; unmounting it (the run ended, the page moved on) stops them.
# A refresh can be lost (a full rerun, such as Apply's, takes the fragment run's place): no mount follows it, so
# the same timer asks again RETRY_SECONDS later. A story test once saw the panel stop refreshing after Apply.
RETRY_SECONDS = 5.0
_SCRIPT = """
export default function ({ data, parentElement, setTriggerValue }) {
    const mine = {};
    if (parentElement.pacer) clearTimeout(parentElement.pacer.id);
    parentElement.pacer = mine;
    const ask = (seconds) => {
        mine.id = setTimeout(() => {
            setTriggerValue("due", Date.now());
            ask(data.retry);
        }, seconds * 1000);
    };
    ask(data.seconds);
    return () => clearTimeout(mine.id);
}
"""
_pacer = st.components.v2.component("latent_explorer.refresh_pacer", js=_SCRIPT)


def refresh_after_drawn(seconds: float, key: str) -> None:
    """(Last in a fragment.) Rerun the fragment `seconds` after the browser has drawn this run of it."""
    # new data on every run, so the browser runs the script again, which starts the next timer
    data = {"seconds": seconds, "retry": RETRY_SECONDS, "drawn": time.monotonic()}
    _pacer(data=data, key=key, on_due_change=lambda: None, height=0)
