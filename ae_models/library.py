"""A folder of weights files read as a library: every model that loads, and a message for every one that doesn't."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .files import sha256_of
from .latent_maps import MAP_SUFFIX
from .weights import TrainedModel, WeightsError, load_model


@dataclass(frozen=True)
class LibraryModel:
    """A loaded model with the name the pages show and the digest its map is tied to."""

    name: str
    path: Path
    trained: TrainedModel
    sha256: str

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


@dataclass(frozen=True)
class LoadFailure:
    path: Path
    message: str


def weights_files(folder: str | Path) -> list[Path]:
    """Model files in a folder: *.safetensors, but not maps and not the samples/ subfolder."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.safetensors") if not p.name.endswith(MAP_SUFFIX))


def load_library_model(path: str | Path, name: str | None = None) -> LibraryModel:
    path = Path(path)
    trained = load_model(path)
    trained.model.requires_grad_(False)  # a library is for looking at: no autograd graphs in any caller's thread
    return LibraryModel(name or path.name.removesuffix(".safetensors"), path, trained, sha256_of(path))


def load_folder(folder: str | Path) -> tuple[list[LibraryModel], list[LoadFailure]]:
    models, failures = [], []
    for path in weights_files(folder):
        try:
            models.append(load_library_model(path))
        except WeightsError as err:
            failures.append(LoadFailure(path, str(err)))
    return models, failures


def beta_sweeps(models: list[LibraryModel]) -> dict[str, list[LibraryModel]]:
    """VAEs that differ only in beta (same data, architecture and schedule), by a readable group label."""
    groups: dict[str, list[LibraryModel]] = {}
    for model in models:
        if model.kind != "vae":
            continue
        schedule = {k: v for k, v in model.trained.training.to_dict().items() if k != "beta"}
        key = json.dumps([model.dataset, model.trained.config.to_dict(), schedule], sort_keys=True)
        groups.setdefault(key, []).append(model)
    sweeps = {}
    for group in groups.values():
        if len({m.beta for m in group}) > 1:
            first = group[0]
            label = f"{first.dataset}, latent {first.latent_dim}, {len(first.trained.history)} epochs"
            sweeps[label] = sorted(group, key=lambda m: m.beta)
    return sweeps
