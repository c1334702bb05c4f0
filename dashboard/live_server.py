"""A live dashboard server and a headless Chromium (Debian's chromium, no downloads), for the end-to-end tests,
the benchmarks and the load test alike. Playwright is imported only by the helpers that drive a browser."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60.0) -> float:
    """Seconds until /_stcore/health answers ok."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not become healthy in {timeout} s")


@dataclass(frozen=True)
class LiveServer:
    url: str
    pid: int


@contextmanager
def dashboard_server(
    cache_dir: Path,
    weights_dir: Path | None = None,
    log_path: Path | None = None,
    flags: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> Iterator[LiveServer]:
    """Start the dashboard as `make run` does (plus Streamlit flags and environment) on a free port; stop it after."""
    port = free_port()
    env = dict(os.environ, **(env or {}), AE_DASHBOARD_CACHE=str(cache_dir))
    if weights_dir is not None:
        env["AE_DASHBOARD_WEIGHTS"] = str(weights_dir)
    log = open(log_path or cache_dir / "server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard.serve", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", *flags],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url)
        yield LiveServer(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_until_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait for the rerun an action triggered to start (briefly) and then to finish, and the page to settle."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    running = "[data-testid='stStatusWidget']"
    with contextlib.suppress(PlaywrightTimeout):  # fast reruns can come and go before we look
        page.wait_for_selector(running, timeout=1_000)
    page.wait_for_selector(running, state="detached", timeout=timeout_ms)
    page.wait_for_timeout(300)


def open_page(page, server: str, path: str, query: str = "") -> None:
    """Go to a page (with an optional query string) and wait for its script to finish."""
    page.goto(f"{server}/{path}{query}")
    page.wait_for_selector("h1", timeout=60_000)
    wait_until_idle(page)


def choose_group(page, label: str) -> None:
    """Pick a dataset and latent size in the sidebar, as a visitor would."""
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name=label).click()
    wait_until_idle(page)


def drag_selection(
    page, chart, tool: str, corners: Sequence[tuple[float, float]], before_release: Callable[[], object] | None = None
) -> None:
    """Select on a Plotly chart (a locator) as a visitor does: pick its toolbar's 'Box Select' or 'Lasso Select'
    tool, then drag through `corners` (page pixels: a box's two corners, or a lasso's polygon, closed for you).
    `before_release` runs just before the mouse button goes up (a benchmark starts its clock there)."""
    page.mouse.move(*corners[0])  # the toolbar shows while the mouse is over the chart
    chart.locator(f".modebar-btn[data-title='{tool}']").click()
    page.mouse.move(*corners[0])
    page.mouse.down()
    for corner in [*corners[1:], *([corners[0]] if tool == "Lasso Select" else [])]:
        page.mouse.move(*corner, steps=4)
    if before_release is not None:
        before_release()
    page.mouse.up()
