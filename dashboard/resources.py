"""Everything loaded once per server and shared by all sessions: models, evaluation samples, latent maps.

Computing a missing map runs in a background thread, so the page that asked can show progress while the
other pages stay usable.
"""

from __future__ import annotations

import hashlib
import logging
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import streamlit as st
import torch

from ae_models.compression import ClassicCodecs, classic_codecs
from ae_models.config import DatasetInfo
from ae_models.coverage import CodeRegion, CodeSummary, code_region, decoder_inputs, summarize_codes
from ae_models.datasets import DatasetError
from ae_models.fullmap import FullMap, load_full_map
from ae_models.latent_maps import LatentMap, ensure_map, find_map
from ae_models.latent_ops import decode_codes, manifold_grid
from ae_models.library import LibraryModel, LoadFailure, load_folder, load_library_model
from ae_models.live.pool import TrainingPool
from ae_models.recognition import Judge, fit_judge, interpolation_endpoints
from ae_models.samples import (
    EvaluationSample,
    SampleError,
    draw_sample,
    held_out_by,
    load_sample,
    sample_path,
    save_sample,
)

from .imaging import png_data_uri, tile
from .settings import cache_dir, served_datasets, weights_dir


@dataclass(frozen=True)
class Library:
    models: list[LibraryModel]
    failures: list[LoadFailure]


@st.cache_resource(show_spinner="Loading models ...")
def load_library(weights_dir: str) -> Library:
    models, failures = load_folder(weights_dir, served_datasets())
    return Library(models, failures)


@st.cache_resource(show_spinner=False, max_entries=32)
def load_uploaded(path: str, name: str) -> LibraryModel:
    """An uploaded model, checked like the folder's (served dataset, image size, finite outputs on its images)."""
    return load_library_model(path, name, served_datasets(), samples_dir=weights_dir())


@st.cache_resource(show_spinner=False)
def training_pool() -> TrainingPool:
    """The server's live trainings (Train live page): one limit and one queue for every session."""
    return TrainingPool()


@st.cache_resource(show_spinner="Loading evaluation images ...")
def evaluation_sample(weights_dir: str, dataset: str) -> EvaluationSample:
    """The shipped sample when there is one, else a fresh draw from the dataset (which must be installed)."""
    shipped = sample_path(weights_dir, dataset)
    if shipped.is_file():
        return load_sample(shipped)
    cached = sample_path(cache_dir(), dataset)
    if cached.is_file():
        return load_sample(cached)
    sample = draw_sample(dataset)
    save_sample(sample, cached, force=True)
    return sample


@st.cache_resource(show_spinner=False, max_entries=64)
def held_out_sample(weights_dir: str, dataset: str, splits: tuple[DatasetInfo, ...]) -> EvaluationSample:
    """The dataset's evaluation sample with `held_out` marking only the images that none of these splits (the
    models' own records) trained on (samples.held_out_by), once per server: every rerun of every page asked for it,
    a permutation of the pool per model. Callers must not mutate it."""
    return held_out_by(evaluation_sample(weights_dir, dataset), splits)


@st.cache_resource(show_spinner=False, max_entries=16)
def reference_judge(weights_dir: str, dataset: str) -> Judge:
    """The class judge over the dataset's evaluation images (see recognition.Judge), fitted once per sample: the
    same key as evaluation_sample, so it judges against the very images the pages show. Fitting it takes 0.1-0.5 s,
    too much for every rerun of the pages whose notes read decoded pictures."""
    sample = evaluation_sample(weights_dir, dataset)
    return fit_judge(sample.images.images, sample.images.labels)


@st.cache_resource(show_spinner=False)
def _map_jobs() -> tuple[ThreadPoolExecutor, dict[str, tuple[Future, float]]]:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="latent-map"), {}


def map_job_seconds(sha256: str) -> float | None:
    """How long the background map job for these weights has been running, if there is one."""
    job = _map_jobs()[1].get(sha256)
    return None if job is None else time.monotonic() - job[1]


def _maps_cache() -> Path:
    return cache_dir() / "maps"


@st.cache_resource(show_spinner=False, max_entries=64)
def _ready_map(sha256: str, path: str) -> LatentMap | None:
    """A map already on disk beside the weights or in the cache, else None (never computes)."""
    return find_map(path, sha256, _maps_cache())


class MapUnavailable(RuntimeError):
    """The map cannot be made: its dataset is missing or the sample is broken."""


def _compute_map(model: LibraryModel, sample: EvaluationSample) -> LatentMap:
    """The background job; its failure goes to the server log once, with the details a visitor must not see."""
    try:
        return ensure_map(model.path, model.network, sample, _maps_cache())
    except Exception:
        logging.getLogger("dashboard").exception("map for %s failed", model.path)
        raise


