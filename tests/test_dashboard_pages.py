"""Page logic through Streamlit's AppTest, on the shipped weights: every page, every model group, real widgets."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ae_models.library import beta_sweeps, load_folder

from .conftest import REPO_ROOT, WEIGHTS_DIR

APP = str(REPO_ROOT / "dashboard" / "app.py")
PAGES = [
    "views/overview.py",
    "views/latent_map.py",
    "views/interpolation.py",
    "views/sampling.py",
    "views/training_curves.py",
]
GROUPS = sorted({(m.dataset, m.latent_dim) for m in load_folder(WEIGHTS_DIR)[0]})


def open_page(page: str, group: tuple[str, int] | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    if group is not None:
        app.sidebar.selectbox(key="group").set_value(group).run()
    app.switch_page(page).run()
    return app


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def images(app: AppTest) -> list[str]:
    return [image.proto.imgs[0].url for image in app.get("image")]


def charts(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def trace_names(app: AppTest) -> set[str]:
    return {trace.get("name") for chart in charts(app) for trace in chart["data"]}


def test_shipped_groups_cover_both_datasets_and_latent_sizes() -> None:
    assert GROUPS == [("fashion-mnist", 2), ("fashion-mnist", 16), ("mnist-5k", 2), ("mnist-5k", 16)]


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: f"{g[0]}-z{g[1]}")
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_for_every_model_group(page: str, group: tuple[str, int]) -> None:
    app = open_page(page, group)
    assert_clean(app)
    assert app.title, "every page has a title"


def test_overview_shows_a_card_per_model_and_the_gallery() -> None:
    app = open_page("views/overview.py")
    assert_clean(app)
    n_models = len(load_folder(WEIGHTS_DIR)[0])
    assert len([m for m in app.metric if m.label == "epochs"]) == n_models
    assert len(images(app)) == 3  # originals, AE and VAE reconstructions


def test_latent_map_selection_fills_the_side_panel_and_toggles_change_the_map() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    assert any("Click a point" in info.value for info in app.info)
    assert "N(0, I) prior" in trace_names(app)
    app.session_state["selected_row"] = 7
    app.run()
    assert_clean(app)
    captions = " ".join(c.value for c in app.caption)
    assert "nearest codes in the AE" in captions and "nearest codes in the VAE" in captions
    assert "selected" in trace_names(app)
    sigma = next(t for t in app.toggle if "σ" in t.label)
    sigma.set_value(True).run()
    assert "1σ posterior (VAE)" in trace_names(app)


def test_latent_map_probe_and_grid_respond_to_sliders() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    before = images(app)
    assert "decoded point" not in trace_names(app)
    app.toggle(key="probe_on").set_value(True).run()
    assert "decoded point" in trace_names(app)
    app.slider(key="probe_z1").set_value(2.0).run()
    assert_clean(app)
    assert any("Decoded at z = (2.00, 0.00)" in s.value for s in app.subheader)
    assert images(app) != before
    grid_before = [c for c in charts(app) if "Decoded grid" in c["layout"]["title"]["text"]]
    next(s for s in app.slider if s.label == "Tiles per side").set_value(7).run()
    grid_after = [c for c in charts(app) if "Decoded grid" in c["layout"]["title"]["text"]]
    assert len(grid_after[0]["layout"]["xaxis"]["ticktext"]) == 7 != len(grid_before[0]["layout"]["xaxis"]["ticktext"])


def test_umap_map_is_labelled_as_such() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 16))
    assert_clean(app)
    axis_titles = {c["layout"]["xaxis"]["title"]["text"] for c in charts(app)}
    assert axis_titles == {"UMAP 1"}


def test_interpolation_follows_steps_method_and_endpoints() -> None:
    app = open_page("views/interpolation.py", ("mnist-5k", 2))
    assert_clean(app)
    assert any(s.value == "Linear interpolation, 10 steps" for s in app.subheader)
    strip = images(app)
    assert len(strip) == 2
    app.slider[0].set_value(5).run()
    app.radio[0].set_value("spherical").run()
    assert any(s.value == "Spherical interpolation, 5 steps" for s in app.subheader)
    assert images(app) != strip
    app.selectbox(key="class_B").set_value("7").run()
    assert_clean(app)
    assert any("Endpoint B" in m.value and "(7)" in m.value for m in app.markdown)
    assert "interpolation path" in trace_names(app)
    assert len(app.get("download_button")) == 2


def test_sampling_seed_and_temperature_change_the_samples() -> None:
    app = open_page("views/sampling.py", ("mnist-5k", 2))
    assert_clean(app)
    first = images(app)
    app.number_input[0].set_value(7).run()
    assert_clean(app)
    second = images(app)
    assert first[0] != second[0] and first[1] != second[1]
    assert any("seed 7" in image.proto.imgs[0].caption for image in app.get("image"))
    next(s for s in app.slider if s.label.startswith("Temperature")).set_value(0.5).run()
    assert images(app)[0] != second[0]
    assert "prior draws" in trace_names(app)


def test_training_curves_follow_the_chosen_models() -> None:
    app = open_page("views/training_curves.py")
    assert_clean(app)
    curves = charts(app)[0]
    assert len(curves["data"]) == 2 * 3 * 2  # two models x three panels x (train, val)
    names = app.multiselect[0].options
    app.multiselect[0].set_value(names[:3]).run()
    assert len(charts(app)[0]["data"]) == 3 * 3 * 2
    sweeps = beta_sweeps(load_folder(WEIGHTS_DIR)[0])
    drawn = [c for c in charts(app) if "β sweep" in c["layout"]["title"]["text"]]
    assert len(drawn) == len(sweeps) >= 1
    assert [len(c["data"][0]["text"]) for c in drawn] == [len(group) for group in sweeps.values()]


def test_corrupt_upload_shows_a_message_and_the_app_keeps_working(tmp_path: Path) -> None:
    app = open_page("views/overview.py")
    app.sidebar.file_uploader[0].upload(
        "broken.safetensors", b"\x00\x01 definitely not weights", "application/octet-stream"
    )
    app.run()
    assert not app.exception
    assert any(e.value.startswith("` broken.safetensors ` could not be loaded") for e in app.sidebar.error)
    app.switch_page("views/sampling.py").run()
    assert not app.exception and app.title


def test_valid_upload_is_added_and_selected(tmp_path: Path) -> None:
    source = next(WEIGHTS_DIR.glob("mnist_ae_z2.safetensors"))
    app = open_page("views/overview.py")
    app.sidebar.file_uploader[0].upload("my_model.safetensors", source.read_bytes(), "application/octet-stream")
    app.run()
    assert_clean(app)
    assert any("upload:my_model" in str(option) for option in app.sidebar.selectbox[1].options)


def test_a_model_without_a_map_gets_one_computed_in_the_background(tmp_path: Path, monkeypatch, vae_file) -> None:
    weights, cache = tmp_path / "weights", tmp_path / "cache"
    weights.mkdir()
    (weights / "digits_vae.safetensors").write_bytes(vae_file.read_bytes())
    (weights / "garbage.safetensors").write_bytes(b"not weights at all")
    monkeypatch.setenv("AE_DASHBOARD_WEIGHTS", str(weights))
    monkeypatch.setenv("AE_DASHBOARD_CACHE", str(cache))
    app = open_page("views/latent_map.py")
    assert not app.exception
    assert any("could not be loaded" in e.label for e in app.sidebar.expander)
    deadline = time.monotonic() + 60
    while not charts(app) and time.monotonic() < deadline:
        time.sleep(0.5)
        app.run()
    assert_clean(app)
    assert charts(app)[0]["layout"]["title"]["text"] == "VAE · digits_vae"
    assert len(list((cache / "maps").glob("*.map.safetensors"))) == 1
    assert sorted(p.name for p in weights.iterdir()) == ["digits_vae.safetensors", "garbage.safetensors"]


def _png_of_a_digit() -> bytes:
    import io

    from PIL import Image, ImageDraw

    picture = Image.new("L", (90, 120), 255)
    ImageDraw.Draw(picture).ellipse((15, 15, 75, 105), outline=0, width=10)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def test_anomaly_page_scores_thresholds_and_switches_score_kind() -> None:
    app = open_page("views/anomaly.py", ("mnist-5k", 2))
    assert_clean(app)
    assert "anomalies" in trace_names(app) and any("AUC" in name for name in trace_names(app))
    caught = [m.value for m in app.metric if m.label == "caught"]
    app.slider[0].set_value(60.0).run()
    alarms_60 = [m.value for m in app.metric if m.label == "false alarms"]
    app.slider[0].set_value(99.0).run()
    alarms_99 = [m.value for m in app.metric if m.label == "false alarms"]
    assert all(int(a) > int(b) for a, b in zip(alarms_60, alarms_99, strict=True)) and caught
    app.radio[1].set_value("distance in latent space").run()
    assert_clean(app)
    titles = {c["layout"]["xaxis"]["title"]["text"] for c in charts(app) if c["data"][0]["type"] == "histogram"}
    assert titles == {"score (latent distance)"}
    app.radio[0].set_value("pure noise").run()
    assert_clean(app)
    assert len(app.get("download_button")) == 1


def test_denoising_shows_the_denoiser_and_reacts_to_the_damage() -> None:
    app = open_page("views/denoising.py", ("mnist-5k", 2))
    assert_clean(app)
    captions = [image.proto.imgs[0].caption for image in app.get("image")]
    assert any("(denoising) · mnist_dae_z16" in c and "PSNR" in c for c in captions)
    before = images(app)
    app.radio[0].set_value("masked-square").run()
    assert_clean(app)
    assert images(app)[1] != before[1]
    app.slider[0].set_value(0.8).run()
    assert any("strength 0.8" in image.proto.imgs[0].caption for image in app.get("image"))


def test_own_image_upload_good_and_bad() -> None:
    app = open_page("views/own_image.py", ("mnist-5k", 2))
    assert any("Draw on the black pad" in info.value for info in app.info)
    app.file_uploader(key="own_upload").upload("zero.png", _png_of_a_digit(), "image/png")
    app.run()
    assert_clean(app)
    assert any(image.proto.imgs[0].caption == "prepared input (28x28)" for image in app.get("image"))
    assert "your image" in trace_names(app)
    app.file_uploader(key="own_upload").upload("zero.png", b"GIF89a broken", "image/gif")
    app.run()
    assert not app.exception
    assert any("That image cannot be used" in e.value for e in app.error)


def test_compression_table_follows_the_code_precision() -> None:
    app = open_page("views/compression.py", ("mnist-5k", 2))
    assert_clean(app)
    table = app.dataframe[0].value
    assert set(table["latent size"]) == {2, 16}
    assert list(table["code bytes"]) == [4 * z for z in table["latent size"]]
    app.radio[0].set_value("float16").run()
    halved = app.dataframe[0].value
    assert list(halved["code bytes"]) == [2 * z for z in halved["latent size"]]


def test_every_chart_is_configured_for_png_export() -> None:
    app = open_page("views/anomaly.py", ("mnist-5k", 2))
    configs = [json.loads(chart.proto.config) for chart in app.get("plotly_chart")]
    assert configs and all(c["toImageButtonOptions"]["format"] == "png" for c in configs)


def test_presentation_mode_enlarges_figure_text() -> None:
    app = open_page("views/sampling.py", ("mnist-5k", 2))
    assert all(c["layout"].get("font", {}).get("size") != 20 for c in charts(app))
    app.sidebar.toggle(key="presentation_mode").set_value(True).run()
    assert_clean(app)
    assert all(c["layout"]["font"]["size"] == 20 for c in charts(app))
