"""What a presenter relies on, in a real headless Chromium: the view in the URL, projector and phone layouts,
nothing fetched from outside, no 404s and no lost WebGL contexts.

Screenshots of every page in presentation mode (1920x1080) and at phone size (390x844) go to the git-ignored
artifacts/screenshots/ folder, beside the 1440x900 ones that test_browser.py takes (`make screenshots` writes
them to docs/screenshots/ on purpose).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dashboard.live_server import REPO_ROOT, choose_group, wait_until_idle
from dashboard.page_list import PAGES

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

SCREENSHOTS = Path(os.environ.get("AE_SCREENSHOTS_DIR", REPO_ROOT / "artifacts" / "screenshots"))
PATHS = [page.url_path for page in PAGES]
CHARTED = {"latent-map", "interpolation", "sampling", "training-curves", "anomaly", "compression", "train-live"}
EXCEPTION = "[data-testid='stException']"
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Every text of every chart with its size and whether it spills out of its chart; captions and notes too small;
# every clipped HTML text; a chart's legend or toolbar on top of one of its titles.
TEXT_AUDIT = """() => {
  const small = [], outside = [], clipped = [], overlaps = [];
  const hit = (a, b) => a.width > 0 && b.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom
                        && b.top < a.bottom;
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const legend = plot.querySelector('.legend'), modebar = plot.querySelector('.modebar');
    const shown = modebar && modebar.getClientRects().length > 0;
    for (const title of plot.querySelectorAll('.gtitle, .xtitle, .ytitle, .g-xtitle text, .g-ytitle text')) {
      const box = title.getBoundingClientRect(), name = title.textContent.slice(0, 30);
      if (legend && hit(legend.getBoundingClientRect(), box)) overlaps.push(`legend on "${name}"`);
      if (shown && hit(modebar.getBoundingClientRect(), box)) overlaps.push(`toolbar on "${name}"`);
    }
  }
  for (const caption of document.querySelectorAll('[data-testid=stCaptionContainer], [data-testid=stImageCaption]')) {
    const size = parseFloat(getComputedStyle(caption).fontSize);
    if (caption.getClientRects().length && size < 18) small.push(`${size}px "${caption.textContent.slice(0, 30)}"`);
  }
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const box = plot.getBoundingClientRect();
    for (const text of plot.querySelectorAll('svg text')) {
      const r = text.getBoundingClientRect();
      if (!text.textContent.trim() || r.width === 0) continue;
      const size = parseFloat(getComputedStyle(text).fontSize);
      if (size < 18) small.push(`${size}px "${text.textContent.slice(0, 30)}"`);
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        outside.push(text.textContent.slice(0, 40));
    }
  }
  for (const e of document.querySelectorAll('[data-testid=stMain] *, [data-testid=stSidebar] *')) {
    const hasText = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!hasText || e.closest('.js-plotly-plot') || e.getClientRects().length === 0) continue;
    const style = getComputedStyle(e);
    if ((style.textOverflow === 'ellipsis' || style.overflowX !== 'visible') && e.scrollWidth > e.clientWidth + 1)
      clipped.push(e.textContent.trim().slice(0, 60));
  }
  for (const grid of document.querySelectorAll('[data-testid=stDataFrame] .dvn-scroller')) {  // drawn on a canvas
    if (grid.scrollWidth > grid.clientWidth + 1) clipped.push('a table wider than its frame');
  }
  return {small, outside, clipped, overlaps};
}"""
# Displayed width of every wide image strip (at least 4:1) against the width of the page's content.
STRIPS = """() => {
  const content = document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect().width;
  return [...document.querySelectorAll('[data-testid=stImage] img')]
    .filter((img) => img.naturalWidth >= 4 * img.naturalHeight)
    .map((img) => {
      const box = img.getBoundingClientRect();
      return Math.min(box.width, box.height * img.naturalWidth / img.naturalHeight) / content;
    });
}"""
FIRST_PICTURE_BOTTOM = """() => {
  const picture = document.querySelector(
    '[data-testid=stMain] .js-plotly-plot, [data-testid=stMain] [data-testid=stImage], ' +
    '[data-testid=stMain] [data-testid=stGraphVizChart], [data-testid=stMain] canvas[data-testid=drawing-pad]');
  return picture ? picture.getBoundingClientRect().bottom : null;
}"""
# The page of the first (or n-th) point of a chart, where a pointer or a finger would touch it.
NTH_POINT = """([index, n]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  const layout = gd._fullLayout, trace = gd._fullData[0], box = gd.getBoundingClientRect();
  return [box.left + layout._size.l + layout.xaxis.l2p(trace.x[n]),
          box.top + layout._size.t + layout.yaxis.l2p(trace.y[n])];
}"""
FIRST_POINT = f"(index) => ({NTH_POINT})([index, 0])"
SELECTED_ROWS = "() => [...document.querySelectorAll('.selected-star')].map((star) => Number(star.dataset.row))"
STAR_CENTRES = """() => [...document.querySelectorAll('.selected-star')].filter((star) => star.style.display !== 'none')
  .map((star) => { const r = star.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })"""
# Every canvas that opened a WebGL context, and whether that context is still live (not lost).
COUNT_WEBGL = """(() => {
  window.__webglCanvases = [];
  const open = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
    const context = open.call(this, type, ...rest);
    if (context && String(type).startsWith('webgl') && !this.__webgl) {
      this.__webgl = 'live';
      window.__webglCanvases.push(this);
      this.addEventListener('webglcontextlost', () => { this.__webgl = 'lost'; });
    }
    return context;
  };
})();"""
DETACHED_LIVE = "window.__webglCanvases.filter((c) => c.__webgl === 'live' && !c.isConnected).length"
LIVE = "window.__webglCanvases.filter((c) => c.__webgl === 'live').length"


@pytest.fixture()
def new_page(browser):
    """Pages in fresh browser contexts (a fresh visitor each), checked for exception boxes when the test ends."""
    contexts = []

    def open_context(**options):
        context = browser.new_context(**({"viewport": {"width": 1440, "height": 900}} | options))
        contexts.append(context)
        return context.new_page()

    yield open_context
    for context in contexts:
        for tab in context.pages:
            assert tab.locator(EXCEPTION).count() == 0, "a Streamlit exception box appeared"
        context.close()


def open_page(page, url: str, chart: bool = False) -> None:
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    if chart:
        page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    wait_until_idle(page)


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def query(url: str) -> dict[str, str]:
    return dict(re.findall(r"[?&]([^=&]+)=([^&]*)", url))


def test_a_reload_restores_the_latent_map_with_its_selection(new_page, server: str) -> None:
    page = new_page()
    open_page(page, f"{server}/latent-map", chart=True)
    choose_group(page, "fashion-mnist · latent 2")
    page.mouse.click(*page.evaluate(FIRST_POINT, 0))
    page.get_by_text("nearest codes in the AE").wait_for(timeout=20_000)
    page.wait_for_function("() => window.location.search.includes('row=')", timeout=10_000)
    before = query(page.url)
    assert before["group"] == "fashion-mnist.z2"
    page.reload()
    page.get_by_text("nearest codes in the AE").wait_for(timeout=60_000)
    wait_until_idle(page)
    assert query(page.url) == before
    assert page.get_by_text("Each dot is one of 2,000 fashion-mnist images").count() == 1
    page.wait_for_function(  # the star on both maps, once they are drawn (the panel comes first, then the maps)
        f"() => JSON.stringify(({SELECTED_ROWS})()) === JSON.stringify([{int(before['row'])}, {int(before['row'])}])",
        timeout=30_000,
    )
    assert page.locator("h1").first.inner_text() == "Latent map"


def test_a_click_leaves_both_maps_as_they_were_and_stars_the_point(new_page, server: str) -> None:
    """Speed: a star inside the figures made every click a new figure, re-sent and redrawn from scratch."""
    page = new_page()
    open_page(page, f"{server}/latent-map", chart=True)
    page.evaluate(
        "() => { window.__drawn = [...document.querySelectorAll('.js-plotly-plot')].map((gd) => gd._fullData); }"
    )
    for chart, index in ((0, 0), (1, 7)):  # a point of the AE's map, then another one of the VAE's
        point = page.evaluate(NTH_POINT, [chart, index])
        page.mouse.click(*point)
        page.wait_for_function("() => document.querySelectorAll('.selected-star').length === 2", timeout=20_000)
        wait_until_idle(page)
        page.wait_for_timeout(300)
        redrawn = page.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot')].map((gd, i) => gd._fullData !== window.__drawn[i])"
        )
        assert not any(redrawn), redrawn
        stars = page.evaluate(STAR_CENTRES)
        assert len(stars) == 2 and any(abs(x - point[0]) <= 2 and abs(y - point[1]) <= 2 for x, y in stars), stars
        assert len(set(page.evaluate(SELECTED_ROWS))) == 1 and f"row={page.evaluate(SELECTED_ROWS)[0]}" in page.url
    page.get_by_role("button", name="3", exact=True).click()  # a highlight changes the figures: drawn anew ...
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].slice(0, 2).every((gd, i) => gd._fullData !== "
        "window.__drawn[i] && gd.querySelector('.selected-star'))",  # ... each with its star again
        timeout=20_000,
    )


def test_a_copied_link_opens_the_same_view_in_a_fresh_browser(new_page, server: str) -> None:
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_page(page, f"{server}/sampling", chart=True)
    seed = page.get_by_role("spinbutton", name="Seed")
    seed.fill("5")
    seed.press("Enter")
    wait_until_idle(page)
    page.get_by_text("seed 5").first.wait_for(timeout=20_000)
    page.get_by_role("button", name="Copy link to this view").click()
    page.get_by_role("button", name="Link copied").wait_for(timeout=5_000)
    link = page.evaluate("navigator.clipboard.readText()")
    assert link.startswith(f"{server}/sampling?") and "seed=5" in link
    fresh = new_page(viewport={"width": 1440, "height": 900})  # another context: no shared session or storage
    open_page(fresh, link, chart=True)
    assert fresh.locator("h1").first.inner_text().startswith("Random sampling")
    assert fresh.get_by_role("spinbutton", name="Seed").input_value() == "5"
    assert fresh.get_by_text("seed 5").count() >= 1


def test_a_stale_link_falls_back_with_a_notice(new_page, server: str) -> None:
    page = new_page()
    page.goto(f"{server}/latent-map?row=999999&ae=gone_model&seed=x")
    for notice in ("row=999999", "ae=gone_model", "seed=x"):  # toasts: they stay for 10 s
        page.locator("[data-testid='stToast']", has_text=notice).wait_for(timeout=10_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    wait_until_idle(page)
    assert page.get_by_text("Click a point in either map").count() == 1
    assert "row=" not in page.url and "gone_model" not in page.url


def test_reset_returns_to_the_start_and_keeps_presentation_mode(new_page, server: str) -> None:
    page = new_page(viewport=PROJECTOR)
    open_page(page, f"{server}/sampling?present=1&seed=9", chart=True)
    page.mouse.move(20, 20)  # the collapsed sidebar's button shows on hover
    page.locator("[data-testid='stExpandSidebarButton']").click()
    page.get_by_role("button", name="Reset the demo").click()
    page.wait_for_url(re.compile(r"/\?"), timeout=20_000)
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text().startswith("Autoencoders and VAEs")
    assert query(page.url).get("present") == "1" and "seed" not in query(page.url)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "overview")
def test_presentation_mode_reads_from_the_back_of_the_room(new_page, server: str, path: str) -> None:
    page = new_page(viewport=PROJECTOR)
    open_page(page, f"{server}/{path}?present=1", chart=path in CHARTED)
    page.wait_for_timeout(500)  # charts draw their text after the rerun ends
    screenshot(page, f"{path or 'overview'}-presentation")
    audit = page.evaluate(TEXT_AUDIT)
    assert audit == {"small": [], "outside": [], "clipped": [], "overlaps": []}
    assert page.locator("[data-testid='stExpandSidebarButton']").get_attribute("aria-expanded") == "false"
    assert all(share >= 0.5 for share in page.evaluate(STRIPS)), page.evaluate(STRIPS)
    bottom = page.evaluate(FIRST_PICTURE_BOTTOM)
    assert bottom is None or bottom <= PROJECTOR["height"], f"the main picture ends at {bottom}px"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "overview")
def test_every_page_fits_a_phone(new_page, server: str, path: str) -> None:
    page = new_page(**PHONE)
    open_page(page, f"{server}/{path}", chart=path in CHARTED)
    screenshot(page, f"{path or 'overview'}-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    assert page.evaluate(TEXT_AUDIT)["overlaps"] == []  # the chart toolbar covered the titles at this width


@pytest.mark.parametrize("path", ["latent-map", "anomaly", "compression", "training-curves"])
def test_a_laptop_screen_cuts_off_no_text_and_no_table(new_page, server: str, path: str) -> None:
    """Reviewer: the compression table scrolled sideways at 1440 px, legends sat on the axis titles, and "false
    ala..." was seen cut off on the anomaly page."""
    page = new_page()
    open_page(page, f"{server}/{path}", chart=True)
    page.wait_for_timeout(500)
    audit = page.evaluate(TEXT_AUDIT)
    assert (audit["clipped"], audit["overlaps"]) == ([], [])


