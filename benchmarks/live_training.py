"""Train live, measured: `python -m benchmarks.live_training [--parts server browser]` (about 2-3 minutes).

server: a visitor's session (AppTest, in this process, which plays the server) starts the page's default run, a VAE
with the MLP and latent 2 on mnist-5k, for 100 epochs, and refreshes the page as the fragment would. Prints epochs/s
including each epoch's snapshot (target >= 2/s on 2 cores), the best validation negative ELBO within 60 s of Start
(target <= 165 nats), the server's time per refresh (target <= 300 ms) and the memory 100 epochs of snapshots add
to the server (target <= 100 MB), beside the worker's own memory.
browser: a live server and Chromium; from the click on Start to the first epoch's map painted (target <= 2 s), the
waiting worker warmed up first as it is once the page has been open a few seconds.

The load average is printed beside the figures: on a shared machine they are pessimistic.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.load_test import percentile
from dashboard.live_server import dashboard_server, launch_chromium, open_page

REPO_ROOT = Path(__file__).resolve().parent.parent
APP = str(REPO_ROOT / "dashboard" / "app.py")
EPOCHS = 100
ELBO_WINDOW_S = 60.0
WARM_S = 20.0  # the page's waiting worker imports torch and reads mnist-5k meanwhile


def load() -> str:
    return "load average {:.1f} / {:.1f} / {:.1f} on {} cores".format(*os.getloadavg(), os.cpu_count())


def rss_mib(pid: int | None = None) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def snapshot_mib(snapshots: list) -> float:
    """What the snapshots' arrays hold (map coordinates and pictures; the records beside them are a few numbers)."""
    arrays = [a for s in snapshots for a in (s.map_coords, s.reconstructions, s.prior_decodes)]
    return sum(a.nbytes for a in arrays) / 2**20


def server_side() -> None:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.switch_page("views/train_live.py").run()
    time.sleep(WARM_S)
    app.number_input(key="live_epochs").set_value(EPOCHS)
    before = rss_mib()
    print(f"server (this process) before Start: {before:.0f} MiB; {load()}")
    started = time.monotonic()
    app.button(key="FormSubmitter:live_settings-Start").click().run()
    run = app.session_state["live_owner"].current
    refreshes, best_in_window, worker_rss = [], None, 0.0
    while run.ended is None:
        time.sleep(0.5)
        with contextlib.suppress(psutil.Error, AttributeError):
            worker_rss = max(worker_rss, rss_mib(run.process.pid))
        t = time.perf_counter()
        app.run()
        refreshes.append((len(run.snapshots), (time.perf_counter() - t) * 1000))
        if time.monotonic() - started <= ELBO_WINDOW_S:
            elbos = [s.record.val_reconstruction + s.record.val_kl for s in run.snapshots]
            best_in_window = min(elbos, default=None)
    after = rss_mib()
    snapshots = run.snapshots
    first, last = snapshots[0], snapshots[-1]
    spent = sum(s.record.seconds for s in snapshots[1:])
    wall = (time.monotonic() - started) - run.first_epoch_seconds
    print(f"run: {run.ended.message}; first epoch filed {run.first_epoch_seconds:.2f} s after Start")
    later = len(snapshots) - 1  # the first epoch's wait is the start-up, printed above
    print(f"epochs/s including snapshots: {later / wall:.2f} (training alone {later / spent:.2f})")
    print(f"validation negative ELBO: best within {ELBO_WINDOW_S:.0f} s of Start {best_in_window:.1f} nats; "
          f"epoch 1 {first.record.val_total:.1f}, epoch {last.record.epoch} {last.record.val_total:.1f}")  # fmt: skip
    times = [ms for _, ms in refreshes]
    late = [ms for n, ms in refreshes if n >= EPOCHS * 0.9]
    print(f"server time per refresh (whole page script, an upper bound on the fragment's): median "
          f"{statistics.median(times):.0f} ms, p95 {percentile(times, 95):.0f} ms, "
          f"max {max(times):.0f} ms over {len(times)}; with >= {int(EPOCHS * 0.9)} epochs shown: median "
          f"{statistics.median(late or times):.0f} ms")  # fmt: skip
    print(f"memory: server RSS {after - before:+.0f} MiB after {len(snapshots)} epochs (snapshots themselves "
          f"{snapshot_mib(snapshots):.1f} MiB of arrays, weights file {len(run.ended.weights) / 2**20:.1f} "
          f"MiB); the worker process's own RSS peaked at {worker_rss:.0f} MiB; {load()}")  # fmt: skip


START_TO_PAINT = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .some((gd) => (gd._fullLayout.title.text || '').includes('Held-out codes after epoch'))"""


def browser_side(repeats: int = 3) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as cache, dashboard_server(Path(cache)) as live, sync_playwright() as pw:
        browser = launch_chromium(pw)
        seconds = []
        for _ in range(repeats):
            page = browser.new_context(viewport={"width": 1440, "height": 1500}).new_page()
            open_page(page, live.url, "train-live")
            page.wait_for_timeout(WARM_S * 1000)
            page.get_by_role("button", name="Start").click()
            clicked = time.perf_counter()
            page.wait_for_function(START_TO_PAINT, timeout=120_000, polling=50)
            seconds.append(time.perf_counter() - clicked)
            page.get_by_role("button", name="Stop").click()
            page.context.close()
        workers = [
            p for p in psutil.Process(live.pid).children(recursive=True) if "multiprocessing" in " ".join(p.cmdline())
        ]
        print(f"Start -> first painted epoch in Chromium: {', '.join(f'{s:.2f}' for s in seconds)} s "
              f"(median {statistics.median(seconds):.2f} s); waiting worker RSS "
              f"{', '.join(f'{rss_mib(p.pid):.0f}' for p in workers)} MiB; {load()}")  # fmt: skip
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", nargs="+", choices=("server", "browser"), default=("server", "browser"))
    args = parser.parse_args()
    if "server" in args.parts:
        server_side()
    if "browser" in args.parts:
        browser_side()


if __name__ == "__main__":
    main()
