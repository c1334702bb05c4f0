"""One .safetensors file per model: tensors plus JSON metadata that fully describes how it was made.

Loading trusts nothing in the file: metadata schema, tensor names, shapes, dtypes and values are checked
against the recorded architecture, and every problem surfaces as one WeightsError naming the file.
"""

from __future__ import annotations

import json
import math
import reprlib
from collections.abc import Iterator
from contextlib import contextmanager
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
# Bounds on what metadata may hold, far above anything ae_models writes: every string (names, dates, choices) and
# every integer (counts, seeds) is short, every number finite, and one value stays small enough to parse in a
# fraction of a second (16 MB: a history of about 60,000 epochs).
MAX_TEXT = 200
MAX_INT_DIGITS = 18
MAX_VALUE_CHARS = 16 * 2**20


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


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text.lstrip('-'))} digits is out of range")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:12]} is not finite")
    return value


def _not_a_number(text: str) -> float:
    raise ValueError(f"{text} is not a finite number")


def _check_strings(value: Any) -> None:
    """Every string (and object key) in a parsed JSON value is at most MAX_TEXT characters."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ValueError(f"a string of {len(value):,} characters is longer than {MAX_TEXT}")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def _strict_json(text: str) -> Any:
    """JSON with bounded integers, finite numbers and short strings: what our writer produces, nothing more."""
    if len(text) > MAX_VALUE_CHARS:
        raise ValueError(f"{len(text):,} characters is more than {MAX_VALUE_CHARS:,}")
    value = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_not_a_number)
    _check_strings(value)
    return value


def _parse_metadata(path: Path, metadata: dict[str, str]) -> dict[str, Any]:
    missing = [NAMESPACE + key for key in REQUIRED_KEYS if NAMESPACE + key not in metadata]
    if missing:
        raise WeightsError(path, f"metadata is missing {', '.join(missing)}")
    for key in ("format_version", "kind", "created"):
        if len(metadata[NAMESPACE + key]) > MAX_TEXT:
            raise WeightsError(path, f"metadata {NAMESPACE + key} is longer than {MAX_TEXT} characters")
    version = metadata[NAMESPACE + "format_version"]
    if version != FORMAT_VERSION:
        raise WeightsError(
            path, f"format version {reprlib.repr(version)} is not supported (this code reads {FORMAT_VERSION!r})"
        )
    values: dict[str, Any] = {}
    for key in (*_JSON_KEYS, "image_shape"):
        try:
            values[key] = _strict_json(metadata[NAMESPACE + key])
        except RecursionError:
            raise WeightsError(path, f"metadata {NAMESPACE + key} is nested too deeply to be ours") from None
        except ValueError as err:  # json.JSONDecodeError included
            raise WeightsError(path, f"metadata {NAMESPACE + key} is not valid JSON within bounds ({err})") from None
    values["kind"] = metadata[NAMESPACE + "kind"]
    values["created"] = metadata[NAMESPACE + "created"]
    return values


def _check_ranges(dataset: DatasetInfo, history: list[EpochRecord], metrics: Metrics) -> None:
    """Counts and fractions the pages and the CLI compute with (types and finiteness are checked by then)."""
    if dataset.n_train < 1 or dataset.n_val < 1 or metrics.n_images < 1:
        raise ConfigError("image counts (n_train, n_val, n_images) must be at least 1")
    if not 0 < dataset.val_fraction < 1 or dataset.split_seed < 0:
        raise ConfigError("dataset val_fraction must lie strictly between 0 and 1 and split_seed be non-negative")
    for index, record in enumerate(history):
        if record.epoch != index + 1 or record.seconds < 0:
            raise ConfigError(f"history record {index} must be epoch {index + 1} with a non-negative duration")


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


@contextmanager
def typed_errors(path: str | Path) -> Iterator[None]:
    """Inside, any exception becomes a WeightsError naming the file (its type only: messages can hold paths), so
    a caller that handles WeightsError handles every way one file can fail."""
    try:
        yield
    except WeightsError:
        raise
    except Exception as err:
        raise WeightsError(path, f"could not be loaded ({type(err).__name__})") from err


def load_model(path: str | Path) -> TrainedModel:
    """Read and validate a weights file; the model comes back in eval mode. Every failure is a WeightsError."""
    with typed_errors(path):
        return _load_checked(Path(path))


def _load_checked(path: Path) -> TrainedModel:
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
        _check_ranges(dataset, history, final_metrics)
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
