"""Page logic through Streamlit's AppTest, on the shipped weights: every page, every model group, real widgets."""

from __future__ import annotations

import base64
import gc
import json
import re
import time
import types
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ae_models.fullmap import dataset_rows
from ae_models.library import beta_sweeps, default_models, default_pair, load_folder
from ae_models.pipeline import train_spec
from ae_models.samples import held_out_by, load_sample, sample_path
from ae_models.weights import save_model
from dashboard.map_figure import PRIOR_NAME
from dashboard.page_list import PAGE, PAGES, Page

from .app_support import assert_clean, charts, images, open_page, png_of_a_digit, selected_stars, trace_names
from .conftest import WEIGHTS_DIR, tiny_spec

GROUPS = sorted({(m.dataset, m.latent_dim) for m in load_folder(WEIGHTS_DIR)[0]})


def test_shipped_groups_cover_both_datasets_and_latent_sizes() -> None:
    assert GROUPS == [("fashion-mnist", 2), ("fashion-mnist", 16), ("mnist-5k", 2), ("mnist-5k", 16)]


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: f"{g[0]}-z{g[1]}")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_runs_for_every_model_group(page: Page, group: tuple[str, int]) -> None:
    app = open_page(page.app_path, group)
    assert_clean(app)
    assert app.title, "every page has a title"


def test_overview_shows_a_card_per_model_and_the_gallery() -> None:
    app = open_page("views/overview.py")
    assert_clean(app)
    n_models = len(load_folder(WEIGHTS_DIR)[0])
    assert len([m for m in app.metric if m.label == "epochs"]) == n_models
    assert len(images(app)) == 3  # originals, AE and VAE reconstructions
    intro = " ".join(m.value for m in app.markdown)
    assert "mostly into noise for an AE" not in intro  # false at latent 2, where the AE's draws decode to digits
    assert any("sampled code z" in c.value and "Compression page" in c.value for c in app.caption)


def test_latent_map_selection_fills_the_side_panel_and_toggles_change_the_map() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    assert any("Click a point" in info.value for info in app.info)
    assert PRIOR_NAME in trace_names(app)
    before = charts(app)
    assert selected_stars(app) == {}
    app.session_state["selected_row"] = 7
    app.run()
    assert_clean(app)
    captions = " ".join(c.value for c in app.caption)
    assert "nearest codes in the AE" in captions and "nearest codes in the VAE" in captions
    # the same figures (a changed one is a new chart to the browser, redrawn from scratch); the star goes on top
    assert charts(app) == before
    stars = selected_stars(app)
    assert len(stars) == 2 and {star[2] for star in stars.values()} == {7}
    drawn = sorted(_point_of_row(chart["data"][0], 7).tolist() for chart in charts(app)[:2])
    assert np.allclose(sorted(star[:2] for star in stars.values()), drawn)  # on row 7's point of each map
    sigma = next(t for t in app.toggle if "σ" in t.label)
    sigma.set_value(True).run()
    assert "VAE 1σ ellipses" in trace_names(app)


def _point_of_row(trace: dict, row: int) -> np.ndarray:
    """(x, y) of a sample row in a latent-map trace sent as Plotly's typed arrays (rows in customdata)."""
    x, y, rows = (
        np.frombuffer(base64.b64decode(trace[k]["bdata"]), trace[k]["dtype"]) for k in ("x", "y", "customdata")
    )
    at = int(np.flatnonzero(rows == row)[0])
    return np.array([x[at], y[at]])


def _drawn_rows(chart: dict) -> np.ndarray:
    trace = next(t for t in chart["data"] if t.get("name") == "images")
    return np.frombuffer(base64.b64decode(trace["customdata"]["bdata"]), trace["customdata"]["dtype"])


def test_latent_map_area_selection_shows_its_gallery_classes_mean_codes_and_csv() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    sample = load_sample(sample_path(WEIGHTS_DIR, "mnist-5k"))
    labels = sample.images.labels.numpy()
    rows = [*np.flatnonzero(labels == 3)[:70].tolist(), *np.flatnonzero(labels == 8)[:10].tolist()]
    app.session_state["map_area_rows"] = rows
    app.run()
    assert_clean(app)
    assert any(s.value == "Selected area: 80 images" for s in app.subheader)
    captions = [img.caption for image in app.get("image") for img in image.proto.imgs]
    assert "the first 64 of the 80 selected images" in captions
    bars = next(c for c in charts(app) if c["data"][0]["type"] == "bar")
    assert bars["data"][0]["y"][3] == 70 and bars["data"][0]["y"][8] == 10 and sum(bars["data"][0]["y"]) == 80
    assert sum("the mean code, decoded" in caption for caption in captions) == 2
    assert len([b for b in app.get("download_button") if b.proto.label.startswith("Selection: ")]) == 2


