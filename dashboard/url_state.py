"""The view in the address bar: a reload, a bookmark or a link sent to a colleague opens the same view.

Registered state lives in two places that this module keeps in step: `st.session_state` (what widgets and pages
read) and `st.query_params` (what the browser shows and a link carries). The page itself is the URL path.

API
---
- ``FIELDS``: every registered piece of state, one `Field` per query parameter: its parameter name, the session
  key it mirrors (a widget's ``key``), a parser that rejects junk with ``ValueError``, and a formatter. A widget
  takes part by using the field's session key as its ``key``; a page needs nothing else.
- ``restore()``: first call of every script run, before any widget. On a session's first run only (a reload, a
  bookmark, a link, a visitor moved to another replica) it copies each registered parameter into session state;
  a value that does not parse is dropped with a small notice. Later runs ignore the query string and keep every
  registered value alive while its page is not shown, so going to another page and back loses nothing.
- ``check(param, ok)``: where what is valid is known (the models of a group, the rows of a sample), a value that
  came from the link and fails ``ok`` is removed with a notice, so the widget shows its default. No exception.
- ``from_link(param)``: whether the session opened with a link that set ``param``; a page that would fill in a
  value of its own on a first visit (interpolation's endpoint A from the selected point) keeps the link's.
- ``publish()``: last call of a run, and of any fragment that changes registered state: writes the current
  values into the query string (only the parameters that changed).
- ``reset()``: forget the demo's state (presentation mode stays) and empty the query string.

Parameters: ``group=mnist-5k.z2`` (dataset and latent size), ``ae``/``vae`` (model names), ``map`` (sample|full:
the images on the maps), ``row`` (selected row of the evaluation sample), ``frow`` (selected row of the full map),
``a``/``b`` (interpolation endpoints), ``path`` (linear|spherical), ``steps``, ``seed``, ``temperature``,
``samples``, ``present`` (1 = presentation mode).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from .untrusted import literal

RESTORED_KEY = "_url_state_restored"
LINKED_KEY = "_url_state_linked"  # the parameters the session's first run took from its link
PENDING_KEY = "_url_state_pending"  # param -> (session key, value, text) restored from the link, not yet checked
PRESENTATION_KEY = "presentation_mode"
SELECTED_ROW_KEY = "selected_row"
FULL_ROW_KEY = "full_map_row"  # the selected row of the latent map's full view (a row of every image)
MAP_VIEW_KEY = "map_view"  # the images on the maps: "sample" or "full"
GROUP_KEY = "group"
KEPT_ON_RESET = (RESTORED_KEY, PRESENTATION_KEY)


def _group(text: str) -> tuple[str, int]:
    dataset, _, latent = text.rpartition(".z")
    if not dataset or not latent.isdigit():
        raise ValueError("expected DATASET.zLATENT, e.g. mnist-5k.z2")
    return dataset, int(latent)


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit()):
            raise ValueError("not a whole number")
        value = int(text)
        if not low <= value <= high:
            raise ValueError(f"outside {low}..{high}")
        return value

    return parse


def _number(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError("not a number") from None
        if not low <= value <= high:  # also refuses nan
            raise ValueError(f"outside {low:g}..{high:g}")
        return value

    return parse


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"one of {', '.join(options)}")
        return text

    return parse


def _flag(text: str) -> bool:
    if text.lower() not in ("0", "1", "true", "false"):
        raise ValueError("expected 1 or 0")
    return text.lower() in ("1", "true")


def model_key(kind: str, group: tuple[str, int]) -> str:
    """The picker keeps one model choice per group (`ae-mnist-5k-2`), so a model's session key follows the group."""
    return f"{kind}-{group[0]}-{group[1]}"


def _model_key(kind: str) -> Callable[[Mapping[str, Any]], str | None]:
    def key(state: Mapping[str, Any]) -> str | None:
        group = state.get(GROUP_KEY)
        return model_key(kind, group) if isinstance(group, tuple) else None

    return key


@dataclass(frozen=True)
class Field:
    """One query parameter mirrored to one session key (fixed, or computed from other state)."""

    param: str
    key: str | Callable[[Mapping[str, Any]], str | None]
    parse: Callable[[str], Any]
    format: Callable[[Any], str] = str

    def session_key(self, state: Mapping[str, Any]) -> str | None:
        return self.key if isinstance(self.key, str) else self.key(state)


