"""The latent map's selections and filters in a real headless Chromium against a live server on the shipped weights:
a box drawn with the chart's own tool fills the gallery with exactly the images inside it, and a class filter
leaves only that class on the map. (A click picking the point nearest the cursor: test_browser_pictures.py.)"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest

from ae_models.fullmap import full_map_path_for
from dashboard.live_server import drag_selection, open_page, wait_until_idle
from dashboard.map_figure import RINGED_NAME

from .conftest import WEIGHTS_DIR
from .test_browser import SCREENSHOTS
from .test_browser_pictures import _draw_a_stroke
from .test_presenter_browser import COUNT_WEBGL, DETACHED_LIVE, LIVE

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

MAP_DRAWN = """(index) => (document.querySelectorAll('.js-plotly-plot')[index]?._fullData || [])
    .some((t) => t.name === 'images')"""
MAP_DRAWN_ALL = """[...document.querySelectorAll('.js-plotly-plot')].slice(0, 2)
    .filter((gd) => (gd._fullData || []).some((t) => t.name === 'images' && t.x.length === 70000)).length === 2"""
# The images trace as drawn: each point's pixel position on the page, class and row.
POINTS = """(index) => {
    const gd = document.querySelectorAll('.js-plotly-plot')[index];
    const layout = gd._fullLayout, box = gd.getBoundingClientRect();
    const trace = gd._fullData.find((t) => t.name === 'images');
    return {plot: [box.left + layout._size.l, box.top + layout._size.t, layout._size.w, layout._size.h],
            x: Array.from(trace.x, (x) => box.left + layout._size.l + layout.xaxis.l2p(x)),
            y: Array.from(trace.y, (y) => box.top + layout._size.t + layout.yaxis.l2p(y)),
            data_x: Array.from(trace.x), data_y: Array.from(trace.y),
            text: Array.from(trace.text || []), rows: Array.from(trace.customdata)};
}"""


def drawn_points(page, index: int) -> dict:
    page.wait_for_function(MAP_DRAWN, arg=index, timeout=60_000)
    page.locator(".js-plotly-plot").nth(index).scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # pictures above may still shift the page
    return page.evaluate(POINTS, index)


def box_select(page, index: int, corners: tuple[float, float, float, float]) -> dict:
    """Drag a box with the chart's Box Select tool over fractions (left, top, right, bottom) of its plot area;
    the points of the images trace as drawn just before."""
    points = drawn_points(page, index)
    left, top, width, height = points["plot"]
    box = [
        (left + corners[0] * width, top + corners[1] * height),
        (left + corners[2] * width, top + corners[3] * height),
    ]
    drag_selection(page, page.locator(".js-plotly-plot").nth(index), "Box Select", box)
    return points


def test_a_box_selection_fills_the_gallery_with_the_images_inside_it(page, server: str) -> None:
    open_page(page, server, "latent-map", "?group=mnist-5k.z2")
    points = box_select(page, 0, (0.3, 0.3, 0.7, 0.7))
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')._fullLayout.selections.length === 1")
    box, chosen = page.evaluate(  # the box as Plotly keeps it (data coordinates) and the points it selected
        """() => { const gd = document.querySelector('.js-plotly-plot'), s = gd._fullLayout.selections[0];
                   return [[s.x0, s.x1, s.y0, s.y1], Array.from(gd._fullData[0].selectedpoints)]; }"""
    )
    x, y = np.array(points["data_x"])[chosen], np.array(points["data_y"])[chosen]
    margin = 0.01 * (max(box[:2]) - min(box[:2]))  # Plotly tests a point's pixel against the box's pixels
    assert (abs(x - np.clip(x, min(box[:2]), max(box[:2]))) <= margin).all()
    assert (abs(y - np.clip(y, min(box[2:]), max(box[2:]))) <= margin).all()
    expected = sorted(np.array(points["rows"])[chosen].tolist())
    assert 50 < len(expected) < len(points["rows"])
    heading = page.get_by_text(re.compile(r"Selected area: [\d,]+ images"))
    heading.wait_for(timeout=30_000)
    wait_until_idle(page)
    assert heading.inner_text() == f"Selected area: {len(expected):,} images, drawn on the AE map"
    page.wait_for_function(  # the VAE's map rings the same images, where the VAE puts them
        f"() => (document.querySelectorAll('.js-plotly-plot')[1]._fullData || [])"
        f".some((t) => t.name === '{RINGED_NAME}' && t.x.length === {len(expected)})",
        timeout=30_000,
    )
    vae = drawn_points(page, 1)
    ring = page.evaluate(
        f"""() => {{ const t = document.querySelectorAll('.js-plotly-plot')[1]._fullData
                       .find((t) => t.name === '{RINGED_NAME}');
                    return [Array.from(t.x), Array.from(t.y)]; }}"""
    )
    where = dict(zip(vae["rows"], zip(vae["data_x"], vae["data_y"], strict=True), strict=True))
    assert sorted(zip(*ring, strict=True)) == sorted(where[r] for r in expected)
    assert page.get_by_text("the mean code, decoded").count() == 2  # one per model
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(r"^Selection: .* \(CSV\)")).first.click()
    table = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert sorted(int(r["row"]) for r in table) == expected  # the rows inside the box, no others
    classes = {points["rows"][i]: points["text"][i] for i in chosen}
    assert all(r["class"] == classes[int(r["row"])] for r in table)
    histogram = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map((gd) => gd._fullData[0])
            .filter((t) => t.type === 'bar').map((t) => Array.from(t.y))"""
    )
    assert sum(histogram[0]) == len(expected)


