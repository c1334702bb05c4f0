"""Speed and memory on this machine, side by side in one run: `make benchmark` (about 3 minutes).

    python -m benchmarks.run_benchmarks [--repeats N] [--parts start scripts memory ...]

Prints: cold start to first paint; every page's script time and the main reruns; the latent map from its
precomputed file versus fitting UMAP inside the request; training throughput of `train` versus a bare PyTorch
loop on the same model and data; the server's peak memory with every shipped model, map and sample loaded.
Targets (2-core CPU): first paint <= 3 s; latent-map script <= 1 s; a selection or slider rerun <= 150 ms;
a 10-step AE+VAE interpolation <= 200 ms; in Chromium, a click on the latent map until the selection panel is
painted p95 <= 300 ms and a sidebar toggle until the page is laid out again p95 <= 400 ms, each printed beside
the server's own time for the same actions (benchmarks/browser_speed.py). The full latent map of Fashion-MNIST
latent 16 (70,000 images, two models) beside the 2,000-image sample view in the same run (benchmarks/full_map_speed.py):
page open to both maps painted <= 2.5 s on a warm server, click to panel p95 <= 400 ms, a lasso of ~5,000 points to
the gallery painted <= 1 s, one map's websocket message <= 4 MB; and Plotly.js alone drawing 70,000 points as one
trace or a trace per class (benchmarks/map_drawing.py). The many-visitors figures come from benchmarks/load_test.py.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from ae_models.latent_ops import decode_codes, interpolate
from ae_models.library import LibraryModel, load_folder
from ae_models.samples import load_sample, sample_path
from benchmarks import browser_speed, full_map_speed, map_drawing
from dashboard.live_server import dashboard_server, launch_chromium, wait_until_idle
from dashboard.page_list import PAGE, PAGES

REPO_ROOT = Path(__file__).resolve().parent.parent
APP = str(REPO_ROOT / "dashboard" / "app.py")
WEIGHTS = REPO_ROOT / "weights"


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
    for page in PAGES:
        app.switch_page(page.app_path).run()
        rows.append((f"script run: {page.name}", *timed(app.run, repeats)))
    app.switch_page(PAGE["latent_map"].app_path).run()
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
    app.switch_page(PAGE["interpolation"].app_path).run()
    steps = app.slider[0]

    def change_steps() -> None:
        steps.set_value(5 + next(counter) % 10).run()

    rows.append(("rerun: change interpolation steps", *timed(change_steps, repeats)))
    app.switch_page(PAGE["anomaly"].app_path).run()
    threshold = app.slider[0]

    def move_threshold() -> None:
        threshold.set_value(90 + next(counter) % 90 / 10).run()

    rows.append(("rerun: move the anomaly threshold", *timed(move_threshold, repeats)))
    return rows


def interpolation_compute(repeats: int) -> tuple[float, float]:
    models, _ = load_folder(WEIGHTS)
    pair = [m for m in models if m.dataset == "mnist-5k" and m.latent_dim == 2]
    images = load_sample(sample_path(WEIGHTS, "mnist-5k")).images.images[:2]

    def run() -> None:
        for model in pair:
            codes = model.network.encode(images).mean
            decode_codes(model.network, interpolate(codes[0], codes[1], 10, "spherical"))

    return timed(run, repeats)


def _shipped(name: str) -> LibraryModel:
    return next(m for m in load_folder(WEIGHTS)[0] if m.name == name)


def map_precomputed_vs_umap(repeats: int) -> tuple[float, float, float]:
    """Latent-map page script with its precomputed map, and a UMAP fit of the same codes (first, then warm).

    The z16 map page is the one that needs UMAP: fitting it per request is what the precomputed file avoids.
    """
    from streamlit.testing.v1 import AppTest

    from ae_models.latent_maps import build_map

    app = AppTest.from_file(APP, default_timeout=300)
    app.run()
    app.sidebar.selectbox(key="group").set_value(("mnist-5k", 16)).run()
    app.switch_page(PAGE["latent_map"].app_path).run()
    page_ms, _ = timed(app.run, repeats)
    model = _shipped("mnist_vae_z16")
    sample = load_sample(sample_path(WEIGHTS, model.dataset))
    started = time.perf_counter()
    build_map(model.network, sample, model.sha256)
    first_ms = (time.perf_counter() - started) * 1000
    warm_ms, _ = timed(lambda: build_map(model.network, sample, model.sha256), 2)
    return page_ms, first_ms, warm_ms


def training_throughput(epochs: int = 2) -> tuple[float, float]:
    """Images per second: `train` (with its per-epoch validation and history) versus a bare PyTorch loop.

    Same model (the shipped mnist_vae_z2 architecture), same 4,500 digits, same batches and optimizer; jitter is
    off in both, so the difference is what `train` adds.
    """
    from dataclasses import replace

    import torch

    from ae_models.catalog import shipped_specs
    from ae_models.datasets import load_split
    from ae_models.losses import loss_parts
    from ae_models.models import build_model
    from ae_models.training import train

    spec = next(s for s in shipped_specs() if s.name == "mnist_vae_z2")
    config = replace(spec.training, epochs=epochs, augment=0.0)
    images = load_split(spec.dataset, "train").images
    val = load_split(spec.dataset, "val").images
    model_config = replace(spec.model, image_shape=images.shape[1:])

    def bare_loop() -> None:
        torch.manual_seed(0)
        model = build_model(model_config)
        optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
        for _ in range(epochs):
            for index in torch.randperm(len(images)).split(config.batch_size):
                logits, encoding = model(images[index])
                loss = loss_parts(logits, images[index], encoding).total
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()

    def train_loop() -> None:
        torch.manual_seed(0)
        train(build_model(model_config), images, val, config)

    best = {train_loop: float("inf"), bare_loop: float("inf")}
    for _ in range(2):  # alternate and keep each one's best, so neither pays the process's warm-up
        for run in best:
            started = time.perf_counter()
            run()
            best[run] = min(best[run], time.perf_counter() - started)
    return epochs * len(images) / best[train_loop], epochs * len(images) / best[bare_loop]


def server_peak_memory() -> tuple[float, float, int]:
    """Peak and current RSS (MiB) of a live server after every model group's latent map and every page was shown."""
    from playwright.sync_api import sync_playwright

    models = load_folder(WEIGHTS)[0]
    groups = sorted({(m.dataset, m.latent_dim) for m in models})
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as cache:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        with dashboard_server(Path(cache)) as live:
            for dataset, latent in groups:
                page.goto(f"{live.url}/{PAGE['latent_map'].url_path}")
                page.wait_for_selector("h1", timeout=120_000)
                page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
                page.get_by_role("option", name=f"{dataset} · latent {latent}").click()
                wait_until_idle(page, timeout_ms=120_000)
                page.wait_for_selector(".js-plotly-plot", timeout=120_000)
            for shown in PAGES:
                page.goto(f"{live.url}/{shown.url_path}")
                page.wait_for_selector("h1", timeout=120_000)
                wait_until_idle(page, timeout_ms=120_000)
            status = Path(f"/proc/{live.pid}/status").read_text()
        browser.close()
    kib = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.startswith("Vm")}
    return kib["VmHWM"] / 1024, kib["VmRSS"] / 1024, len(models)


