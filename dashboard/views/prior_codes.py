"""Prior versus codes: each dimension's codes over the data against N(0, 1), and in latent 2 the holes."""

from functools import partial

import streamlit as st
import torch

from ae_models.anatomy.usage import usage_of
from ae_models.coverage import decoder_inputs
from ae_models.latent_ops import decode_codes
from dashboard.anatomy_data import plane_of
from dashboard.anatomy_figures import HOLE_NAME, hole_map, marginal_histograms
from dashboard.anatomy_notes import hole_note, marginal_note
from dashboard.imaging import upscale
from dashboard.notes import notice
from dashboard.presentation import show_figure
from dashboard.session import maps_for, remember_clicked_point, require_sample, require_selection

CHOSEN_HOLE = "prior_codes_hole_{}"

selection = require_selection()
sample = require_sample(selection)

st.title("Prior versus codes")
st.markdown(
    "Sampling decodes draws from the prior N(0, I). It works only where the codes of real images — the *aggregate "
    "posterior*, one code distribution per image pooled over the data — cover the prior. Where the prior has mass "
    "and the codes have none, a draw decodes from a code the decoder never met."
)
map_views = maps_for(selection.pair, selection)
if not map_views:
    st.stop()

st.header("Each dimension against N(0, 1)")
st.caption(
    f"Histograms of the codes of all {len(sample.images):,} evaluation images per dimension (a VAE's: one draw "
    "from each image's N(μ, σ²), what its decoder met in training; an AE's: the codes themselves), most "
    "informative dimension first, against the N(0, 1) curve the sampling page draws from."
)
spreads = {}
for column, map_view in zip(st.columns(len(map_views)), map_views, strict=True):
    latent_map = map_view.latent_map
    draws = decoder_inputs(latent_map.codes, latent_map.logvar).numpy()
    order = usage_of(latent_map.encoding).by_kl
    spreads[map_view.model.kind.upper()] = (float(draws.std(0).min()), float(draws.std(0).max()))
    with column:
        title = f"{map_view.model.kind.upper()} · {map_view.model.name}"
        show_figure(marginal_histograms(draws, order, title, columns=2 if len(order) <= 2 else 4),
                    f"marginals-{map_view.model.sha256[:12]}")  # fmt: skip
notice(marginal_note(spreads))

st.header("Holes: prior mass where the codes have none")
if selection.latent_dim != 2:
    st.info(
        f"The density picture needs a 2-D latent space; this group's is {selection.latent_dim}-D. Choose a latent "
        "size of 2 in the sidebar to see the holes."
    )
    st.stop()
st.caption(
    "Shading: the density of the codes over the plane (a VAE's pooled posteriors; an AE's codes smoothed with a "
    "Gaussian kernel). Dashed circles: the prior's 1, 2 and 3σ. Red crosses: holes, where the codes are less "
    "than a tenth as dense as the prior. **Click a cross** to decode that point."
)


masses = {}
for column, map_view in zip(st.columns(len(map_views)), map_views, strict=True):
    model, kind = map_view.model, map_view.model.kind.upper()
    density = plane_of(model.sha256, map_view.latent_map)
    masses[kind] = density.prior_mass_in_holes
    chosen = st.session_state.get(CHOSEN_HOLE.format(kind))
    key = f"holes-{model.sha256[:12]}"
    with column:
        show_figure(
            hole_map(density, f"{kind} · {model.name}", chosen), key,
            on_select=partial(remember_clicked_point, key, CHOSEN_HOLE.format(kind)), selection_mode="points",
        )  # fmt: skip
        if chosen is not None:
            image = decode_codes(model.network, torch.tensor([chosen]))[0]
            st.image(upscale(image, 4), caption=f"{kind} decodes z = ({chosen[0]:.2f}, {chosen[1]:.2f})")
        else:
            st.caption(f"Click one of the {HOLE_NAME.split(' (')[0]} to see what the {kind} decodes there.")
notice(hole_note(masses))
