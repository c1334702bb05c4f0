"""`python -m ae_models`: train, rebuild the shipped set, evaluate, describe and project weights files."""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path

from .anatomy.likelihood import DEFAULT_K, iw_log_likelihood
from .anatomy.likelihood_file import LikelihoodError, check_likelihood_request, write_likelihood
from .config import (
    ACTIVATIONS,
    ARCHITECTURES,
    MODEL_KINDS,
    RECONSTRUCTION_LOSSES,
    ConfigError,
    ModelConfig,
    TrainConfig,
)
from .datasets import SPLITS, DatasetError, load_source, load_split
from .distributed import process_group
from .evaluation import evaluate
from .files import UnwritableTarget, sha256_of
from .fullmap import FullMapError, write_full_map
from .latent_maps import MapError
from .pipeline import ModelSpec, train_and_save, write_map
from .report import summary_lines
from .samples import SampleError
from .training import EpochRecord
from .weights import WeightsError, load_model

USER_ERRORS = (
    WeightsError, DatasetError, ConfigError, FileExistsError, UnwritableTarget, SampleError, MapError, LikelihoodError,
    FullMapError,
)  # fmt: skip


def _add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags whose `dest` is the config field they set, so the configs are built straight from them."""
    model, train = ModelConfig(), TrainConfig()
    add = parser.add_argument
    add("--kind", choices=MODEL_KINDS, default=model.kind)
    add("--dataset", default="mnist-5k", help="mnist, mnist-5k, fashion-mnist, digits or a folder of IDX files")
    add("--latent", dest="latent_dim", type=int, default=model.latent_dim)
    add("--arch", dest="architecture", choices=ARCHITECTURES, default=model.architecture)
    add("--hidden", dest="hidden_sizes", type=int, nargs="+", default=model.hidden_sizes, help="dense layer sizes")
    add("--channels", dest="conv_channels", type=int, nargs="+", default=model.conv_channels, help="conv channels")
    add("--activation", choices=ACTIVATIONS, default=model.activation)
    add("--epochs", type=int, default=train.epochs)
    add("--batch-size", type=int, default=train.batch_size)
    add("--lr", dest="learning_rate", type=float, default=train.learning_rate)
    add("--lr-schedule", choices=("constant", "one-cycle"), default=train.lr_schedule)
    add("--beta", type=float, default=train.beta, help="weight of the KL term (VAE)")
    add("--kl-warmup", dest="kl_warmup_epochs", type=int, default=train.kl_warmup_epochs, help="epochs of KL warm-up")
    add("--loss", dest="reconstruction_loss", choices=RECONSTRUCTION_LOSSES, default=train.reconstruction_loss)
    add("--augment", type=float, default=train.augment, help="starting affine jitter in [0, 1], fading to 0")
    add("--noise", dest="input_noise", type=float, default=train.input_noise, help="input noise std (denoising AE)")
    add("--seed", type=int, default=train.seed)
    add("--val-fraction", type=float, default=train.val_fraction)
    add("--split-seed", type=int, default=train.split_seed)
    add("--out", type=Path, required=True, help="weights file to write (.safetensors)")
    add("--force", action="store_true", help="overwrite an existing file")


def _spec_from_args(args: argparse.Namespace, image_shape: tuple[int, int]) -> ModelSpec:
    def value(name: str) -> object:
        raw = getattr(args, name)
        return tuple(raw) if isinstance(raw, list) else raw

    model_fields = {f.name: value(f.name) for f in fields(ModelConfig) if f.name != "image_shape"}
    model = ModelConfig(image_shape=image_shape, **model_fields)
    training = TrainConfig(**{f.name: value(f.name) for f in fields(TrainConfig)})
    return ModelSpec(args.out.name.removesuffix(".safetensors"), args.dataset, model, training)


def _epoch_printer(total: int) -> Callable[[EpochRecord], None]:
    """A per-epoch progress bar, opened on the first epoch so that early errors print cleanly."""
    from tqdm import tqdm

    bars: list[tqdm] = []

    def on_epoch(record: EpochRecord) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="epoch", file=sys.stderr))
        bars[0].set_postfix(val_recon=f"{record.val_reconstruction:.1f}", val_kl=f"{record.val_kl:.1f}")
        bars[0].update(1)
        if record.epoch == total:
            bars[0].close()

    return on_epoch


def cmd_train(args: argparse.Namespace) -> int:
    """Under `torchrun --nproc_per_node N -m ae_models train ...` every process trains its share (DDP)."""
    spec = _spec_from_args(args, load_source(args.dataset).pool.image_shape)
    with process_group() as worker:
        progress = _epoch_printer(spec.training.epochs) if worker.is_main else None
        trained = train_and_save(spec, args.out, args.force, progress, worker)
    if not worker.is_main:
        return 0
    if worker.distributed:
        print(f"trained data-parallel on {worker.world_size} processes")
    _print_summary(f"wrote {args.out}", summary_lines(trained))
    return 0


def cmd_train_all(args: argparse.Namespace) -> int:
    from .train_all import train_all

    train_all(args.out, force=args.force, workers=args.workers, only=args.only)
    return 0


def printable(text: object) -> str:
    """Text safe for a terminal: control and other non-printable characters as Python escapes (\\x1b, \\t), so
    strings from a file can never clear the screen, fake colours or retitle the window."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _print_summary(heading: object, lines: list[tuple[str, str]]) -> None:
    print(printable(heading))
    for label, text in lines:
        print(f"  {label:<11}{printable(text)}")


