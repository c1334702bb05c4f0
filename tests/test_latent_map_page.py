"""The latent map page's selections and captions stay true of what it shows: across a switch of dataset or latent
size, with one model loaded, with filters on (AppTest)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ae_models.fullmap import load_full_map, nearest_rows, place_codes
from ae_models.library import default_pair, load_folder
from ae_models.samples import load_sample, sample_path
from ae_models.user_images import read_image, to_mnist_style
from dashboard.map_figure import PRIOR_NAME, RINGED_NAME

from .app_support import (
    assert_clean,
    chart_values,
    charts,
    notices,
    open_page,
    png_of_a_digit,
    selected_stars,
    serve_only,
    trace_names,
)
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


def _image_captions(app) -> list[str]:
    return [img.caption for image in app.get("image") for img in image.proto.imgs]


def _trace(chart: dict, name: str) -> dict | None:
    return next((t for t in chart["data"] if t.get("name") == name), None)


def _maps(app) -> dict[str, dict]:
    """Model kind ("AE", "VAE") -> its map's chart."""
    return {c["layout"]["title"]["text"].split(" · ")[0]: c for c in charts(app) if _trace(c, "images") is not None}


def _maps_drawn(app) -> list[dict]:
    """The two maps' charts, whether dots or density."""
    return [c for c in charts(app) if c["data"][0].get("name") in ("images", "density")]


def test_the_selected_image_stays_selected_across_the_sample_and_full_views() -> None:
    """A sample row names the pool's image pool_index[row], which is that row of the full map, and back."""
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    sample = load_sample(sample_path(WEIGHTS_DIR, "mnist-5k"))
    full_row = int(sample.pool_index[7])
    assert full_row != 7  # the sample is not the pool's first rows: the switch has to translate
    app.session_state["selected_row"] = 7
    app.run()
    app.radio(key="map_view").set_value("full").run()
    assert_clean(app)
    assert any(c.startswith(f"original, row {full_row} (") for c in _image_captions(app))
    assert app.number_input(key="map_find_row_full").value == full_row
    assert selected_stars(app) and all(star[2] == full_row for star in selected_stars(app).values())
    app.radio(key="map_view").set_value("sample").run()
    assert any(c.startswith("original, row 7 (") for c in _image_captions(app))
    assert app.number_input(key="map_find_row_sample").value == 7
    outside = min(set(range(5_000)) - set(sample.pool_index.tolist()))  # an image the sample does not hold
    app.radio(key="map_view").set_value("full").run()
    app.number_input(key="map_find_row_full").set_value(outside).run()
    app.radio(key="map_view").set_value("sample").run()
    assert_clean(app)
    assert not any(c.startswith("original, row") for c in _image_captions(app))
    assert any(f"Image {outside:,} of the dataset is not in the sample" in n for n in notices(app))


def test_the_row_box_shows_the_row_a_click_selected() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    assert app.number_input(key="map_find_row_sample").value is None
    app.session_state["selected_row"] = 12  # what a click's callback (session.remember_map_selection) sets
    app.run()
    assert_clean(app)
    assert app.number_input(key="map_find_row_sample").value == 12


def test_an_area_drawn_on_one_map_is_ringed_on_the_other() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    ae = next(m for m in default_pair(load_folder(WEIGHTS_DIR)[0], "mnist-5k", 2) if m.kind == "ae")
    rows = list(range(100, 160))
    app.session_state["map_area_rows"] = rows
    app.session_state["map_area_rows_chart"] = f"map-{ae.sha256[:12]}"
    app.run()
    assert_clean(app)
    maps = _maps(app)
    assert _trace(maps["AE"], RINGED_NAME) is None  # Plotly shows the selection on the map it was drawn on
    ring, images = _trace(maps["VAE"], RINGED_NAME), _trace(maps["VAE"], "images")
    where = dict(zip(chart_values(images["customdata"]).tolist(), zip(
        chart_values(images["x"]).tolist(), chart_values(images["y"]).tolist(), strict=True
    ), strict=True))  # fmt: skip
    ringed = list(zip(chart_values(ring["x"]).tolist(), chart_values(ring["y"]).tolist(), strict=True))
    assert ringed == [where[r] for r in rows]  # the same images, where the VAE puts them
    assert any("ringed on the VAE map" in c.value for c in app.caption)


def test_a_drawn_or_uploaded_image_lands_on_the_full_map_chosen_on_either_page() -> None:
    """One "Images on the map" choice for the latent map and Your own image; on a UMAP full map the image is
    placed among every image of the dataset, and its neighbours are searched over all of them."""
    app = open_page("views/latent_map.py", ("mnist-5k", 16))
    app.radio(key="map_view").set_value("full").run()
    app.switch_page("views/own_image.py").run()
    app.file_uploader(key="own_upload").upload("zero.png", png_of_a_digit(), "image/png")
    app.run()
    assert_clean(app)
    assert app.radio(key="map_view").value == "full"
    vae = next(m for m in default_pair(load_folder(WEIGHTS_DIR)[0], "mnist-5k", 16) if m.kind == "vae")
    full = load_full_map(vae.path, vae.trained)
    gray, _ = read_image(png_of_a_digit())
    code = vae.network.encode(to_mnist_style(gray).unsqueeze(0)).mean
    drawn = _maps(app)["VAE"]
    assert len(chart_values(_trace(drawn, "images")["customdata"])) == 5_000
    yours = _trace(drawn, "your image")
    expected = place_codes(full, code)[0]
    assert np.allclose([chart_values(yours["x"])[0], chart_values(yours["y"])[0]], expected.numpy(), atol=1e-4)
    neighbours, _ = nearest_rows(full, code[0], 8)
    names = ", ".join(full.images.class_names[i] for i in full.labels[neighbours].tolist())
    assert f"8 nearest codes in the VAE among the 5,000 images of the dataset: {names}" in [
        c.value for c in app.caption
    ]
    app.radio(key="map_view").set_value("sample").run()  # and back on the latent map, the choice holds
    app.switch_page("views/latent_map.py").run()
    assert app.radio(key="map_view").value == "sample"
    assert any("(the evaluation sample)" in c.value for c in app.caption)


def test_captions_of_the_full_density_view_say_what_it_draws() -> None:
    """The density view draws cells, not dots to colour or click; the notes below the full map say they were
    measured on the sample (the full map has 68,000 more images, some in the sample's gaps)."""
    app = open_page("views/latent_map.py", ("fashion-mnist", 2))
    app.radio(key="map_view").set_value("full").run()
    app.toggle(key="map_density").set_value(True).run()
    assert_clean(app)
    page_caption = app.caption[0].value
    assert page_caption.startswith("Each cell counts how many of the 70,000 fashion-mnist images (every image of")
    assert "Each dot" not in page_caption and "Click a point" not in page_caption
    assert {c["data"][0]["type"] for c in _maps_drawn(app)} == {"heatmap"}
    plane = next(c.value for c in app.caption if "tiles decode codes" in c.value)
    assert plane.endswith("Measured on the 2,000-image sample.")
