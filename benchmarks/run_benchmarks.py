"""Dashboard speed on this machine: prints the figures the targets are checked against.

    python benchmarks/run_benchmarks.py [--repeats N]

Targets (2-core CPU): cold server to first paint <= 3 s; latent-map script run <= 1 s; a selection or slider
rerun <= 150 ms; a 10-step AE+VAE interpolation <= 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from ae_models.latent_ops import decode_codes, interpolate  # noqa: E402
from ae_models.library import load_folder  # noqa: E402
from tests.browser_support import dashboard_server, launch_chromium  # noqa: E402

APP = str(REPO_ROOT / "dashboard" / "app.py")


def timed(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and worst wall time in milliseconds over `repeats` calls, after one warm-up call."""
    action()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def cold_start_to_first_paint() -> tuple[float, float]:
    """Seconds from launching the server to its health check, then from opening the page to the painted title.

    The second figure is what a visitor of a freshly started (cold) server waits: no script has run yet.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as cache:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        started = time.perf_counter()
        with dashboard_server(Path(cache)) as live:
            healthy = time.perf_counter() - started
            opened = time.perf_counter()
            page.goto(live.url)
            page.wait_for_selector("h1")
            painted = time.perf_counter() - opened
        browser.close()
    return healthy, painted


def page_runs(repeats: int) -> list[tuple[str, float, float]]:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=300)
    app.run()
    rows = []
    for page in ("overview", "latent_map", "interpolation", "sampling", "training_curves"):
        app.switch_page(f"views/{page}.py").run()
        rows.append((f"script run: {page}", *timed(app.run, repeats)))
    app.switch_page("views/latent_map.py").run()
    counter = iter(range(10**6))

    def select_point() -> None:
        app.session_state["selected_row"] = next(counter) % 500
        app.run()

    rows.append(("rerun: select a point on the latent map", *timed(select_point, repeats)))
    app.toggle(key="probe_on").set_value(True).run()
    probe = app.slider(key="probe_z1")

    def move_slider() -> None:
        probe.set_value(round((next(counter) % 80) / 20 - 2, 2)).run()

    rows.append(("rerun: move the decode-a-point slider", *timed(move_slider, repeats)))
    app.switch_page("views/interpolation.py").run()
    steps = app.slider[0]

    def change_steps() -> None:
        steps.set_value(5 + next(counter) % 10).run()

    rows.append(("rerun: change interpolation steps", *timed(change_steps, repeats)))
    return rows


def interpolation_compute(repeats: int) -> tuple[float, float]:
    models, _ = load_folder(REPO_ROOT / "weights")
    pair = [m for m in models if m.dataset == "mnist-5k" and m.latent_dim == 2]
    from ae_models.samples import load_sample

    images = load_sample(REPO_ROOT / "weights" / "samples" / "mnist-5k.safetensors").images.images[:2]

    def run() -> None:
        for model in pair:
            codes = model.trained.model.encode(images).mean
            decode_codes(model.trained.model, interpolate(codes[0], codes[1], 10, "spherical"))

    return timed(run, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    starts = [cold_start_to_first_paint() for _ in range(3)]
    healthy, painted = (sorted(values) for values in zip(*starts, strict=True))
    print(f"{'measure':<48}{'median':>12}{'worst':>12}  target")
    print(f"{'launch to server healthy (3 cold starts)':<48}{healthy[1] * 1000:>10.0f}ms{healthy[2] * 1000:>10.0f}ms")
    paint = f"{painted[1] * 1000:>10.0f}ms{painted[2] * 1000:>10.0f}ms"
    print(f"{'cold server: open page to first paint':<48}{paint}  <= 3000 ms")
    targets = {"latent_map": "<= 1000 ms", "rerun": "<= 150 ms"}
    for name, median, worst in page_runs(args.repeats):
        target = targets["rerun"] if name.startswith("rerun") else targets.get(name.split(": ")[-1], "")
        print(f"{name:<48}{median:>10.1f}ms{worst:>10.1f}ms  {target}")
    median, worst = interpolation_compute(args.repeats)
    print(f"{'10-step AE+VAE interpolation (encode+decode)':<48}{median:>10.1f}ms{worst:>10.1f}ms  <= 200 ms")


if __name__ == "__main__":
    main()
