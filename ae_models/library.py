"""A folder of weights files read as a library: every model that loads, and a message for every one that doesn't."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import torch

from .datasets import NAMED_DATASETS
from .files import sha256_of
from .fullmap.store import FULL_MAP_SUFFIX
from .latent_maps import MAP_SUFFIX
from .models import Autoencoder
from .samples import SampleError, load_sample, sample_path
from .serving import check_servable
from .weights import TrainedModel, WeightsError, load_model, typed_errors

PROBE_IMAGES = 16


@dataclass(frozen=True)
class LibraryModel:
    """A loaded model with the name the pages show and the digest its map is tied to."""

    name: str
    path: Path
    trained: TrainedModel
    sha256: str

    @property
    def network(self) -> Autoencoder:
        """The PyTorch module itself (in eval mode, gradients off)."""
        return self.trained.network

    @property
    def kind(self) -> str:
        return self.trained.config.kind

    @property
    def latent_dim(self) -> int:
        return self.trained.config.latent_dim

    @property
    def dataset(self) -> str:
        return self.trained.dataset.name

    @property
    def beta(self) -> float:
        return self.trained.training.beta

    @property
    def is_denoiser(self) -> bool:
        return self.trained.training.input_noise > 0

    @property
    def label(self) -> str:
        beta = f", beta {self.beta:g}" if self.kind == "vae" and self.beta != 1 else ""
        return f"{self.name} ({self.kind.upper()}, z={self.latent_dim}{beta})"

    @cached_property
    def sweep_key(self) -> str:
        """What the members of a beta sweep share, as one string: dataset, architecture and training schedule, all
        but beta. Worked out once per model: the sidebar groups the sweeps on every rerun of every page."""
        schedule = {k: v for k, v in self.trained.training.to_dict().items() if k != "beta"}
        return json.dumps([self.dataset, self.trained.config.to_dict(), schedule], sort_keys=True)


@dataclass(frozen=True)
class LoadFailure:
    path: Path
    message: str


def weights_files(folder: str | Path) -> list[Path]:
    """Model files in a folder: *.safetensors, but not maps or full maps and not the samples/ subfolder."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.safetensors") if not p.name.endswith((MAP_SUFFIX, FULL_MAP_SUFFIX)))


def safe_stem(filename: str) -> str:
    """A visitor's file name as a model name: the stem in ASCII letters, digits, '-' and '_' only (at most 48), so a
    crafted name can never be Markdown, a link or a path wherever the pages show it."""
    stem = Path(filename).name.removesuffix(".safetensors")
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in stem)[:48]


@lru_cache(maxsize=8)
def _probe_images(sample_file: Path, mtime: float) -> torch.Tensor:
    return load_sample(sample_file).images.images[:PROBE_IMAGES]


def _real_images(samples_dir: Path | None, dataset: str, shape: tuple[int, int]) -> torch.Tensor | None:
    """A few of the dataset's own images from the folder's evaluation sample, when it has one of the model's size."""
    sample_file = None if samples_dir is None else sample_path(samples_dir, dataset)
    if sample_file is None or not sample_file.is_file():
        return None
    try:
        images = _probe_images(sample_file, sample_file.stat().st_mtime)
    except (SampleError, OSError):
        return None
    return images if tuple(images.shape[1:]) == shape else None


def load_library_model(
    path: str | Path,
    name: str | None = None,
    datasets: Collection[str] = NAMED_DATASETS,
    samples_dir: Path | None = None,
) -> LibraryModel:
    """A model a server may show: it loads, names a dataset among `datasets`, and serves (see serving.py).

    Any exception while loading becomes a WeightsError: one file must never take a folder or a server down.
    """
    path = Path(path)
    with typed_errors(path):
        trained = load_model(path)
        trained.network.requires_grad_(False)  # a library is for looking at: no autograd graphs in any caller's thread
        real = _real_images(samples_dir, trained.dataset.name, trained.config.image_shape)
        check_servable(str(path), trained, datasets, real)
        digest = sha256_of(path)
    return LibraryModel(name or path.name.removesuffix(".safetensors"), path, trained, digest)


def load_folder(
    folder: str | Path, datasets: Collection[str] = NAMED_DATASETS
) -> tuple[list[LibraryModel], list[LoadFailure]]:
    """Every model of a folder that serves, and for each other file its failure (its name, never the folder's)."""
    models, failures = [], []
    for path in weights_files(folder):
        try:
            models.append(load_library_model(path, datasets=datasets, samples_dir=Path(folder)))
        except WeightsError as err:
            failures.append(LoadFailure(path, f"{path.name}: {err.reason}"))
    return models, failures


def beta_sweeps(models: list[LibraryModel]) -> dict[str, list[LibraryModel]]:
    """VAEs that differ only in beta (same data, architecture and schedule), by a readable group label."""
    groups: dict[str, list[LibraryModel]] = {}
    for model in models:
        if model.kind == "vae":
            groups.setdefault(model.sweep_key, []).append(model)
    sweeps = {}
    for group in groups.values():
        if len({m.beta for m in group}) > 1:
            first = group[0]
            label = f"{first.dataset}, latent {first.latent_dim}, {len(first.trained.history)} epochs"
            sweeps[label] = sorted(group, key=lambda m: m.beta)
    return sweeps


def model_choices(models: list[LibraryModel], dataset: str, latent_dim: int, kind: str) -> list[LibraryModel]:
    """The models a page may show as "the" AE (or VAE) of a dataset and latent size, the default first.

    Denoisers are never offered: they answer another question. Members of a beta sweep come after every plain
    model (they are smaller, shorter-trained variants made for the rate-distortion plot), then beta = 1 first and
    names break ties. So a sweep member is the default only in a group that holds nothing else, such as an upload.
    """
    in_sweep = {m.path for sweep in beta_sweeps(models).values() for m in sweep}
    candidates = [
        m for m in models
        if m.kind == kind and m.dataset == dataset and m.latent_dim == latent_dim and not m.is_denoiser
    ]  # fmt: skip
    return sorted(candidates, key=lambda m: (m.path in in_sweep, m.beta != 1, m.name))


def denoisers_of(models: list[LibraryModel], dataset: str) -> list[LibraryModel]:
    """The denoising models of a dataset (any latent size): the denoising page shows them beside the pair."""
    return sorted((m for m in models if m.is_denoiser and m.dataset == dataset), key=lambda m: (m.latent_dim, m.name))


def default_pair(
    models: list[LibraryModel], dataset: str, latent_dim: int
) -> tuple[LibraryModel | None, LibraryModel | None]:
    """The AE and the VAE every page compares for a dataset and latent size (None where a kind is missing)."""
    ae, vae = (next(iter(model_choices(models, dataset, latent_dim, kind)), None) for kind in ("ae", "vae"))
    return ae, vae


def default_models(models: list[LibraryModel], dataset: str) -> list[LibraryModel]:
    """The default AE and VAE of every latent size of a dataset, AEs first, smallest latent first."""
    sizes = sorted({m.latent_dim for m in models if m.dataset == dataset})
    defaults = [model for size in sizes for model in default_pair(models, dataset, size) if model is not None]
    return sorted(defaults, key=lambda m: (m.kind, m.latent_dim))
