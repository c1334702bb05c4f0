"""A classroom at the protocol level: N websocket clients speak Streamlit's own messages (BackMsg out, ForwardMsg
in) as the browser's frontend does, but render nothing, so that 50 or 100 sessions fit on one machine.

    python -m benchmarks.protocol_load [--sessions 50] [--seconds 300] [--think 2] [--replicas 2] [--profile FILE]
                                       [--memory FILE]

Each client opens a session, then cycles like a visitor of benchmarks/load_test.py: the latent map (select a point:
the chart's selection event with the point's sample row; the chart sits in a fragment, so, as in the browser, only
that fragment reruns), the interpolation page (select a point on its map, which
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
import json
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks.load_test import TOUR as VISITOR_TOUR
from benchmarks.load_test import hook_env, memory_mib, percentile
from dashboard.live_server import dashboard_server
from dashboard.protocol_client import ProtocolError, Visitor
from dashboard.replica_proxy import SHIPPED_PORTS, nginx_in_front, route_cookie
from dashboard.rerun_timing import ServerRerun, read_log

TOUR = tuple(page.url_path for page in VISITOR_TOUR)  # what a visitor of load_test.py clicks through


@dataclass
class Tally:
    started: float = field(default_factory=time.monotonic)
    latencies: list[tuple[float, float, str]] = field(default_factory=list)  # (s since start, ms, action)
    errors: list[str] = field(default_factory=list)
    toured: int = 0
    warm_at: float | None = None
    resets: list[Path] = field(default_factory=list)  # made at the end of the warm-up: the samplers count from there

    def now(self) -> float:
        return time.monotonic() - self.started

    def toured_once(self, sessions: int) -> None:
        """One more session has been through every page (or failed first); the last one ends the warm-up."""
        self.toured += 1
        if self.toured == sessions:
            self.warm_at = self.now()
            for reset in self.resets:
                reset.touch()


async def visit(
    url: str, index: int, sessions: int, seconds: float, think: float, ramp: float, tally: Tally, proxied: bool
) -> None:
    await asyncio.sleep(index * ramp)
    # behind nginx, a browser's first page load brings the cookie that keeps it on one replica
    cookie = await asyncio.to_thread(route_cookie, url, "127.0.0.1") if proxied else ""
    visitor = Visitor(url, index, cookie=cookie)
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
                tally.toured_once(sessions)
    except (ProtocolError, TimeoutError, OSError, StopIteration, IndexError, RuntimeError) as err:
        tally.errors.append(f"{visitor.name}: {type(err).__name__}: {err}")
        if not toured:
            tally.toured_once(sessions)
    finally:
        await visitor.close()


@dataclass
class Result:
    sessions: int
    replicas: int
    think: float
    tally: Tally
    reruns: list[ServerRerun]
    memory: list[tuple[float, float]]
    ended: float


def summary(result: Result) -> dict[str, object]:
    """The figures a caller checks, as JSON-ready values (--json)."""
    return {
        "errors": result.tally.errors,
        "warm_at": result.tally.warm_at,
        "actions": sorted({action for _, _, action in result.tally.latencies}),
        "server_reruns": len(result.reruns),
        "shortest_server_script_ms": min((r.ran_ms for r in result.reruns), default=0.0),
        "memory_samples": len(result.memory),
    }


async def _load(
    url: str, pids: list[int], log: Path, sessions: int, seconds: float, think: float, ramp: float, samples: list[Path]
) -> Result:
    tally, memory = Tally(resets=[path.with_name(path.name + ".reset") for path in samples]), []

    async def sample_memory() -> None:
        while True:
            memory.append((tally.now(), sum(sum(memory_mib(pid)) for pid in pids)))  # every replica, with its children
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample_memory())
    proxied = len(pids) > 1
    await asyncio.gather(*(visit(url, i, sessions, seconds, think, ramp, tally, proxied) for i in range(sessions)))
    ended = tally.now()
    sampler.cancel()
    server = read_log(log, tally.started)
    tally.errors.extend(server.unsupported)  # the server's timing hook could not be installed: say why
    reruns = server.reruns
    return Result(sessions, len(pids), think, tally, reruns, memory, ended)


def measure(
    sessions: int,
    seconds: float,
    think: float,
    ramp: float,
    profile: Path | None = None,
    replicas: int = 1,
    memory: Path | None = None,
) -> Result:
    """One server, or `replicas` behind nginx with the shipped deploy file (they share the rerun log: one line per
    event, written whole, on one monotonic clock). `profile` and `memory` name the files of the one server's stack
    and allocation samplers."""
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        log = Path(folder) / "reruns.log"
        samplers = {"AE_STACK_SAMPLES": profile, "AE_MEMORY_SAMPLES": memory}
        env = hook_env(log) | {name: str(path.resolve()) for name, path in samplers.items() if path is not None}
        env["STREAMLIT_SERVER_COOKIE_SECRET"] = secrets.token_hex(16)  # shared, as the deploy notes say
        lives = [
            stack.enter_context(dashboard_server(Path(folder), log_path=Path(folder) / f"server-{n}.log", env=env))
            for n in range(replicas)
        ]
        url = lives[0].url
        if replicas > 1:
            (Path(folder) / "nginx").mkdir()
            url, _ = stack.enter_context(nginx_in_front(Path(folder) / "nginx", [live.url for live in lives]))
        samples = [path for path in samplers.values() if path is not None]
        return asyncio.run(_load(url, [live.pid for live in lives], log, sessions, seconds, think, ramp, samples))


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
    servers = "one server" if result.replicas == 1 else f"{result.replicas} replicas behind nginx"
    print(
        f"{result.sessions} protocol sessions (think {result.think:g} s on average) on {servers}: "
        f"warm-up {warm:.0f} s, then "
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
        print(f"  every 30 s: {' '.join(f'{mib:.0f}' for mib in during[::30])}")
    p95 = percentile([r.total_ms for r in steady], 95) if steady else float("inf")
    return not tally.errors and p95 <= 300 and growth <= 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300, help="seconds of steady load after the warm-up")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds a visitor looks before each action")
    parser.add_argument("--ramp", type=float, default=0.2, help="seconds between session arrivals")
    parser.add_argument("--json", type=Path, help="also write the checked figures to this file")
    parser.add_argument("--profile", type=Path, help="sample the server's stacks into this file (stack_sampler.py)")
    parser.add_argument(
        "--memory",
        type=Path,
        help="trace what the server allocates in the steady window and still holds (memory_sampler.py; slows it)",
    )
    parser.add_argument(
        "--replicas", type=int, choices=(1, len(SHIPPED_PORTS)), default=1,
        help="servers; more than one run behind nginx with docs/deploy/nginx.conf (needs nginx)",
    )  # fmt: skip
    args = parser.parse_args()
    if (args.profile or args.memory) and args.replicas > 1:
        parser.error("--profile and --memory sample one server: use them without --replicas")
    result = measure(args.sessions, args.seconds, args.think, args.ramp, args.profile, args.replicas, args.memory)
    if args.json is not None:
        args.json.write_text(json.dumps(summary(result)))
    met = report(result)
    print("targets met" if met else "targets NOT met")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
