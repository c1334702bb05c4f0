"""Issue 14, classes 1-6 through the real pages (AppTest): hostile weights files uploaded or found in the folder get
a message in the page, never an exception box; nothing rejected stays on disk; no text from a file becomes Markdown;
no message shows a server path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ae_models.weights import TrainedModel
from dashboard.untrusted import literal
from tests.app_support import open_page
from tests.fuzz_corpus import (
    HUGE_INT,
    dataset_path_corpus,
    insane_metadata_corpus,
    markdown_corpus,
    mismatched_size_corpus,
    overflowing_corpus,
    weights_bytes,
)

CODE_SPAN = re.compile(r"(`+) .*? \1")


@pytest.fixture()
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AE_DASHBOARD_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _messages(app: AppTest) -> list[str]:
    elements = [*app.error, *app.warning, *app.info, *app.caption, *app.markdown]
    return [e.value for e in elements] + [e.label for e in app.expander]


def _upload(app: AppTest, name: str, data: bytes) -> list[str]:
    app.sidebar.file_uploader[0].upload(name, data, "application/octet-stream").run()
    assert not app.exception, (name, [e.value for e in app.exception])
    return [e.value for e in app.sidebar.error]


def test_classes_1_3_6_hostile_uploads_are_refused_in_the_sidebar_and_not_kept(
    isolated_cache: Path, tiny_vae: TrainedModel
) -> None:
    valid = weights_bytes(tiny_vae)
    cases = [
        *list(insane_metadata_corpus(valid))[::12],
        *list(mismatched_size_corpus(tiny_vae))[::3],
        *list(overflowing_corpus(tiny_vae))[::4],
        *list(dataset_path_corpus(valid))[::4],
    ]
    app = open_page("views/overview.py")
    for case, data in cases:
        errors = _upload(app, "hostile.safetensors", data)
        assert any(e.startswith(f"{literal('hostile.safetensors')} could not be loaded: ") for e in errors), case
        assert not list((isolated_cache / "uploads").glob("*")), f"{case}: the rejected upload was kept on disk"
        assert not any(str(isolated_cache) in m or "/usr/share" in m for m in _messages(app)), case
    assert app.title


def test_class2_a_file_that_breaks_the_loader_is_listed_and_the_folder_serves(
    isolated_cache: Path, tmp_path: Path, tiny_vae: TrainedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights = tmp_path / "weights"
    weights.mkdir()
    valid = weights_bytes(tiny_vae)
    (weights / "digits_vae.safetensors").write_bytes(valid)
    (weights / "huge.safetensors").write_bytes(dict(insane_metadata_corpus(valid))[f"dataset.n_train={HUGE_INT[:10]}"])
    (weights / "[x](http:evil.example) www.evil.example.safetensors").write_bytes(b"not weights")
    monkeypatch.setenv("AE_DASHBOARD_WEIGHTS", str(weights))
    app = open_page("views/overview.py")
    assert not app.exception, [e.value for e in app.exception]
    assert [e.label for e in app.sidebar.expander] == ["2 file(s) in the weights folder could not be loaded"]
    captions = [c.value for c in app.sidebar.caption]
    assert any(c.startswith(literal("huge.safetensors: ")[:-2]) for c in captions), captions
    assert not any(str(weights) in m for m in _messages(app))
    assert all("evil" not in CODE_SPAN.sub("", c) for c in captions)
    assert any("digits_vae" in m for m in _messages(app))  # the good model serves


def test_class3_a_page_that_fails_shows_a_message_in_the_page_not_an_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object) -> str:
        raise RuntimeError("a page bug")

    monkeypatch.setattr("ae_models.report.describe_architecture", broken)
    app = open_page("views/overview.py")
    assert not app.exception, [e.value for e in app.exception]
    assert any("This page cannot be shown" in e.value for e in app.error)
    assert all("a page bug" not in m for m in _messages(app))
    app.switch_page("views/sampling.py").run()
    assert not app.exception and not app.error and app.title[0].value.startswith("Random sampling")


def test_class4_no_text_from_a_file_reaches_markdown_outside_a_code_span(
    isolated_cache: Path, tiny_vae: TrainedModel
) -> None:
    app = open_page("views/overview.py")
    for index, (case, data) in enumerate(markdown_corpus(weights_bytes(tiny_vae))):
        name = f"{index} ![x](http:evil.example) www.evil.example `a` victim@evil.example.safetensors"
        errors = _upload(app, name, data)
        assert errors, case
        for error in errors:
            outside = CODE_SPAN.sub("", error)
            assert "evil" not in outside and "http" not in outside and "](" not in outside, (case, error)


def test_class6_messages_never_show_the_upload_cache_even_for_a_long_file_name(
    isolated_cache: Path, tiny_vae: TrainedModel
) -> None:
    app = open_page("views/overview.py")
    long_name = "a" * 300 + ".safetensors"
    _upload(app, long_name, weights_bytes(tiny_vae))
    assert not app.sidebar.error, [e.value for e in app.sidebar.error]
    assert any("upload:" + "a" * 40 in str(option) for option in app.sidebar.selectbox[2].options)
    assert not any(str(isolated_cache) in m for m in _messages(app))
    assert len([p for p in (isolated_cache / "uploads").rglob("*") if p.is_file()]) == 1


def test_class6_a_broken_evaluation_sample_is_reported_without_its_path(
    isolated_cache: Path, tmp_path: Path, tiny_vae: TrainedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights = tmp_path / "weights"
    (weights / "samples").mkdir(parents=True)
    (weights / "digits_vae.safetensors").write_bytes(weights_bytes(tiny_vae))
    (weights / "samples" / "digits.safetensors").write_bytes(b"not a sample")
    monkeypatch.setenv("AE_DASHBOARD_WEIGHTS", str(weights))
    app = open_page("views/sampling.py")
    assert not app.exception, [e.value for e in app.exception]
    assert [e.value for e in app.error] == ["The evaluation images for 'digits' cannot be read on this server."]
    assert not any(str(tmp_path) in m for m in _messages(app))


@pytest.mark.parametrize(
    "query",
    [{"group": "![x](http://evil.example/a.z2)"}, {"seed": "[go](http://evil.example)"}, {"vae": "www.evil.example"}],
)
def test_class4_a_crafted_link_is_not_markdown_in_the_apps_notices(query: dict[str, str]) -> None:
    from tests.app_support import notices, open_link

    shown = notices(open_link(query))
    assert shown and all("evil" not in CODE_SPAN.sub("", notice) for notice in shown), shown


def test_class3_a_failing_map_job_is_a_warning_in_the_page_and_is_not_restarted_on_every_rerun(
    isolated_cache: Path, tmp_path: Path, tiny_vae: TrainedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from tests.fuzz_corpus import with_metadata

    weights = tmp_path / "weights"
    weights.mkdir()
    unique = with_metadata(weights_bytes(tiny_vae), created=f"map failure {tmp_path.name}")  # its own digest
    (weights / "digits_vae.safetensors").write_bytes(unique)
    calls = []

    def failing_map(*_: object) -> None:
        calls.append(1)
        raise OSError(f"{tmp_path}/secret: disk full")

    monkeypatch.setattr("dashboard.resources.ensure_map", failing_map)
    monkeypatch.setenv("AE_DASHBOARD_WEIGHTS", str(weights))
    app = open_page("views/latent_map.py")
    deadline = time.monotonic() + 30
    while not app.warning and time.monotonic() < deadline:
        assert not app.exception, [e.value for e in app.exception]
        time.sleep(0.3)
        app.run()
    for _ in range(3):
        app.run()
    assert not app.exception and not app.error, [e.value for e in [*app.exception, *app.error]]
    assert any(
        w.value.startswith("No latent map for digits_vae: computing the map failed (OSError") for w in app.warning
    )
    assert not any(str(tmp_path) in m for m in _messages(app))
    assert len(calls) == 1, "the failed job was started again"
