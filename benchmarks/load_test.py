"""Many people at once: N real browser sessions select points, interpolate and sample against one server.

    python -m benchmarks.load_test [--sessions 20] [--seconds 60] [--live-training]

Each session is its own Playwright context (its own Streamlit session and websocket) cycling through the
latent map (click a point), interpolation (click the map to move an endpoint) and sampling (next seed).
The warm-up lasts until every session has been through every page once (caches are full from then on); the
load then goes on for --seconds, and the figures after the warm-up come from that steady window.
Rerun latency is measured in the server (benchmarks/server_hooks logs when each rerun request arrives and when
its script finishes), and also as the browsers see it on their websockets, which adds the time a busy headless
renderer takes to hand the frames over. Server memory (RSS, psutil) is sampled every second; after the tabs
close, the server must drop every session within server.disconnectedSessionTTL.

With --live-training one more visitor trains on the Train live page (the default VAE run on mnist-5k, 500 epochs,
started again each time it ends) from before the first session arrives until the last one leaves: its worker
process takes a core, its page's refreshes are counted apart from the other pages' reruns, and the check needs both
epochs and refreshes in the steady window. Server memory is the server process's own; its training workers are
separate processes, reported apart.

Every websocket that closes while its visitor is still there is reported with its close code and reason as the page
saw them (1011 "keepalive ping timeout": the server's pings went unanswered for server.websocketPingInterval), with
the load average, which says how starved the browsers were.

Targets on a 2-core machine: zero errors, p95 <= 300 ms, no memory growth after the warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from dashboard.live_server import CHROMIUM, CHROMIUM_ARGS, dashboard_server
from dashboard.page_list import PAGE, Page
from dashboard.rerun_timing import ServerRerun, read_log

REPO_ROOT = Path(__file__).resolve().parent.parent
HOOKS = REPO_ROOT / "benchmarks" / "server_hooks"
SMALL_FRAME = 32_768  # script_finished and exception deltas are small; charts and images are not parsed
RERUN_TIMEOUT_S = 60.0
LATE_S = 3.0  # a rerun that starts later than this after its click is late: the browser was too starved to send it
NO_RERUN_S = 20.0  # one that starts no rerun in this time missed (a shorter wait put late reruns on the next action)
CLICK_A_POINT = """(seed) => {
    // the page's latent map: the Plotly chart with the most marker points
    const charts = [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd._fullLayout && gd._fullData);
    const points = gd => gd._fullData.filter(t => t.visible === true && t.customdata && t.x && t.x.length);
    const size = gd => points(gd).reduce((n, t) => n + t.x.length, 0);
    const gd = charts.sort((a, b) => size(b) - size(a))[0];
    if (!gd || !size(gd)) return null;
    // what Plotly itself makes of the click: a selected point means the click reached the chart
    window.__selections = 0;
    if (!gd.__counted) { gd.__counted = true; gd.on('plotly_selected', () => { window.__selections += 1; }); }
    gd.scrollIntoView({block: 'center'});
    const traces = points(gd), trace = traces[seed % traces.length], i = seed % trace.x.length;
    const layout = gd._fullLayout, box = gd.getBoundingClientRect();
    return [box.left + layout._size.l + layout.xaxis.l2p(trace.x[i]),
            box.top + layout._size.t + layout.yaxis.l2p(trace.y[i])];
}"""

TOUR = [PAGE[name] for name in ("latent_map", "interpolation", "sampling")]  # the pages a visitor clicks through
# each websocket the page opens reports how it closed (Playwright's own close event carries no code), and whether the
# page's own code closed it first
SOCKET_CLOSES = """(() => {
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.__byPage = false;
            this.addEventListener('close', (e) => window.__socketClosed(e.code, e.reason, e.wasClean, this.__byPage));
        }
        close(...args) { this.__byPage = true; super.close(...args); }
    };
})()"""


@dataclass(frozen=True)
class Pace:
    ramp_s: float = 1.0  # between one session's arrival and the next
    think_s: float = 1.0  # mean pause before each action


@dataclass
class Tally:
    """What all sessions saw; latencies in ms with the time (s since start) each rerun finished."""

    started: float = field(default_factory=time.monotonic)
    latencies: list[tuple[float, float, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    socket_closes: list[str] = field(default_factory=list)  # how each unexpected close looked from the page
    misses: int = 0
    late: int = 0  # actions whose rerun started more than LATE_S after them
    selected_but_no_rerun: int = 0  # misses where Plotly selected a point and yet no rerun was sent
    sessions: int = 0
    toured: int = 0  # sessions that have been through every page once (or failed on the way)
    warm_at: float | None = None  # when the last of them did: caches are full from then on
    deadline: float = math.inf  # s since start: the load stops then, warm or not (--deadline)
    cut_short: bool = False  # the deadline stopped it

    def now(self) -> float:
        return time.monotonic() - self.started

    def tour_done(self) -> None:
        self.toured += 1
        if self.toured == self.sessions:
            self.warm_at = self.now()

    def steady_for(self, seconds: float) -> bool:
        """True once the load has run `seconds` past the warm-up."""
        if self.now() > self.deadline:
            self.cut_short = True
            return True
        return self.warm_at is not None and self.now() > self.warm_at + seconds


class RerunWatch:
    """Pairs each rerun request sent on a session's websocket with the script_finished that answers it."""

    def __init__(self, tally: Tally, name: str) -> None:
        self.tally, self.name = tally, name
        self.sent_at: float | None = None
        self.action = "open the page"
        self.leaving = False  # set when the visitor closes the tab, so that close is not an error
        self.finished = asyncio.Event()

    def attach(self, websocket) -> None:
        websocket.on("framesent", self._sent)
        websocket.on("framereceived", self._received)
        websocket.on("close", self._closed)

    def _closed(self, _websocket: object) -> None:
        if not self.leaving:
            self.tally.errors.append(f"{self.name}: the server closed the websocket")

    def _sent(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.sent_at = time.perf_counter()
            self.finished.clear()

    def _received(self, payload: bytes | str) -> None:
        if not isinstance(payload, bytes) or len(payload) > SMALL_FRAME:
            return
        message = ForwardMsg.FromString(payload)
        kind = message.WhichOneof("type")
        if kind == "delta" and message.delta.new_element.WhichOneof("type") == "exception":
            self.tally.errors.append(f"{self.name}: exception shown: {message.delta.new_element.exception.message}")
        if kind == "script_finished" and self.sent_at is not None:
            latency = (time.perf_counter() - self.sent_at) * 1000
            self.tally.latencies.append((self.tally.now(), latency, self.action))
            self.sent_at = None
            self.finished.set()

    async def settle(self) -> bool:
        """Wait for the rerun the last action caused; an action that caused none counts as a miss (True)."""
        waited = time.perf_counter()
        while self.sent_at is None and not self.finished.is_set():
            if time.perf_counter() - waited > NO_RERUN_S:
                self.tally.misses += 1
                return True
            await asyncio.sleep(0.02)
        if (self.sent_at or waited) - waited > LATE_S:
            self.tally.late += 1
        try:
            await asyncio.wait_for(self.finished.wait(), RERUN_TIMEOUT_S)
        except TimeoutError:
            self.tally.errors.append(f"{self.name}: no answer to a rerun within {RERUN_TIMEOUT_S:.0f} s")
        self.finished.clear()
        return False


async def _go_to(page, watch: RerunWatch, shown: Page) -> None:
    watch.finished.clear()
    watch.action = f"switch to {shown.title}"
    await page.locator("[data-testid='stSidebarNav'] a", has_text=shown.title).first.click()
    await watch.settle()
    await page.wait_for_selector(".js-plotly-plot")


async def _click_point(page, watch: RerunWatch, rng: random.Random, shown: Page) -> None:
    watch.finished.clear()
    watch.action = "select a point" if shown.name == "latent_map" else "move an interpolation endpoint"
    spot = await page.evaluate(CLICK_A_POINT, rng.randrange(10**6))
    if spot is None:
        watch.tally.misses += 1
        return
    await page.mouse.click(*spot)
    if await watch.settle() and await page.evaluate("() => window.__selections || 0"):
        watch.tally.selected_but_no_rerun += 1


async def _next_seed(page, watch: RerunWatch) -> None:
    watch.finished.clear()
    watch.action = "draw with the next seed"
    await page.locator("[data-testid='stNumberInputStepUp']").first.click()
    await watch.settle()


async def watched_context(browser, tally: Tally, name: str, timeout_ms: float, close_is_error: bool = False):
    """A visitor's browser context whose pages report how their websockets closed (an error too with
    `close_is_error`; the touring sessions' RerunWatch counts their closes already)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(timeout_ms)

    def closed(_source: object, code: int, reason: str, clean: bool, by_page: bool) -> None:
        side = "the page closed it" if by_page else "closed from the server's side"
        tally.socket_closes.append(f"{name}: at {tally.now():.0f} s, code {code} {reason!r} ({side}, clean: {clean})")
        if close_is_error:
            tally.errors.append(f"{name}: its websocket closed")

    await context.expose_binding("__socketClosed", closed)
    await context.add_init_script(SOCKET_CLOSES)
    return context


async def session(
    browser, url: str, index: int, seconds: float, tally: Tally, pace: Pace, arriving: asyncio.Lock
) -> None:
    """One visitor: map -> select two points, interpolation -> move both endpoints, sampling -> two new seeds,
    over and over until the load has run `seconds` past the warm-up. First pages open one at a time (`arriving`):
    a starved browser loading several pages at once took minutes over each."""
    name, rng = f"session {index}", random.Random(index)
    await asyncio.sleep(index * pace.ramp_s)  # an audience arrives over a few seconds, not in one instant
    # a starved headless renderer is slow, not broken
    context = await watched_context(browser, tally, name, 2 * RERUN_TIMEOUT_S * 1000)
    page = await context.new_page()
    watch, toured = RerunWatch(tally, name), False
    page.on("websocket", watch.attach)
    page.on("pageerror", lambda error: tally.errors.append(f"{name}: page error: {error}"))
    try:
        async with arriving:
            if tally.steady_for(seconds):  # the deadline came while it waited to arrive
                return
            await page.goto(f"{url}/{PAGE['latent_map'].url_path}")
            await watch.settle()
            await page.wait_for_selector(".js-plotly-plot")
        while True:
            for shown in TOUR:
                if tally.steady_for(seconds):
                    return
                await _go_to(page, watch, shown)
                for _ in range(2):
                    await asyncio.sleep(pace.think_s * rng.uniform(0.5, 1.5))  # a person looks before clicking
                    if shown.name == "sampling":
                        await _next_seed(page, watch)
                    else:
                        await _click_point(page, watch, rng, shown)
            if not toured:
                toured = True
                tally.tour_done()
    except Exception as err:  # a stuck or broken session is an error to report, not a reason to stop the others
        tally.errors.append(f"{name}: {type(err).__name__}: {str(err).splitlines()[0]}")
    finally:
        if not toured:  # a failed visitor must not hold the others in the warm-up forever
            tally.tour_done()
        watch.leaving = True
        await context.close()


LIVE_EPOCHS = 500  # the most a run may have; it starts again whenever it ends
LIVE_TIMEOUT_MS = 300_000  # a starved browser has taken over 120 s to load the page, the first epoch included
LIVE_LOOK_S = 2.0  # how often the trainer's progress bar is read
FIRST_EPOCH = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .some((gd) => (gd._fullLayout.title.text || '').includes('Held-out codes after epoch'))"""
EPOCHS_DONE = re.compile(r"(\d+) of \d+")  # "Epoch 12 of 500 · ...", "Finished: 500 of 500 epochs trained"
ENDED_WORDS = ("Finished", "Stopped", "Diverged", "Failed")  # how the progress bar starts once a run has ended
RUN_GOING = f"""() => {{
    const bar = document.querySelector("[data-testid='stProgress']");
    return bar !== null && !/^({"|".join(ENDED_WORDS)})/.test(bar.innerText);
}}"""


def epochs_done(progress: str) -> int:
    """Epochs the run has trained, from its progress bar's text (0 while it starts)."""
    found = EPOCHS_DONE.search(progress)
    return int(found.group(1)) if found else 0


@dataclass
class LiveTrainer:
    """The visitor training on Train live (--live-training): its server sessions (its refreshes are not the other
    pages' reruns) and the epochs its runs had trained, all runs together, as time went on."""

    page: object
    sessions: frozenset[str]
    epochs: list[tuple[float, int]] = field(default_factory=list)  # (s since start, epochs trained by all runs)
    runs: int = 1
    earlier_epochs: int = 0  # trained by the runs that have ended

    async def look(self, tally: Tally) -> None:
        """Note the epochs trained so far; a run that has ended is started again (its settings are kept)."""
        text = await self.page.locator("[data-testid='stProgress']").first.inner_text()
        done = epochs_done(text)
        self.epochs.append((tally.now(), self.earlier_epochs + done))
        if text.startswith(ENDED_WORDS):
            self.earlier_epochs += done
            self.runs += 1
            await self.page.get_by_role("button", name="Start").click()
            await self.page.wait_for_function(RUN_GOING)

    def epochs_per_s(self, start: float, end: float) -> float:
        """Epochs trained per second between two moments (s since start), restarts included."""
        inside = [(t, n) for t, n in self.epochs if start <= t <= end]
        if len(inside) < 2 or inside[-1][0] <= inside[0][0]:
            return 0.0
        (first_at, first), (last_at, last) = inside[0], inside[-1]
        return (last - first) / (last_at - first_at)


async def live_trainer(browser, url: str, rerun_log: Path, tally: Tally) -> LiveTrainer:
    """Start the training visitor's run and wait for its first epoch; its session is the only one the server has
    seen by then."""
    context = await watched_context(browser, tally, "the training visitor", LIVE_TIMEOUT_MS, close_is_error=True)
    page = await context.new_page()
    await page.goto(f"{url}/{PAGE['train_live'].url_path}")
    await page.wait_for_selector("h1")
    epochs = page.get_by_role("spinbutton", name="Epochs", exact=True)
    await epochs.fill(str(LIVE_EPOCHS))
    await epochs.press("Tab")
    await page.get_by_role("button", name="Start").click()
    await page.wait_for_function(FIRST_EPOCH)
    trainer = LiveTrainer(page, frozenset(r.session for r in read_log(rerun_log, tally.started).reruns))
    await trainer.look(tally)
    return trainer


async def keep_training(trainer: LiveTrainer, tally: Tally, stop: asyncio.Event) -> None:
    """Watch the training visitor's progress until the load ends (a last look then), starting a new run whenever
    one ends."""
    while True:
        try:
            await trainer.look(tally)
        except Exception as err:  # a starved page is an error to report, not a reason to stop the load
            tally.errors.append(f"the training visitor: {type(err).__name__}: {str(err).splitlines()[0]}")
        if stop.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), LIVE_LOOK_S)


