"""A classroom at the protocol level: N websocket clients speak Streamlit's own messages (BackMsg out, ForwardMsg
in) as the browser's frontend does, but render nothing, so that 50 or 100 sessions fit on one machine.

    python -m benchmarks.protocol_load [--sessions 50] [--seconds 300] [--think 2]

Each client opens a session, then cycles like a visitor of benchmarks/load_test.py: the latent map (select a point:
the chart's selection event with the point's sample row), the interpolation page (select a point on its map, which
moves an endpoint) and the sampling page (the seed's step-up). It sends what the frontend sends (the page's script
hash, the widget states it has set, the query string the server last published) and waits for script_finished.
Nothing is drawn, so what is measured is the server: rerun latency in the server (benchmarks/server_hooks) and on
the clients' sockets, errors (exceptions in the page, closed sockets, unanswered reruns), and the server's memory
(RSS) over a steady window that starts once every session has been through every page.

Targets on a 2-core machine: zero errors; at 50 sessions the server's rerun p95 <= 300 ms and memory growth
<= 2 % over 5 minutes of steady load. Run it at 100 to see where it breaks.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from benchmarks.load_test import TOUR as VISITOR_TOUR
from benchmarks.load_test import hook_env, percentile, rss_mib
from dashboard.live_server import dashboard_server
from dashboard.page_list import PAGE
from dashboard.rerun_timing import ServerRerun, read_log

REPO_ROOT = Path(__file__).resolve().parent.parent
RERUN_TIMEOUT_S = 60.0
TOUR = tuple(page.url_path for page in VISITOR_TOUR)  # what a visitor of load_test.py clicks through


class ProtocolError(RuntimeError):
    """What a visitor would have seen as a broken page: an exception, a closed socket, no answer."""


@dataclass
class Run:
    """What one script run sent: the widgets it drew (id -> element proto) and how it ended."""

    widgets: dict[str, object] = field(default_factory=dict)
    charts: dict[str, list[int]] = field(default_factory=dict)  # selectable chart id -> sample rows it plots
    status: int | None = None


def _rows_of(spec: str) -> list[int]:
    """The sample rows a latent scatter plots (its customdata), decoding Plotly's typed arrays."""
    rows: list[int] = []
    for trace in json.loads(spec).get("data", []):
        data = trace.get("customdata")
        if isinstance(data, dict) and "bdata" in data:
            data = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).reshape(-1).tolist()
        if isinstance(data, list):
            rows += [int(v[0] if isinstance(v, list) else v) for v in data if v is not None]
    return rows


class Visitor:
    """One browser tab, minus the rendering: a websocket and the state the frontend would keep."""

    def __init__(self, url: str, index: int) -> None:
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.name, self.rng = f"session {index}", random.Random(index)
        self.pages: dict[str, str] = {}  # url path -> page script hash (from the navigation message)
        self.states: dict[str, WidgetState] = {}  # widget id -> the state this visitor has set
        self.query = ""
        self.socket = None
        self.last = Run()

    async def open(self, page: str) -> float:
        self.socket = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None)
        return await self.rerun(page_name=page)

    async def rerun(self, page_name: str = "", change: WidgetState | None = None) -> float:
        """Send a rerun request and read until its script_finished; the latency in ms."""
        if change is not None:
            self.states[change.id] = change
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query
        if page_name in self.pages:
            state.page_script_hash = self.pages[page_name]
        else:
            state.page_name = page_name
        state.widget_states.widgets.extend(s for i, s in self.states.items() if i in self.last.widgets)
        sent = time.perf_counter()
        await self.socket.send(back.SerializeToString())
        self.last = await asyncio.wait_for(self._read_run(), RERUN_TIMEOUT_S)
        return (time.perf_counter() - sent) * 1000

    async def _read_run(self) -> Run:
        run = Run()
        while True:
            try:
                message = ForwardMsg.FromString(await self.socket.recv())
            except websockets.ConnectionClosed as closed:
                raise ProtocolError(f"the server closed the websocket ({closed})") from None
            kind = message.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in message.navigation.app_pages}
            elif kind == "page_info_changed":
                self.query = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                which = element.WhichOneof("type")
                inner = getattr(element, which)
                if which == "exception":
                    raise ProtocolError(f"exception shown: {inner.message}")
                widget_id = getattr(inner, "id", "") if which != "imgs" else ""
                if widget_id:
                    run.widgets[widget_id] = inner
                    if which == "plotly_chart":
                        run.charts[widget_id] = _rows_of(inner.spec)
            elif kind == "script_finished":
                run.status = message.script_finished
                return run

    def _select_point(self) -> WidgetState:
        chart = self.rng.choice(sorted(c for c, rows in self.last.charts.items() if rows))
        row = self.rng.choice(self.last.charts[chart])
        point = {"curve_number": 0, "point_number": 0, "point_index": 0, "customdata": [row]}
        event = {"selection": {"points": [point], "point_indices": [0], "box": [], "lasso": []}}
        return WidgetState(id=chart, string_value=json.dumps(event))  # as the frontend sends it (not json_value)

    def _next_seed(self) -> WidgetState:
        seed = next(i for i in self.last.widgets if i.endswith("-sampling_seed"))
        previous = self.states.get(seed)
        value = previous.int_value if previous is not None else int(self.last.widgets[seed].default)
        return WidgetState(id=seed, int_value=value + 1)

    def action_on(self, page: str) -> tuple[str, WidgetState]:
        if page == PAGE["sampling"].url_path:
            return "draw with the next seed", self._next_seed()
        return (
            "select a point" if page == PAGE["latent_map"].url_path else "move an interpolation endpoint"
        ), self._select_point()

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


