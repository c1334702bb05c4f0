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
import math
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


WATCH_START = """() => {
  // performance.now() of each stage after the click: the server's first answer (the progress bar), the first
  // epoch's map drawn, and the fetch of Plotly's code if the browser had not loaded it before the click
  const marks = {click: performance.now()};
  window.__liveMarks = marks;
  const see = () => {
    if (!marks.answer && document.querySelector('[data-testid="stProgress"]')) marks.answer = performance.now();
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    if (!marks.painted && plots.some((gd) => (gd._fullLayout?.title?.text || '').includes('Held-out codes after')))
      marks.painted = performance.now();
  };
  new MutationObserver(see).observe(document.body, {subtree: true, childList: true, attributes: true});
}"""
STAGES = """() => {
  const m = window.__liveMarks;
  const chunk = performance.getEntriesByType('resource').find((r) => r.name.includes('PlotlyChart'));
  const late = chunk && chunk.startTime > m.click ? chunk.startTime - m.click : null;
  return {answer: (m.answer - m.click) / 1000, painted: (m.painted - m.click) / 1000,
          plotly_fetched: late === null ? null : late / 1000};
}"""
MAP_TEXT = b"Held-out codes after epoch"


def browser_side(repeats: int = 3) -> None:
    """Start -> first painted epoch, and its stages: the server's first answer, the first epoch's map arriving over
    the websocket (the worker's epoch and the page's refresh), the browser drawing it (loading Plotly first if the
    page had drawn no chart before)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as cache, dashboard_server(Path(cache)) as live, sync_playwright() as pw:
        browser = launch_chromium(pw)
        rows = []
        for _ in range(repeats):
            page = browser.new_context(viewport={"width": 1440, "height": 1500}).new_page()
            arrived: list[float] = []

            def watch(socket, arrived=arrived) -> None:
                socket.on("framereceived", lambda f: arrived.append(time.perf_counter()) if MAP_TEXT in (
                    f if isinstance(f, bytes) else f.encode()) else None)  # fmt: skip

            page.on("websocket", watch)
            open_page(page, live.url, "train-live")
            page.wait_for_timeout(WARM_S * 1000)
            page.evaluate(WATCH_START)
            clicked = time.perf_counter()
            page.get_by_role("button", name="Start").click()
            page.wait_for_function("() => window.__liveMarks.painted", timeout=120_000, polling=50)
            stages = page.evaluate(STAGES)
            rows.append({**stages, "arrived": arrived[0] - clicked if arrived else math.nan})
            page.get_by_role("button", name="Stop").click()
            page.context.close()
        workers = [
            p for p in psutil.Process(live.pid).children(recursive=True) if "multiprocessing" in " ".join(p.cmdline())
        ]
        for row in rows:
            fetched = row["plotly_fetched"]
            plotly = "loaded before Start" if fetched is None else f"fetched {fetched:.2f} s after Start"
            print(f"  server answered {row['answer']:.2f} s, epoch 1's map arrived {row['arrived']:.2f} s, "
                  f"painted {row['painted']:.2f} s after Start; Plotly's code {plotly}")  # fmt: skip
        seconds = [row["painted"] for row in rows]
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
