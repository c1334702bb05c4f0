"""The live-training worker and pool on the 8x8 digits with tiny epochs: records, steering, endings, lifetimes."""

from __future__ import annotations

import gc
import math
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
import torch

from ae_models.datasets import DatasetError, split_indices
from ae_models.library import load_folder
from ae_models.live import worker
from ae_models.live.compare import shipped_counterpart
from ae_models.live.pool import RunOwner, TrainingPool
from ae_models.live.records import LiveSettings, LiveSettingsError, RunEnded
from ae_models.live.snapshots import plane_of
from ae_models.weights import load_model

from .conftest import REPO_ROOT

TINY = LiveSettings(dataset="digits", epochs=3, batch_size=128, learning_rate=5e-3)
LONG = LiveSettings(dataset="digits", epochs=400, batch_size=128, learning_rate=5e-3)


def wait_for(condition: Callable[[], object], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def shared_pool():
    """One pool for the module, so each test finds a worker started and waiting (as a visitor does)."""
    pool = TrainingPool(limit=1, preload=("digits",))
    yield pool
    pool.shutdown()


@pytest.fixture()
def pool(shared_pool):
    yield shared_pool
    for run in list(shared_pool._queue) + list(shared_pool._active):
        run.cancel()


def saved(ended: RunEnded, tmp_path):
    path = tmp_path / "live.safetensors"
    path.write_bytes(ended.weights)
    return load_model(path)


def test_a_run_streams_one_snapshot_per_epoch_and_ends_with_a_weights_file(pool, tmp_path) -> None:
    run = pool.submit(TINY)
    wait_for(lambda: run.ended)
    assert run.ended.ending == "completed", run.ended.message
    assert [s.record.epoch for s in run.snapshots] == [1, 2, 3]
    assert run.started.n_train + run.started.n_val == 1797
    first, last = run.snapshots[0], run.snapshots[-1]
    assert first.map_coords.shape == (run.started.n_val, 2) and len(run.started.map_labels) == run.started.n_val
    assert first.reconstructions.shape == run.started.originals.shape == (10, 8, 8)
    assert first.prior_decodes.shape == (16, 8, 8) and first.explained is None  # latent 2: the codes themselves
    assert last.record.val_total < first.record.val_total
    trained = saved(run.ended, tmp_path)
    assert [r.learning_rate for r in trained.history] == [5e-3] * 3
    assert trained.training.epochs == 3 and trained.dataset.name == "digits"
    wait_for(lambda: run.process.exitcode is not None)  # the pool's reader reaps it (a join here would race it)
    assert run.process.exitcode == 0


def test_pause_resume_a_mid_run_change_and_stop_are_obeyed_and_recorded(pool, tmp_path) -> None:
    run = pool.submit(LONG)
    wait_for(lambda: len(run.snapshots) >= 2)
    run.pause()
    wait_for(lambda: run.state == "paused")
    time.sleep(0.5)  # the epoch in flight when the pause came may still finish
    held = len(run.snapshots)
    time.sleep(1.0)
    assert len(run.snapshots) == held, "training went on while paused"
    run.adjust(beta=4.0, learning_rate=2e-3)
    run.resume()
    wait_for(lambda: any(s.change is not None for s in run.snapshots))
    run.stop()
    wait_for(lambda: run.ended)
    assert run.ended.ending == "stopped" and run.ended.good_epochs < LONG.epochs
    change = next(s.change for s in run.snapshots if s.change is not None)
    assert change.epoch == held + 1 and (change.beta, change.learning_rate) == (4.0, 2e-3)
    history = saved(run.ended, tmp_path).history
    assert len(history) == run.ended.good_epochs == len(run.snapshots)
    assert [(r.beta, r.learning_rate) for r in history[:held]] == [(1.0, 5e-3)] * held
    assert {(r.beta, r.learning_rate) for r in history[held:]} == {(4.0, 2e-3)}


def test_a_loss_gone_nan_stops_the_run_and_keeps_the_last_good_epoch(monkeypatch, tmp_path) -> None:
    """In-process (the patch must reach the training loop): the weights turn NaN after epoch 2 is kept."""
    keep = worker.LiveControl.keep

    def keep_then_break(self, model, snapshot) -> None:
        keep(self, model, snapshot)
        if snapshot.record.epoch == 2:
            with torch.no_grad():
                next(model.parameters()).fill_(math.nan)

    monkeypatch.setattr(worker.LiveControl, "keep", keep_then_break)
    commands_out, commands_in = multiprocessing.Pipe(duplex=False)
    events_out, events_in = multiprocessing.Pipe(duplex=False)
    thread = threading.Thread(target=worker.train_live, args=(LONG, commands_out, events_in))
    thread.start()
    messages = []
    while not messages or not isinstance(messages[-1], RunEnded):
        messages.append(events_out.recv())
    thread.join()
    ended = messages[-1]
    assert ended.ending == "diverged" and ended.good_epochs == 2
    assert "NaN or infinite in epoch 3" in ended.message and "kept epoch 2" in ended.message
    trained = saved(ended, tmp_path)  # loads: every tensor finite
    assert len(trained.history) == 2 and trained.final_metrics.neg_elbo < 1e6
    del commands_in


def test_a_run_is_cancelled_when_its_session_is_gone(pool) -> None:
    owner = RunOwner()
    run = owner.start(pool, LONG)
    wait_for(lambda: run.snapshots)
    process = run.process
    del owner
    gc.collect()
    wait_for(lambda: not process.is_alive(), timeout=10)
    wait_for(lambda: run.ended)
    assert run.ended.ending == "stopped" and "closed" in run.ended.message


def test_the_pool_runs_at_most_its_limit_and_queues_the_rest_in_order(pool) -> None:
    first, second, third = (pool.submit(LONG) for _ in range(3))
    assert (first.queue_place, second.queue_place, third.queue_place) == (None, 1, 2)
    assert (second.state, third.state) == ("queued", "queued") and second.process is None
    wait_for(lambda: first.snapshots)
    first.stop()
    wait_for(lambda: second.state == "running")
    assert third.queue_place == 1 and pool.active == 1
    third.stop()  # leaves the queue at once, never started
    assert third.ended.ending == "stopped" and third.process is None and pool.waiting == 0
    second.cancel()
    assert second.ended.ending == "stopped" and not second.process.is_alive()
    wait_for(lambda: first.process.exitcode is not None)  # reaped by the pool's reader: no join racing it


def test_waiting_for_an_epoch_wakes_when_it_is_filed_or_the_run_ends_and_gives_up_after_its_timeout(pool) -> None:
    running, queued = pool.submit(LONG), pool.submit(LONG)
    assert running.wait_for_epochs(1, timeout=120) and running.snapshots  # woken by the epoch, not a poll
    started = time.monotonic()
    assert not queued.wait_for_epochs(1, timeout=0.2)  # queued: nothing comes
    assert 0.2 <= time.monotonic() - started < 5
    threading.Timer(0.2, queued.stop).start()
    assert queued.wait_for_epochs(1, timeout=30) and queued.ended is not None  # the ending wakes it too
    running.stop()


def test_the_next_spare_worker_starts_after_the_first_epoch_not_beside_it(pool) -> None:
    """Its imports and warm-up would slow the visitor's first epoch on a 2-core machine."""
    run = pool.submit(LONG)
    assert pool._spare is None
    run.wait_for_epochs(1, timeout=120)
    wait_for(lambda: pool._spare)
    assert pool._spare.process.is_alive() and pool._spare.process is not run.process
    run.stop()


def test_a_run_is_compared_with_the_default_shipped_model_of_its_dataset_kind_and_latent_size() -> None:
    shipped, _ = load_folder(REPO_ROOT / "weights")
    assert shipped_counterpart(shipped, LiveSettings()).name == "mnist_vae_z2"  # not a beta-sweep member
    assert shipped_counterpart(shipped, LiveSettings(kind="ae", latent_dim=16)).name == "mnist_ae_z16"
    assert shipped_counterpart(shipped, LiveSettings(dataset="fashion-mnist")).name == "fashion_vae_z2"
    assert shipped_counterpart(shipped, TINY) is None  # no digits model is shipped


def test_shutdown_ends_every_worker_and_drops_the_queue() -> None:
    pool = TrainingPool(limit=1, preload=())
    running, waiting = pool.submit(LONG), pool.submit(LONG)
    wait_for(lambda: pool._spare)  # the next spare starts with the first epoch
    spare = pool._spare.process
    pool.shutdown()
    assert running.ended.ending == "stopped" and waiting.ended.ending == "stopped"
    assert not running.process.is_alive() and waiting.process is None and not spare.is_alive()


def test_one_run_per_session(pool) -> None:
    owner = RunOwner()
    old = owner.start(pool, LONG)
    new = owner.start(pool, TINY)
    assert old.ended is not None and owner.current is new


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"beta": -1.0}, "beta must lie between 0 and 50"),
        ({"learning_rate": 1.0}, "the learning rate must lie between"),
        ({"epochs": 0}, "epochs must lie between 1 and 500"),
        ({"latent_dim": 3}, "the latent size must be 2 or 16"),
        ({"dataset": "cifar"}, "dataset must be one of"),
        ({"kl_warmup_epochs": 50, "epochs": 10}, "the KL warm-up must lie between 0 and 10"),
        ({"beta": math.nan}, "beta must be a finite number"),
        ({"dataset": "fashion-mnist", "fashion_images": 60000}, "Fashion-MNIST image count must lie between 1000"),
    ],
)
def test_bad_settings_are_refused_with_a_message_naming_them(changes, message) -> None:
    with pytest.raises(LiveSettingsError, match=message):
        LiveSettings(**changes)


