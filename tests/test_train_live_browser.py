"""Train live in a real headless Chromium: a run paints epoch after epoch, takes a mid-run β change, stops, saves,
and the saved model is then the one the latent map page shows; and a server stopped with SIGTERM leaves no worker.

The run trains on the 8x8 digits with batch 8, so an epoch takes a visible moment: 3 epochs of digits end in under a
second, before anyone (or any test) could press a button mid-run."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from dashboard.live_server import REPO_ROOT, dashboard_server, open_page, wait_until_idle

pytestmark = [pytest.mark.browser, pytest.mark.scenario]
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

EXCEPTION = "[data-testid='stException']"
SCREENSHOTS = Path(os.environ.get("AE_SCREENSHOTS_DIR", REPO_ROOT / "artifacts" / "screenshots"))
MAP_EPOCH = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const map = plots.find((gd) => (gd._fullLayout.title.text || '').includes('Held-out codes'));
  const curves = plots.find((gd) => (gd._fullLayout.title.text || '').includes('Losses per epoch'));
  if (!map || !curves) return null;
  return [parseInt(map._fullLayout.title.text.match(/epoch (\\d+)/)[1]), curves._fullData[0].x.length];
}"""


def start_run(page, epochs: int) -> None:
    """Fill the settings form as a visitor would (digits, batch 8, `epochs`) and press Start."""
    page.locator("[data-testid='stMain'] [data-testid='stSelectbox']", has_text="Dataset").click()
    page.get_by_role("option", name="digits").click()
    wait_until_idle(page)  # the rerun offers the digits' own default epochs: fill the boxes after it
    for label, value in (("Batch size", "8"), ("Epochs", str(epochs))):
        field = page.get_by_role("spinbutton", name=label, exact=True)
        field.fill(value)
        field.press("Tab")
    page.get_by_role("button", name="Start").click()


def live_workers(server: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in server.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # a process ending meanwhile (a zombie until it is reaped)
            if "multiprocessing" in " ".join(child.cmdline()):
                found.append(child)
    return found


def painted(page) -> tuple[int, int] | None:
    return page.evaluate(MAP_EPOCH)


def wait_for_epochs(page, more_than: int, timeout: float = 240.0) -> tuple[int, int]:
    """Wait until the map and the curves both show more than `more_than` epochs (generous: on a machine shared by
    several test runs the waiting worker's warm-up, torch's import included, has taken two minutes)."""
    deadline = time.monotonic() + timeout
    while True:
        seen = painted(page)
        if seen is not None and min(seen) > more_than:
            return seen
        assert time.monotonic() < deadline, f"stuck at {seen}"
        page.wait_for_timeout(100)


def test_a_live_run_updates_takes_a_beta_change_stops_saves_and_no_worker_outlives_sigterm(browser, tmp_path) -> None:
    """One server for the whole story (each start costs a waiting worker's warm-up): the visitor's run, the saved
    model on the latent map page, then a second run that the server's SIGTERM must end with it."""
    with dashboard_server(tmp_path) as live:
        page = browser.new_context(viewport={"width": 1440, "height": 1500}).new_page()
        open_page(page, live.url, "train-live")
        start_run(page, epochs=300)
        first = wait_for_epochs(page, 0)
        second = wait_for_epochs(page, first[0])
        third = wait_for_epochs(page, second[0])  # the map and the curves updated at least twice after the first
        assert third[0] > second[0] > first[0] and third[1] > second[1] > first[1]
        beta = page.get_by_role("spinbutton", name="β from the next epoch")
        beta.fill("4")
        beta.press("Tab")
        page.get_by_role("button", name="Apply").click()
        page.get_by_text("Dashed lines: your changes").wait_for(timeout=30_000)
        assert page.get_by_text(", lr 0.001)").count() >= 1  # the caption names the change: "epoch N: β 4, lr 0.001"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "train-live-running.png"))
        page.get_by_role("button", name="Stop").click()
        stopped = page.get_by_text("The run stopped after epoch")
        stopped.wait_for(timeout=30_000)
        epochs = int(stopped.inner_text().split("epoch ")[1].split(" ")[0])
        page.get_by_role("button", name="Save for the other pages").click()
        page.get_by_text("it is now chosen in the sidebar").wait_for(timeout=30_000)
        page.locator("[data-testid='stSidebarNav'] a", has_text="Latent map").click()
        page.locator("h1", has_text="Latent map").wait_for(timeout=30_000)
        wait_until_idle(page)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)  # its map, computed in the background
        expect(page.locator("[data-testid='stMain'] .js-plotly-plot").first).to_contain_text(
            f"trained live:live_digits_vae_z2_{epochs}ep"
        )
        assert page.locator(EXCEPTION).count() == 0

        page.locator("[data-testid='stSidebarNav'] a", has_text="Train live").click()
        start_run(page, epochs=300)
        wait_for_epochs(page, 0)
        server = psutil.Process(live.pid)
        deadline = time.monotonic() + 60
        while len(workers := live_workers(server)) < 2:  # the training one and the spare, started at its epoch 1
            assert time.monotonic() < deadline, workers
            time.sleep(0.2)
        os.kill(live.pid, signal.SIGTERM)
        server.wait(30)
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, f"workers left running: {[p.pid for p in alive]}"
        page.context.close()


