import pytest
import torch

from ae_models.config import ConfigError, TrainConfig
from ae_models.datasets import load_split
from ae_models.evaluation import evaluate
from ae_models.models import build_model
from ae_models.pipeline import train_spec
from ae_models.training import EpochSettings, train

from .conftest import tiny_spec


def test_training_lowers_the_loss(tiny_vae) -> None:
    history = tiny_vae.history
    assert len(history) == 3
    assert history[-1].train_total < history[0].train_total
    assert history[-1].val_reconstruction < history[0].val_reconstruction
    untrained = evaluate(build_model(tiny_vae.config), load_split("digits", "val").images)
    assert tiny_vae.final_metrics.neg_elbo < untrained.neg_elbo - 5


def test_training_is_reproducible() -> None:
    spec = tiny_spec("ae", epochs=2)
    first, second = train_spec(spec), train_spec(spec)
    for (name, a), (_, b) in zip(first.network.state_dict().items(), second.network.state_dict().items(), strict=True):
        assert torch.equal(a, b), name
    assert [r.val_reconstruction for r in first.history] == [r.val_reconstruction for r in second.history]


def test_history_records_beta_warmup_and_parts() -> None:
    data = load_split("digits", "train").images[:256]
    model = build_model(tiny_spec("vae").model)
    records = []
    history = train(model, data, data[:64], TrainConfig(epochs=3, beta=3.0, kl_warmup_epochs=3), records.append)
    assert records == history
    assert [r.beta for r in history] == [1.0, 2.0, 3.0]
    for r in history:
        assert abs(r.train_total - (r.train_reconstruction + r.beta * r.train_kl)) < 1e-2 * r.train_total
        assert abs(r.val_total - (r.val_reconstruction + r.beta * r.val_kl)) < 1e-6 * r.val_total


def test_ae_history_has_no_kl(tiny_ae) -> None:
    assert all(r.train_kl == 0 and r.val_kl == 0 and r.beta == 0 for r in tiny_ae.history)
    assert tiny_ae.final_metrics.kl is None and tiny_ae.final_metrics.neg_elbo is None


def test_denoising_training_sees_noisy_inputs_and_clean_targets() -> None:
    data = load_split("digits", "train").images[:256]
    model = build_model(tiny_spec("ae").model)
    history = train(model, data, data[:64], TrainConfig(epochs=2, input_noise=0.3))
    assert history[-1].train_reconstruction < history[0].train_reconstruction


def test_a_settings_hook_changes_beta_and_the_learning_rate_between_epochs_and_can_end_the_run() -> None:
    data = load_split("digits", "train").images[:256]
    model = build_model(tiny_spec("vae").model)
    asked = []

    def hook(epoch: int) -> EpochSettings | None:
        asked.append(epoch)
        return None if epoch == 3 else EpochSettings(beta=1.0 + epoch, learning_rate=1e-3 * (1 + epoch))

    config = TrainConfig(epochs=10, lr_schedule="constant")
    history = train(model, data, data[:64], config, settings=hook)
    assert asked == [0, 1, 2, 3] and len(history) == 3
    assert [(r.beta, r.learning_rate) for r in history] == [(1.0, 1e-3), (2.0, 2e-3), (3.0, 3e-3)]


def test_the_learning_rate_cannot_change_under_one_cycle() -> None:
    data = load_split("digits", "train").images[:64]
    model = build_model(tiny_spec("vae").model)
    with pytest.raises(ConfigError, match="constant schedule"):
        train(model, data, data, TrainConfig(epochs=2), settings=lambda epoch: EpochSettings(1.0, 0.5))
