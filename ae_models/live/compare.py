"""Which shipped model a live run is compared with: the one every page shows by default for the run's dataset,
kind and latent size (its architecture and training settings may differ; the page says so)."""

from __future__ import annotations

from collections.abc import Sequence

from ..library import LibraryModel, model_choices
from .records import LiveSettings


def shipped_counterpart(shipped: Sequence[LibraryModel], settings: LiveSettings) -> LibraryModel | None:
    """The default model of the run's dataset, kind and latent size among `shipped`, or None when there is none
    (the 8x8 digits ship no model)."""
    choices = model_choices(list(shipped), settings.dataset, settings.latent_dim, settings.kind)
    return choices[0] if choices else None
