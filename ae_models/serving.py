"""What a model must satisfy before anything serves it: a well-formed file can still break every page.

Checked once at load time, so pages can rely on it: the dataset is one this server serves, the model's images are
that dataset's size, and a forward pass (encode, reconstruct, score, decode prior draws) gives finite numbers.
"""

from __future__ import annotations

from collections.abc import Collection

import torch
from torch import Tensor

from .datasets import NAMED_DATASETS, DatasetError, image_shape_of
from .latent_ops import manifold_grid, prior_codes
from .losses import kl_to_standard_normal, reconstruction_error
from .weights import TrainedModel, WeightsError

PROBE_SEED = 0
PRIOR_TEMPERATURE = 2.0  # the sampling page's largest temperature
GRID_EXTENT = 5.0  # the decoded plane's largest range around the origin


def synthetic_images(shape: tuple[int, int], seed: int = PROBE_SEED) -> Tensor:
    """Blank, full and half-grey images, uniform noise and sparse 'ink': the extremes a page can feed a model."""
    generator = torch.Generator().manual_seed(seed)
    noise = torch.rand(8, *shape, generator=generator)
    constants = torch.tensor([0.0, 1.0, 0.5]).view(3, 1, 1).expand(3, *shape)
    return torch.cat([constants, noise[:4], (noise[4:] > 0.8).float()])


def check_dataset(path: str, trained: TrainedModel, datasets: Collection[str] | None) -> None:
    """The dataset is served here (datasets None: any, as for the CLI) and its images are the model's size.

    The message is the same whether or not a named folder exists, so it tells a visitor nothing about the server.
    """
    name, shape = trained.dataset.name, trained.config.image_shape
    if datasets is not None and name not in datasets:
        raise WeightsError(
            path,
            f"it was trained on {name!r}, which this server does not serve "
            f"(it serves {', '.join(d for d in datasets if d in NAMED_DATASETS)} and the folders its operator set)",
        )
    try:
        expected = image_shape_of(name)
    except DatasetError:
        raise WeightsError(path, f"the images of its dataset {name!r} cannot be read") from None
    if expected != shape:
        raise WeightsError(
            path, f"it declares {shape[0]}x{shape[1]} images, but {name} images are {expected[0]}x{expected[1]}"
        )


@torch.no_grad()
def check_finite_outputs(path: str, trained: TrainedModel, images: Tensor | None = None) -> None:
    """Encode, reconstruct and score synthetic images (plus a few of the dataset's own, when given) and decode prior
    draws and the corners of the decoded plane: every number the pages will compute from must be finite."""
    model, config = trained.network, trained.config
    probe = synthetic_images(config.image_shape)
    if images is not None:
        probe = torch.cat([probe, images])
    logits, encoding = model(probe, torch.Generator().manual_seed(PROBE_SEED))  # one pass: z sampled as in the ELBO
    codes = prior_codes(16, config.latent_dim, PROBE_SEED, PRIOR_TEMPERATURE)
    if config.latent_dim == 2:
        codes = torch.cat([codes, manifold_grid(2, GRID_EXTENT, (0.0, 0.0))])
    outputs = {
        "codes": encoding.mean if encoding.logvar is None else torch.cat([encoding.mean, encoding.logvar]),
        "reconstruction errors": reconstruction_error(logits, probe, trained.training.reconstruction_loss),
        "KL terms": kl_to_standard_normal(encoding),
        "decoded prior draws": model.decode_logits(codes),
    }
    for what, values in outputs.items():
        if not torch.isfinite(values).all():
            raise WeightsError(
                path, f"its {what} on test images are not finite (NaN or infinite): the weights overflow"
            )


def check_servable(
    path: str, trained: TrainedModel, datasets: Collection[str] | None = NAMED_DATASETS, images: Tensor | None = None
) -> None:
    """Both checks, as WeightsError naming the file: what every page (and `project`) relies on."""
    check_dataset(path, trained, datasets)
    check_finite_outputs(path, trained, images)
