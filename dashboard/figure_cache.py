"""Figures that reruns and sessions share: built once per server for equal inputs, and turned once into the dict
that st.plotly_chart serialises, instead of on every rerun of every visitor.

A figure is keyed by its builder and every argument it gets (arrays by their bytes), so a key cannot leave out
something the figure depends on; a page asks `shared_figure(latent_scatter, coords, labels, ..., title=...)` where
it would call `latent_scatter(coords, labels, ..., title=...)`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

FIGURES = 48  # a few per page and model pair, for the views visitors share (default controls, early seeds)


class FrozenFigure(go.Figure):
    """A finished figure whose dict is computed once. st.plotly_chart calls to_dict() on every rerun, which
    deep-copies every array and trace and base64-encodes the arrays again; this one hands out its stored dict
    (shallow copies of the levels plotly.io.to_json edits). Never mutate one: the stored dict would not change."""

    def __init__(self, figure: go.Figure) -> None:
        frozen = figure.to_dict()  # arrays already encoded: the figure below shares those strings
        super().__init__(frozen, skip_invalid=False, _validate=False)
        self._frozen = frozen

    def to_dict(self) -> dict:
        return {**self._frozen, "data": [dict(trace) for trace in self._frozen["data"]]}

    def with_traces(self, traces: list[dict]) -> FrozenFigure:
        """This figure with finished trace dicts (as to_dict gives them) drawn over it: a visitor's own layer over a
        shared map, at the cost of a list, not of building or copying the shared part again. Only what it sends
        (to_dict) holds the new traces; as a figure object it reads as the shared one."""
        overlaid = FrozenFigure.__new__(FrozenFigure)
        overlaid.__dict__.update(self.__dict__)  # the built figure's parts, shared and never mutated
        overlaid._frozen = {**self._frozen, "data": [*self._frozen["data"], *traces]}
        return overlaid


def _feed(digest: Any, value: object) -> None:
    """Feed a value's type and content into the digest; refuse a type without a faithful content (no silent key)."""
    if isinstance(value, torch.Tensor):  # a builder may treat it unlike an array of the same values
        digest.update(b"tensor ")
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        digest.update(f"ndarray {value.dtype.str} {value.shape};".encode())
        if value.dtype == object:  # the bytes of an object array are pointers: key by the values
            _feed(digest, value.tolist())
        else:
            digest.update(np.ascontiguousarray(value).tobytes())
    elif value is None or isinstance(value, bool | int | float | str | np.generic):
        digest.update(f"{type(value).__name__} {value!r};".encode())
    elif isinstance(value, list | tuple | range):
        digest.update(f"{type(value).__name__} {len(value)}(".encode())
        for item in value:
            _feed(digest, item)
        digest.update(b");")
    elif isinstance(value, Mapping):
        digest.update(f"mapping {len(value)}(".encode())
        for name in sorted(value, key=repr):
            _feed(digest, name)
            _feed(digest, value[name])
        digest.update(b");")
    elif callable(value) and hasattr(value, "__qualname__"):
        digest.update(f"function {value.__module__}.{value.__qualname__};".encode())
    else:
        raise TypeError(f"shared_figure cannot key an argument of type {type(value).__name__}")


def figure_key(build: Callable[..., go.Figure], args: tuple, kwargs: Mapping[str, object]) -> str:
    """SHA-256 of the builder's name and every argument's type and content."""
    digest = hashlib.sha256()
    _feed(digest, (build, args, kwargs))
    return digest.hexdigest()


@st.cache_resource(show_spinner=False, max_entries=FIGURES)
def _built(key: str, _build: Callable[..., go.Figure], _args: tuple, _kwargs: dict) -> FrozenFigure:
    return FrozenFigure(_build(*_args, **_kwargs))


def shared_figure(build: Callable[..., go.Figure], *args: object, **kwargs: object) -> FrozenFigure:
    """build(*args, **kwargs), made once per server for arguments of equal content (callers must not mutate it)."""
    return _built(figure_key(build, args, kwargs), build, args, kwargs)
