"""Sampling: decode random codes from N(0, I) with the AE and the VAE, and see why only one of them works."""

import streamlit as st

from ae_models.latent_ops import decode_codes, fitted_gaussian_codes, place_on_map, prior_codes
from dashboard.exports import safe_filename
from dashboard.imaging import tile
from dashboard.map_figure import latent_scatter, map_overlays
from dashboard.notes import fitted_note, notice, prior_draws_note
from dashboard.presentation import overlaid, shared, show_figure
from dashboard.prior_draws import fitted_draws, prior_draws
from dashboard.resources import trained_region
from dashboard.sample_quality_view import show_sample_quality
from dashboard.session import maps_for, require_sample, require_selection

selection = require_selection()
sample = require_sample(selection)

st.title("Random sampling: AE versus VAE")
st.markdown(
    "Both decoders get the same codes drawn from **N(0, I)**. The VAE was trained with a KL term that pulls every "
    "image's code distribution towards N(0, I), so such draws land where its decoder has learned to draw. The AE "
    "was never told where its codes should live: they sit in their own region, at their own scale, and whether "
    "N(0, I) draws land among them is down to its training run. The notes below count it for these draws."
)

controls = st.columns(4)
count = controls[0].slider("Samples (K)", 8, 64, 24, step=8, key="sampling_count")
seed = controls[1].number_input(
    "Seed", 0, 2**31 - 1, 0, help="same seed, same codes: change it for a fresh draw", key="sampling_seed"
)
temperature = controls[2].slider(
    "Temperature (σ scale)", 0.25, 2.0, 1.0, 0.05, help="draws from N(0, T² I)", key="sampling_temperature"
)
controls[3].metric("Latent size", selection.latent_dim)

codes = prior_codes(count, selection.latent_dim, int(seed), temperature)
draws = prior_draws(  # the same for every visitor at this seed: made once per server (dashboard/prior_draws.py)
    tuple(m.sha256 for m in selection.pair), selection.weights_dir, selection.dataset, count, int(seed), temperature,
    tuple(selection.pair),
)  # fmt: skip
read_as = {model.kind.upper(): drawn.read_as for model, drawn in zip(selection.pair, draws, strict=True)}
washed_out = {model.kind.upper(): drawn.washed_out for model, drawn in zip(selection.pair, draws, strict=True)}
for column, model, drawn in zip(st.columns(len(selection.pair)), selection.pair, draws, strict=True):
    column.subheader(f"{model.kind.upper()} · {model.name}")
    column.image(drawn.picture, caption=f"{count} draws from N(0, {temperature:g}² I), seed {seed}")
    column.download_button(
        "Download PNG", drawn.picture, safe_filename(f"samples-{model.name}.png"), "image/png",
        key=f"dl-{model.sha256[:12]}",
    )  # fmt: skip

st.header("Where the draws land")
st.caption("The same codes (black crosses) over each model's map of real images.")
map_views = maps_for(selection.pair, selection)
outside = {
    map_view.model.kind.upper(): int(trained_region(map_view.model.sha256, map_view.latent_map).outside(codes).sum())
    for map_view in map_views
}
for column, map_view in zip(st.columns(max(1, len(map_views))), map_views, strict=False):
    placed = place_on_map(codes, map_view.latent_map.codes, map_view.latent_map.coords).numpy()
    shared_map = shared(  # the same for every seed; the draws are drawn over it
        latent_scatter, map_view.coords, sample.images.labels.numpy(), sample.images.class_names,
        title=f"{map_view.model.kind.upper()} · {map_view.model.name}", axis_names=map_view.axis_names,
        equal_axes=map_view.is_plane, prior_rings=map_view.is_plane, height=460,
    )  # fmt: skip
    figure = overlaid(shared_map, map_overlays(map_view.coords, extra_points=("prior draws", placed)))
    with column:
        show_figure(figure, f"sampling-map-{map_view.model.sha256[:12]}")
if map_views:
    notice(prior_draws_note(outside, washed_out, read_as, count))
if map_views and not map_views[0].is_plane:
    st.caption(
        "Above latent size 2, each draw is placed on the UMAP map by its nearest real codes, "
        "so far-off draws look closer than they are; the count above is measured in the full code space."
    )

if selection.ae is not None:
    st.header("A fair second try for the AE")
    st.markdown(
        "Give the AE what the VAE gets for free: a Gaussian fitted to the AE's **own** codes (mean and full "
        "covariance of the evaluation images' codes)."
    )
    ae_map = next((v for v in map_views if v.model is selection.ae), None)
    caption = (
        f"AE decoding {count} draws from a Gaussian fitted to its own codes (seed {seed}, temperature {temperature:g})"
    )
    if ae_map is None:  # no map to count against: the sample's codes, encoded here, and the picture alone
        own_codes = selection.ae.network.encode(sample.images.images).mean
        fitted_images = decode_codes(
            selection.ae.network, fitted_gaussian_codes(own_codes, count, int(seed), temperature)
        )
        st.image(tile(fitted_images, columns=8, upscale=2), caption=caption)
    else:  # the same for every visitor at this seed (dashboard/prior_draws.py)
        fitted = fitted_draws(
            selection.ae.sha256, selection.weights_dir, count, int(seed), temperature, selection.ae, ae_map.latent_map
        )
        st.image(fitted.picture, caption=caption)
        notice(fitted_note(fitted.outside, fitted.in_gaps, fitted.washed_out, washed_out["AE"], count))

show_sample_quality(selection, sample)