MAX_ROW = 10**7  # far above any evaluation sample; the real bound is checked against the sample (session.py)
FIELDS = (  # order matters: the model fields' keys depend on the group restored before them
    Field("group", GROUP_KEY, _group, lambda group: f"{group[0]}.z{group[1]}"),
    Field("ae", _model_key("ae"), str),
    Field("vae", _model_key("vae"), str),
    Field("map", MAP_VIEW_KEY, _choice("sample", "full")),  # the maps' images; `row` a sample row, `frow` a full one
    Field("row", SELECTED_ROW_KEY, _integer(0, MAX_ROW)),
    Field("frow", FULL_ROW_KEY, _integer(0, MAX_ROW)),
    Field("a", "endpoint_A", _integer(0, MAX_ROW)),
    Field("b", "endpoint_B", _integer(0, MAX_ROW)),
    Field("path", "interpolation_path", _choice("linear", "spherical")),
    Field("steps", "interpolation_steps", _integer(3, 20)),
    Field("seed", "sampling_seed", _integer(0, 2**31 - 1)),
    Field("temperature", "sampling_temperature", _number(0.25, 2.0), lambda t: f"{t:g}"),
    Field("samples", "sampling_count", _integer(8, 64)),
    Field("present", PRESENTATION_KEY, _flag, lambda on: "1" if on else "0"),
)
ROW_PARAMS = ("row", "a", "b")
_FIELDS_BY_PARAM = {field.param: field for field in FIELDS}


def _notice(param: str, text: str, why: str) -> None:
    shown = literal(f"{param}={text[:40]}")  # a link is anyone's text: never Markdown in the app's own notice
    st.toast(f"The link's {shown} {why}; showing the default instead.", icon=":material/link_off:", duration="long")


def restore() -> None:
    """Seed session state from the query string on a session's first run; keep registered values on later runs.

    Streamlit drops a widget's value in a run that does not draw the widget (another page); writing the value
    back before any widget is drawn keeps it, so a page shows what it showed when the visitor comes back.
    """
    if st.session_state.get(RESTORED_KEY):
        for field in FIELDS:
            key = field.session_key(st.session_state)
            if key is not None and key in st.session_state:
                st.session_state[key] = st.session_state[key]
        return
    st.session_state[RESTORED_KEY] = True
    pending = {}
    for field in FIELDS:
        text = st.query_params.get(field.param)
        if text is None:
            continue
        try:
            value = field.parse(text)
        except ValueError as err:
            _notice(field.param, text, f"is not valid ({err})")
            continue
        key = field.session_key(st.session_state)  # None: it depends on state a widget settles later (check)
        if key is not None:
            st.session_state[key] = value
        pending[field.param] = (key, value, text)
    st.session_state[PENDING_KEY] = pending
    st.session_state[LINKED_KEY] = frozenset(pending)


def check(param: str, ok: Callable[[Any], bool]) -> None:
    """Drop the link's value for `param` when `ok` refuses it here; `ok` is only called for a fresh link value."""
    pending = st.session_state.get(PENDING_KEY) or {}
    if param not in pending:
        return
    key, value, text = pending.pop(param)
    if ok(value):
        key = _FIELDS_BY_PARAM[param].session_key(st.session_state)  # the group may have settled since
        if key is not None and key not in st.session_state:
            st.session_state[key] = value
        return
    if key is not None and st.session_state.get(key) == value:
        del st.session_state[key]
    _notice(param, text, "is not available")


def from_link(param: str) -> bool:
    """Whether this session opened with a link that set `param` (so a page's own default must not replace it)."""
    return param in st.session_state.get(LINKED_KEY, frozenset())


def pending(param: str) -> bool:
    """Whether a value for `param` came from the link and has not been checked yet (to skip costly checks)."""
    return param in (st.session_state.get(PENDING_KEY) or {})


def current() -> dict[str, str]:
    """The registered state as query parameters, from session state."""
    params = {}
    for field in FIELDS:
        key = field.session_key(st.session_state)
        value = st.session_state.get(key) if key is not None else None
        if value is not None:
            params[field.param] = field.format(value)
    return params


def publish() -> None:
    """Write the registered state into the query string; only changed parameters, so the browser's URL is exact."""
    wanted = current()
    present = st.query_params.to_dict()
    changed = {param: text for param, text in wanted.items() if present.get(param) != text}
    if changed:
        st.query_params.update(changed)
    for field in FIELDS:
        if field.param in present and field.param not in wanted:
            del st.query_params[field.param]


def reset() -> None:
    """Back to the demo's start: every page's state is forgotten, except presentation mode.

    Call it from a widget callback (before the script runs), where widget keys may still be written.
    """
    kept = {key: st.session_state[key] for key in KEPT_ON_RESET if key in st.session_state}
    st.session_state.clear()
    st.session_state.update(kept)
    st.query_params.clear()