def test_one_tap_on_a_phone_selects_a_point_and_the_panel_is_near(new_page, server: str) -> None:
    page = new_page(**PHONE)
    open_page(page, f"{server}/latent-map", chart=True)
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    page.touchscreen.tap(*page.evaluate(FIRST_POINT, 0))
    page.get_by_text("nearest codes in the AE").wait_for(timeout=20_000)
    wait_until_idle(page)
    panel = page.get_by_role("heading", name="Selected image").bounding_box()
    second_map = page.locator(".js-plotly-plot").nth(1).bounding_box()
    assert panel["y"] < second_map["y"], "the selection panel comes before the second map"
    screenshot(page, "latent-map-phone-selected")


def test_the_drawing_prompt_speaks_to_the_input_device(new_page, server: str) -> None:
    for options, word in ((PHONE, "finger"), ({}, "mouse")):
        page = new_page(**options)
        open_page(page, f"{server}/own-image")
        prompt = page.get_by_test_id("drawing-prompt")
        prompt.wait_for(timeout=20_000)
        assert word in prompt.inner_text()


@pytest.mark.scenario
def test_nothing_is_fetched_from_outside_and_deep_links_have_no_404(new_page, server: str) -> None:
    page = new_page()
    outside, failed, errors = [], [], []
    page.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:")) else outside.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in PATHS:
        open_page(page, f"{server}/{path}", chart=path in CHARTED)
    assert (outside, failed, errors) == ([], [], [])


