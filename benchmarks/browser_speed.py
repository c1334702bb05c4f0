"""Speed as the visitor sees it, in headless Chromium: `python -m benchmarks.browser_speed [--clicks N]`.

Two measures, each beside the server's own time for the same actions (benchmarks/server_hooks logs when a rerun
request arrives and when its script, or fragment, finishes):
- a click on the latent map until the selection panel shows the new image, painted (the next animation frame
  after the image has loaded);
- a click on the sidebar's collapse or expand button until the page is laid out again: the content has its new
  width and every chart has been redrawn at it. No script runs for this, so the server's figure is its count of
  reruns (0).
Targets (2-core CPU): click to panel p95 <= 300 ms, sidebar toggle p95 <= 400 ms. main() in run_benchmarks.py
prints the same rows.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load_test import hook_env
from dashboard.live_server import dashboard_server, launch_chromium, wait_until_idle
from dashboard.rerun_timing import read_log

MARK_CLICK = """() => document.addEventListener('mousedown', () => { window.__clickAt = performance.now(); },
                                            { capture: true, once: true })"""
POINT = """([trace, index]) => {
  const gd = document.querySelector('.js-plotly-plot');
  const layout = gd._fullLayout, data = gd._fullData[trace], box = gd.getBoundingClientRect();
  const at = index % data.x.length;
  return [box.left + layout._size.l + layout.xaxis.l2p(data.x[at]),
          box.top + layout._size.t + layout.yaxis.l2p(data.y[at])];
}"""
PANEL_IMAGE = "[data-testid=stHorizontalBlock]:has(#selected-image) > [data-testid=stColumn]:last-child img"
PANEL_PAINTED = """async ([selector, previous]) => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  while (performance.now() - window.__clickAt < 15000) {
    const image = document.querySelector(selector);
    if (image && image.src !== previous && image.complete && image.naturalWidth > 0) {
      await frame();
      return [performance.now() - window.__clickAt, image.src];
    }
    await frame();
  }
  return [null, previous];  // this click selected nothing new
}"""
LAID_OUT = """async (before) => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const content = () => document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect().width;
  const drawn = () => [...document.querySelectorAll('.js-plotly-plot')].every((plot) => {
    const svg = plot.querySelector('.main-svg');
    return svg && Math.abs(svg.getBoundingClientRect().width - plot.getBoundingClientRect().width) < 2;
  });
  let settled = 0, width = content();
  for (;;) {  // a width that holds for two frames: the sidebar's slide has ended
    await frame();
    const now = content();
    settled = now === width && now !== before ? settled + 1 : 0;
    width = now;
    if (settled >= 2 && drawn()) return [performance.now() - window.__clickAt - 2 * 16.7, now];
  }
}"""


@dataclass(frozen=True)
class Timing:
    name: str
    browser_ms: list[float]
    server_ms: list[float]
    target_ms: float

    def p(self, values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]

    def row(self) -> str:
        server = (
            f"{statistics.median(self.server_ms):>7.0f} {self.p(self.server_ms, 95):>5.0f}"
            if self.server_ms
            else f"{'no rerun':>13}"
        )
        median, p95 = statistics.median(self.browser_ms), self.p(self.browser_ms, 95)
        return f"{self.name:<40}{median:>8.0f}{p95:>8.0f}  {server}   p95 <= {self.target_ms:.0f} ms"


def _server_reruns(log_path: Path, since: float) -> list[float]:
    """Milliseconds from each rerun request to its script_finished, for requests logged after `since`."""
    logged = read_log(log_path, since)
    if logged.unsupported:  # the server's timing hook could not be installed: say why rather than show nothing
        raise SystemExit(logged.unsupported[0])
    return [rerun.total_ms for rerun in logged.reruns if rerun.finished * 1000 >= rerun.total_ms]


def _log_clock(log_path: Path) -> float:
    lines = log_path.read_text().splitlines()
    return float(lines[-1].split()[0]) if lines else 0.0


def click_times(page, clicks: int, stride: int = 37) -> list[float]:
    """Milliseconds from each click on the first map's points (every `stride`-th) to the panel painted."""
    times, shown = [], ""
    for click in range(clicks + 1):
        page.evaluate(MARK_CLICK)
        page.mouse.click(*page.evaluate(POINT, [0, stride * click + 5]))
        elapsed, shown = page.evaluate(PANEL_PAINTED, [PANEL_IMAGE, shown])
        wait_until_idle(page)
        if click and elapsed is not None:  # the first one warms up the panel's images
            times.append(elapsed)
    return times


def click_to_panel(page, log_path: Path, clicks: int) -> Timing:
    page.goto(page.url.split("?")[0])
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    wait_until_idle(page)
    since = _log_clock(log_path)
    times = click_times(page, clicks)
    return Timing("click on the map -> panel painted", times, _server_reruns(log_path, since)[1:], 300)


def sidebar_toggle(page, log_path: Path, toggles: int) -> Timing:
    since, times = _log_clock(log_path), []
    for toggle in range(toggles + 1):
        before = page.evaluate(
            "document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect().width"
        )
        button = (
            "[data-testid=stSidebarCollapseButton] button" if toggle % 2 == 0 else "[data-testid=stExpandSidebarButton]"
        )
        page.mouse.move(150 if toggle % 2 == 0 else 20, 40)  # the buttons show on hover
        page.evaluate(MARK_CLICK)
        page.locator(button).click()
        elapsed, _ = page.evaluate(LAID_OUT, before)
        if toggle:
            times.append(elapsed)
        page.wait_for_timeout(200)
    reruns = _server_reruns(log_path, since)
    return Timing(f"sidebar toggle -> laid out ({len(reruns)} reruns)", times, reruns, 400)


def measure(clicks: int = 20) -> list[Timing]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as cache, sync_playwright() as playwright:
        log_path = Path(cache) / "reruns.log"
        env = hook_env(log_path)
        with dashboard_server(Path(cache), env=env) as live:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{live.url}/latent-map")
            timings = [click_to_panel(page, log_path, clicks), sidebar_toggle(page, log_path, clicks)]
            browser.close()
    return timings


def header() -> str:
    return f"{'in the browser (ms)':<40}{'median':>8}{'p95':>8}  {'server median p95':>17}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=20)
    args = parser.parse_args()
    print(header())
    for timing in measure(args.clicks):
        print(timing.row())


if __name__ == "__main__":
    main()
