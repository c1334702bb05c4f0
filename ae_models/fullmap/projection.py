"""The 2-D layout of a full map: latent 2 is its own plane; larger codes go through UMAP (McInnes, Healy and
Melville 2018, arXiv:1802.03426) fitted once on every row, with the sample maps' parameters plus `low_memory`
(the nearest-neighbour descent keeps 70,000 x 16 codes in a few hundred MB) and a fixed seed (which also makes
UMAP run on one thread: the same codes give the same map on every machine)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from importlib.metadata import version

import torch
from torch import Tensor

from ..latent_maps import UMAP_PARAMS

FULL_MAP_UMAP_PARAMS = {**UMAP_PARAMS, "low_memory": True}
_RECORDED_PACKAGES = ("umap-learn", "pynndescent", "numba", "numpy")


def project_all(codes: Tensor) -> tuple[Tensor | None, Projection]:
    """Coordinates of every row (None for latent 2, whose coordinates are the codes) and how they were made."""
    if codes.shape[1] == 2:
        return None, Projection("latent")
    import umap  # deferred: importing umap costs seconds of numba compilation

    started, started_cpu = time.perf_counter(), time.process_time()
    reducer = umap.UMAP(n_components=2, **FULL_MAP_UMAP_PARAMS)
    coords = torch.from_numpy(reducer.fit_transform(codes.numpy())).float()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
    return coords, Projection(
        "umap",
        FULL_MAP_UMAP_PARAMS,
        round(seconds, 1),
        round(cpu_seconds, 1),
        {p: version(p) for p in _RECORDED_PACKAGES},
    )


@dataclass(frozen=True)
class Projection:
    """How a full map's coordinates were made: "latent" (the codes) or "umap" with its parameters, its fit time
    on the machine that built it (wall seconds, and CPU seconds, the fairer figure on a shared machine) and the
    package versions (a UMAP layout depends on them)."""

    method: str
    params: dict[str, object] = field(default_factory=dict)
    fit_seconds: float = 0.0
    fit_cpu_seconds: float = 0.0
    versions: dict[str, str] = field(default_factory=dict)
