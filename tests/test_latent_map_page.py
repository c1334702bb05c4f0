"""The latent map page's selections and captions stay true of what it shows: across a switch of dataset or latent
size, with one model loaded, with filters on (AppTest)."""

from __future__ import annotations

import time
from pathlib import Path

from ae_models.library import default_pair, load_folder
from dashboard.map_figure import PRIOR_NAME

from .app_support import assert_clean, charts, open_page, serve_only, trace_names
from .conftest import WEIGHTS_DIR


def _subheaders(app) -> list[str]:
    return [s.value for s in app.subheader]


def test_a_selection_made_on_one_dataset_is_gone_after_switching_to_another() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    app.session_state["map_area_rows"] = list(range(100, 731))
    app.session_state["selected_row"] = 7
    app.run()
    assert "Selected area: 631 images" in " ".join(_subheaders(app))
    app.sidebar.selectbox(key="group").set_value(("fashion-mnist", 2)).run()
    assert_clean(app)
    assert not any(s.startswith("Selected area") for s in _subheaders(app))
    assert any("Click a point" in info.value for info in app.info)  # no mnist row picks a Fashion image


def test_prior_rings_switched_on_over_latent_2_are_not_drawn_on_a_umap_map() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    assert PRIOR_NAME in trace_names(app)
    app.sidebar.selectbox(key="group").set_value(("mnist-5k", 16)).run()
    assert_clean(app)
    assert PRIOR_NAME not in trace_names(app)
    prior = next(t for t in app.toggle if "prior rings" in t.label)
    assert prior.disabled and not prior.value


def test_the_neighbours_caption_says_they_are_searched_among_every_image_whatever_the_filter() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    app.pills(key="map_highlight").set_value([3]).run()
    app.toggle(key="map_hide").set_value(True).run()
    app.session_state["selected_row"] = 7
    app.run()
    assert_clean(app)
    neighbours = [c.value for c in app.caption if "nearest codes" in c.value]
    assert len(neighbours) == 2
    assert all("among all 2,000 images of the sample, whatever the filters show" in c for c in neighbours)


def test_the_area_heading_names_the_map_the_box_was_drawn_on() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    vae = next(m for m in default_pair(load_folder(WEIGHTS_DIR)[0], "mnist-5k", 2) if m.kind == "vae")
    app.session_state["map_area_rows"] = list(range(50))
    app.session_state["map_area_rows_chart"] = f"map-{vae.sha256[:12]}"
    app.run()
    assert_clean(app)
    assert "Selected area: 50 images, drawn on the VAE map" in _subheaders(app)


def test_the_full_view_is_offered_on_fashion() -> None:
    app = open_page("views/latent_map.py", ("fashion-mnist", 2))
    assert not app.radio(key="map_view").disabled
    assert not any("cannot be shown" in c.value for c in app.caption)


def test_one_model_of_a_small_dataset_gets_captions_for_one_map_and_its_whole_pool(
    tmp_path: Path, monkeypatch, vae_file
) -> None:
    serve_only(vae_file, "digits_vae.safetensors", tmp_path, monkeypatch)
    app = open_page("views/latent_map.py")
    deadline = time.monotonic() + 60
    while not charts(app) and time.monotonic() < deadline:  # its map is computed in the background
        time.sleep(0.5)
        app.run()
    assert_clean(app)
    assert len([c for c in charts(app) if any(t.get("name") == "images" for t in c["data"])]) == 1  # one map
    assert any("Click a point in the map to see the image, its reconstruction" in i.value for i in app.info)
    page_caption = next(c.value for c in app.caption if c.value.startswith("Each dot is one of"))
    assert "both maps" not in page_caption and "the whole pool" in page_caption
    view = app.radio(key="map_view")
    assert "all 1,797 images of the pool (quick)" in view.options
    assert view.disabled
    assert any(
        "Every image of the dataset cannot be shown here: digits_vae has no full map" in c.value for c in app.caption
    )
