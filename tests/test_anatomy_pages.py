"""The latent anatomy pages through AppTest on the shipped weights: what they draw is what the numbers say."""

from __future__ import annotations

import pytest
import torch

from ae_models.anatomy.aggregate import plane_density
from ae_models.anatomy.likelihood_file import find_likelihood
from ae_models.anatomy.pca import CHART_SIZES, load_pca, pca_path
from ae_models.anatomy.size_curve import load_size_curve, size_curve_path
from ae_models.anatomy.usage import LatentUsage, latent_usage
from ae_models.latent_maps import find_map
from ae_models.library import beta_sweeps, load_folder
from ae_models.samples import held_out_by, load_sample, sample_path
from dashboard.anatomy_data import _held_out_images
from dashboard.anatomy_figures import HOLE_NAME
from dashboard.anatomy_notes import hole_note, sweep_usage_note, usage_note

from .app_support import assert_clean, charts, images, open_page, trace_names
from .conftest import WEIGHTS_DIR

MODELS = load_folder(WEIGHTS_DIR)[0]
MODELS_BY_NAME = {m.name: m for m in MODELS}


def _held_out_usage(name: str) -> LatentUsage:
    model = next(m for m in MODELS if m.name == name)
    sample = load_sample(sample_path(WEIGHTS_DIR, model.dataset))
    return latent_usage(model.network, sample.images.images[held_out_by(sample, [model.trained.dataset]).held_out])


def _notices(app) -> str:
    return " ".join(c.value for c in app.caption if "What to notice" in c.value)


def test_anatomy_page_draws_each_dimensions_kl_and_the_sweeps_active_units() -> None:
    app = open_page("views/latent_anatomy.py", ("mnist-5k", 16))
    assert_clean(app)
    usage = _held_out_usage("mnist_vae_z16")
    bars = next(c for c in charts(app) if c["data"][0]["type"] == "bar")
    assert bars["data"][0]["y"] == pytest.approx(sorted(usage.kl, reverse=True), rel=1e-4)
    assert usage_note(usage) in _notices(app)
    sweep = next(iter(beta_sweeps(MODELS).values()))
    drawn = next(c for c in charts(app) if "posterior collapse" in c["layout"]["title"]["text"])
    expected = [_held_out_usage(m.name).n_active for m in sweep]
    assert drawn["data"][0]["y"] == expected and expected[-1] < expected[0]
    assert sweep_usage_note([m.beta for m in sweep], [_held_out_usage(m.name) for m in sweep]) in _notices(app)


def test_traversals_follow_the_start_and_animate_the_chosen_row() -> None:
    app = open_page("views/latent_anatomy.py", ("mnist-5k", 2))
    grids = [c for c in charts(app) if c["data"][0]["type"] == "image"]
    assert [len(g["layout"]["yaxis"]["ticktext"]) for g in grids] == [2, 2]  # one row per dimension, AE and VAE
    assert all(len(g["layout"]["xaxis"]["ticktext"]) == 9 for g in grids)
    gifs = images(app)
    app.selectbox(key="traverse_start").set_value(app.selectbox(key="traverse_start").options[3]).run()
    assert_clean(app)
    moved = [c for c in charts(app) if c["data"][0]["type"] == "image"]
    assert [g["data"][0]["source"] for g in moved] != [g["data"][0]["source"] for g in grids]
    vae = next(m for m in MODELS if m.name == "mnist_vae_z2")
    animate = app.selectbox(key=f"animate_{vae.sha256[:12]}")
    animate.set_value(1).run()
    assert_clean(app)
    assert images(app) != gifs and len(app.get("download_button")) == 2


def test_prior_page_counts_the_holes_and_decodes_a_clicked_one() -> None:
    app = open_page("views/prior_codes.py", ("mnist-5k", 2))
    assert_clean(app)
    assert HOLE_NAME in trace_names(app) and "N(0, 1)" in trace_names(app)
    masses = {}
    for kind in ("AE", "VAE"):
        model = next(m for m in MODELS if m.name == f"mnist_{kind.lower()}_z2")
        masses[kind] = plane_density(find_map(model.path, model.sha256, WEIGHTS_DIR).encoding).prior_mass_in_holes
    assert hole_note(masses) in _notices(app)
    before = len(images(app))
    app.session_state["prior_codes_hole_VAE"] = (2.5, -2.5)
    app.run()
    assert_clean(app)
    assert len(images(app)) == before + 1
    assert any("VAE decodes z = (2.50, -2.50)" in i.proto.imgs[0].caption for i in app.get("image"))


