"""The likelihood sidecar: importance-weighted estimates of -log p(x) on a VAE's validation split, in a small
JSON file beside its weights (`<stem>.likelihood.json`), tied to the weights' SHA-256 like a map.

Why a sidecar and not the weights' metadata: rewriting a weights file changes its digest, which would orphan its
map (and every cache keyed by it); and the estimate can be made for any weights file afterwards, without
retraining. `train-all` writes one per VAE; `python -m ae_models likelihood W` writes one for any file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..datasets import load_split
from ..evaluation import evaluate
from ..files import atomic_write_bytes, sha256_of
from ..weights import TrainedModel, load_model
from .likelihood import DEFAULT_K, iw_log_likelihood

LIKELIHOOD_FORMAT = "ae_models.likelihood/1"
LIKELIHOOD_SUFFIX = ".likelihood.json"
MAX_BYTES = 10_000


class LikelihoodError(ValueError):
    """A likelihood file that is missing, malformed or made for other weights."""


@dataclass(frozen=True)
class LikelihoodRecord:
    """Means over the split in nats per image: the negative ELBO and -L_k for each k (increasing k)."""

    weights_sha256: str
    dataset: str
    split: str
    n_images: int
    neg_elbo: float
    ks: tuple[int, ...]
    iw_nll: tuple[float, ...]

    @property
    def best(self) -> tuple[int, float]:
        """The largest k and its estimate: the tightest bound on -log p(x) in the file."""
        return self.ks[-1], self.iw_nll[-1]


def likelihood_path_for(weights_path: str | Path) -> Path:
    weights_path = Path(weights_path)
    return weights_path.with_name(weights_path.name.removesuffix(".safetensors") + LIKELIHOOD_SUFFIX)


def check_likelihood_request(weights_path: str | Path, trained: TrainedModel, k: int) -> None:
    """Only a VAE with a Bernoulli decoder defines p(x); k counts samples, at least 1."""
    if trained.config.kind != "vae":
        raise LikelihoodError(f"{weights_path}: an AE defines no likelihood; only a VAE gets an IW estimate")
    if trained.training.reconstruction_loss != "bce":
        raise LikelihoodError(f"{weights_path}: trained with squared error, which is not a likelihood of the pixels")
    if k < 1:
        raise LikelihoodError(f"k is the number of importance samples, at least 1 (got {k})")


def measure_likelihood(weights_path: str | Path, ks: Sequence[int] = (1, 8, DEFAULT_K)) -> LikelihoodRecord:
    """Score a VAE file on its own validation split (its recorded dataset, fraction and seed)."""
    trained = load_model(weights_path)
    check_likelihood_request(weights_path, trained, min(ks))
    info = trained.dataset
    images = load_split(info.name, "val", info.val_fraction, info.split_seed).images
    metrics = evaluate(trained.network, images, "bce")
    estimates = [-float(iw_log_likelihood(trained.network, images, k).mean()) for k in sorted(ks)]
    return LikelihoodRecord(
        sha256_of(weights_path), info.name, "val", len(images), float(metrics.neg_elbo), tuple(sorted(ks)),
        tuple(estimates),
    )  # fmt: skip


def save_likelihood(record: LikelihoodRecord, path: str | Path, force: bool = False) -> None:
    payload = {"format": LIKELIHOOD_FORMAT, **asdict(record)}
    atomic_write_bytes(path, json.dumps(payload, indent=1, allow_nan=False).encode(), force=force)


def write_likelihood(weights_path: str | Path, k: int = DEFAULT_K, force: bool = False) -> Path:
    """Measure a VAE file and write its sidecar; an existing sidecar is kept unless force is set."""
    out = likelihood_path_for(weights_path)
    if out.exists() and not force:
        raise FileExistsError(f"{out} already exists; pass --force to overwrite it")
    save_likelihood(measure_likelihood(weights_path, sorted({1, min(8, k), k})), out, force=force)
    return out


def load_likelihood(path: str | Path, expected_sha256: str | None = None) -> LikelihoodRecord:
    """Read a sidecar; with expected_sha256, refuse one made for other weights."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError(f"larger than {MAX_BYTES} bytes")
        payload = json.loads(path.read_text(), parse_constant=_refuse)
        if payload.get("format") != LIKELIHOOD_FORMAT:
            raise ValueError(f"not a {LIKELIHOOD_FORMAT} file")
        record = LikelihoodRecord(
            str(payload["weights_sha256"]), str(payload["dataset"]), str(payload["split"]), int(payload["n_images"]),
            float(payload["neg_elbo"]), tuple(int(k) for k in payload["ks"]),
            tuple(float(v) for v in payload["iw_nll"]),
        )  # fmt: skip
        _check(record)
    except (OSError, KeyError, TypeError, ValueError) as err:  # json.JSONDecodeError is a ValueError
        raise LikelihoodError(f"{path}: cannot read likelihood file ({err})") from None
    if expected_sha256 is not None and record.weights_sha256 != expected_sha256:
        raise LikelihoodError(f"{path}: made for other weights (SHA-256 {record.weights_sha256[:12]}...), not these")
    return record


def find_likelihood(weights_path: str | Path, weights_sha256: str) -> LikelihoodRecord | None:
    """The sidecar beside these weights if it is valid and theirs, else None."""
    try:
        return load_likelihood(likelihood_path_for(weights_path), weights_sha256)
    except LikelihoodError:
        return None


def _refuse(text: str) -> float:
    raise ValueError(f"{text} is not a finite number")


def _check(record: LikelihoodRecord) -> None:
    if not record.ks or len(record.ks) != len(record.iw_nll) or list(record.ks) != sorted(set(record.ks)):
        raise ValueError("ks must be distinct, increasing and one per estimate")
    if record.ks[0] < 1 or record.n_images < 1:
        raise ValueError("k and the image count must be at least 1")
    if not all(math.isfinite(v) for v in (record.neg_elbo, *record.iw_nll)):
        raise ValueError("every estimate must be finite")