@dataclass(frozen=True)
class Sample:
    """One second of the run: the server's own RSS, its training workers' (separate processes), the load average."""

    at: float  # s since start
    server_mib: float
    workers_mib: float
    load: float  # 1-minute load average


def memory_mib(pid: int) -> tuple[float, float]:
    """RSS of the server process itself and of all its child processes (the live-training workers) together."""
    server = psutil.Process(pid)
    children = 0
    for child in server.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # a worker that ended meanwhile
            children += child.memory_info().rss
    return server.memory_info().rss / 2**20, children / 2**20


def _media_bytes(url: str) -> int:
    """Bytes of images the server holds for live sessions (Streamlit's media file storage)."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10) as reply:
        for line in reply.read().decode().splitlines():
            if line.startswith('cache_memory_bytes{cache_type="st_memory_media_file_storage"'):
                return int(float(line.rsplit(" ", 1)[1]))
    return 0


async def _sample(pid: int, tally: Tally, samples: list[Sample], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(Sample(tally.now(), *memory_mib(pid), os.getloadavg()[0]))
        await asyncio.sleep(1.0)


@dataclass
class LoadResult:
    tally: Tally
    samples: list[Sample]  # one a second
    load_ended: float
    server_reruns: list[ServerRerun]  # measured inside the server
    sessions_held: list[tuple[float, int]]  # (s since start, sessions the server holds, connected or not)
    sessions_left: int  # held a TTL after every tab closed
    media_open: int
    media_after_ttl: int
    pace: Pace
    trainer: LiveTrainer | None = None
    server_problems: list[str] = field(default_factory=list)  # the server log's warnings and errors
    dropped: list[tuple[float, str]] = field(default_factory=list)  # (s since start, why the server let a browser go)

    def visitors(self, reruns: list[ServerRerun]) -> list[ServerRerun]:
        """The reruns of the visitors' pages, without the training visitor's refreshes."""
        training = self.trainer.sessions if self.trainer is not None else frozenset()
        return [r for r in reruns if r.session not in training]

    @property
    def warm(self) -> float:
        """End of the warm-up: every session has been through every page (or failed on the way)."""
        return self.load_ended if self.tally.warm_at is None else self.tally.warm_at


def niced_chromium(folder: Path, program: str = CHROMIUM) -> Path:
    """Chromium at the lowest CPU priority: on a machine shared with the server, the load generator must not
    be what slows the server down (twenty headless renderers drawing WebGL in software would).

    Playwright starts the browser in a session of its own, and Linux's autogroup scheduler shares the CPU
    between sessions before it looks at nice values; so the wrapper lowers its session's autogroup priority too.
    Run as root, Chromium raises its own priority back (its renderers to nice 0, its browser and GPU processes'
    display threads to -8, above the server's), so there it runs without the capability to (CAP_SYS_NICE).
    """
    wrapper = folder / "chromium-niced"
    autogroup = "echo 19 > /proc/self/autogroup 2>/dev/null"
    keep_niced = 'if [ "$(id -u)" -eq 0 ]; then set -- setpriv --bounding-set -sys_nice -- "$@"; fi'
    wrapper.write_text(f'#!/bin/sh\n{autogroup}\nset -- nice -n 19 {program} "$@"\n{keep_niced}\nexec "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


async def run_load(
    url: str,
    pid: int,
    rerun_log: Path,
    sessions: int,
    seconds: float,
    ttl: float,
    pace: Pace,
    live_training: bool = False,
    deadline: float = math.inf,
) -> LoadResult:
    from playwright.async_api import async_playwright

    tally, samples, stop, load_over = Tally(sessions=sessions, deadline=deadline), [], asyncio.Event(), asyncio.Event()
    sampler = asyncio.create_task(_sample(pid, tally, samples, stop))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=niced_chromium(rerun_log.parent), args=CHROMIUM_ARGS)
        for helper in psutil.Process().children(recursive=True):  # Playwright's driver relays every frame
            if helper.pid != pid and "node" in helper.name():
                helper.nice(10)
        trainer = await live_trainer(browser, url, rerun_log, tally) if live_training else None
        training = asyncio.create_task(keep_training(trainer, tally, load_over)) if trainer is not None else None
        arriving = asyncio.Lock()
        await asyncio.gather(*(session(browser, url, i, seconds, tally, pace, arriving) for i in range(sessions)))
        load_ended = tally.now()
        load_over.set()
        if trainer is not None:  # its session ends with the others: the TTL check below covers its run too
            await training
            await trainer.page.context.close()
        media_open = _media_bytes(url)
        await asyncio.sleep(ttl + 5)  # the server drops disconnected sessions after the TTL ...
        probe_at = tally.now()
        probe = await browser.new_page()  # ... and reaps them when the next visitor comes and goes
        await probe.goto(f"{url}/{PAGE['training_curves'].url_path}")
        await probe.wait_for_selector("h1")
        await probe.close()
        await asyncio.sleep(5)
        media_after = _media_bytes(url)
        await browser.close()
    stop.set()
    await sampler
    server = read_log(rerun_log, tally.started)
    tally.errors.extend(server.unsupported)  # the server's timing hook could not be installed: say why
    reruns, held = server.reruns, server.held
    held_before_probe = [count for at, count in held if at < probe_at]
    left = held_before_probe[-1] if held_before_probe else -1
    return LoadResult(
        tally, samples, load_ended, reruns, held, left, media_open, media_after, pace, trainer, dropped=server.dropped
    )


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile for q in 1..99 (interpolated between the two nearest values); 100 is the maximum."""
    if q >= 100 or len(values) < 2:
        return max(values)
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _row(label: str, values: list[float]) -> str:
    cells = "".join(f"{percentile(values, q):>8.0f}ms" for q in (50, 95, 99, 100)) if values else "  (none)"
    return f"{label:<40}{cells}{len(values):>8}"


def steady_samples(result: LoadResult) -> list[Sample]:
    return [sample for sample in result.samples if result.warm <= sample.at <= result.load_ended]


def trainer_refreshes(result: LoadResult) -> list[float]:
    """Server times (ms) of the training visitor's own refreshes in the steady window."""
    if result.trainer is None:
        return []
    window = [r for r in result.server_reruns if result.warm <= r.finished <= result.load_ended]
    return [r.total_ms for r in window if r.session in result.trainer.sessions]


def failed_checks(result: LoadResult) -> list[str]:
    """What keeps the run from meeting its targets (empty when they all hold): no error, the other pages' rerun p95
    <= 300 ms after the warm-up, no server memory growth then, every session dropped a TTL after the tabs closed,
    and with --live-training the run trained and its page refreshed in the steady window."""
    failed = [f"{len(result.tally.errors)} errors"] if result.tally.errors else []
    if result.tally.cut_short:
        failed.append(f"cut short by --deadline at {result.tally.deadline:.0f} s")
    steady = result.visitors([r for r in result.server_reruns if result.warm <= r.finished <= result.load_ended])
    p95 = percentile([r.total_ms for r in steady], 95) if steady else float("inf")
    if p95 > 300:
        failed.append(f"the other pages' rerun p95 is {p95:.0f} ms (target 300 ms)")
    server = [sample.server_mib for sample in steady_samples(result)]
    if len(server) > 1 and server[-1] - server[0] > 0.05 * server[0]:
        failed.append(f"server memory grew {server[-1] - server[0]:+.0f} MiB after the warm-up")
    if result.sessions_left != 0:
        failed.append(f"{result.sessions_left} sessions held a TTL after the tabs closed")
    if result.trainer is not None:
        if not result.trainer.epochs_per_s(result.warm, result.load_ended) > 0:
            failed.append("the live training trained no epoch in the steady window")
        if not trainer_refreshes(result):
            failed.append("the training visitor's page did not refresh in the steady window")
    return failed


def report(result: LoadResult, sessions: int) -> bool:
    """Print the figures; True when the targets hold (failed_checks)."""
    tally, warm, ended = result.tally, result.warm, result.load_ended
    steady = result.visitors([r for r in result.server_reruns if warm <= r.finished <= ended])
    during = steady_samples(result)
    loads = [sample.load for sample in during] or [0.0]
    print(f"{sessions} browser sessions (arriving {result.pace.ramp_s:g} s apart, pausing {result.pace.think_s:g} s "
          f"on average before each action): a warm-up of {warm:.0f} s until each had been through every page, "
          f"then {ended - warm:.0f} s of steady load; load average (1 min) in the steady window "
          f"{min(loads):.1f}-{max(loads):.1f}, over the whole run up to "
          f"{max((sample.load for sample in result.samples), default=0):.1f}")  # fmt: skip
    print(f"{'rerun latency after the warm-up':<40}{'p50':>10}{'p95':>10}{'p99':>10}{'max':>10}{'reruns':>8}")
    print(_row("in the server (request -> script end)", [r.total_ms for r in steady]))
    whole = result.visitors([r for r in result.server_reruns if r.finished <= ended])
    print(_row("  the same over the whole run", [r.total_ms for r in whole]))
    print(_row("  waiting to start", [r.waited_ms for r in steady]))
    print(_row("  running the script", [r.ran_ms for r in steady]))
    print(_row("seen on the browsers' websockets", [ms for t, ms, _ in tally.latencies if t >= warm]))
    for action in sorted({action for _, _, action in tally.latencies}):
        print(_row(f"  {action}", [ms for t, ms, a in tally.latencies if a == action and t >= warm]))
    if result.trainer is not None:
        trainer = result.trainer
        print(_row("the training visitor's own refreshes", trainer_refreshes(result)))
        print(f"one live training went on throughout (not counted above), {trainer.runs} run(s) of {LIVE_EPOCHS} "
              f"epochs one after another: {trainer.epochs_per_s(warm, ended):.2f} epochs/s in the steady window, "
              f"{trainer.epochs_per_s(0, ended):.2f} from its first epoch to the load's end; epochs trained "
              f"{' -> '.join(str(n) for _, n in trainer.epochs[::10])}")  # fmt: skip
    print(
        f"actions whose rerun started over {LATE_S:g} s late (a starved browser): {tally.late}; actions with no "
        f"rerun within {NO_RERUN_S:g} s: {tally.misses} (Plotly had selected a point in {tally.selected_but_no_rerun} "
        f"of them); errors: {len(tally.errors)}"
    )
    for error in tally.errors[:10]:
        print(f"  {error}")
    for close in tally.socket_closes:
        print(f"  websocket closed while its visitor stayed: {close}")
    for at, why in result.dropped:
        print(f"  the server let a browser go at {at:.0f} s: {why}")
    for line in result.server_problems[:20]:
        print(f"  server log: {line}")
    print(f"server memory (RSS, MiB) every 5 s: {' '.join(f'{s.server_mib:.0f}' for s in result.samples[::5])}")
    if during:
        first, last = during[0].server_mib, during[-1].server_mib
        workers = max(sample.workers_mib for sample in result.samples)
        print(
            f"server memory after the warm-up: {first:.0f} -> {last:.0f} MiB ({last - first:+.0f} MiB); its training "
            f"workers (separate processes: the run's and the waiting spare) peaked at {workers:.0f} MiB"
        )
    most = max((n for _, n in result.sessions_held), default=0)
    print(
        f"sessions held by the server: at most {most}, {result.sessions_left} a TTL after the tabs closed; images "
        f"held {result.media_open / 2**20:.1f} MiB when the tabs closed, {result.media_after_ttl / 2**20:.1f} MiB "
        "once the next visitor came and went"
    )
    failed = failed_checks(result)
    for reason in failed:
        print(f"NOT met: {reason}")
    return not failed


def hook_env(log_path: Path) -> dict[str, str]:
    """Environment that makes a dashboard server log its rerun timing to log_path (dashboard/rerun_timing.py)."""
    return {"PYTHONPATH": os.pathsep.join([str(HOOKS), str(REPO_ROOT)]), "AE_RERUN_LOG": str(log_path)}


def summary(result: LoadResult) -> dict[str, object]:
    """The figures a caller checks, as JSON-ready values (--json)."""
    return {
        "errors": result.tally.errors,
        "warm_at": result.tally.warm_at,
        "steady_s": result.load_ended - result.warm,
        "actions": sorted({action for _, _, action in result.tally.latencies}),
        "server_reruns": len(result.server_reruns),
        "shortest_server_script_ms": min((r.ran_ms for r in result.server_reruns), default=0.0),
        "most_sessions_held": max((count for _, count in result.sessions_held), default=0),
        "sessions_left": result.sessions_left,
        "memory_samples_mib": [sample.server_mib for sample in result.samples],
        "visitor_reruns": len(result.visitors(result.server_reruns)),
        "live_epochs": None if result.trainer is None else [n for _, n in result.trainer.epochs],
        "live_refreshes_steady": len(trainer_refreshes(result)),
        "socket_closes": result.tally.socket_closes,
        "dropped_by_server": [why for _, why in result.dropped],
        "failed_checks": failed_checks(result),
    }


def configured_ttl() -> float:
    with open(REPO_ROOT / ".streamlit" / "config.toml", "rb") as handle:
        return float(tomllib.load(handle)["server"]["disconnectedSessionTTL"])


def measure(
    sessions: int, seconds: float, ttl: float, pace: Pace, live_training: bool = False, deadline: float = math.inf
) -> LoadResult:
    """Start a server with the timing hook, load it, wait out the session TTL, and return what was seen."""
    with tempfile.TemporaryDirectory() as folder:
        rerun_log = Path(folder) / "reruns.log"
        env = hook_env(rerun_log)
        flags = ["--server.disconnectedSessionTTL", str(int(ttl))]
        with dashboard_server(Path(folder), flags=flags, env=env) as live:
            result = asyncio.run(
                run_load(live.url, live.pid, rerun_log, sessions, seconds, ttl, pace, live_training, deadline)
            )
        result.server_problems = server_problems(Path(folder) / "server.log")
        return result


# the serve's warm imports run outside a script: Streamlit warns about that, once per import, harmlessly
SERVER_LOG_NOISE = ("missing ScriptRunContext", "Session state does not function", "WARNING streamlit: \n")


def server_problems(log: Path) -> list[str]:
    """The server log's warnings, errors and tracebacks' last lines (each told once, with how often it came): why
    it closed a socket or failed a rerun."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    problems = collections.Counter(
        line.split(" ", 2)[-1] if line[:4].isdigit() else line  # without the time stamp, so repeats count as one
        for line in lines
        if any(word in line for word in ("WARNING", "ERROR", "Error", "Exception"))
        and not any(noise in f"{line}\n" for noise in SERVER_LOG_NOISE)
    )
    return [f"{line} (x{count})" if count > 1 else line for line, count in problems.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="seconds of steady load after the warm-up")
    parser.add_argument("--ttl", type=float, help="serve with this server.disconnectedSessionTTL (default: config)")
    parser.add_argument("--ramp", type=float, default=Pace.ramp_s, help="seconds between session arrivals")
    parser.add_argument("--think", type=float, default=Pace.think_s, help="mean seconds before each action")
    parser.add_argument("--json", type=Path, help="also write the checked figures to this file")
    parser.add_argument("--live-training", action="store_true", help="one more visitor trains on Train live")
    parser.add_argument(
        "--deadline", type=float, default=math.inf,
        help="stop the load this many seconds after it began, warm or not, and report what was measured (the check "
        "then fails): a run that must fit a time slot",
    )  # fmt: skip
    args = parser.parse_args()
    ttl = configured_ttl() if args.ttl is None else args.ttl
    result = measure(args.sessions, args.seconds, ttl, Pace(args.ramp, args.think), args.live_training, args.deadline)
    if args.json is not None:
        args.json.write_text(json.dumps(summary(result)))
    met = report(result, args.sessions)
    print("targets met" if met else "targets NOT met")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
