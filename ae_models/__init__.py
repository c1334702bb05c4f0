"""Autoencoders and variational autoencoders in plain PyTorch: models, data, training and weights files.

Nothing here knows about Streamlit; the dashboard only calls into this package.
"""

from .config import ConfigError, ModelConfig, TrainConfig
from .datasets import DatasetError, LabeledImages, load_source, load_split
from .evaluation import Metrics, evaluate
from .models import Autoencoder, Encoding, VariationalAutoencoder, build_model
from .training import EpochRecord, train
from .weights import TrainedModel, WeightsError, load_model, save_model

__all__ = [
    "Autoencoder",
    "ConfigError",
    "DatasetError",
    "Encoding",
    "EpochRecord",
    "LabeledImages",
    "Metrics",
    "ModelConfig",
    "TrainConfig",
    "TrainedModel",
    "VariationalAutoencoder",
    "WeightsError",
    "build_model",
    "evaluate",
    "load_model",
    "load_source",
    "load_split",
    "save_model",
    "train",
]
