"""The training process of one live run: loads the data, trains with the one training loop (ae_models.training)
through its settings hook, and sends a snapshot after every epoch. Commands (pause, resume, stop, a new beta or
learning rate) are read between epochs.

It ends on its own when the server that started it is gone (its parent changed or its pipes closed), so no
training outlives the server, however the server ended."""

from __future__ import annotations

import collections
import functools
import os
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection

import numpy as np
import torch

from ..config import DatasetInfo, EpochRecord, ModelConfig, TrainConfig
from ..datasets import LabeledImages, load_source, split_indices
from ..evaluation import evaluate
from ..losses import kl_weight
from ..models import Autoencoder, build_model
from ..training import EpochSettings, train
from ..weights import TrainedModel, encode_model
from .records import (
    HIDDEN_WIDTH,
    Adjust,
    EpochSnapshot,
    LiveSettings,
    RunEnded,
    RunStarted,
    SettingChange,
)
from .snapshots import FixedViews, snapshot_views, to_uint8

VAL_FRACTION, SPLIT_SEED = 0.1, 0  # the split every shipped model used, so the pages know what a run never saw
PARENT_CHECK_SECONDS = 0.5
PRELOADED = ("mnist-5k", "digits")  # read by a waiting worker before any run asks: small, and the usual choices
_loading = collections.defaultdict(threading.Lock)  # one per dataset: a run never waits for another one's read


@functools.cache
def _cached_pool(name: str) -> LabeledImages:
    return load_source(name).pool


def pool_images(name: str) -> LabeledImages:
    """A dataset's images, read once per process (the bundled MNIST digits take seconds to parse)."""
    with _loading[name]:
        return _cached_pool(name)


@dataclass(frozen=True)
class LiveData:
    train: LabeledImages
    val: LabeledImages
    info: DatasetInfo


