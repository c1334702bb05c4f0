"""Hostile uploads through the real pages (AppTest): a message in the page, never an exception, nothing kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae_models.weights import TrainedModel
from tests.app_support import open_page
from tests.fuzz_corpus import IMAGE_REFUSALS, image_corpus, weights_bytes, weights_corpus


@pytest.fixture()
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AE_DASHBOARD_CACHE", str(tmp_path))
    return tmp_path


def test_one_weights_file_of_each_family_is_refused_in_the_sidebar(isolated_cache: Path, tiny_vae: TrainedModel):
    families = dict(weights_corpus(weights_bytes(tiny_vae), per_family=1, seed=2))
    families.pop("bit-flips")  # may legitimately still load (a flip inside a weight's mantissa)
    app = open_page("views/overview.py")
    for family, data in families.items():
        app.sidebar.file_uploader[0].upload(f"{family}.safetensors", data, "application/octet-stream").run()
        assert not app.exception, (family, [e.value for e in app.exception])
        assert any(f"` {family}.safetensors ` could not be loaded" in e.value for e in app.sidebar.error), family
    assert app.title and not list((isolated_cache / "uploads").glob("*")), "rejected uploads were kept on disk"


def test_each_image_trap_gets_a_message_on_the_own_image_page(isolated_cache: Path) -> None:
    traps = {case: data for case, data in image_corpus() if case in IMAGE_REFUSALS}
    app = open_page("views/own_image.py", ("mnist-5k", 2))
    for case, data in traps.items():
        app.file_uploader(key="own_upload").upload(f"{case}.png", data, "image/png").run()
        assert not app.exception, (case, [e.value for e in app.exception])
        assert any("That image cannot be used" in e.value and IMAGE_REFUSALS[case] in e.value for e in app.error), case
