"""What one rerun costs the server in CPU, page by page: the load-independent figure behind protocol_load.py's
latency (a server runs its sessions' scripts under one interpreter lock, so it serves at most about
1 / (mean CPU per rerun) reruns a second).

    python -m benchmarks.rerun_cpu [--rounds 8] [--settle 0.2] [--also PAGE ...] [--profile FILE]

One protocol visitor (dashboard/protocol_client.py) tours the pages of protocol_load.py one action at a time
against a server of its own, and each action is charged the server process's CPU time (user + system, all its
threads: script, event loop, websocket writes) from the request until `--settle` seconds after script_finished.
The first round warms the caches and is not counted. `--also` adds pages (by URL path; "" is the overview, whose
short page shows what the app's shell costs: sidebar, navigation, URL state), each switched to and rerun twice.
CPU time, unlike wall time, barely depends on what else the machine runs, so figures taken on a shared machine
compare with each other. `--profile FILE` samples the server's stacks meanwhile (benchmarks/stack_sampler.py):
with one visitor, where a rerun's time goes without contention.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path

import psutil

from benchmarks.load_test import HOOKS, REPO_ROOT, percentile
from benchmarks.protocol_load import TOUR
from benchmarks.stack_sampler import WRITE_EVERY_S
from dashboard.live_server import dashboard_server
from dashboard.protocol_client import Visitor


def _cpu_ms(process: psutil.Process) -> float:
    times = process.cpu_times()
    return (times.user + times.system) * 1000


async def _tour(
    url: str, pid: int, rounds: int, settle: float, also: list[str], profile: Path | None
) -> dict[str, list[float]]:
    process, costs = psutil.Process(pid), defaultdict(list)
    visitor = Visitor(url, 0)

    async def charged(label: str, count: bool, rerun) -> None:
        before = _cpu_ms(process)
        await rerun
        await asyncio.sleep(settle)  # what the server does after script_finished (sending, cleaning up)
        if count:
            costs[label].append(_cpu_ms(process) - before)

    await visitor.open(TOUR[0])
    for round_ in range(rounds + 1):
        if round_ == 1 and profile is not None:
            profile.with_name(profile.name + ".reset").touch()  # the sampler starts counting again: warm reruns
        for page in [*TOUR, *also]:
            await charged(f"{page or 'overview'}: switch to the page", round_ > 0, visitor.rerun(page))
            for _ in range(2):
                action, change = visitor.action_on(page) if page in TOUR else ("rerun", None)
                await charged(f"{page or 'overview'}: {action}", round_ > 0, visitor.rerun(page, change))
    await visitor.close()
    if profile is not None:
        await asyncio.sleep(WRITE_EVERY_S + 1)  # the sampler's last write
    return costs


def measure(rounds: int, settle: float, also: list[str], profile: Path | None = None) -> dict[str, list[float]]:
    env = (
        {"PYTHONPATH": os.pathsep.join([str(HOOKS), str(REPO_ROOT)]), "AE_STACK_SAMPLES": str(profile.resolve())}
        if profile
        else {}
    )
    with tempfile.TemporaryDirectory() as folder, dashboard_server(Path(folder), env=env) as live:
        return asyncio.run(_tour(live.url, live.pid, rounds, settle, also, profile))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="tours counted, after one warm-up tour")
    parser.add_argument("--settle", type=float, default=0.2, help="seconds charged after each script_finished")
    parser.add_argument("--also", nargs="*", default=[], help="more pages by URL path, switched to and rerun")
    parser.add_argument("--profile", type=Path, help="sample the server's stacks into this file (stack_sampler.py)")
    args = parser.parse_args()
    costs = measure(args.rounds, args.settle, args.also, args.profile)
    print(f"server CPU per rerun (ms), {args.rounds} tours after a warm-up; load average {psutil.getloadavg()[0]:.1f}")
    print(f"{'action':<52}{'mean':>8}{'p95':>8}{'n':>5}")
    for label, values in costs.items():
        print(f"{label:<52}{statistics.fmean(values):>8.0f}{percentile(values, 95):>8.0f}{len(values):>5}")
    every = [v for label, values in costs.items() if label.split(":")[0] in TOUR for v in values]
    print(f"{'every rerun of the tour':<52}{statistics.fmean(every):>8.0f}{percentile(every, 95):>8.0f}{len(every):>5}")
    print(f"one server's ceiling at this cost: about {1000 / statistics.fmean(every):.1f} reruns/s per core")


if __name__ == "__main__":
    main()
