"""Full maps, measured: `python -m benchmarks.full_maps [--parts memory leave-out placement] [--model NAME]`.

memory: this process plays the server: it loads every shipped model (ae_models.library) and then every shipped
full map (ae_models.fullmap.load_full_map), printing RSS before and after (target: a server with every full map
loaded <= 1.5 GB RSS), each map's load time (codes recomputed), an exact neighbour search over all rows and the
mean code of a 5,000-row selection, and the UMAP fit time each file recorded when it was built.
placement: how faithful the fast placement of a new code (drawn or uploaded images: the inverse-distance average
of its 10 nearest codes' positions, latent_ops.place_on_map) is to UMAP's own `transform`. UMAP is fitted, as
train-all fits it, on every row of the model's dataset but HELD_OUT held-out ones (validation or test images);
those are then placed both ways; the median displacement is printed in map units beside the map's scale. About
1-2 minutes for an mnist-5k model (UMAP's compile and fit) on an idle machine, several more for Fashion.
leave-out: no UMAP fit, seconds: the held-out rows placed from the other rows of the shipped full map, against
where its own UMAP put them, and the time to place one new code among all rows.

The load average is printed beside the figures: on a shared machine they are pessimistic.
"""

from __future__ import annotations

import argparse
import os
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
    parts = ("memory", "leave-out", "placement")
    parser.add_argument("--parts", nargs="+", choices=parts, default=parts)
    parser.add_argument("--model", default="mnist_vae_z16", help="the shipped latent-16 model for placement")
    parser.add_argument("--weights", type=Path, default=WEIGHTS, help="weights folder (default: the shipped one)")
    args = parser.parse_args()
    if "memory" in args.parts:
        memory(args.weights)
    if "leave-out" in args.parts:
        leave_out(args.weights, args.model)
    if "placement" in args.parts:
        placement(args.weights, args.model)


if __name__ == "__main__":
    main()