def test_prior_page_says_the_holes_need_latent_two() -> None:
    app = open_page("views/prior_codes.py", ("fashion-mnist", 16))
    assert_clean(app)
    assert any("needs a 2-D latent space" in i.value for i in app.info)
    assert HOLE_NAME not in trace_names(app)


def test_every_vae_card_counts_its_active_units() -> None:
    app = open_page("views/overview.py")
    assert_clean(app)
    lines = [c.value for c in app.caption if c.value.startswith("active units")]
    assert len(lines) == sum(m.kind == "vae" for m in MODELS)
    assert f"{_held_out_usage('mnist_sweep_beta8').n_active} of 16" in " ".join(lines)
    record = find_likelihood(WEIGHTS_DIR / "mnist_vae_z16.safetensors", MODELS_BY_NAME["mnist_vae_z16"].sha256)
    assert record is not None
    assert any(f"(k={record.ks[-1]}): {record.iw_nll[-1]:.1f} nats against −ELBO {record.neg_elbo:.1f}" in line
               for line in lines)  # fmt: skip


def test_anatomy_notes_say_what_the_numbers_say() -> None:
    collapsed = LatentUsage(kl=(3.0, 1.0, 0.0, 0.0), activity=(1.0, 0.5, 0.001, 0.0), n_images=10)
    text = usage_note(collapsed)
    assert "2 of 4 dimensions are active" in text and "100% of it in the top 3" in text and "other 2" in text
    full = LatentUsage(kl=(1.0, 1.0), activity=(1.0, 1.0), n_images=10)
    assert "collapsed" not in usage_note(full) and "top" not in usage_note(full)
    assert "switches dimensions off" in sweep_usage_note([0.1, 8], [full, LatentUsage((1.0, 0.0), (1.0, 0.0), 10)])
    assert "switches" not in sweep_usage_note([0.1, 8], [full, full])
    assert "64% for the AE, 12% for the VAE" in hole_note({"AE": 0.64, "VAE": 0.12})


def test_pca_baseline_is_scored_beside_the_models() -> None:
    app = open_page("views/latent_anatomy.py", ("mnist-5k", 16))
    assert_clean(app)
    chart = next(c for c in charts(app) if "by latent size" in c["layout"]["title"]["text"])
    traces = {trace["name"]: trace for trace in chart["data"]}
    pair = [MODELS_BY_NAME["mnist_ae_z16"], MODELS_BY_NAME["mnist_vae_z16"]]
    sample = load_sample(sample_path(WEIGHTS_DIR, "mnist-5k"))
    held_out = sample.images.images[held_out_by(sample, [m.trained.dataset for m in pair]).held_out]
    basis = load_pca(pca_path(WEIGHTS_DIR, "mnist-5k"))
    expected = [float(((held_out - basis.reconstruct(held_out, s)) ** 2).sum(dim=(1, 2)).mean()) for s in CHART_SIZES]
    assert traces["PCA"]["x"] == list(CHART_SIZES)
    assert traces["PCA"]["y"] == pytest.approx(expected, rel=1e-4)
    assert traces["AE"]["x"] == [2, 16] and traces["VAE"]["x"] == [2, 16]
    curve = load_size_curve(size_curve_path(WEIGHTS_DIR, "mnist-5k"))
    for kind in ("ae", "vae"):  # the small MLPs at every size, as the shipped file holds them
        small = traces[f"{kind.upper()} · small MLP"]
        assert small["x"] == list(CHART_SIZES) and small["y"] == pytest.approx(list(curve.errors[kind].values()))
    caption = " ".join(c.value for c in app.caption)
    assert "shipped AE and VAE (latent 2 and 16" in caption and f"{curve.epochs} epochs on the first 4,500" in caption
    assert any(i.proto.imgs[0].caption == "PCA, 16 components" for i in app.get("image"))
    assert "PCA's map" in " ".join(c["layout"]["title"]["text"] for c in charts(app))


def test_a_models_held_out_images_are_picked_once_and_are_its_own() -> None:
    """The same tensor on every rerun, so the per-model cache finds its digest instead of hashing it again."""
    model = MODELS_BY_NAME["mnist_vae_z16"]
    first = _held_out_images(model, str(WEIGHTS_DIR))
    assert _held_out_images(model, str(WEIGHTS_DIR)) is first
    sample = load_sample(sample_path(WEIGHTS_DIR, model.dataset))
    assert torch.equal(first, sample.images.images[held_out_by(sample, [model.trained.dataset]).held_out])
