"""Shared figures (dashboard/figure_cache.py): what Streamlit sends for a cached figure is what a fresh build sends,
and the cache key holds every argument the figure is built from."""

from __future__ import annotations

import inspect
import json

import numpy as np
import plotly.io as pio
import plotly.tools
import pytest
import torch

from dashboard import presentation
from dashboard.figure_cache import FrozenFigure, figure_key, shared_figure
from dashboard.figures import image_grid
from dashboard.imaging import png_data_uri
from dashboard.map_figure import latent_scatter, map_overlays

NAMES = [str(i) for i in range(10)]


def _sent(figure: object) -> str:
    """The spec st.plotly_chart puts in its message (streamlit/elements/plotly_chart.py does these two steps)."""
    return pio.to_json(plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True), validate=False)


def _map_arguments() -> tuple[tuple, dict]:
    rng = np.random.default_rng(0)
    coords, labels = rng.normal(size=(300, 2)).astype(np.float32), rng.integers(0, 10, 300)
    rows_shown = np.arange(300) % 3 != 2  # the last row greyed, so _varied shows it
    return (coords, labels, NAMES), {
        "title": "AE · m", "axis_names": ("z₁", "z₂"), "selected": (3, 7), "highlight": [1, 2], "prior_rings": True,
        "rows_shown": rows_shown, "hide_others": False,
        "ellipses": rng.normal(size=(20, 2)), "path": rng.normal(size=(5, 2)),
        "extra_points": ("prior draws", rng.normal(size=(4, 2))), "ringed": np.array([5, 9, 11]), "equal_axes": True,
        "height": 460,
    }  # fmt: skip


def _grid_arguments() -> tuple[tuple, dict]:
    picture = np.random.default_rng(1).integers(0, 255, size=(60, 60), dtype=np.uint8)
    ticks = np.linspace(-3, 3, 5)
    return (png_data_uri(picture), picture.shape, ticks, ticks, "VAE · m"), {"height": 500, "prior_radius": 3.0}


@pytest.mark.parametrize("build, arguments", [(latent_scatter, _map_arguments), (image_grid, _grid_arguments)])
def test_a_frozen_figure_sends_what_the_fresh_figure_sends_every_time(build, arguments) -> None:
    args, kwargs = arguments()
    frozen = FrozenFigure(build(*args, **kwargs))
    fresh = _sent(build(*args, **kwargs))
    assert _sent(frozen) == fresh
    assert _sent(frozen) == fresh  # serialising did not edit the stored dict
    assert frozen.layout.title.text == build(*args, **kwargs).layout.title.text  # readable as a figure too


def _varied(value: object) -> object:
    """A different value of the same kind."""
    if isinstance(value, np.ndarray):
        changed = value.copy()
        changed.flat[-1] += 1
        return changed
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "!"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], np.ndarray):
        return value[0], _varied(value[1])
    if isinstance(value, tuple | list):
        return type(value)([*value[:-1], _varied(value[-1])])
    raise AssertionError(f"no variation for {value!r}")


@pytest.mark.parametrize("build, arguments", [(latent_scatter, _map_arguments), (image_grid, _grid_arguments)])
def test_the_key_changes_with_every_parameter_and_the_cache_gives_the_matching_figure(build, arguments) -> None:
    args, kwargs = arguments()
    names = list(inspect.signature(build).parameters)
    assert set(names) == set(names[: len(args)]) | set(kwargs)  # every parameter of the builder is exercised
    first = shared_figure(build, *args, **kwargs)
    assert shared_figure(build, *args, **kwargs) is first  # built once
    for index, name in enumerate(names):
        if index < len(args):
            changed_args, changed_kwargs = (*args[:index], _varied(args[index]), *args[index + 1 :]), kwargs
        else:
            changed_args, changed_kwargs = args, kwargs | {name: _varied(kwargs[name])}
        assert figure_key(build, changed_args, changed_kwargs) != figure_key(build, args, kwargs), name
        assert _sent(shared_figure(build, *changed_args, **changed_kwargs)) == _sent(
            build(*changed_args, **changed_kwargs)
        ), name


def test_the_key_reads_contents_not_identities_and_refuses_what_it_cannot_read() -> None:
    codes = np.arange(6, dtype=np.float32).reshape(3, 2)
    key = figure_key(latent_scatter, (codes,), {})
    assert figure_key(latent_scatter, (codes.copy(),), {}) == key  # equal content, another array
    assert figure_key(latent_scatter, (torch.from_numpy(codes),), {}) != key  # a tensor is another type
    assert figure_key(latent_scatter, (codes.astype(np.float64),), {}) != key  # same values, another dtype
    assert figure_key(latent_scatter, (codes.reshape(2, 3),), {}) != key  # same bytes, another shape
    assert figure_key(image_grid, (codes,), {}) != key  # another builder
    names = np.array(["a", "b"], dtype=object)
    assert figure_key(latent_scatter, (names,), {}) != figure_key(latent_scatter, (names[::-1].copy(),), {})
    with pytest.raises(TypeError, match="cannot key"):
        figure_key(latent_scatter, (object(),), {})


@pytest.mark.parametrize("presenting", [False, True])
def test_a_visitors_overlays_over_a_shared_map_send_what_the_whole_map_built_afresh_sends(
    presenting: bool, monkeypatch
) -> None:
    """Pages draw the traces that follow a visitor's controls (path, endpoints, prior draws, a decoded point, rings)
    over a map shared by every visitor: what is sent must be the whole figure as show_figure sends it built afresh, in
    presentation mode too (its larger type reaches the overlays' labels), and the shared map must stay as it was."""
    monkeypatch.setattr(presentation, "presentation_mode", lambda: presenting)
    args, kwargs = _map_arguments()
    own = {name: kwargs.pop(name) for name in ("extra_points", "path", "ringed", "selected")}
    base = presentation.shared(latent_scatter, *args, **kwargs)
    before = _sent(base)
    figure = presentation.overlaid(base, map_overlays(args[0], **own))
    sent, fresh = (
        json.loads(_sent(figure)),
        json.loads(_sent(presentation._finished(latent_scatter, presenting, *args, **kwargs, **own))),
    )
    assert sent == fresh  # as values: the type sizes presentation mode adds come before a stored trace's type
    assert _sent(base) == before
    selected = next(trace for trace in sent["data"] if trace.get("name") == "selected")
    assert selected["textfont"]["size"] == (presentation.CHART_FONT_PX if presenting else 15)
