"""Rebuild the shipped set, several models at once, one CPU core each, with one progress bar over all epochs."""

from __future__ import annotations

import multiprocessing
import queue
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import torch
from tqdm import tqdm

from .anatomy.baselines import baseline_paths, write_baselines
from .anatomy.likelihood_file import write_likelihood
from .catalog import shipped_specs
from .fullmap import write_full_map
from .pipeline import ModelSpec, train_and_save
from .report import describe_metrics


def _train_in_worker(spec: ModelSpec, out_dir: Path, force: bool, events: queue.Queue) -> str:
    torch.set_num_threads(1)  # one core per model: small nets scale better across processes than threads
    trained = train_and_save(spec, out_dir / spec.filename, force, lambda record: events.put(spec.name))
    if spec.model.kind == "vae":  # the importance-weighted likelihood, in a sidecar tied to the weights' digest
        write_likelihood(out_dir / spec.filename, force=True)
    write_full_map(out_dir / spec.filename, force=True)  # every image of its dataset on the map (UMAP above 2)
    return describe_metrics(trained)


def _baselines_in_worker(dataset: str, out_dir: Path, force: bool) -> str:
    torch.set_num_threads(1)
    return write_baselines(out_dir, dataset, force)


def _cost_hint(spec: ModelSpec) -> float:
    """Rough relative training time, measured here: a 32-channel conv epoch on 4,500 digits is ~1."""
    per_image = spec.model.conv_channels[0] / 32 if spec.model.architecture == "conv" else 0.15
    images = 54_000 if spec.dataset == "fashion-mnist" else 4_500
    return spec.training.epochs * per_image * images / 4_500


def train_all(out_dir: Path, force: bool = False, workers: int = 2, only: list[str] | None = None) -> None:
    specs = [s for s in shipped_specs() if not only or s.name in only]
    unknown = sorted(set(only or ()) - {s.name for s in specs})
    if unknown:
        raise KeyError(f"unknown shipped models: {', '.join(unknown)}")
    # the sample judge and the PCA basis of each dataset come with a full rebuild
    datasets = [] if only else sorted({s.dataset for s in specs})
    targets = [out_dir / s.filename for s in specs] + [p for d in datasets for p in baseline_paths(out_dir, d)]
    existing = [str(target) for target in targets if target.exists()]
    if existing and not force:
        raise FileExistsError(
            f"{len(existing)} weights files already exist ({existing[0]}, ...); pass --force to rebuild them"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    specs.sort(key=_cost_hint, reverse=True)  # longest first, so the workers finish together
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        events = manager.Queue()
        futures: dict[Future, str] = {pool.submit(_train_in_worker, s, out_dir, force, events): s.name for s in specs}
        futures |= {pool.submit(_baselines_in_worker, d, out_dir, force): f"baselines for {d}" for d in datasets}
        bar = tqdm(total=sum(s.training.epochs for s in specs), unit="epoch", desc="train-all", file=sys.stderr)
        pending = set(futures)
        while pending:
            try:
                bar.set_postfix_str(events.get(timeout=0.5))
                bar.update(1)
            except queue.Empty:
                pass
            for future in [f for f in pending if f.done()]:
                pending.discard(future)
                bar.write(f"{futures[future]:<28} {future.result()}")
        bar.close()
    print(f"trained {len(specs)} models into {out_dir} in {time.perf_counter() - started:.0f} s")