@dataclass
class Tally:
    started: float = field(default_factory=time.monotonic)
    latencies: list[tuple[float, float, str]] = field(default_factory=list)  # (s since start, ms, action)
    errors: list[str] = field(default_factory=list)
    toured: int = 0
    warm_at: float | None = None

    def now(self) -> float:
        return time.monotonic() - self.started


async def visit(url: str, index: int, sessions: int, seconds: float, think: float, ramp: float, tally: Tally) -> None:
    visitor = Visitor(url, index)
    await asyncio.sleep(index * ramp)
    toured = False
    try:
        tally.latencies.append((tally.now(), await visitor.open(TOUR[0]), "open a page"))
        while tally.warm_at is None or tally.now() < tally.warm_at + seconds:
            for page in TOUR:
                tally.latencies.append((tally.now(), await visitor.rerun(page), f"switch to {page}"))
                for _ in range(2):
                    await asyncio.sleep(think * visitor.rng.uniform(0.5, 1.5))
                    action, change = visitor.action_on(page)
                    tally.latencies.append((tally.now(), await visitor.rerun(page, change), action))
            if not toured:
                toured = True
                tally.toured += 1
                if tally.toured == sessions:
                    tally.warm_at = tally.now()
    except (ProtocolError, TimeoutError, OSError, StopIteration, IndexError) as err:
        tally.errors.append(f"{visitor.name}: {type(err).__name__}: {err}")
        if not toured:
            tally.toured += 1
            if tally.toured == sessions:
                tally.warm_at = tally.now()
    finally:
        await visitor.close()


@dataclass
class Result:
    sessions: int
    think: float
    tally: Tally
    reruns: list[ServerRerun]
    memory: list[tuple[float, float]]
    ended: float


async def _load(url: str, pid: int, log: Path, sessions: int, seconds: float, think: float, ramp: float) -> Result:
    tally, memory = Tally(), []

    async def sample_memory() -> None:
        while True:
            memory.append((tally.now(), rss_mib(pid)))
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample_memory())
    await asyncio.gather(*(visit(url, i, sessions, seconds, think, ramp, tally) for i in range(sessions)))
    ended = tally.now()
    sampler.cancel()
    server = read_log(log, tally.started)
    tally.errors.extend(server.unsupported)  # the server's timing hook could not be installed: say why
    reruns = server.reruns
    return Result(sessions, think, tally, reruns, memory, ended)


def measure(sessions: int, seconds: float, think: float, ramp: float) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "reruns.log"
        env = hook_env(log)
        with dashboard_server(Path(folder), env=env) as live:
            return asyncio.run(_load(live.url, live.pid, log, sessions, seconds, think, ramp))


def _row(label: str, values: list[float]) -> str:
    cells = "".join(f"{percentile(values, q):>8.0f}ms" for q in (50, 95, 99, 100)) if values else "  (none)"
    return f"{label:<42}{cells}{len(values):>8}"


def report(result: Result) -> bool:
    """Print the figures; True when the targets hold (no errors, server p95 <= 300 ms, growth <= 2 %)."""
    tally = result.tally
    warm = tally.warm_at if tally.warm_at is not None else result.ended
    steady = [r for r in result.reruns if warm <= r.finished <= result.ended]
    during = [mib for t, mib in result.memory if warm <= t <= result.ended]
    # growth: the last minute's median against the first minute's, so one garbage-collection swing is not a trend
    head, tail = during[:60], during[-60:]
    growth = (statistics.median(tail) / statistics.median(head) - 1) * 100 if len(during) > 1 else 0.0
    load = psutil.getloadavg()[0]
    print(
        f"{result.sessions} protocol sessions (think {result.think:g} s on average): warm-up {warm:.0f} s, then "
        f"{result.ended - warm:.0f} s steady; machine load average at the end {load:.1f} on {psutil.cpu_count()} CPUs"
    )
    print(f"{'rerun latency after the warm-up':<42}{'p50':>10}{'p95':>10}{'p99':>10}{'max':>10}{'reruns':>8}")
    print(_row("in the server (request -> script end)", [r.total_ms for r in steady]))
    print(_row("  waiting to start", [r.waited_ms for r in steady]))
    print(_row("  running the script", [r.ran_ms for r in steady]))
    print(_row("on the clients' sockets", [ms for t, ms, _ in tally.latencies if t >= warm]))
    for action in sorted({a for _, _, a in tally.latencies}):
        print(_row(f"  {action}", [ms for t, ms, a in tally.latencies if a == action and t >= warm]))
    throughput = len(steady) / max(result.ended - warm, 1e-9)
    print(f"reruns per second in the steady window: {throughput:.1f}; errors: {len(tally.errors)}")
    for error in tally.errors[:10]:
        print(f"  {error}")
    if during:
        print(f"server memory (RSS) in the steady window: {during[0]:.0f} -> {during[-1]:.0f} MiB, "
              f"median of the last minute vs the first {growth:+.1f} %")  # fmt: skip
    p95 = percentile([r.total_ms for r in steady], 95) if steady else float("inf")
    return not tally.errors and p95 <= 300 and growth <= 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300, help="seconds of steady load after the warm-up")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds a visitor looks before each action")
    parser.add_argument("--ramp", type=float, default=0.2, help="seconds between session arrivals")
    args = parser.parse_args()
    met = report(measure(args.sessions, args.seconds, args.think, args.ramp))
    print("targets met" if met else "targets NOT met")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
