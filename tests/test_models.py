import pytest
import torch

from ae_models.config import ConfigError, ModelConfig
from ae_models.models import Autoencoder, VariationalAutoencoder, build_model


@pytest.mark.parametrize("arch", ["mlp", "conv"])
@pytest.mark.parametrize("shape", [(28, 28), (8, 8)])
@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_shapes_and_ranges(kind: str, shape: tuple[int, int], arch: str) -> None:
    model = build_model(ModelConfig(kind=kind, image_shape=shape, latent_dim=3, architecture=arch, hidden_sizes=(16,)))
    images = torch.rand(5, *shape)
    encoding = model.encode(images)
    assert encoding.mean.shape == (5, 3)
    assert (encoding.logvar is not None) == (kind == "vae")
    logits, _ = model(images)
    assert logits.shape == (5, *shape)
    decoded = model.decode(torch.randn(7, 3))
    assert decoded.shape == (7, *shape)
    assert decoded.min() >= 0 and decoded.max() <= 1


def test_default_is_the_books_mlp() -> None:
    model = build_model(ModelConfig(kind="ae"))
    linear = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [(784, 256), (256, 2), (2, 256), (256, 784)]


def test_kinds_build_their_classes() -> None:
    assert type(build_model(ModelConfig(kind="ae"))) is Autoencoder
    assert isinstance(build_model(ModelConfig(kind="vae")), VariationalAutoencoder)


def test_vae_samples_with_reparameterization_and_ae_does_not() -> None:
    vae = build_model(ModelConfig(kind="vae", latent_dim=4))
    encoding = vae.encode(torch.rand(3, 28, 28))
    a = vae.sample_latent(encoding, torch.Generator().manual_seed(1))
    b = vae.sample_latent(encoding, torch.Generator().manual_seed(1))
    c = vae.sample_latent(encoding, torch.Generator().manual_seed(2))
    assert torch.equal(a, b) and not torch.equal(a, c)
    eps = torch.randn(encoding.mean.shape, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, encoding.mean + torch.exp(0.5 * encoding.logvar) * eps)
    ae = build_model(ModelConfig(kind="ae", latent_dim=4))
    ae_encoding = ae.encode(torch.rand(3, 28, 28))
    assert torch.equal(ae.sample_latent(ae_encoding), ae_encoding.mean)


def test_reconstruct_uses_the_mean_deterministically() -> None:
    vae = build_model(ModelConfig(kind="vae", latent_dim=4))
    images = torch.rand(2, 28, 28)
    assert torch.equal(vae.reconstruct(images), vae.reconstruct(images))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "gan"},
        {"latent_dim": 0},
        {"architecture": "transformer"},
        {"architecture": "conv", "image_shape": (30, 30)},
        {"hidden_sizes": ()},
    ],
)
def test_bad_configs_are_refused(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        ModelConfig(**kwargs)