def test_latent_map_finds_an_image_by_row_and_hides_the_other_splits() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    app.number_input(key="map_find_row_sample").set_value(123).run()
    assert_clean(app)
    assert "original, row 123 (" in " ".join(img.caption for image in app.get("image") for img in image.proto.imgs)
    assert len(_drawn_rows(charts(app)[0])) == 2000
    app.pills(key="map_splits_sample").set_value([1]).run()  # validation: none of the two models trained on them
    app.toggle(key="map_hide").set_value(True).run()
    assert_clean(app)
    pair = default_pair(load_folder(WEIGHTS_DIR)[0], "mnist-5k", 2)
    sample = held_out_by(load_sample(sample_path(WEIGHTS_DIR, "mnist-5k")), [m.trained.dataset for m in pair])
    held_out = np.flatnonzero(sample.held_out.numpy())
    assert 0 < len(held_out) < 2000
    assert sorted(_drawn_rows(charts(app)[0]).tolist()) == held_out.tolist()


def test_latent_map_full_view_draws_every_image_and_selects_rows_of_all_of_them() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    app.radio(key="map_view").set_value("full").run()
    assert_clean(app)
    assert "one of 5,000 mnist-5k images (every image of the dataset: training, validation)" in app.caption[0].value
    assert [sorted(_drawn_rows(chart).tolist()) for chart in charts(app)[:2]] == [list(range(5_000))] * 2
    labels = dataset_rows("mnist-5k").images.labels
    app.session_state["full_map_row"] = 4321  # past the 2,000 rows of the sample
    app.session_state["full_map_area_rows"] = list(range(4_000, 4_100))
    app.run()
    assert_clean(app)
    captions = [img.caption for image in app.get("image") for img in image.proto.imgs]
    assert f"original, row 4321 ({labels[4321].item()})" in captions
    assert sum("among all 5,000 images of the dataset, whatever the filters show" in c.value for c in app.caption) == 2
    assert any(s.value == "Selected area: 100 images" for s in app.subheader)
    assert "selected_row" not in app.session_state  # the sample keeps its own selection
    app.radio(key="map_view").set_value("sample").run()
    assert_clean(app)
    assert len(_drawn_rows(charts(app)[0])) == 2000 and not any(
        s.value.startswith("Selected area") for s in app.subheader
    )


def test_a_full_map_that_cannot_be_read_is_named_and_the_sample_shown(tmp_path: Path, monkeypatch) -> None:
    weights = tmp_path / "weights"
    weights.mkdir()
    for entry in WEIGHTS_DIR.iterdir():
        (weights / entry.name).symlink_to(entry)
    broken = weights / "mnist_ae_z2.fullmap.safetensors"
    broken.unlink()
    broken.write_bytes(b"not a full map")
    monkeypatch.setenv("AE_DASHBOARD_WEIGHTS", str(weights))
    monkeypatch.setenv("AE_DASHBOARD_CACHE", str(tmp_path / "cache"))
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    app.radio(key="map_view").set_value("full").run()
    assert not app.exception
    assert any("mnist_ae_z2.fullmap.safetensors" in w.value for w in app.warning)
    assert "(the evaluation sample)" in app.caption[0].value and len(_drawn_rows(charts(app)[0])) == 2000


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
    grid_before = [c for c in charts(app) if c["data"][0]["type"] == "image"]
    next(s for s in app.slider if s.label == "Tiles per side").set_value(7).run()
    grid_after = [c for c in charts(app) if c["data"][0]["type"] == "image"]
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
    assert len(strip) == 3  # AE, VAE, PCA
    app.slider[0].set_value(5).run()
    app.radio[0].set_value("spherical").run()
    assert any(s.value == "Spherical interpolation, 5 steps" for s in app.subheader)
    assert images(app) != strip
    app.selectbox(key="class_B").set_value("7").run()
    assert_clean(app)
    assert any("Endpoint B" in m.value and "(7)" in m.value for m in app.markdown)
    assert "path A→B" in trace_names(app)
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


