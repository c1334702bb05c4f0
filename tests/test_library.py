"""Which models are "the" AE and VAE of a dataset and latent size: one rule, asked by every page."""

from __future__ import annotations

import pytest

from ae_models.library import beta_sweeps, default_models, default_pair, denoisers_of, load_folder, model_choices

from .conftest import WEIGHTS_DIR

SHIPPED = load_folder(WEIGHTS_DIR)[0]
GROUPS = sorted({(m.dataset, m.latent_dim) for m in SHIPPED})


def _names(models) -> list[str | None]:
    return [None if m is None else m.name for m in models]


def test_the_default_vae_at_mnist_latent_16_is_the_plain_one_not_a_sweep_member() -> None:
    assert _names(default_pair(SHIPPED, "mnist-5k", 16)) == ["mnist_ae_z16", "mnist_vae_z16"]


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: f"{g[0]}-z{g[1]}")
def test_defaults_are_never_sweep_members_or_denoisers(group: tuple[str, int]) -> None:
    in_sweep = {m.name for sweep in beta_sweeps(SHIPPED).values() for m in sweep}
    ae, vae = default_pair(SHIPPED, *group)
    assert ae is not None and vae is not None
    assert (
        ae.kind == "ae" and vae.kind == "vae" and (ae.dataset, ae.latent_dim) == (vae.dataset, vae.latent_dim) == group
    )
    assert not {ae.name, vae.name} & in_sweep and not ae.is_denoiser and vae.beta == 1


def test_choices_offer_sweep_members_after_the_default_and_never_a_denoiser() -> None:
    choices = _names(model_choices(SHIPPED, "mnist-5k", 16, "vae"))
    assert choices[0] == "mnist_vae_z16" and "mnist_sweep_beta1" in choices[1:]
    assert "mnist_dae_z16" not in _names(model_choices(SHIPPED, "mnist-5k", 16, "ae"))


def test_a_group_holding_only_sweep_members_still_has_a_default() -> None:
    sweep = next(iter(beta_sweeps(SHIPPED).values()))
    assert _names(default_pair(sweep, "mnist-5k", 16)) == [None, "mnist_sweep_beta1"]


def test_default_models_of_a_dataset_are_its_plain_pairs_by_latent_size() -> None:
    expected = ["mnist_ae_z2", "mnist_ae_z16", "mnist_vae_z2", "mnist_vae_z16"]
    assert _names(default_models(SHIPPED, "mnist-5k")) == expected


def test_denoisers_are_shown_beside_the_pair_of_their_dataset_only() -> None:
    assert _names(denoisers_of(SHIPPED, "mnist-5k")) == ["mnist_dae_z16"]
    assert denoisers_of(SHIPPED, "fashion-mnist") == []
