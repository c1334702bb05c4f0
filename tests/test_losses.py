import math

import torch
import torch.nn.functional as F

from ae_models.losses import kl_to_standard_normal, kl_weight, loss_parts, reconstruction_error
from ae_models.models import Encoding


def test_kl_is_zero_at_the_prior() -> None:
    encoding = Encoding(mean=torch.zeros(4, 16), logvar=torch.zeros(4, 16))
    assert torch.equal(kl_to_standard_normal(encoding), torch.zeros(4))


def test_kl_matches_monte_carlo() -> None:
    generator = torch.Generator().manual_seed(0)
    mean = torch.randn(3, 5, generator=generator)
    logvar = torch.randn(3, 5, generator=generator) * 0.5
    sigma = torch.exp(0.5 * logvar)
    z = mean + sigma * torch.randn(200_000, 3, 5, generator=generator)
    log_q = (-0.5 * ((z - mean) / sigma) ** 2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)).sum(-1)
    log_p = (-0.5 * z**2 - 0.5 * math.log(2 * math.pi)).sum(-1)
    monte_carlo = (log_q - log_p).mean(0)
    closed_form = kl_to_standard_normal(Encoding(mean, logvar))
    torch.testing.assert_close(closed_form, monte_carlo, atol=0.03, rtol=0.01)


def test_kl_of_an_ae_is_zero() -> None:
    assert torch.equal(kl_to_standard_normal(Encoding(mean=torch.randn(2, 3))), torch.zeros(2))


def test_bce_is_summed_over_pixels_per_image() -> None:
    logits, images = torch.randn(2, 8, 8), torch.rand(2, 8, 8)
    expected = F.binary_cross_entropy(torch.sigmoid(logits), images, reduction="none").sum((1, 2))
    torch.testing.assert_close(reconstruction_error(logits, images, "bce"), expected)
    mse = reconstruction_error(logits, images, "mse")
    torch.testing.assert_close(mse, ((torch.sigmoid(logits) - images) ** 2).sum((1, 2)))


def test_loss_parts_weight_kl_by_beta() -> None:
    logits, images = torch.randn(4, 8, 8), torch.rand(4, 8, 8)
    encoding = Encoding(mean=torch.randn(4, 2), logvar=torch.randn(4, 2))
    parts = loss_parts(logits, images, encoding, beta=4.0)
    torch.testing.assert_close(parts.total, parts.reconstruction + 4.0 * parts.kl)
    assert parts.kl > 0


def test_kl_warmup_climbs_linearly_to_beta() -> None:
    assert [kl_weight(e, 2.0, 4) for e in range(6)] == [0.5, 1.0, 1.5, 2.0, 2.0, 2.0]
    assert kl_weight(0, 2.0, 0) == 2.0