def test_pages_compare_the_default_pair_not_a_sweep_member() -> None:
    app = open_page("views/compression.py", ("mnist-5k", 16))
    assert_clean(app)
    assert app.sidebar.selectbox(key="vae-mnist-5k-16").value == "mnist_vae_z16"
    assert app.sidebar.selectbox(key="ae-mnist-5k-16").value == "mnist_ae_z16"
    expected = [m.name for m in default_models(load_folder(WEIGHTS_DIR)[0], "mnist-5k")]
    assert list(app.dataframe[0].value["model"]) == expected


def test_a_model_trained_on_another_split_is_scored_on_its_own_held_out_images(tmp_path: Path, monkeypatch) -> None:
    spec = tiny_spec("ae", epochs=1)
    spec = replace(spec, training=replace(spec.training, val_fraction=0.2, split_seed=7))
    weights = tmp_path / "weights"
    save_model(train_spec(spec), weights / "digits_ae.safetensors")
    monkeypatch.setenv("AE_DASHBOARD_WEIGHTS", str(weights))
    monkeypatch.setenv("AE_DASHBOARD_CACHE", str(tmp_path / "cache"))
    app = open_page("views/anomaly.py")
    assert_clean(app)
    held_out = next(m for m in app.metric if m.label == "Normal (held-out) images")
    assert int(held_out.value) == 359  # 20% of the 1,797 digits, all of them in the sample; the default split has 180


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
    assert any("on the black pad" in info.value for info in app.info)
    app.file_uploader(key="own_upload").upload("zero.png", png_of_a_digit(), "image/png")
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


def test_every_chart_on_every_page_is_configured_for_png_export() -> None:
    app = open_page(PAGES[0].app_path, ("mnist-5k", 2))
    charts_on: dict[str, int] = {}
    for page in PAGES:
        app.switch_page(page.app_path).run()
        configs = [json.loads(chart.proto.config) for chart in app.get("plotly_chart")]
        assert all(c["toImageButtonOptions"]["format"] == "png" for c in configs), page.name
        charts_on[page.name] = len(configs)
    with_charts = {"latent_map", "interpolation", "sampling", "training_curves", "anomaly", "compression"}
    with_charts |= {"latent_anatomy", "prior_codes", "train_live"}  # train live draws its empty loss axes at rest
    assert {name for name, count in charts_on.items() if count} == with_charts, charts_on


def test_presentation_mode_enlarges_figure_text() -> None:
    app = open_page("views/sampling.py", ("mnist-5k", 2))
    assert all(c["layout"].get("font", {}).get("size") != 20 for c in charts(app))
    app.sidebar.toggle(key="presentation_mode").set_value(True).run()
    assert_clean(app)
    assert all(c["layout"]["font"]["size"] == 20 for c in charts(app))


def notes(app: AppTest) -> list[str]:
    return [c.value for c in app.caption if c.value.startswith("**What to notice:**")]


def test_training_curves_follow_the_sidebar_on_the_same_page() -> None:
    """Defect: after the sidebar changed on this page, the curves kept showing the previous group."""
    app = open_page("views/training_curves.py", ("mnist-5k", 2))
    assert set(app.multiselect(key="curve_models").value) == {"mnist_ae_z2", "mnist_vae_z2"}
    app.sidebar.selectbox(key="group").set_value(("fashion-mnist", 2)).run()
    assert_clean(app)
    assert set(app.multiselect(key="curve_models").value) == {"fashion_ae_z2", "fashion_vae_z2"}
    legend = {t["name"] for t in charts(app)[0]["data"] if t.get("showlegend", True)}
    assert all(name.startswith("fashion_") for name in legend)
    layout = charts(app)[0]["layout"]  # defect: log ticks read "5, 4, 3, 2, 100, 9": every label a whole number
    for axis in ("yaxis", "yaxis3"):
        values, texts = layout[axis]["tickvals"], layout[axis]["ticktext"]
        assert layout[axis]["type"] == "log" and len(values) >= 3 and texts == [f"{v:g}" for v in values]
        assert min(values) >= 10  # nats per image are tens to hundreds here, never a bare digit


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: f"{g[0]}-z{g[1]}")
def test_interpolation_shows_pcas_cross_fade_under_the_models(group: tuple[str, int]) -> None:
    app = open_page("views/interpolation.py", group)
    assert_clean(app)
    titles = [image.proto.imgs[0].caption for image in app.get("image")]
    assert [t.split(" ·")[0] for t in titles] == ["AE", "VAE", "PCA"]
    assert titles[2].startswith(f"PCA · {group[1]} components, linear")
    assert any(c.value.startswith("PCA is linear, so its row is a cross-fade") for c in app.caption)
    assert "The PCA's steps read as" in notes(app)[0]