def strict_scores(metrics: dict[str, float | int | None]) -> dict[str, object]:
    """Scores as strict JSON: a NaN or infinite score becomes null, with the reason under "not_finite"."""
    scores: dict[str, object] = dict(metrics)
    reasons = {
        key: "the model's outputs overflow to NaN or infinity on these images"
        for key, value in metrics.items()
        if isinstance(value, float) and not math.isfinite(value)
    }
    if reasons:
        scores.update(dict.fromkeys(reasons), not_finite=reasons)
    return scores


def cmd_evaluate(args: argparse.Namespace) -> int:
    trained = load_model(args.weights)
    info = trained.dataset
    data = load_split(args.dataset or info.name, args.split, info.val_fraction, info.split_seed)
    if data.image_shape != trained.config.image_shape:
        raise DatasetError(f"{data.name} images are {data.image_shape}, the model expects {trained.config.image_shape}")
    if args.iw is not None:
        check_likelihood_request(args.weights, trained, args.iw)
    metrics = evaluate(trained.network, data.images, trained.training.reconstruction_loss)
    report = {"weights": str(args.weights), "dataset": data.name, "split": args.split, **metrics.to_dict()}
    if args.iw is not None:  # Burda et al. 2016: -L_k, an upper bound on -log p(x) tighter than the negative ELBO
        estimate = iw_log_likelihood(trained.network, data.images, args.iw)
        report |= {"iw_k": args.iw, "iw_neg_log_likelihood": -float(estimate.mean())}
    print(json.dumps(strict_scores(report), indent=2, allow_nan=False))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    trained = load_model(args.weights)
    _print_summary(args.weights, [*summary_lines(trained), ("sha256", sha256_of(args.weights))])
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    out = (write_full_map if args.full else write_map)(args.weights, force=args.force)
    print(f"wrote {out}")
    return 0


def cmd_likelihood(args: argparse.Namespace) -> int:
    out = write_likelihood(args.weights, args.k, force=args.force)
    print(f"wrote {out}")
    return 0


def cmd_baselines(args: argparse.Namespace) -> int:
    from .anatomy.baselines import write_baselines  # deferred: scikit-learn costs every other command a second

    print(f"wrote {write_baselines(args.out, args.dataset, force=args.force)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ae_models", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train one model from flags")
    _add_train_arguments(train)
    train.set_defaults(run=cmd_train)
    train_all = commands.add_parser("train-all", help="rebuild every shipped weights file")
    train_all.add_argument("--out", type=Path, default=Path("weights"))
    train_all.add_argument("--force", action="store_true", help="overwrite existing weights files")
    train_all.add_argument("--workers", type=int, default=2, help="models trained at once (one CPU core each)")
    train_all.add_argument("--only", nargs="+", help="train only these shipped models")
    train_all.set_defaults(run=cmd_train_all)
    evaluate_cmd = commands.add_parser("evaluate", help="score a weights file on a dataset split (JSON)")
    evaluate_cmd.add_argument("weights", type=Path)
    evaluate_cmd.add_argument("--dataset", help="dataset name or IDX folder (default: the one it trained on)")
    evaluate_cmd.add_argument("--split", choices=SPLITS, default="val")
    evaluate_cmd.add_argument(
        "--iw", type=int, metavar="K", help="also the importance-weighted -log p(x) with K samples (VAE)"
    )
    evaluate_cmd.set_defaults(run=cmd_evaluate)
    info = commands.add_parser("info", help="describe a weights file")
    info.add_argument("weights", type=Path)
    info.set_defaults(run=cmd_info)
    project = commands.add_parser("project", help="precompute the 2-D latent map beside a weights file")
    project.add_argument("weights", type=Path)
    project.add_argument(
        "--full", action="store_true", help="the full map of every image of its dataset (.fullmap.safetensors)"
    )
    project.add_argument("--force", action="store_true", help="overwrite an existing map")
    project.set_defaults(run=cmd_project)
    likelihood = commands.add_parser(
        "likelihood", help="write the importance-weighted -log p(x) of a VAE beside its weights (.likelihood.json)"
    )
    likelihood.add_argument("weights", type=Path)
    likelihood.add_argument("--k", type=int, default=DEFAULT_K, help=f"importance samples (default {DEFAULT_K})")
    likelihood.add_argument("--force", action="store_true", help="overwrite an existing likelihood file")
    likelihood.set_defaults(run=cmd_likelihood)
    baselines = commands.add_parser(
        "baselines", help="fit a dataset's sample judge (a classifier) and PCA basis into the weights folder"
    )
    baselines.add_argument("dataset", help="mnist-5k, fashion-mnist, digits or a folder of IDX files")
    baselines.add_argument("--out", type=Path, default=Path("weights"), help="weights folder (judges/ and pca/)")
    baselines.add_argument("--force", action="store_true", help="overwrite existing baselines")
    baselines.set_defaults(run=cmd_baselines)
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill`, a service manager, a batch queue: stop as Ctrl-C does
    try:
        return args.run(args)
    except USER_ERRORS as err:
        print(f"error: {printable(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; no partial files were left behind", file=sys.stderr)
        return 130