def test_a_bad_mid_run_change_is_refused_before_it_reaches_the_worker(pool) -> None:
    run = pool.submit(TINY)
    with pytest.raises(LiveSettingsError, match="the learning rate"):
        run.adjust(beta=1.0, learning_rate=0.0)


def test_a_latent_16_map_is_refitted_pca_turned_onto_the_previous_epoch() -> None:
    codes = np.random.default_rng(0).normal(size=(200, 16)) * np.linspace(3, 0.1, 16)
    plane, explained = plane_of(codes, None)
    assert plane.shape == (200, 2) and 0 < explained < 1
    mirrored, _ = plane_of(codes, -plane)  # the same codes, shown last epoch mirrored: no flip between epochs
    np.testing.assert_allclose(mirrored, -plane, atol=1e-4)
    own, share = plane_of(codes[:, :2], codes[:, :2] + 1)  # latent 2: the codes themselves, never turned
    assert share is None and np.array_equal(own, codes[:, :2].astype(np.float32))


def test_an_ae_run_with_latent_16_trains_without_a_kl_term(pool, tmp_path) -> None:
    run = pool.submit(LiveSettings(dataset="digits", kind="ae", latent_dim=16, epochs=2, batch_size=128))
    wait_for(lambda: run.ended)
    assert run.ended.ending == "completed", run.ended.message
    assert all(0 < s.explained < 1 and s.map_coords.shape == (run.started.n_val, 2) for s in run.snapshots)
    assert {r.beta for r in saved(run.ended, tmp_path).history} == {0.0}


def test_a_fashion_subset_trains_on_part_of_the_training_split_and_keeps_the_held_out_images_unseen() -> None:
    try:
        data = worker.live_data(LiveSettings(dataset="fashion-mnist", fashion_images=2000))
    except DatasetError:
        pytest.skip("Fashion-MNIST is not installed")
    assert (len(data.train), len(data.val)) == (2000, 500)
    assert data.info.n_train + data.info.n_val == 60000  # the split it was drawn from, so pages know what it never saw
    pool = worker.pool_images("fashion-mnist")
    _, val_index = split_indices(len(pool), worker.VAL_FRACTION, worker.SPLIT_SEED)
    held_out = {tuple(image.flatten().tolist()[::37]) for image in pool.images[val_index]}
    assert all(tuple(image.flatten().tolist()[::37]) in held_out for image in data.val.images[:50])


def test_a_run_gives_its_slot_back_as_it_ends_not_once_its_process_has_exited(pool) -> None:
    """Start pressed right after a run finished must not queue behind that finished run's exiting process."""
    first = pool.submit(replace(TINY, epochs=1))
    wait_for(lambda: first.ended)
    second = pool.submit(LONG)
    assert second.queue_place is None and second.state != "queued"