def test_interpolation_defaults_are_rebuilt_as_their_class_and_follow_the_group() -> None:
    """Defect: the default MNIST latent-2 endpoint A (the first held-out 0) came back from the AE as another digit."""
    from ae_models.recognition import rebuilt_as_own_class
    from ae_models.samples import load_sample, sample_path

    for group, prefix in ((("mnist-5k", 2), "mnist"), (("fashion-mnist", 16), "fashion")):
        app = open_page("views/interpolation.py", group)
        assert_clean(app)
        rows = [app.session_state[f"endpoint_{e}"] for e in "AB"]
        sample = load_sample(sample_path(WEIGHTS_DIR, group[0]))
        networks = [m.network for m in load_folder(WEIGHTS_DIR)[0] if m.name in (
            f"{prefix}_ae_z{group[1]}", f"{prefix}_vae_z{group[1]}")]  # fmt: skip
        assert len(networks) == 2 and rebuilt_as_own_class(networks, sample, rows).all()
        names = sample.images.class_names
        assert app.selectbox(key="class_A").value == names[int(sample.images.labels[rows[0]])]
        assert any("Each step's class" in n for n in notes(app))
    app.sidebar.selectbox(key="group").set_value(("mnist-5k", 2)).run()  # the same session, another dataset
    assert app.selectbox(key="class_B").value == "1" and app.selectbox(key="class_A").value == "0"


def test_interpolation_note_lists_the_classes_the_default_strips_pass_through() -> None:
    """Defect: at MNIST latent 2, 0 -> 1, the note said "no detour" while the strips read as 4 and 9 (AE) and
    5, 3, 9, 7 (VAE) on the way. The note names, per model, every class the judge reads in its frames, in order."""
    from ae_models.latent_ops import decode_codes, interpolate
    from ae_models.recognition import classify_like
    from ae_models.samples import load_sample, sample_path
    from dashboard.notes import path_reading

    app = open_page("views/interpolation.py", ("mnist-5k", 2))
    note = notes(app)[0]
    rows = [app.session_state[f"endpoint_{e}"] for e in "AB"]
    sample = load_sample(sample_path(WEIGHTS_DIR, "mnist-5k")).images
    others = np.setdiff1d(np.arange(len(sample.labels)), rows)
    passed = set()
    for model in default_pair(load_folder(WEIGHTS_DIR)[0], "mnist-5k", 2):
        codes = model.network.encode(sample.images[rows]).mean
        frames = decode_codes(model.network, interpolate(codes[0], codes[1], 10, "linear"))
        judged = classify_like(frames, sample.images[others], sample.labels[others])
        read = [sample.class_names[i] for i in judged.classes.tolist()]
        runs = [name for name, *_ in path_reading([(name, 1.0) for name in read])]
        listed = re.search(rf"The {model.kind.upper()}'s steps read as (.*?)\.( |$)", note).group(1)
        assert [part.split(" (")[0] for part in listed.split(" → ")] == runs
        passed |= set(read) - {read[0], read[-1]}
    assert passed, "the default strips pass through other classes: the case this guards"


def test_interpolation_note_says_when_a_model_cannot_rebuild_an_endpoint() -> None:
    """Defect: "9 → 7 (a detour through 9)" when the AE rebuilt the start, a 3, as a 9: say that instead."""
    app = open_page("views/interpolation.py", ("mnist-5k", 2))
    app.selectbox(key="class_A").set_value("3").run()
    app.selectbox(key="class_B").set_value("7").run()
    assert_clean(app)
    note = notes(app)[0]
    assert "The AE's steps read as" in note and "cannot rebuild the 3: its first step reads as" in note
    assert "detour through" not in note