def latent_map(model: LibraryModel, weights_dir: str) -> LatentMap | None:
    """The model's map if ready; otherwise start (or keep) computing it and return None for now."""
    ready = _ready_map(model.sha256, str(model.path))
    if ready is not None:
        return ready
    executor, jobs = _map_jobs()
    job, _ = jobs.get(model.sha256, (None, 0.0))
    if job is None:
        try:
            sample = evaluation_sample(weights_dir, model.dataset)
        except DatasetError as err:  # says how to install the dataset
            raise MapUnavailable(str(err)) from None
        except SampleError:
            raise MapUnavailable("its evaluation sample cannot be read on this server") from None
        job = executor.submit(_compute_map, model, sample)
        jobs[model.sha256] = (job, time.monotonic())
    if not job.done():
        return None
    error = job.exception()
    if error is not None:  # kept, not retried: every rerun would start the same minute-long failing job again
        raise MapUnavailable(f"computing the map failed ({type(error).__name__}; the server log has the details)")
    _ready_map.clear()
    return job.result()


@st.cache_resource(show_spinner="Loading every image of the dataset and encoding it ...", max_entries=16)
def full_map(sha256: str, path: str, _model: LibraryModel) -> FullMap:
    """The full map beside the weights at `path` (every image of the model's dataset), read once per server;
    raises FullMapError (the file is missing or not for these weights, or the dataset is not installed), which is
    not cached."""
    return load_full_map(_model.path, _model.trained)


# Decoded pictures that every visitor with the same controls sees: decoded once per server, not per rerun.
# The weights' digest is the key; the model itself (leading underscore) is not hashed. Callers must not mutate.


@st.cache_resource(show_spinner=False, max_entries=64)
def decoded_plane(
    sha256: str, _model: LibraryModel, n: int, extent: float, centre: tuple[float, float]
) -> tuple[str, tuple[int, int]]:
    """The book's figure 2.7: the decoder's output over an n x n grid of the latent plane, as one PNG (a data URI)
    and its (height, width): encoding it took longer than the rest of the figure on every rerun of the page."""
    picture = tile(decode_codes(_model.network, manifold_grid(n, extent, centre)), columns=n, pad=0)
    return png_data_uri(picture), picture.shape


Result = TypeVar("Result")


_TENSOR_DIGESTS: dict[int, tuple[weakref.ref, int, bytes]] = {}  # id -> (that tensor, its version, digest)


def _tensor_digest(value: torch.Tensor) -> bytes:
    """SHA-256 of a tensor's dtype, shape and values, remembered for as long as that very tensor lives unchanged
    (torch bumps a tensor's version on every in-place write): the pages pass the same 6 MB of evaluation images on
    every rerun, and hashing them again cost about 8 ms a time."""
    known = _TENSOR_DIGESTS.get(id(value))
    if known is not None and known[0]() is value and known[1] == value._version:
        return known[2]
    digest = hashlib.sha256(f"{value.dtype}{tuple(value.shape)}".encode())
    digest.update(value.detach().contiguous().numpy().tobytes())
    key = id(value)  # the entry goes when the tensor does, before its id can be reused
    _TENSOR_DIGESTS[key] = (
        weakref.ref(value, lambda _: _TENSOR_DIGESTS.pop(key, None)),
        value._version,
        digest.digest(),
    )
    return digest.digest()


def content_key(values: tuple[torch.Tensor | str, ...]) -> str:
    """A digest of what a computation reads (tensor values and shapes, strings), so equal inputs share a result."""
    digest = hashlib.sha256()
    for value in values:
        digest.update(_tensor_digest(value) if isinstance(value, torch.Tensor) else repr(value).encode())
    return digest.hexdigest()


@st.cache_resource(show_spinner=False, max_entries=512)
def _computed_once(sha256: str, function: str, inputs: str, _compute: Callable[[], Result]) -> Result:
    return _compute()


def per_model(model: LibraryModel, compute: Callable[..., Result], *inputs: torch.Tensor | str) -> Result:
    """compute(model's network, *inputs), once per server for these weights and input values: scoring the
    held-out images takes tens of ms per model, too much to repeat on every slider move. Meant for small results
    (scores, reports: the cache holds 512); callers must not mutate them."""
    name = f"{compute.__module__}.{compute.__qualname__}"
    return _computed_once(model.sha256, name, content_key(inputs), partial(compute, model.network, *inputs))


@st.cache_resource(show_spinner=False, max_entries=32)
def default_endpoints(
    shas: tuple[str, ...], _models: tuple[LibraryModel, ...], dataset: str, _sample
) -> tuple[int, int]:
    """Rows both models rebuild as their own class (see recognition.interpolation_endpoints), once per pair."""
    return interpolation_endpoints([m.network for m in _models], _sample)


@st.cache_resource(show_spinner=False, max_entries=64)
def trained_region(sha256: str, _latent_map: LatentMap) -> CodeRegion:
    """The region of the codes this model's decoder met in training (see coverage.decoder_inputs), once per model."""
    return code_region(decoder_inputs(_latent_map.codes, _latent_map.logvar))


@st.cache_resource(show_spinner=False, max_entries=64)
def code_summary(sha256: str, _latent_map: LatentMap, _labels: torch.Tensor) -> CodeSummary:
    return summarize_codes(_latent_map.codes, _labels)


@st.cache_resource(show_spinner=False, max_entries=64)
def classic_baseline(dataset: str, target_psnr_db: float, _images: torch.Tensor) -> ClassicCodecs:
    """PNG and JPEG sizes of a dataset's held-out images at a target quality (about 0.1 s), once per server."""
    return classic_codecs(_images, target_psnr_db)
