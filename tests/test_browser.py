"""End to end in a real headless Chromium against a live server on the shipped weights.

Saves a screenshot of every page to artifacts/screenshots/ (git-ignored: tests never write tracked files);
`make screenshots` runs them with AE_SCREENSHOTS_DIR=docs/screenshots to refresh the README's pictures on purpose.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.anatomy_figures import HOLE_NAME
from dashboard.live_server import REPO_ROOT, choose_group, open_page, wait_until_idle
from dashboard.page_list import PAGES, Page

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

SCREENSHOTS = Path(os.environ.get("AE_SCREENSHOTS_DIR", REPO_ROOT / "artifacts" / "screenshots"))
EXCEPTION = "[data-testid='stException']"


def click_first_point(page, chart_index: int = 0, trace_name: str | None = None) -> None:
    """Click the first data point of a Plotly chart (or of the first chart with a trace of that name), at its real
    pixel position."""
    page.wait_for_selector(".js-plotly-plot")
    x, y = page.evaluate(
        """([index, name]) => {
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            const gd = name ? plots.find((p) => p._fullData.some((t) => t.name === name)) : plots[index];
            const trace = name ? gd._fullData.find((t) => t.name === name) : gd._fullData[0];
            const layout = gd._fullLayout, box = gd.getBoundingClientRect();
            return [box.left + layout._size.l + layout.xaxis.l2p(trace.x[0]),
                    box.top + layout._size.t + layout.yaxis.l2p(trace.y[0])];
        }""",
        [chart_index, trace_name],
    )
    page.mouse.click(x, y)
    wait_until_idle(page)


@pytest.mark.parametrize("shown", PAGES, ids=lambda p: p.slug)
def test_every_page_renders_and_is_screenshotted(page, server: str, shown: Page) -> None:
    open_page(page, server, shown.url_path)
    assert page.locator("h1").count() >= 1
    if shown.name in ("latent_map", "interpolation", "sampling", "anomaly", "compression", "train_live"):
        page.wait_for_selector(".js-plotly-plot")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{shown.slug}.png"))
    assert (SCREENSHOTS / f"{shown.slug}.png").stat().st_size > 20_000


def test_selecting_a_point_fills_the_side_panel(page, server: str) -> None:
    open_page(page, server, "latent-map")
    assert page.get_by_text("Click a point in either map").count() == 1
    click_first_point(page, 0)
    page.get_by_text("nearest codes in the AE").wait_for(timeout=20_000)
    assert page.get_by_text("nearest codes in the VAE").count() == 1
    # the captions arrive with the rerun; each picture is then fetched from the media endpoint, slower under load
    page.locator("[data-testid='stImage']").nth(2).wait_for(timeout=20_000)
    page.screenshot(path=str(SCREENSHOTS / "latent-map-selected.png"))


def test_interpolation_strip_appears(page, server: str) -> None:
    open_page(page, server, "interpolation")
    strips = page.locator("[data-testid='stImageCaption']", has_text="10 decoded steps")
    playwright_api.expect(strips).to_have_count(3, timeout=20_000)  # AE, VAE, PCA; retries: pictures arrive one by one
    assert page.get_by_text("Download animation (GIF)").count() == 1


def test_switching_models_redraws_the_map(page, server: str) -> None:
    open_page(page, server, "latent-map")
    choose_group(page, "fashion-mnist · latent 16")
    page.get_by_text("fashion_vae_z16").first.wait_for(timeout=30_000)
    assert page.get_by_text("flattened to 2-D by UMAP").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "latent-map-fashion-umap.png"))


def test_corrupt_upload_shows_a_message(page, server: str, tmp_path: Path) -> None:
    open_page(page, server, "")
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{oops}")
    page.locator("[data-testid='stSidebar'] input[type='file']").set_input_files(str(broken))
    page.get_by_text("broken.safetensors could not be loaded").wait_for(timeout=20_000)
    open_page(page, server, "sampling")
    assert page.locator("h1").first.inner_text().startswith("Random sampling")


def test_a_drawn_digit_is_prepared_placed_and_scored(page, server: str) -> None:
    open_page(page, server, "own-image")
    pad = page.locator("canvas[data-testid='drawing-pad']")
    pad.wait_for()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 140, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 21):  # a vertical stroke: a "1"
        page.mouse.move(box["x"] + 140 + step, box["y"] + 40 + step * 10)
    page.mouse.up()
    page.get_by_text("prepared input (28x28)").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert page.get_by_text("anomaly score").count() == 2
    assert page.get_by_text("nearest codes in the VAE").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "own-image-drawn.png"))


def test_uploads_of_images_good_and_bad(page, server: str, tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    open_page(page, server, "own-image")
    page.get_by_role("tab", name="Upload").click()
    picture = Image.new("RGBA", (120, 160), (255, 255, 255, 0))
    ImageDraw.Draw(picture).ellipse((20, 20, 100, 140), outline=(0, 0, 0, 255), width=14)  # a dark "0" on clear
    good = tmp_path / "zero.png"
    picture.save(good)
    uploader = page.locator("[data-testid='stTabs'] input[type='file']")
    uploader.set_input_files(str(good))
    page.get_by_text("prepared input (28x28)").wait_for(timeout=30_000)
    assert page.get_by_text("flattened onto white").count() == 1
    bad = tmp_path / "notes.png"
    bad.write_text("not really a png")
    uploader.set_input_files(str(bad))
    page.get_by_text("That image cannot be used").wait_for(timeout=30_000)
    too_big = tmp_path / "huge.png"
    too_big.write_bytes(b"\x89PNG" + bytes(11 * 2**20))
    uploader.set_input_files(str(too_big))  # refused by the browser itself: only a red mark on the file
    page.get_by_text("huge.png").wait_for(timeout=30_000)
    assert page.get_by_text("over 10 MB is stopped by your browser").is_visible()
    assert page.locator(EXCEPTION).count() == 0


def test_every_chart_offers_a_png_export(page, server: str) -> None:
    open_page(page, server, "anomaly")
    chart = page.locator(".js-plotly-plot").first
    chart.hover()
    button = page.locator(".modebar-btn[data-title='Download plot as a PNG']").first
    button.wait_for(state="attached")
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.endswith(".png")


def test_latent_anatomy_animates_the_chosen_traversal_row(page, server: str) -> None:
    open_page(page, server, "latent-anatomy")
    page.wait_for_selector(".js-plotly-plot")
    gif = page.locator("[data-testid='stImageCaption']", has_text="VAE: z")
    playwright_api.expect(gif).to_have_count(1, timeout=20_000)
    first = gif.inner_text()
    combobox = page.locator("[data-testid='stSelectbox']", has_text="Animate a row").nth(1).get_by_role("combobox")
    for attempt in range(3):  # on a loaded machine a late rerun of the page can close the list just opened
        combobox.click()
        try:
            page.get_by_role("option").nth(1).click(timeout=5_000)
            break
        except playwright_api.TimeoutError:
            assert attempt < 2, "the row list never stayed open"
            wait_until_idle(page)
    wait_until_idle(page)
    playwright_api.expect(gif).not_to_have_text(first, timeout=20_000)
    assert page.get_by_text("Download GIF").count() == 2


GRIDS_JS = (  # the traversal grids Plotly has drawn
    "Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".filter(g => (g._fullData || []).some(t => t.name === 'rows'))"
)
ROW_CELL_JS = """([grid, row]) => {
    const gd = GRIDS[grid];
    gd.scrollIntoView({block: 'center'});
    const layout = gd._fullLayout, box = gd.getBoundingClientRect(), trace = gd._fullData.find(t => t.name === 'rows');
    const cells = Array.from(trace.customdata, Number).flatMap((r, i) => (r === row ? [i] : []));
    const i = cells[Math.floor(cells.length / 2)];  // the middle cell of the row
    return [box.left + layout.xaxis._offset + layout.xaxis.l2p(trace.x[i]),  // the axes are shrunk to keep
            box.top + layout.yaxis._offset + layout.yaxis.l2p(trace.y[i]), String(trace.text[i])];  // pixels square
}""".replace("GRIDS", GRIDS_JS)


def test_clicking_a_traversal_row_animates_that_row(page, server: str) -> None:
    open_page(page, server, "latent-anatomy", "?group=mnist-5k.z16")
    gif = page.locator("[data-testid='stImageCaption']", has_text="VAE: z")
    playwright_api.expect(gif).to_have_count(1, timeout=20_000)
    combobox = page.locator("[data-testid='stSelectbox']", has_text="Animate a row").nth(1).get_by_role("combobox")
    page.wait_for_function(f"() => {GRIDS_JS}.length === 2", timeout=20_000)  # AE's and VAE's grids drawn
    for row in (5, 2):
        x, y, label = page.evaluate(ROW_CELL_JS, [1, row])  # the VAE's grid
        page.mouse.click(x, y)
        wait_until_idle(page)
        playwright_api.expect(gif).to_have_text(f"VAE: {label}, animated", timeout=20_000)
        playwright_api.expect(combobox).to_have_value(label)


def test_clicking_a_hole_decodes_it(page, server: str) -> None:
    open_page(page, server, "prior-vs-codes")
    click_first_point(page, trace_name=HOLE_NAME)
    page.get_by_text("decodes z = (").first.wait_for(timeout=20_000)
    page.screenshot(path=str(SCREENSHOTS / "prior-vs-codes-hole.png"))