def live_data(settings: LiveSettings) -> LiveData:
    """The dataset's standard train/validation split; for Fashion-MNIST a seeded subset of each part, so the held-out
    images stay ones the model never saw (the file records the split it was drawn from)."""
    pool = pool_images(settings.dataset)
    train_index, val_index = split_indices(len(pool), VAL_FRACTION, SPLIT_SEED)
    train_set, val_set = pool.subset(train_index), pool.subset(val_index)
    info = DatasetInfo(settings.dataset, len(train_set), len(val_set), VAL_FRACTION, SPLIT_SEED)
    if settings.dataset == "fashion-mnist":
        rng = np.random.default_rng(settings.seed)
        n_val = min(len(val_set), max(500, settings.fashion_images // 9))
        train_set = train_set.subset(np.sort(rng.choice(len(train_set), settings.fashion_images, replace=False)))
        val_set = val_set.subset(np.sort(rng.choice(len(val_set), n_val, replace=False)))
    return LiveData(train_set, val_set, info)


def model_config(settings: LiveSettings, image_shape: tuple[int, int]) -> ModelConfig:
    return ModelConfig(
        kind=settings.kind,
        image_shape=image_shape,
        latent_dim=settings.latent_dim,
        architecture=settings.architecture,
        hidden_sizes=(HIDDEN_WIDTH,),
    )


def train_config(settings: LiveSettings) -> TrainConfig:
    """A constant learning rate: the visitor moves it, no schedule fights the change."""
    return TrainConfig(
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        lr_schedule="constant",
        beta=settings.beta,
        kl_warmup_epochs=settings.kl_warmup_epochs,
        seed=settings.seed,
        val_fraction=VAL_FRACTION,
        split_seed=SPLIT_SEED,
    )


@dataclass
class LiveControl:
    """The settings hook of a live run: reads the page's commands between epochs, blocks while paused, and keeps
    the last epoch whose numbers were all finite."""

    settings: LiveSettings
    commands: Connection
    beta: float = 0.0
    learning_rate: float = 0.0
    paused: bool = False
    stopped: bool = False
    diverged: bool = False
    change: SettingChange | None = None
    good_history: list[EpochRecord] = field(default_factory=list)
    good_state: dict[str, torch.Tensor] | None = None
    previous_coords: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.beta, self.learning_rate = self.settings.beta, self.settings.learning_rate

    def _obey(self, command: object) -> None:
        if isinstance(command, Adjust):
            self.settings.check_change(command.beta, command.learning_rate)
            self.beta, self.learning_rate = command.beta, command.learning_rate
            self.change = SettingChange(0, command.beta, command.learning_rate)
        elif command in ("pause", "resume"):
            self.paused = command == "pause"
        elif command == "stop":
            self.stopped = True

    def next_epoch(self, epoch: int) -> EpochSettings | None:
        """Read what the page sent (waiting while paused); None ends the run."""
        while not self.diverged and not self.stopped and (self.paused or self.commands.poll()):
            self._obey(self.commands.recv())  # EOFError when the server is gone: the process ends
        if self.diverged or self.stopped:
            return None
        if self.change is not None and self.change.epoch == 0:
            self.change = replace(self.change, epoch=epoch + 1)
        return EpochSettings(kl_weight(epoch, self.beta, self.settings.kl_warmup_epochs), self.learning_rate)

    def take_change(self, epoch: int) -> SettingChange | None:
        """The change first trained with in this (1-based) epoch, reported once."""
        change = self.change if self.change is not None and self.change.epoch == epoch else None
        if change is not None:
            self.change = None
        return change

    def keep(self, model: Autoencoder, snapshot: EpochSnapshot) -> None:
        if not snapshot.finite:
            self.diverged = True
            return
        self.good_history.append(snapshot.record)
        self.good_state = {name: t.detach().clone() for name, t in model.state_dict().items()}
        self.previous_coords = snapshot.map_coords


def _watch_parent(parent: int) -> None:
    """End this process as soon as the server that started it is gone (it is re-parented then)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _ending(control: LiveControl, epochs: int) -> RunEnded:
    good = len(control.good_history)
    if control.diverged:
        how, text = (
            "diverged",
            f"the loss became NaN or infinite in epoch {good + 1}: kept epoch {good}, the last good one",
        )
    elif control.stopped:
        how, text = "stopped", f"stopped after epoch {good} of {epochs}"
    else:
        how, text = "completed", f"completed all {epochs} epochs"
    return RunEnded(how, text if good else f"{text}; no epoch finished, nothing to keep", None, good)


def _weights(model: Autoencoder, control: LiveControl, data: LiveData, config: TrainConfig) -> bytes | None:
    """The weights file of the last good epoch, as `ae_models train` would write it: its training settings are the
    ones the run started with (beta, learning rate), its history has each epoch's own (mid-run changes included)."""
    if control.good_state is None:
        return None
    model.load_state_dict(control.good_state)
    metrics = evaluate(model, data.val.images, config.reconstruction_loss)
    history = control.good_history
    return encode_model(TrainedModel(model, replace(config, epochs=len(history)), data.info, history, metrics))


def train_live(settings: LiveSettings, commands: Connection, events: Connection) -> None:
    data = live_data(settings)
    config = train_config(settings)
    torch.manual_seed(settings.seed)
    model = build_model(model_config(settings, data.train.image_shape))
    views = FixedViews.of(data.val, settings.latent_dim)
    events.send(
        RunStarted(
            len(data.train), len(data.val), data.train.class_names, views.map_labels.numpy(),
            to_uint8(views.originals),
        )
    )  # fmt: skip
    control = LiveControl(settings, commands)

    def on_epoch(record: EpochRecord) -> None:
        coords, explained, recon, prior = snapshot_views(model, views, control.previous_coords)
        snapshot = EpochSnapshot(record, coords, explained, recon, prior, control.take_change(record.epoch))
        control.keep(model, snapshot)
        events.send(snapshot)

    train(model, data.train.images, data.val.images, config, on_epoch, settings=control.next_epoch)
    ending = _ending(control, settings.epochs)
    events.send(replace(ending, weights=_weights(model, control, data, config)))


def _warm_up() -> None:
    """One short training on a few `digits` images: a process's first training pays about 1 s of torch's one-time
    set-up (measured: 1.05 s for 128 images, then 0.3 s for a whole mnist-5k epoch), which would otherwise delay
    a visitor's first epoch."""
    settings = LiveSettings(dataset="digits", epochs=1)
    data = live_data(settings)
    model = build_model(model_config(settings, data.train.image_shape))
    train(model, data.train.images[:128], data.val.images[:64], train_config(settings))


def _prepare(names: tuple[str, ...], warmed: threading.Event) -> None:
    _warm_up()
    warmed.set()
    for name in names:
        pool_images(name)


def run_worker(
    commands: Connection, events: Connection, threads: int = 1, preload: tuple[str, ...] = PRELOADED
) -> None:
    """The process's entry point. It starts before anyone asks (imports, a warm-up training and the usual datasets
    take seconds), waits for its settings, then trains with few torch threads, so other visitors' pages stay
    fast."""
    torch.set_num_threads(threads)
    _watch_parent(os.getppid())
    warmed = threading.Event()
    threading.Thread(target=_prepare, args=(preload, warmed), name="prepare", daemon=True).start()
    try:
        settings = commands.recv()
        warmed.wait()  # the warm-up seeds torch's generator too: a run starts after it, so a seed gives one result
        train_live(settings, commands, events)
    except (EOFError, BrokenPipeError, ConnectionResetError):  # the server is gone or cancelled the run
        return
    except Exception as err:  # the page shows it; one failed run never touches the server
        events.send(RunEnded("failed", f"failed ({type(err).__name__}: {err})", None, 0))