def test_a_click_on_a_map_fills_the_row_box(page, server: str) -> None:
    open_page(page, server, "latent-map", "?group=mnist-5k.z2")
    points = drawn_points(page, 1)
    left, top, width, height = points["plot"]
    xy = np.column_stack([points["x"], points["y"]])
    inside = np.flatnonzero(
        (xy[:, 0] > left + 20) & (xy[:, 0] < left + width - 20) & (xy[:, 1] > top + 20) & (xy[:, 1] < top + height - 20)
    )
    page.mouse.click(*xy[inside[len(inside) // 2]])
    caption = page.get_by_text(re.compile(r"^original, row \d+ \("))
    caption.wait_for(timeout=30_000)
    row = int(re.search(r"row (\d+)", caption.inner_text()).group(1))
    expect(page.get_by_label("Find image by row", exact=True)).to_have_value(str(row), timeout=20_000)


def test_a_drawn_digit_lands_on_the_full_map_and_the_choice_is_shared(page, server: str) -> None:
    """Your own image with every image of mnist-5k on the latent-16 maps: the drawing is placed among all 5,000
    and its neighbours are searched over all of them; switching to the sample there switches the latent map too."""
    open_page(page, server, "own-image", "?group=mnist-5k.z16&map=full")
    _draw_a_stroke(page)
    page.get_by_text("prepared input (28x28)").wait_for(timeout=60_000)
    wait_until_idle(page)
    counts = """() => [...document.querySelectorAll('.js-plotly-plot')].map((gd) => [
        (gd._fullData.find((t) => t.name === 'images') || {x: []}).x.length,
        (gd._fullData.find((t) => t.name === 'your image') || {x: []}).x.length])"""
    page.wait_for_function(f"() => JSON.stringify(({counts})()) === '[[5000,1],[5000,1]]'", timeout=60_000)
    assert page.get_by_text("among the 5,000 images of the dataset:").count() == 2
    page.get_by_text("a sample of 2,000 (quick)", exact=True).click()
    wait_until_idle(page)
    page.wait_for_function(f"() => JSON.stringify(({counts})()) === '[[2000,1],[2000,1]]'", timeout=60_000)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Latent map").click()  # the same session
    page.get_by_role("heading", name="Latent map").wait_for(timeout=30_000)
    wait_until_idle(page)
    choice = page.locator("[data-testid='stRadio']", has_text="Images on the map")
    expect(choice.get_by_role("radio", name="a sample of 2,000 (quick)")).to_be_checked()


def test_a_class_filter_hides_the_other_classes(page, server: str) -> None:
    open_page(page, server, "latent-map", "?group=mnist-5k.z2")
    everything = drawn_points(page, 1)
    page.get_by_role("button", name="3", exact=True).click()
    wait_until_idle(page)
    page.get_by_text("Hide the others").click()
    wait_until_idle(page)
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot')[1]._fullData[0].x.length < 1000", timeout=30_000
    )
    left = drawn_points(page, 1)
    threes = sorted(r for r, t in zip(everything["rows"], everything["text"], strict=True) if t == "3")
    assert set(left["text"]) == {"3"} and sorted(left["rows"]) == threes


def _fashion_full_maps(latent: int) -> pytest.MarkDecorator:
    """Skip while the default Fashion pair's full maps are not shipped (they follow the retrained weights)."""
    missing = [
        name for name in (f"fashion_ae_z{latent}", f"fashion_vae_z{latent}")
        if not full_map_path_for(WEIGHTS_DIR / f"{name}.safetensors").is_file()
    ]  # fmt: skip
    return pytest.mark.skipif(bool(missing), reason=f"no full map shipped for {', '.join(missing)}")


@pytest.mark.scenario
@_fashion_full_maps(16)
def test_the_full_fashion_map_draws_all_70000_images_and_a_click_picks_the_nearest(page, server: str) -> None:
    """Fashion-MNIST latent 16, every image on both maps: 60,000 training and validation images and the 10,000
    of the official test set, counted in the data Plotly drew."""
    open_page(page, server, "latent-map", "?group=fashion-mnist.z16&map=full")
    page.wait_for_function(f"() => {MAP_DRAWN_ALL}", timeout=120_000)
    counts = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].slice(0, 2).map((gd) => gd._fullData[0].x.length)"
    )
    assert counts == [70_000, 70_000]
    points = drawn_points(page, 1)
    assert sorted(points["rows"]) == list(range(70_000))  # every global row once
    left, top, width, height = points["plot"]
    centre = (float(np.median(points["x"])), float(np.median(points["y"])))  # amid the images
    lasso = [
        (centre[0] + 0.12 * width * np.cos(a), centre[1] + 0.12 * height * np.sin(a)) for a in np.linspace(0, 6, 9)
    ]
    drag_selection(page, page.locator(".js-plotly-plot").nth(1), "Lasso Select", lasso)  # on the VAE's map
    heading = page.get_by_text(re.compile(r"Selected area: [\d,]+ images"))
    heading.wait_for(timeout=60_000)
    wait_until_idle(page)
    selected = page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[1]._fullData[0].selectedpoints.length")
    assert heading.inner_text() == f"Selected area: {selected:,} images, drawn on the VAE map" and selected > 100
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "latent-map-full-lasso.png"), full_page=True)
    points = drawn_points(page, 0)  # then a click on the AE's map, still in its pan mode
    xy = np.column_stack([points["x"], points["y"]])
    left, top, width, height = points["plot"]
    x, y = xy[:, 0], xy[:, 1]
    inside = np.flatnonzero((x > left + 5) & (x < left + width - 5) & (y > top + 5) & (y < top + height - 5))
    cursor = np.round(xy[inside[len(inside) // 3]])  # the browser gives the page the cursor in whole pixels
    page.mouse.click(*cursor)
    caption = page.get_by_text(re.compile(r"^original, row \d+ \("))
    caption.wait_for(timeout=60_000)
    row = int(re.search(r"row (\d+)", caption.inner_text()).group(1))
    from_cursor = np.linalg.norm(xy - cursor, axis=1)
    chosen = points["rows"].index(row)
    assert from_cursor[chosen] <= from_cursor.min() + 0.01, (xy[chosen], cursor)  # the nearest of 70,000
    assert page.get_by_text("among all 70,000 images of the dataset, whatever").count() == 2  # every row


@pytest.mark.scenario
@_fashion_full_maps(2)
def test_switching_between_sample_full_and_density_views_keeps_webgl_contexts_in_bounds(page, server: str) -> None:
    """Each view change draws both maps anew (70,000 points, or a density picture): the contexts of the charts
    it replaced are given back (dashboard/chart_helpers.py), so the page never nears Chromium's limit."""
    page.context.add_init_script(COUNT_WEBGL)
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if "WebGL" in m.text and "stall" not in m.text else None)
    open_page(page, server, "latent-map", "?group=fashion-mnist.z2&map=full")
    page.wait_for_function(f"() => {MAP_DRAWN_ALL}", timeout=120_000)
    for _ in range(3):
        for label in ("Density view", "Density view", "a sample of 2,000 (quick)", "every image of the dataset"):
            page.get_by_text(label, exact=True).click()
            wait_until_idle(page)
    page.wait_for_function(f"() => {MAP_DRAWN_ALL}", timeout=120_000)
    page.wait_for_function(f"() => ({DETACHED_LIVE}) === 0", timeout=15_000)  # released soon after removal
    assert page.evaluate("window.__webglCanvases.length") > 8  # the views did open new contexts
    assert warnings == []
    assert page.evaluate(LIVE) <= 4  # two maps' worth
