"""Issue 14, class 4, in a real Chromium: crafted weights files (Markdown in the file name and in the metadata) are
refused with a message, and the page holds no element whose URL came from them (no image fetched, no live link)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae_models.weights import TrainedModel
from dashboard.live_server import dashboard_server, launch_chromium, wait_until_idle
from tests.fuzz_corpus import markdown_corpus, weights_bytes

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

HOSTILE_NAME = "![x](https:evil.example?p.png) [link](https:evil.example) www.evil.example victim@evil.example"
URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "poster", "background", "style", "xlink:href")
URLS_FROM_FILES = f"""() => [...document.querySelectorAll('*')].flatMap(element =>
    [...element.attributes].filter(a => {list(URL_ATTRIBUTES)}.includes(a.name) && /evil/i.test(a.value))
    .map(a => `${{element.tagName}} ${{a.name}}=${{a.value}}`))"""


def test_crafted_files_leave_no_url_of_theirs_in_the_page(tmp_path: Path, tiny_vae: TrainedModel) -> None:
    cases = dict(markdown_corpus(weights_bytes(tiny_vae)))
    chosen = [f"markdown-{field}-{index}" for field in ("format-version", "dataset") for index in (0, 1, 4, 5, 8)]
    with dashboard_server(tmp_path) as server, playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 1200})
        page.goto(server.url)
        page.wait_for_selector("h1", timeout=60_000)
        wait_until_idle(page)
        uploader = page.locator("[data-testid='stSidebar'] input[type='file']")
        for number, case in enumerate(chosen):
            name = f"{number} {HOSTILE_NAME}.safetensors"
            uploader.set_input_files({"name": name, "mimeType": "application/octet-stream", "buffer": cases[case]})
            wait_until_idle(page)
            alert = page.locator("[data-testid='stSidebar'] [data-testid='stAlertContainer']")
            alert.get_by_text("could not be loaded").wait_for(timeout=20_000)
            assert page.evaluate(URLS_FROM_FILES) == [], case
            assert f"{number} ![x](https:evil.example?p.png)" in alert.inner_text(), case  # shown, as typed
            assert page.locator("[data-testid='stException']").count() == 0, case
        browser.close()
