"""Human-readable summaries of weights files, for `info` and the dashboard's model cards."""

from __future__ import annotations

from .weights import TrainedModel

ACTIVATION_NAMES = {"relu": "ReLU", "silu": "SiLU"}


def describe_architecture(trained: TrainedModel) -> str:
    cfg = trained.config
    dense = "-".join(map(str, cfg.hidden_sizes))
    body = (
        f"conv {'-'.join(map(str, cfg.conv_channels))} + dense {dense}"
        if cfg.architecture == "conv"
        else f"MLP {dense}"
    )
    body += f" ({ACTIVATION_NAMES[cfg.activation]})"
    return f"{cfg.kind.upper()}, {body}, latent {cfg.latent_dim}, images {cfg.image_shape[0]}x{cfg.image_shape[1]}"


def describe_metrics(trained: TrainedModel) -> str:
    m = trained.final_metrics
    unit = "nats" if trained.training.reconstruction_loss == "bce" else "(squared error)"
    text = f"reconstruction {m.reconstruction:.2f} {unit}"
    if m.kl is not None and m.neg_elbo is not None:
        text += f", KL {m.kl:.2f} nats, negative ELBO {m.neg_elbo:.2f} nats"
    return f"{text} on {m.n_images:,} held-out images"


def summary_lines(trained: TrainedModel) -> list[tuple[str, str]]:
    t, d = trained.training, trained.dataset
    return [
        ("model", f"{describe_architecture(trained)}; {trained.n_parameters:,} parameters"),
        ("dataset", f"{d.name}: {d.n_train:,} train / {d.n_val:,} validation (split seed {d.split_seed})"),
        (
            "training",
            (
                f"{len(trained.history)} epochs, batch {t.batch_size}, Adam lr {t.learning_rate:g} ({t.lr_schedule}), "
                f"beta {t.beta:g}, KL warm-up {t.kl_warmup_epochs}, loss {t.reconstruction_loss}, "
                f"augment {t.augment:g}, input noise {t.input_noise:g}, seed {t.seed}"
            ),
        ),
        ("validation", describe_metrics(trained)),
        ("created", trained.created),
    ]
