"""How fast headless Chromium draws a latent map of many points: `python -m benchmarks.map_drawing [--points N]`.

Plotly.js alone (the copy plotly.py ships), no server: two maps side by side as the latent map page shows them,
drawn as one WebGL trace whose marker colours are class indices through a colour scale (what
dashboard/map_figure.latent_scatter sends) versus one WebGL trace per class (what plotly express would send).
The time runs from Plotly.newPlot to the next animation frame after both charts' `plotly_afterplot`.
main() in run_benchmarks.py prints the same rows.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import plotly

from dashboard.figures import PALETTE
from dashboard.live_server import launch_chromium
from dashboard.map_figure import MARKER_PX, _stepped

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
DRAW = """async ([layout, n, seed]) => {
  let state = seed;  // the same pseudo-random blobs in both layouts
  const random = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648; };
  const x = new Float32Array(n), y = new Float32Array(n), label = new Uint8Array(n), row = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = Math.floor(random() * 10); row[i] = i;
    x[i] = label[i] % 5 * 3 + (random() + random() + random() - 1.5);
    y[i] = Math.floor(label[i] / 5) * 3 + (random() + random() - 1);
  }
  const traces = layout === 'one trace' ?
    [{type: 'scattergl', mode: 'markers', x, y, customdata: row,
      marker: {size: SIZE, opacity: 0.7, color: label, colorscale: SCALE, cmin: -0.5, cmax: 9.5}}] :
    [...Array(10).keys()].map((c) => {
      const keep = [...label.keys()].filter((i) => label[i] === c);
      return {type: 'scattergl', mode: 'markers', name: String(c), x: Float32Array.from(keep, (i) => x[i]),
              y: Float32Array.from(keep, (i) => y[i]), customdata: Int32Array.from(keep),
              marker: {size: SIZE, opacity: 0.7, color: PALETTE[c]}};
    });
  const charts = [...document.querySelectorAll('.chart')];
  charts.forEach((gd) => Plotly.purge(gd));  // each new plot gets its WebGL context back, as a page redraw would
  await new Promise((resolve) => requestAnimationFrame(resolve));
  const started = performance.now();
  await Promise.all(charts.map((gd) => Plotly.newPlot(gd, traces, {width: 560, height: 520, dragmode: 'pan'})));
  await new Promise((resolve) => requestAnimationFrame(resolve));
  return performance.now() - started;
}"""


def draw_times(points: int, repeats: int) -> dict[str, list[float]]:
    """Milliseconds to draw two maps of `points` points, per layout, alternating the layouts between repeats."""
    from playwright.sync_api import sync_playwright

    script = (
        DRAW.replace("SIZE", str(MARKER_PX))
        .replace("SCALE", str(_stepped(PALETTE)).replace("'", '"'))
        .replace("PALETTE", str(list(PALETTE)).replace("'", '"'))
    )
    times: dict[str, list[float]] = {"one trace": [], "a trace per class": []}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_content("<div class=chart style='display:inline-block'></div><div class=chart></div>")
        page.add_script_tag(path=str(PLOTLY_JS))
        for repeat in range(repeats + 1):
            for layout in times:
                elapsed = page.evaluate(script, [layout, points, 12345])
                if repeat:  # the first round warms up the shaders
                    times[layout].append(elapsed)
        browser.close()
    return times


def rows(points: int, repeats: int) -> list[str]:
    lines = []
    for layout, values in draw_times(points, repeats).items():
        spread = f"{statistics.median(values):>8.0f}{max(values):>8.0f}"
        lines.append(f"{f'two maps of {points:,} points, {layout}':<48}{spread}")
    return lines


def header() -> str:
    return f"{'headless Chromium, Plotly.js alone (ms)':<48}{'median':>8}{'worst':>8}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=70_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(header())
    print("\n".join(rows(args.points, args.repeats)))


if __name__ == "__main__":
    main()