@pytest.mark.scenario
def test_switching_datasets_ten_times_keeps_webgl_contexts_in_bounds(new_page, server: str) -> None:
    page = new_page()
    page.context.add_init_script(COUNT_WEBGL)
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if "WebGL" in m.text and "stall" not in m.text else None)
    open_page(page, f"{server}/latent-map", chart=True)
    groups = ["fashion-mnist · latent 2", "mnist-5k · latent 2"]
    for switch in range(10):
        choose_group(page, groups[switch % 2])
        page.get_by_role("link", name="Interpolation" if switch % 2 else "Latent map").click()
        wait_until_idle(page)
    assert page.evaluate("window.__webglCanvases.length") > 16  # more than Chromium keeps at once were opened
    page.wait_for_function(f"() => ({DETACHED_LIVE}) === 0", timeout=15_000)  # released soon after removal
    assert warnings == []
    assert page.evaluate(LIVE) <= 16


def test_a_context_opened_on_a_removed_chart_is_released(new_page, server: str) -> None:
    """A chart removed mid-draw gets its WebGL context after it left the page; that context must be freed too."""
    page = new_page()
    open_page(page, f"{server}/latent-map", chart=True)
    page.evaluate("""() => {
      const chart = document.createElement('div');
      document.body.appendChild(chart);
      chart.remove();  // the page moved on before the chart drew
      setTimeout(() => {  // and drew a moment later, into the removed chart
        const canvas = document.createElement('canvas');
        chart.appendChild(canvas);
        window.__lateContext = canvas.getContext('webgl');
      }, 200);
    }""")
    page.wait_for_function("() => window.__lateContext && window.__lateContext.isContextLost()", timeout=5_000)
