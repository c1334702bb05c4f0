"""The view in the URL, through AppTest: a link opens the same view, bad or stale values fall back with a notice."""

from __future__ import annotations

import pytest

from dashboard import replica, url_state

from .app_support import notices, open_link


def test_a_link_opens_the_sampling_view_it_names() -> None:
    link = {"group": "fashion-mnist.z16", "seed": "7", "temperature": "1.5", "samples": "16", "present": "1"}
    app = open_link(link, "views/sampling.py")
    assert app.sidebar.selectbox(key="group").value == ("fashion-mnist", 16)
    assert app.number_input(key="sampling_seed").value == 7
    assert app.slider(key="sampling_temperature").value == 1.5
    assert app.slider(key="sampling_count").value == 16
    assert app.sidebar.toggle(key=url_state.PRESENTATION_KEY).value is True
    assert any("seed 7" in image.proto.imgs[0].caption for image in app.get("image"))
    assert notices(app) == []
    # and the view writes itself back: the same parameters (plus the models it resolved) are in the URL
    assert link.items() <= app.query_params.items()
    assert app.query_params["vae"] == "fashion_vae_z16"


def test_a_link_opens_the_interpolation_view_it_names() -> None:
    app = open_link({"a": "3", "b": "40", "path": "spherical", "steps": "5"}, "views/interpolation.py")
    assert any(s.value == "Spherical interpolation, 5 steps" for s in app.subheader)
    assert any(m.value.startswith("**Endpoint A**: row 3 ") for m in app.markdown)
    assert any(m.value.startswith("**Endpoint B**: row 40 ") for m in app.markdown)


def test_a_links_endpoint_wins_over_its_selected_point() -> None:
    app = open_link({"row": "12", "a": "3", "b": "40"}, "views/interpolation.py")
    assert any(m.value.startswith("**Endpoint A**: row 3 ") for m in app.markdown)


def test_a_link_selects_the_models_and_the_row_on_the_latent_map() -> None:
    app = open_link({"group": "mnist-5k.z16", "vae": "mnist_sweep_beta4", "row": "12"}, "views/latent_map.py")
    assert app.sidebar.selectbox(key="vae-mnist-5k-16").value == "mnist_sweep_beta4"
    assert any("nearest codes in the VAE" in c.value for c in app.caption)
    assert app.query_params["row"] == "12"


def test_a_link_selects_a_row_of_the_full_map() -> None:
    """`frow` names a row of every image (4321: past the 2,000 of the sample), `row` a row of the sample."""
    app = open_link({"group": "mnist-5k.z2", "map": "full", "frow": "4321"}, "views/latent_map.py")
    assert notices(app) == []
    assert any(img.caption.startswith("original, row 4321 (") for image in app.get("image") for img in image.proto.imgs)
    assert app.query_params["frow"] == "4321" and app.query_params["map"] == "full"
    app.number_input(key="map_find_row_full").set_value(17).run()
    assert app.query_params["frow"] == "17"


def test_changes_are_written_to_the_url() -> None:
    app = open_link({}, "views/sampling.py")
    app.number_input(key="sampling_seed").set_value(11).run()
    assert app.query_params["seed"] == "11"
    app.sidebar.selectbox(key="group").set_value(("mnist-5k", 16)).run()
    assert app.query_params["group"] == "mnist-5k.z16"


def test_a_page_keeps_its_values_while_the_visitor_is_on_another_page() -> None:
    app = open_link({}, "views/sampling.py")
    app.number_input(key="sampling_seed").set_value(11).run()
    app.switch_page("views/overview.py").run()
    assert app.query_params["seed"] == "11"
    app.switch_page("views/sampling.py").run()
    assert app.number_input(key="sampling_seed").value == 11


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("group", "no-such-data.z3"),  # a dataset this server does not have
        ("group", "mnist-5k"),  # no latent size
        ("ae", "deleted_model"),  # a model that is gone
        ("row", "999999"),  # past the end of the evaluation sample
        ("row", "-1"),
        ("frow", "5000"),  # past the end of mnist-5k's full map (5,000 images)
        ("a", "12abc"),
        ("seed", "1e99"),
        ("temperature", "nan"),
        ("temperature", "9"),  # outside the slider's range
        ("path", "zigzag"),
        ("present", "maybe"),
    ],
)
def test_bad_or_stale_link_values_fall_back_to_defaults_with_a_notice(param: str, value: str) -> None:
    app = open_link({param: value})
    assert any(f"{param}={value}" in notice for notice in notices(app)), notices(app)
    assert app.query_params.get(param) != value  # the URL no longer claims a view it does not show
    for page in ("views/latent_map.py", "views/interpolation.py", "views/sampling.py"):
        app.switch_page(page).run()
        assert not app.exception, [e.value for e in app.exception]
        assert not app.error, [e.value for e in app.error]


def test_reset_forgets_the_demo_but_keeps_presentation_mode() -> None:
    app = open_link({"group": "fashion-mnist.z2", "seed": "5", "present": "1"}, "views/sampling.py")
    app.sidebar.button[0].click().run()
    assert not app.exception
    assert app.sidebar.selectbox(key="group").value == ("mnist-5k", 2)
    assert app.sidebar.toggle(key=url_state.PRESENTATION_KEY).value is True
    assert app.query_params == {
        "group": "mnist-5k.z2",
        "ae": "mnist_ae_z2",
        "vae": app.query_params["vae"],
        "present": "1",
        "server": replica.SERVER_ID,  # which server holds the session (not view state): kept
    }
    assert app.title[0].value.startswith("Autoencoders and VAEs")  # back on the start page
