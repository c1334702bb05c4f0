"""One .safetensors file per model: tensors plus JSON metadata that fully describes how it was made.

Loading trusts nothing in the file: metadata schema, tensor names, shapes, dtypes and values are checked
against the recorded architecture, and every problem surfaces as one WeightsError naming the file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save as safetensors_save

from .config import ConfigError, DatasetInfo, EpochRecord, Metrics, ModelConfig, TrainConfig, record_from_json
from .files import UnreadableFile, atomic_write_bytes, read_safetensors
from .models import Autoencoder, build_model

FORMAT_VERSION = "1"
NAMESPACE = "ae_models."
_JSON_KEYS = ("model_config", "training", "dataset", "history", "final_metrics")
REQUIRED_KEYS = ("format_version", "kind", "image_shape", "created", *_JSON_KEYS)


class WeightsError(ValueError):
    """A weights file that cannot be used; the message names the file and what is wrong with it."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass
class TrainedModel:
    """A model with everything its file records about how it was made and how well it does."""

    network: Autoencoder
    training: TrainConfig
    dataset: DatasetInfo
    history: list[EpochRecord]
    final_metrics: Metrics
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def config(self) -> ModelConfig:
        return self.network.config

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.network.parameters())


def metadata_of(trained: TrainedModel) -> dict[str, str]:
    values: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "kind": trained.config.kind,
        "image_shape": json.dumps(list(trained.config.image_shape)),
        "created": trained.created,
        "model_config": json.dumps(trained.config.to_dict()),
        "training": json.dumps(trained.training.to_dict()),
        "dataset": json.dumps(asdict(trained.dataset)),
        "history": json.dumps([record.to_dict() for record in trained.history]),
        "final_metrics": json.dumps(trained.final_metrics.to_dict()),
    }
    return {NAMESPACE + key: value for key, value in values.items()}


def save_model(trained: TrainedModel, path: str | Path, force: bool = False) -> Path:
    """Atomically write the weights file; an existing file is kept unless force is set."""
    atomic_write_bytes(path, encode_model(trained), force=force)
    return Path(path)


def encode_model(trained: TrainedModel) -> bytes:
    """The bytes of a weights file: tensors plus the metadata that describes them."""
    tensors = {name: t.detach().contiguous().clone() for name, t in trained.network.state_dict().items()}
    return safetensors_save(tensors, metadata=metadata_of(trained))


def _read_file(path: Path) -> tuple[dict[str, str], dict[str, torch.Tensor]]:
    try:
        metadata, tensors = read_safetensors(path)
    except UnreadableFile as err:
        raise WeightsError(path, str(err)) from None
    if not metadata:
        raise WeightsError(path, "has no ae_models metadata: it was not written by ae_models")
    return metadata, tensors


def _parse_metadata(path: Path, metadata: dict[str, str]) -> dict[str, Any]:
    missing = [NAMESPACE + key for key in REQUIRED_KEYS if NAMESPACE + key not in metadata]
    if missing:
        raise WeightsError(path, f"metadata is missing {', '.join(missing)}")
    version = metadata[NAMESPACE + "format_version"]
    if version != FORMAT_VERSION:
        raise WeightsError(path, f"format version {version!r} is not supported (this code reads {FORMAT_VERSION!r})")
    values: dict[str, Any] = {}
    for key in (*_JSON_KEYS, "image_shape"):
        try:
            values[key] = json.loads(metadata[NAMESPACE + key])
        except json.JSONDecodeError as err:
            raise WeightsError(path, f"metadata {NAMESPACE + key} is not valid JSON ({err})") from None
        except RecursionError:
            raise WeightsError(path, f"metadata {NAMESPACE + key} is nested too deeply to be ours") from None
    values["kind"] = metadata[NAMESPACE + "kind"]
    values["created"] = metadata[NAMESPACE + "created"]
    return values


def _check_tensors(path: Path, model: Autoencoder, tensors: dict[str, torch.Tensor]) -> None:
    expected = model.state_dict()
    missing, unexpected = sorted(set(expected) - set(tensors)), sorted(set(tensors) - set(expected))
    if missing or unexpected:
        raise WeightsError(
            path, f"tensor names do not match the recorded architecture (missing {missing}, unexpected {unexpected})"
        )
    for name, reference in expected.items():
        tensor = tensors[name]
        if tensor.dtype != reference.dtype:
            raise WeightsError(path, f"tensor {name} has dtype {tensor.dtype}, expected {reference.dtype}")
        if tensor.shape != reference.shape:
            raise WeightsError(
                path, f"tensor {name} has shape {tuple(tensor.shape)}, expected {tuple(reference.shape)}"
            )
        if not torch.isfinite(tensor).all():
            raise WeightsError(path, f"tensor {name} holds NaN or infinite values")


def load_model(path: str | Path) -> TrainedModel:
    """Read and validate a weights file; the model comes back in eval mode."""
    path = Path(path)
    metadata, tensors = _read_file(path)
    values = _parse_metadata(path, metadata)
    try:
        config = ModelConfig.from_dict(values["model_config"])
        training = TrainConfig.from_dict(values["training"])
        dataset = record_from_json(DatasetInfo, values["dataset"])
        if not isinstance(values["history"], list) or len(values["history"]) != training.epochs:
            raise ConfigError(f"history must be a JSON list of one record per epoch ({training.epochs})")
        history = [record_from_json(EpochRecord, record) for record in values["history"]]
        final_metrics = record_from_json(Metrics, values["final_metrics"])
        kind, created = values["kind"], values["created"]
    except (ConfigError, TypeError, ValueError) as err:
        raise WeightsError(path, f"metadata does not follow the schema ({err})") from None
    if kind != config.kind or values["image_shape"] != list(config.image_shape):
        raise WeightsError(path, "metadata kind/image_shape disagree with model_config")
    # shapes are checked on a weightless "meta" model first, so metadata claiming a giant architecture
    # costs nothing; the real model is only built once the file's own tensors are known to fit it
    with torch.device("meta"):
        _check_tensors(path, build_model(config), tensors)
    model = build_model(config)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    return TrainedModel(model, training, dataset, history, final_metrics, created)