def test_sampling_notes_count_the_draws_outside_each_models_codes_and_the_washed_out_ones() -> None:
    """Defect: the caption said the AE's prior draws decode to smudges; at MNIST latent 2 they land in its codes."""
    from ae_models.coverage import code_region, contrast, contrast_floor, decoder_inputs
    from ae_models.latent_maps import load_map
    from ae_models.latent_ops import decode_codes, prior_codes
    from ae_models.samples import load_sample, sample_path

    models = {m.name: m.network for m in load_folder(WEIGHTS_DIR)[0]}
    smudgier, ae_counts = [], {}
    for group, prefix in ((("mnist-5k", 2), "mnist"), (("fashion-mnist", 16), "fashion")):
        app = open_page("views/sampling.py", group)
        assert_clean(app)
        images = load_sample(sample_path(WEIGHTS_DIR, group[0])).images.images
        outside, washed = [], []
        for kind in ("ae", "vae"):
            name = f"{prefix}_{kind}_z{group[1]}"
            latent_map = load_map(WEIGHTS_DIR / f"{name}.map.safetensors")
            draws = prior_codes(24, group[1], 0)
            outside.append(int(code_region(decoder_inputs(latent_map.codes, latent_map.logvar)).outside(draws).sum()))
            decoded = decode_codes(models[name], draws)
            washed.append(int((contrast(decoded) < contrast_floor(models[name], images)).sum()))
        note = notes(app)[0]
        assert (
            f"trained on: AE {outside[0]}, VAE {outside[1]}; decoded washed out: AE {washed[0]}, VAE {washed[1]}"
            in note
        )
        assert "smudges" not in " ".join(m.value for m in app.markdown)
        smudgier.append(washed[0] > washed[1] + 24 // 8)  # the note's rule: more than an eighth of the draws
        assert ("AE's samples are the smudgier" in note) == smudgier[-1]
        assert "never asked" not in note  # defect: said so right after counting 0 AE draws outside its codes
        assert outside[1] <= 2  # the intro's claim: the VAE's draws land where its decoder has learned to draw
        ae_counts[prefix] = (outside[0], washed[0])
    assert any(smudgier)  # a shipped pair shows the verdict (MNIST latent 2: AE 8 washed out, VAE 2)
    assert ae_counts["mnist"][0] == 0 < ae_counts["mnist"][1]  # MNIST's 2-D AE: draws near its codes, some washed out


def test_sampling_note_says_when_the_ae_samples_only_a_few_classes() -> None:
    """Defect: at MNIST latent 2, seed 7, the AE's draws are all 2s and 6s, yet "both sample about equally well"."""
    app = open_page("views/sampling.py", ("mnist-5k", 2))
    app.number_input(key="sampling_seed").set_value(7).run()
    assert_clean(app)
    note = notes(app)[0]
    ae, vae = (int(n) for n in note.split("classes the draws read as: AE ")[1].split(".")[0].split(", VAE "))
    assert ae <= 3 < 8 <= vae and "about equally well" not in note and "far less variety" in note


def test_decoded_plane_frames_each_model_on_its_own_codes() -> None:
    """Defect: both planes showed +-2.5 around the origin while the MNIST AE's codes span about -20..60."""
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    assert_clean(app)
    grids = {c["layout"]["title"]["text"]: c for c in charts(app) if c["data"][0]["type"] == "image"}
    spans = {title.split(" ·")[0]: [float(t) for t in c["layout"]["xaxis"]["ticktext"]] for title, c in grids.items()}
    assert spans["AE"][-1] - spans["AE"][0] > 30 and spans["VAE"][-1] - spans["VAE"][0] < 10
    assert all(len(c["layout"]["shapes"]) == 1 for c in grids.values())  # the prior's circle on each
    app.radio(key="plane_frame").set_value("the prior's ±3").run()
    grids = [c for c in charts(app) if c["data"][0]["type"] == "image"]
    assert all(c["layout"]["xaxis"]["ticktext"][0] == "-3.0" for c in grids)
    assert any("tiles" in n for n in notes(app)) and any("nearest code" in n for n in notes(app))
    app.radio(key="plane_frame").set_value("each model's codes").run()
    framed = next(n for n in notes(app) if "Codes inside each frame" in n)  # defect: the frame cut codes silently
    shares = [int(p.split("%")[0]) for p in framed.split("Codes inside each frame: ")[1].split(";")[0].split(" ")[1::2]]
    assert len(shares) == 2 and all(90 <= share < 100 for share in shares)


def test_latent_map_highlight_greys_the_other_classes() -> None:
    app = open_page("views/latent_map.py", ("mnist-5k", 2))
    app.pills(key="map_highlight").set_value([3]).run()
    assert_clean(app)
    points = next(t for t in charts(app)[0]["data"] if t.get("name") == "images")
    assert {colour for _, colour in points["marker"]["colorscale"]} == {"#d62728", "#d0d0d0"}  # 3 red, others grey


def test_denoising_note_is_measured_and_says_when_a_model_is_worse_than_the_input() -> None:
    """Defect: the page said a plain AE returns a clean-looking image; at latent 16 it returns blobs at ~4 dB."""
    app = open_page("views/denoising.py", ("mnist-5k", 16))
    assert_clean(app)
    note = notes(app)[0]
    damaged = float(note.split("scores ")[1].split(" dB")[0])
    captions = {image.proto.imgs[0].caption.split(" ·")[0]: image.proto.imgs[0].caption for image in app.get("image")}
    ae = float(captions["AE"].split("PSNR ")[1].split(" dB")[0])
    assert ae < damaged - 0.5 and "AE " + f"{ae:.1f} dB" in note and "worse than doing nothing" in note
    assert "better than doing nothing" in note.split("AE (denoising)")[1]  # the shipped DAE does help
    plain = note.split("; AE (denoising)")[0].split("AE ")[1]  # the grey blobs must not count as the right class
    assert int(plain.split("; ")[1].split(" of ")[0]) <= 1 and "look like no real image" in plain
    assert "clean-looking" not in " ".join(m.value for m in app.markdown)


def test_compression_states_the_raw_baseline_png_jpeg_and_decoder_size() -> None:
    app = open_page("views/compression.py", ("fashion-mnist", 16))
    assert_clean(app)
    table = app.dataframe[0].value
    assert {"PNG bytes (lossless)", "JPEG bytes at that PSNR", "decoder (MB)"} <= set(table.columns)
    assert (table["JPEG PSNR (dB)"] >= table["PSNR (dB)"] - 0.05).all()
    assert all("Raw is 784 bytes" in n and "MB decoder" in n for n in notes(app))
    # defect: 68.48 here against the Overview card's 76.0 with no word on why; the column says what it measures
    assert "reconstruction (nats, held-out sample, through μ)" in table.columns
    bars = [t for c in charts(app) for t in c["data"] if t["type"] == "bar"]  # defect: two same-colour entries
    assert len({b["marker"]["color"] for b in bars}) == len(bars) == len({b["name"] for b in bars}) >= 2


def test_anomaly_histograms_carry_the_threshold_and_the_extremes_are_shown_with_scores() -> None:
    app = open_page("views/anomaly.py", ("mnist-5k", 2))
    assert_clean(app)
    lines = [s["x0"] for c in charts(app) if c["data"][0]["type"] == "histogram" for s in c["layout"]["shapes"]]
    assert len(lines) == 2
    app.slider(key="anomaly_percentile").set_value(60.0).run()
    moved = [s["x0"] for c in charts(app) if c["data"][0]["type"] == "histogram" for s in c["layout"]["shapes"]]
    assert all(m < line for m, line in zip(moved, lines, strict=True))
    scored = [img for image in app.get("image") for img in image.proto.imgs if img.caption.replace(".", "").isdigit()]
    assert len(scored) == 2 * 2 * 2 * 6  # models x sets x ends x images
    assert "At the 60th percentile" in notes(app)[0]


def _live_namespaces(page: Page) -> int:
    """Runs of this page whose module namespace is still alive (each run executes the page in a fresh one)."""
    gc.collect()
    spaces = {
        id(f.__globals__)
        for f in gc.get_objects()
        if isinstance(f, types.FunctionType) and f.__globals__.get("__file__") == str(page.file)
    }
    return len(spaces)


@pytest.mark.parametrize(
    ("page", "vary"),
    [
        ("interpolation", lambda app, n: app.slider(key="interpolation_steps").set_value(4 + n)),
        ("latent_map", lambda app, n: app.session_state.__setitem__("selected_row", 10 + n)),
        ("prior_codes", lambda app, n: app.session_state.__setitem__("prior_codes_hole_VAE", (0.5 + 0.1 * n, 0.5))),
    ],
)
def test_reruns_that_redraw_a_clickable_map_do_not_keep_their_page_alive(page: str, vary) -> None:
    """Defect: each rerun that changed a clickable map left its page's whole namespace (tensors, pictures,
    figures) alive for the session's life: Streamlit keeps every chart's on_select callback, a chart's id changes
    with its figure, and the callback was a function of the page. Server memory grew 60 % in 5 minutes."""
    app = open_page(PAGE[page].app_path)
    for n in range(6):
        vary(app, n)
        app.run()
    assert_clean(app)
    assert _live_namespaces(PAGE[page]) <= 2  # the last run's, and at most one on its way out
