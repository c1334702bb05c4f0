"""Full maps, measured: `python -m benchmarks.full_maps [--parts memory server leave-out placement] [--model NAME]`.

memory: this process plays the server: it loads every shipped model (ae_models.library) and then every shipped
full map (ae_models.fullmap.load_full_map), printing RSS before and after (target: a server with every full map
loaded <= 1.5 GB RSS), each map's load time (codes recomputed), an exact neighbour search over all rows and the
mean code of a 5,000-row selection, and the UMAP fit time each file recorded when it was built.
placement: how faithful the fast placement of a new code (drawn or uploaded images: the inverse-distance average
of its 10 nearest codes' positions, latent_ops.place_on_map) is to UMAP's own `transform`. UMAP is fitted, as
train-all fits it, on every row of the model's dataset but HELD_OUT held-out ones (validation or test images);
those are then placed both ways; the median displacement is printed in map units beside the map's scale. About
1-2 minutes for an mnist-5k model (UMAP's compile and fit) on an idle machine, several more for Fashion.
server: a real server (dashboard/live_server.py) with protocol-level sessions (dashboard/protocol_client.Visitor,
no browser): the latent map opened once per link `group=G&map=full` for every dataset and latent size, plus one
link `ae=NAME` or `vae=NAME` for every further model the sidebar offers there (the beta sweep), each in its own
session, closed after; the server's RSS after each and once every reachable full map is loaded (target
<= 1.5 GB); then SESSIONS more sessions held open on the full Fashion latent-16 map (`frow=N`, a different row
each), the RSS after each and the growth per session (target <= 30 MB), and the peak RSS sampled every 0.1 s.
The server's garbage-collection thread (dashboard/serve.py) hands freed memory back, so one session's step can
be negative: the growth over all SESSIONS, both totals read after one round of that thread, is the figure.
leave-out: no UMAP fit, seconds: the held-out rows placed from the other rows of the shipped full map, against
where its own UMAP put them, and the time to place one new code among all rows.

The load average is printed beside the figures: on a shared machine they are pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import torch

from ae_models.fullmap import FullMap, load_full_map, nearest_rows, place_codes
from ae_models.fullmap.projection import FULL_MAP_UMAP_PARAMS
from ae_models.fullmap.rows import TRAINING
from ae_models.fullmap.store import full_map_path_for
from ae_models.latent_ops import mean_code, place_on_map
from ae_models.library import load_folder
from ae_models.weights import load_model
from benchmarks.run_benchmarks import timed

REPO_ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = REPO_ROOT / "weights"
HELD_OUT = 300
SELECTION = 5000
SESSIONS = 10  # extra sessions on the full Fashion latent-16 map (server part)
SESSION_GROUP = "fashion-mnist.z16"


def load() -> str:
    return "load average {:.1f} / {:.1f} / {:.1f} on {} cores".format(*os.getloadavg(), os.cpu_count())


def rss_mib() -> float:
    return psutil.Process().memory_info().rss / 2**20


def memory(weights: Path) -> None:
    start = rss_mib()
    models = load_folder(weights)[0]
    with_models = rss_mib()
    print(f"RSS {start:.0f} MiB at start, {with_models:.0f} MiB with all {len(models)} shipped models; {load()}")
    maps = []
    for model in models:
        if not full_map_path_for(model.path).exists():
            print(f"  {model.name:<22} no full map")
            continue
        started = time.perf_counter()
        full = load_full_map(model.path, model.trained)
        seconds = time.perf_counter() - started
        maps.append(full)
        fit = full.projection
        fit_text = f"UMAP fit {fit.fit_seconds:.0f} s wall / {fit.fit_cpu_seconds:.0f} s CPU" if fit.params else ""
        rows = torch.randperm(len(full), generator=torch.Generator().manual_seed(0))[:SELECTION]
        neighbours = timed(lambda full=full: nearest_rows(full, full.codes[7], 10, exclude_row=7), 20)[0]
        mean = timed(lambda full=full, rows=rows: mean_code(full.codes, rows), 20)[0]
        print(f"  {model.name:<22} {len(full):>6,} rows loaded in {seconds:.2f} s; neighbours over all rows "
              f"{neighbours:.2f} ms, mean of {min(SELECTION, len(full)):,} rows {mean:.2f} ms; {fit_text}")  # fmt: skip
    print(f"RSS {rss_mib():.0f} MiB with {len(maps)} full maps loaded (+{rss_mib() - with_models:.0f} MiB); {load()}")


def _server_links(weights: Path) -> tuple[list[tuple[str, set[str]]], list[str]]:
    """The latent map's links that reach every model the sidebar offers (query, models shown), and the models with
    a full map that no link reaches (the sidebar never offers them: denoisers)."""
    from ae_models.library import model_choices

    models = load_folder(weights)[0]
    links, reached = [], set()
    for dataset, latent in sorted({(m.dataset, m.latent_dim) for m in models}):
        base = f"group={dataset}.z{latent}&map=full"
        choices = {kind: model_choices(models, dataset, latent, kind) for kind in ("ae", "vae")}
        pair = {kind: options[0].name for kind, options in choices.items() if options}
        links.append((base, set(pair.values())))
        for kind, options in choices.items():
            links += [(f"{base}&{kind}={m.name}", set(pair.values()) - {pair[kind]} | {m.name}) for m in options[1:]]
        reached |= {name for _, shown in links for name in shown}
    unreached = [m.name for m in models if m.name not in reached and full_map_path_for(m.path).exists()]
    return links, unreached


async def _server_sessions(url: str, pid: int, links: list[tuple[str, set[str]]]) -> None:
    from dashboard.page_list import PAGE
    from dashboard.protocol_client import Visitor
    from dashboard.serve import COLLECT_EVERY_S

    process, peak = psutil.Process(pid), [0.0]

    def server_mib() -> float:
        mib = process.memory_info().rss / 2**20
        peak[0] = max(peak[0], mib)
        return mib

    async def sample() -> None:
        while True:
            server_mib()
            await asyncio.sleep(0.1)

    async def open_map(index: int, query: str) -> tuple[Visitor, float, list[int]]:
        visitor = Visitor(url, index)
        visitor.query = query  # what the address bar holds on a first visit: the link
        ms = await visitor.open(PAGE["latent_map"].url_path)
        points = sorted((len(set(rows)) for rows in visitor.last.charts.values() if rows), reverse=True)
        if visitor.toasts:
            print(f"    notices: {visitor.toasts}")
        return visitor, ms, points

    sampler = asyncio.create_task(sample())
    await asyncio.sleep(1.0)
    print(f"server RSS {server_mib():.0f} MiB once healthy, no session yet; {load()}")
    for index, (query, shown) in enumerate(links):
        visitor, ms, points = await open_map(index, query)
        await visitor.close()
        print(f"  {query:<52} {', '.join(sorted(shown))}: points per map {points}, {ms / 1000:.1f} s; "
              f"RSS {server_mib():.0f} MiB")  # fmt: skip
    await asyncio.sleep(COLLECT_EVERY_S + 1)  # both totals after one round of the server's collect-and-trim thread
    loaded = server_mib()
    print(f"server RSS {loaded:.0f} MiB with every reachable full map loaded ({len(links)} links, sessions closed); "
          f"{load()}")  # fmt: skip
    loading_peak, peak[0] = peak[0], loaded
    held, before = [], loaded
    for n in range(SESSIONS):
        row = 1000 + 6007 * n
        visitor, ms, points = await open_map(len(links) + n, f"group={SESSION_GROUP}&map=full&frow={row}")
        held.append(visitor)
        await asyncio.sleep(1.0)
        now = server_mib()
        kept = "kept" if f"frow={row}" in visitor.query.split("&") else "DROPPED by the page"  # what it published
        print(f"  session {n + 1:>2} on {SESSION_GROUP} (frow {row} {kept}): {ms / 1000:.1f} s, points per map "
              f"{points}; RSS {now:.0f} MiB ({now - before:+.0f})")  # fmt: skip
        before = now
    await asyncio.sleep(COLLECT_EVERY_S + 1)
    after = server_mib()
    print(f"server RSS {after:.0f} MiB with {SESSIONS} more sessions held open: {(after - loaded) / SESSIONS:+.1f} MiB "
          f"per session (target <= 30 MB); peak {max(loading_peak, peak[0]):.0f} MiB (target <= 1.5 GB): "
          f"{loading_peak:.0f} while the maps loaded, {peak[0]:.0f} with the sessions; {load()}")  # fmt: skip
    for visitor in held:
        await visitor.close()
    sampler.cancel()


def server(weights: Path) -> None:
    """A real server, its latent map opened on every full map the sidebar reaches, then SESSIONS more sessions."""
    import dashboard.protocol_client as protocol_client  # deferred: Streamlit and websockets
    from dashboard.live_server import dashboard_server

    protocol_client.RERUN_TIMEOUT_S = 600.0  # a first Fashion map reads 70,000 images: slow on a loaded machine
    links, unreached = _server_links(weights)
    if unreached:
        print(f"full maps the sidebar cannot pick (not loaded here): {', '.join(unreached)}")
    with tempfile.TemporaryDirectory() as folder, dashboard_server(Path(folder), weights_dir=weights) as live:
        asyncio.run(_server_sessions(live.url, live.pid, links))


def _held_out(full: FullMap) -> tuple[torch.Tensor, torch.Tensor]:
    """HELD_OUT seeded rows of the validation split or the official test set, and the mask of every other row."""
    candidates = torch.nonzero(full.split != TRAINING).flatten()
    held = candidates[torch.randperm(len(candidates), generator=torch.Generator().manual_seed(0))[:HELD_OUT]]
    keep = torch.ones(len(full), dtype=torch.bool)
    keep[held] = False
    return held, keep


def _umap_map(weights: Path, model_name: str) -> FullMap:
    path = weights / f"{model_name}.safetensors"
    full = load_full_map(path, load_model(path))
    if full.is_plane:
        raise SystemExit(f"{model_name} has latent 2: its placement is the code itself")
    return full


def leave_out(weights: Path, model_name: str) -> None:
    """No UMAP fit: held-out rows placed from the other rows of the shipped map, against their own positions."""
    full = _umap_map(weights, model_name)
    held, keep = _held_out(full)
    placed = place_on_map(full.codes[held], full.codes[keep], full.coords[keep])
    shift = _displacement(placed, full.coords[held], full.coords)
    print(f"{model_name}: {len(held)} held-out rows placed from the other {int(keep.sum()):,} rows of the shipped "
          f"full map, against where its UMAP put them: {shift}")  # fmt: skip
    single = timed(lambda: place_codes(full, full.codes[held[:1]]), 20)[0]
    print(f"placing one new code on the full map ({len(full):,} rows): {single:.1f} ms; {load()}")


def placement(weights: Path, model_name: str) -> None:
    """UMAP fitted on all rows but the held-out ones, then those placed by `transform` and by the fast placement."""
    import umap  # deferred: seconds of numba compilation

    full = _umap_map(weights, model_name)
    held, keep = _held_out(full)
    codes = full.codes.numpy()
    started = time.perf_counter()
    reducer = umap.UMAP(n_components=2, **FULL_MAP_UMAP_PARAMS).fit(codes[keep.numpy()])
    fit_s = time.perf_counter() - started
    fitted = torch.from_numpy(reducer.embedding_).float()
    started = time.perf_counter()
    transformed = torch.from_numpy(reducer.transform(codes[held.numpy()])).float()
    transform_s = time.perf_counter() - started
    started = time.perf_counter()
    placed = place_on_map(full.codes[held], full.codes[keep], fitted)
    place_ms = (time.perf_counter() - started) * 1000
    print(f"{model_name}: UMAP fitted on {int(keep.sum()):,} rows in {fit_s:.0f} s; transform of {len(held)} rows "
          f"{transform_s:.1f} s (first call compiles), fast placement {place_ms:.0f} ms; {load()}")  # fmt: skip
    print(f"fast placement against UMAP transform: {_displacement(placed, transformed, fitted)}")


def _displacement(placed: torch.Tensor, reference: torch.Tensor, layout: torch.Tensor) -> str:
    """Median and 90th-percentile distance in map units, beside the map's scale: the 1-99 % extent of its
    x and y, and the median distance from a map point to its nearest other point."""
    distance = (placed - reference).norm(dim=1).numpy()
    extent = np.percentile(layout.numpy(), 99, axis=0) - np.percentile(layout.numpy(), 1, axis=0)
    sample = layout[torch.randperm(len(layout), generator=torch.Generator().manual_seed(1))[:2000]]
    gaps = torch.cdist(sample, layout).topk(2, largest=False).values[:, 1]
    return (
        f"median {np.median(distance):.3f}, p90 {np.percentile(distance, 90):.3f} map units "
        f"(map extent {extent[0]:.1f} x {extent[1]:.1f}; median gap to the nearest point {float(gaps.median()):.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parts = ("memory", "server", "leave-out", "placement")
    parser.add_argument("--parts", nargs="+", choices=parts, default=parts)
    parser.add_argument("--model", default="mnist_vae_z16", help="the shipped latent-16 model for placement")
    parser.add_argument("--weights", type=Path, default=WEIGHTS, help="weights folder (default: the shipped one)")
    args = parser.parse_args()
    if "memory" in args.parts:
        memory(args.weights)
    if "server" in args.parts:
        server(args.weights)
    if "leave-out" in args.parts:
        leave_out(args.weights, args.model)
    if "placement" in args.parts:
        placement(args.weights, args.model)


if __name__ == "__main__":
    main()