def _start_figures(repeats: int) -> None:
    starts = [cold_start_to_first_paint() for _ in range(3)]
    healthy, painted = (sorted(values) for values in zip(*starts, strict=True))
    print(f"{'launch to server healthy (3 cold starts)':<48}{healthy[1] * 1000:>10.0f}ms{healthy[2] * 1000:>10.0f}ms")
    paint = f"{painted[1] * 1000:>10.0f}ms{painted[2] * 1000:>10.0f}ms"
    print(f"{'cold server: open page to first paint':<48}{paint}  <= 3000 ms")


def _script_figures(repeats: int) -> None:
    targets = {"latent_map": "<= 1000 ms", "rerun": "<= 150 ms"}
    for name, median, worst in page_runs(repeats):
        target = targets["rerun"] if name.startswith("rerun") else targets.get(name.split(": ")[-1], "")
        print(f"{name:<48}{median:>10.1f}ms{worst:>10.1f}ms  {target}")
    median, worst = interpolation_compute(repeats)
    print(f"{'10-step AE+VAE interpolation (encode+decode)':<48}{median:>10.1f}ms{worst:>10.1f}ms  <= 200 ms")


def _map_figures(repeats: int) -> None:
    page_ms, first_fit_ms, warm_fit_ms = map_precomputed_vs_umap(repeats)
    print(f"\n{'latent map, mnist_vae_z16 (2,000 codes)':<48}{'ms':>12}{'x page':>12}")
    print(f"{'page script, precomputed map (median)':<48}{page_ms:>12.0f}{1:>12.1f}")
    for label, fit_ms in (("UMAP in the request, first in a process", first_fit_ms),
                          ("UMAP in the request, warm (median)", warm_fit_ms)):  # fmt: skip
        print(f"{label:<48}{page_ms + fit_ms:>12.0f}{(page_ms + fit_ms) / page_ms:>12.1f}")


def _training_figures(repeats: int) -> None:
    trained, bare = training_throughput()
    print(f"\n{'training mnist_vae_z2 on 4,500 digits, 2 epochs':<48}{'images/s':>12}{'vs bare':>12}")
    print(f"{'bare PyTorch loop':<48}{bare:>12.0f}{1:>12.2f}")
    print(f"{'ae_models.training.train (+ validation, history)':<48}{trained:>12.0f}{trained / bare:>12.2f}")


def _browser_figures(repeats: int) -> None:
    print()
    print(browser_speed.header())
    for timing in browser_speed.measure(clicks=repeats + 5):
        print(timing.row())


def _full_map_figures(repeats: int) -> None:
    print(f"\n{full_map_speed.load_line()}")
    print("\n".join(full_map_speed.rows(full_map_speed.measure("fashion-mnist.z16", clicks=repeats + 5, repeats=5))))
    print(map_drawing.header())
    print("\n".join(map_drawing.rows(70_000, 5)))
    print(full_map_speed.load_line())


def _memory_figures(repeats: int) -> None:
    peak, current, n_models = server_peak_memory()
    print(f"\nserver with all {n_models} shipped models, every map and sample shown: peak RSS {peak:.0f} MiB, "
          f"{current:.0f} MiB at the end")  # fmt: skip


PARTS = {  # in the order they print; the server-side ones are start, scripts and memory
    "start": _start_figures,
    "scripts": _script_figures,
    "map": _map_figures,
    "training": _training_figures,
    "browser": _browser_figures,
    "full-map": _full_map_figures,
    "memory": _memory_figures,
}


def main() -> None:
    # AppTest resets Streamlit's log level on every run; silence its warning about state set between runs instead
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").disabled = True
    warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)  # umap: seeded = 1 thread
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--parts", nargs="+", choices=list(PARTS), default=list(PARTS), help="only these measurements (default: all)"
    )
    args = parser.parse_args()
    print(f"{'measure':<48}{'median':>12}{'worst':>12}  target")
    for name, part in PARTS.items():
        if name in args.parts:
            part(args.repeats)


if __name__ == "__main__":
    main()