def test_a_slowed_browser_is_refreshed_only_as_fast_as_it_draws(browser, tmp_path) -> None:
    """The panel asks for its next refresh once the browser has drawn the last one (dashboard/refresh_pacer.py).
    With a fixed timer (`st.fragment(run_every=0.5)`) a browser slowed 8x had 6 refreshes asked and not yet
    answered at once, and drew the epochs ever later."""
    outstanding: list[int] = []  # refreshes asked and not yet answered, after each frame

    def watch(socket) -> None:
        def asked(payload: bytes | str) -> None:
            if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
                outstanding.append((outstanding[-1] if outstanding else 0) + 1)

        def answered(payload: bytes | str) -> None:
            small = isinstance(payload, bytes) and len(payload) < 32_768  # script_finished is; charts are not
            if small and outstanding and ForwardMsg.FromString(payload).WhichOneof("type") == "script_finished":
                outstanding.append(outstanding[-1] - 1)

        socket.on("framesent", asked)
        socket.on("framereceived", answered)

    with dashboard_server(tmp_path) as live:
        page = browser.new_context(viewport={"width": 1440, "height": 1500}).new_page()
        page.on("websocket", watch)
        open_page(page, live.url, "train-live")
        start_run(page, epochs=500)
        wait_for_epochs(page, 0)
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 8})
        outstanding.clear()
        page.wait_for_timeout(12_000)
        assert outstanding.count(1) >= 3, outstanding  # it went on refreshing
        assert max(outstanding) == 1, outstanding
        page.context.close()


def test_a_lost_refresh_is_asked_again(browser, tmp_path) -> None:
    """A refresh request that never reaches the server (a full rerun can take its place) is asked for again
    (dashboard/refresh_pacer.RETRY_SECONDS): without the retry no drawing follows, so no next request, and the panel
    froze for the rest of the run (a story test once stopped refreshing after Apply)."""
    dropped: list[float] = []

    def drop_one_refresh(route) -> None:
        server = route.connect_to_server()

        def to_server(payload: bytes | str) -> None:
            rerun = isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script"
            if rerun and drop.is_set() and not dropped:
                dropped.append(time.monotonic())
                return
            server.send(payload)

        route.on_message(to_server)

    drop = threading.Event()
    with dashboard_server(tmp_path) as live:
        page = browser.new_context(viewport={"width": 1440, "height": 1500}).new_page()
        page.route_web_socket(re.compile(r"_stcore/stream"), drop_one_refresh)
        open_page(page, live.url, "train-live")
        start_run(page, epochs=500)
        before = wait_for_epochs(page, 1)
        drop.set()
        deadline = time.monotonic() + 60
        while not dropped:
            assert time.monotonic() < deadline, "no refresh was asked for"
            page.wait_for_timeout(100)
        later = wait_for_epochs(page, before[0] + 2, timeout=30)  # the pacer asked again and the panel went on
        assert later[0] > before[0]
        page.context.close()
