"""The full latent map as a visitor meets it, beside the 2,000-image sample view in the same run:
`python -m benchmarks.full_map_speed [--group fashion-mnist.z16] [--clicks N]`.

Headless Chromium against a warm server (each view opened once before it is timed), two models side by side:
- page open: from navigation to both maps painted with all their points (the next animation frame after both
  charts hold every point), target <= 2.5 s for the full Fashion map;
- the bytes the server sent over the websocket while the page opened, and the largest single message (one map's
  chart), target <= 4 MB for one map;
- a click on the map until the selection panel shows the new image, painted: p95 <= 400 ms;
- a lasso over ~7 % of the points (about 5,000 of Fashion's 70,000) until the gallery's picture is painted: <= 1 s.
The load average of the machine is printed with the figures: on a shared machine they are pessimistic.
main() in run_benchmarks.py prints the same rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.browser_speed import MARK_CLICK, click_times
from dashboard.live_server import dashboard_server, drag_selection, launch_chromium, wait_until_idle

VIEWS = ("sample", "full")
LASSO_SHARE = 0.0714  # of the points: 5,000 of 70,000
BOTH_PAINTED = """async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  for (;;) {
    const maps = [...document.querySelectorAll('.js-plotly-plot')].slice(0, 2);
    const ready = maps.length === 2 && maps.every((gd) => gd._fullLayout && (gd._fullData || [])
      .some((t) => (t.name === 'images' && t.x && t.x.length > 0) || t.name === 'density'));
    if (ready) { await frame(); return [performance.now(), maps.map((gd) => gd._fullData[0].x.length)]; }
    await frame();
  }
}"""
# A lasso around a vertical strip holding LASSO_SHARE of the first map's points, in page pixels.
STRIP = """(share) => {
  const gd = document.querySelector('.js-plotly-plot');
  gd.scrollIntoView({block: 'center'});
  const layout = gd._fullLayout, size = layout._size, box = gd.getBoundingClientRect();
  const x = Float64Array.from(gd._fullData[0].x).sort();
  const from = x[Math.floor(x.length * 0.45)], to = x[Math.floor(x.length * (0.45 + share))];
  const left = box.left + size.l + layout.xaxis.l2p(from), right = box.left + size.l + layout.xaxis.l2p(to);
  return [left, right, box.top + size.t + 2, box.top + size.t + size.h - 2,
          Array.from(gd._fullData[0].x).filter((v) => v >= from && v <= to).length];
}"""
GALLERY_PAINTED = """async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  while (performance.now() - window.__clickAt < 30000) {
    const image = [...document.querySelectorAll('[data-testid=stImage]')]
      .find((i) => (i.innerText || '').includes('selected images'));
    const img = image && image.querySelector('img');
    if (img && img.complete && img.naturalWidth > 0) { await frame(); return performance.now() - window.__clickAt; }
    await frame();
  }
  return null;
}"""


@dataclass(frozen=True)
class ViewFigures:
    view: str
    points: list[int]
    open_s: list[float]
    bytes_total: int
    largest_message: int
    click_ms: list[float]
    lasso_ms: float | None
    lasso_points: int


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94] if len(values) > 1 else values[0]


def _open(page, url: str) -> tuple[float, list[int], int, int]:
    """Seconds to both maps painted, their point counts, websocket bytes received and the largest message."""
    sizes: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: sizes.append(len(payload))))
    page.goto(url)
    painted_ms, counts = page.evaluate(BOTH_PAINTED)
    wait_until_idle(page)
    return painted_ms / 1000, counts, sum(sizes), max(sizes, default=0)


def _lasso(page) -> tuple[float | None, int]:
    left, right, top, bottom, inside = page.evaluate(STRIP, LASSO_SHARE)
    corners = [(left - 1, top), (right + 1, top), (right + 1, bottom), (left - 1, bottom)]
    mark = MARK_CLICK.replace("mousedown", "mouseup")
    drag_selection(page, page.locator(".js-plotly-plot").first, "Lasso Select", corners, lambda: page.evaluate(mark))
    elapsed = page.evaluate(GALLERY_PAINTED)
    wait_until_idle(page)
    return elapsed, inside


def measure(group: str, clicks: int, repeats: int) -> list[ViewFigures]:
    from playwright.sync_api import sync_playwright

    figures = []
    with tempfile.TemporaryDirectory() as cache, sync_playwright() as playwright, dashboard_server(Path(cache)) as live:
        browser = launch_chromium(playwright)
        for view in VIEWS:
            url = f"{live.url}/latent-map?group={group}&map={view}"
            warm = browser.new_page(viewport={"width": 1440, "height": 1000})
            _open(warm, url)  # loads the maps into the server's cache: the figures are for a warm server
            warm.close()
            opens, counts, total, largest = [], [], 0, 0
            for _ in range(repeats):
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                seconds, counts, total, largest = _open(page, url)
                opens.append(seconds)
                page.close()
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            _open(page, url)
            click_ms = click_times(page, clicks, stride=7919)  # points far apart on a 70,000-point map
            lasso_ms, inside = _lasso(page)
            page.close()
            figures.append(ViewFigures(view, counts, opens, total, largest, click_ms, lasso_ms, inside))
        browser.close()
    return figures


def rows(figures: list[ViewFigures]) -> list[str]:
    lines = [f"{'latent map in Chromium, two models':<44}" + "".join(f"{f.view:>16}" for f in figures) + "  target"]

    def line(name: str, values: list[str], target: str) -> None:
        lines.append(f"{name:<44}" + "".join(f"{v:>16}" for v in values) + f"  {target}")

    line("points per map", [f"{f.points[0]:,}" for f in figures], "")
    line("page open -> both maps painted, median s", [f"{statistics.median(f.open_s):.2f}" for f in figures], "<= 2.5")
    line("  worst s", [f"{max(f.open_s):.2f}" for f in figures], "")
    line("websocket bytes while opening, MB", [f"{f.bytes_total / 1e6:.2f}" for f in figures], "")
    line("  largest message (one map), MB", [f"{f.largest_message / 1e6:.2f}" for f in figures], "<= 4")
    line("click -> panel painted, median ms", [f"{statistics.median(f.click_ms):.0f}" for f in figures], "")
    line("  p95 ms", [f"{_p95(f.click_ms):.0f}" for f in figures], "<= 400")
    line(
        "lasso -> gallery painted, ms",
        [f"{f.lasso_ms:.0f} ({f.lasso_points:,})" if f.lasso_ms else "none" for f in figures],
        "<= 1000 (points)",
    )
    return lines


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", default="fashion-mnist.z16")
    parser.add_argument("--clicks", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(load_line())
    print("\n".join(rows(measure(args.group, args.clicks, args.repeats))))
    print(load_line())


if __name__ == "__main__":
    main()
