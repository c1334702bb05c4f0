"""Autoencoders and variational autoencoders in plain PyTorch: models, data, training and weights files.

Nothing here knows about Streamlit; the dashboard only calls into this package. The names below are loaded on
first use, so that importing one module (say, the weights reader) does not pull in the training loop.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "ConfigError": "config",
    "DatasetInfo": "config",
    "EpochRecord": "config",
    "Metrics": "config",
    "ModelConfig": "config",
    "TrainConfig": "config",
    "DatasetError": "datasets",
    "LabeledImages": "datasets",
    "load_source": "datasets",
    "load_split": "datasets",
    "evaluate": "evaluation",
    "Autoencoder": "models",
    "Encoding": "models",
    "VariationalAutoencoder": "models",
    "build_model": "models",
    "train": "training",
    "TrainedModel": "weights",
    "WeightsError": "weights",
    "load_model": "weights",
    "save_model": "weights",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
