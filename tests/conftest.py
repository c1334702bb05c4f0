"""Shared fixtures: tiny models trained on scikit-learn's 8x8 digits, so the suite needs no download."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from ae_models.config import ModelConfig, TrainConfig
from ae_models.pipeline import ModelSpec, train_spec
from ae_models.weights import TrainedModel, save_model

REPO_ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_DIR = Path(os.environ.get("AE_DASHBOARD_WEIGHTS", REPO_ROOT / "weights"))


def tiny_spec(kind: str = "vae", latent: int = 2, epochs: int = 3, arch: str = "mlp") -> ModelSpec:
    return ModelSpec(
        name=f"digits_{kind}_z{latent}",
        dataset="digits",
        model=ModelConfig(kind=kind, image_shape=(8, 8), latent_dim=latent, architecture=arch, hidden_sizes=(32,)),
        training=TrainConfig(epochs=epochs, batch_size=128, learning_rate=5e-3),
    )


@pytest.fixture(scope="session")
def tiny_vae() -> TrainedModel:
    torch.set_num_threads(1)
    return train_spec(tiny_spec("vae"))


@pytest.fixture(scope="session")
def tiny_ae() -> TrainedModel:
    return train_spec(tiny_spec("ae"))


@pytest.fixture()
def vae_file(tmp_path: Path, tiny_vae: TrainedModel) -> Path:
    path = tmp_path / "tiny_vae.safetensors"
    save_model(tiny_vae, path)
    return path


# Browser tests (marked `browser`): one live server and one Chromium per test module, a fresh context per test.


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    from dashboard.live_server import dashboard_server

    with dashboard_server(tmp_path_factory.mktemp("dashboard-cache")) as live:
        yield live.url


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    from dashboard.live_server import launch_chromium

    with playwright_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    """A 1440-wide tab in a fresh context, checked for Streamlit exception boxes when the test ends."""
    context = browser.new_context(viewport={"width": 1440, "height": 1500})
    tab = context.new_page()
    yield tab
    assert tab.locator("[data-testid='stException']").count() == 0, "a Streamlit exception box appeared"
    context.close()
