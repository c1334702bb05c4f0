"""Train live: a visitor trains an AE or a VAE in a worker process and watches it learn, epoch by epoch, moving beta
and the learning rate mid-run. The page only asks the server's training pool and draws what the run sent back."""

import statistics
from functools import partial

import numpy as np
import streamlit as st
import torch
from streamlit.delta_generator import DeltaGenerator

from ae_models.config import EpochRecord
from ae_models.library import safe_stem
from ae_models.live.compare import shipped_counterpart
from ae_models.live.pool import LiveRun, RunOwner
from ae_models.live.records import (
    BATCH_RANGE,
    BETA_RANGE,
    EPOCH_RANGE,
    FASHION_SUBSET_RANGE,
    LEARNING_RATE_RANGE,
    LIVE_DATASETS,
    WARMUP_RANGE,
    EpochSnapshot,
    LiveSettings,
    LiveSettingsError,
    default_epochs,
)
from ae_models.report import describe_architecture
from dashboard.exports import safe_filename
from dashboard.imaging import tile
from dashboard.live_figures import change_label, live_curves, live_map, map_extent, map_gif
from dashboard.picker import TRAINED_LIVE_PREFIX, add_session_model
from dashboard.presentation import show_figure
from dashboard.refresh_pacer import refresh_after_drawn
from dashboard.resources import load_library, training_pool
from dashboard.settings import weights_dir

REFRESH_SECONDS = 0.5
OWNER_KEY = "live_owner"
SAVED_KEY = "live_saved"
ENDING_LOOK = {"completed": st.success, "stopped": st.info, "diverged": st.error, "failed": st.error}
ENDING_WORD = {"completed": "Finished", "stopped": "Stopped", "diverged": "Diverged", "failed": "Failed"}


def owner() -> RunOwner:
    """This session's hold on its run: when the session ends, the run is cancelled."""
    if OWNER_KEY not in st.session_state:
        st.session_state[OWNER_KEY] = RunOwner()
    return st.session_state[OWNER_KEY]


def offer_dataset_epochs() -> None:
    """(Callback: the dataset changed.) Offer that dataset's default epochs."""
    st.session_state["live_epochs"] = default_epochs(st.session_state["live_dataset"])


def settings_form(busy: bool) -> LiveSettings | None:
    """The run's settings; None until Start is pressed with valid ones (bad ones get a message naming them). Each
    number box keeps to the range ae_models allows; what depends on two settings (the warm-up within the epochs) is
    checked on Start."""
    # outside the form, so that choosing a dataset reruns the page and the image count shows only for Fashion-MNIST
    dataset = st.selectbox("Dataset", LIVE_DATASETS, key="live_dataset", on_change=offer_dataset_epochs)
    with st.form("live_settings", border=True, enter_to_submit=False):  # only the Start button starts a run
        fashion = LiveSettings.fashion_images
        if dataset == "fashion-mnist":
            left, middle, right = st.columns(3)
            fashion = left.number_input(
                "Fashion-MNIST images to train on", *FASHION_SUBSET_RANGE, value=fashion, step=1000,
                key="live_fashion",
                help="a seeded subset of its training split; the held-out images stay ones it never sees",
            )  # fmt: skip
        else:  # no empty column where the image count would be
            middle, right = st.columns(2)
        kind = middle.radio("Model", ("vae", "ae"), format_func=str.upper, horizontal=True, key="live_kind")
        latent = middle.radio("Latent size", (2, 16), horizontal=True, key="live_latent")
        architecture = middle.radio(
            "Architecture", ("mlp", "conv"), horizontal=True, key="live_arch",
            format_func=lambda a: "MLP (fast)" if a == "mlp" else "conv net",
        )  # fmt: skip
        beta = right.number_input(
            "β (weight of the KL term; VAE only)", *BETA_RANGE, value=1.0, step=0.5, key="live_beta"
        )
        warmup = right.number_input(
            "KL warm-up (epochs; 0 for none)", *WARMUP_RANGE, value=0, step=1, key="live_warmup"
        )
        a, b, c = st.columns(3)
        learning_rate = a.number_input(
            "Learning rate", *LEARNING_RATE_RANGE, value=1e-3, step=5e-4, format="%.4f", key="live_lr"
        )
        batch = b.number_input("Batch size", *BATCH_RANGE, value=64, step=16, key="live_batch")
        epochs = c.number_input("Epochs", *EPOCH_RANGE, value=default_epochs(dataset), step=5, key="live_epochs")
        start = st.form_submit_button("Start", type="primary", disabled=busy)
    if not start:
        return None
    try:
        return LiveSettings(
            dataset=dataset, kind=kind, latent_dim=int(latent), architecture=architecture, beta=float(beta),
            kl_warmup_epochs=int(warmup), learning_rate=float(learning_rate), batch_size=int(batch),
            epochs=int(epochs), fashion_images=int(fashion),
        )  # fmt: skip
    except LiveSettingsError as err:
        st.error(f"Cannot start: {err}.")
        return None


def steering(run: LiveRun) -> None:
    """Mid-run changes (from the next epoch on), pause/resume and stop."""
    beta_box, lr_box, apply_box, pause_box, stop_box = st.columns([3, 3, 2, 2, 2], vertical_alignment="bottom")
    beta = beta_box.number_input(
        "β from the next epoch", *BETA_RANGE, value=run.settings.beta, step=0.5, key="live_new_beta",
        disabled=run.settings.kind == "ae", help="an AE has no KL term to weigh",
    )  # fmt: skip
    learning_rate = lr_box.number_input(
        "Learning rate from the next epoch", *LEARNING_RATE_RANGE, value=run.settings.learning_rate, step=5e-4,
        format="%.4f", key="live_new_lr",
    )  # fmt: skip
    if apply_box.button("Apply", key="live_apply"):  # the boxes keep to the bounds run.adjust checks
        run.adjust(float(beta), float(learning_rate))
        st.toast(f"From the next epoch: β {beta:g}, learning rate {learning_rate:g}")
    if run.paused:
        if pause_box.button("Resume", key="live_resume"):
            run.resume()
            st.rerun()
    elif pause_box.button("Pause", key="live_pause"):
        run.pause()
        st.rerun()
    if stop_box.button("Stop", key="live_stop"):
        run.stop()
        st.rerun()


def pictures(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, H, W) in one row, enlarged with hard edges so 8x8 digits stay legible."""
    pixels = torch.from_numpy(images).float() / 255
    return tile(pixels, columns=len(images), upscale=max(1, 56 // images.shape[1]))


def progress(run: LiveRun) -> None:
    pool = run.pool
    if run.state == "queued":
        st.info(
            f"All {pool.limit} training slot(s) of this server are busy: you are number {run.queue_place} in the "
            "queue. Your run starts by itself when a slot frees up; keep this page open."
        )
        return
    if run.state == "starting":
        st.progress(0.0, text="Starting the training process ...")
        return
    done, total = len(run.snapshots), run.settings.epochs
    if run.ended is not None:  # no time left to estimate
        st.progress(done / total, text=f"{ENDING_WORD[run.ended.ending]}: {done} of {total} epochs trained")
        return
    if not done:
        st.progress(0.0, text="Training epoch 1 ...")
        return
    seconds = statistics.fmean(s.record.seconds for s in run.snapshots[-3:])
    rate = run.started.n_train / seconds if run.started and seconds > 0 else 0.0
    text = f"Paused after epoch {done} of {total}" if run.paused else f"Epoch {done} of {total}"
    st.progress(done / total, text=f"{text} · {rate:,.0f} images/s · about {(total - done) * seconds:.0f} s left")


def shown_snapshot(snapshots: list[EpochSnapshot]) -> EpochSnapshot:
    """The latest epoch, or (replay) the one the slider picks."""
    if len(snapshots) < 2 or st.toggle("Follow the latest epoch", value=True, key="live_follow"):
        return snapshots[-1]
    epoch = st.slider("Replay: epoch shown", 1, len(snapshots), value=len(snapshots), key="live_replay")
    return snapshots[min(epoch, len(snapshots)) - 1]


def compared(settings: LiveSettings) -> tuple[str, list[EpochRecord]] | None:
    """The shipped model of the run's dataset, kind and latent size, when the visitor asks to overlay its curves."""
    counterpart = shipped_counterpart(load_library(str(weights_dir())).models, settings)
    if counterpart is None or not st.toggle(
        f"Compare with the shipped {counterpart.name}", key="live_compare",
        help="its validation curves in grey, over the epochs this run has reached",
    ):  # fmt: skip
        return None
    trained = counterpart.trained
    training = trained.training
    st.caption(
        f"Grey: the shipped {counterpart.name} ({describe_architecture(trained)}), trained on "
        f"{trained.dataset.n_train:,} {counterpart.dataset} images with its own settings: batch "
        f"{training.batch_size}, learning rate {training.learning_rate:g} ({training.lr_schedule}), "
        f"β {training.beta:g}, {training.epochs} epochs."
    )
    return counterpart.name, counterpart.trained.history


def views(run: LiveRun) -> None:
    snapshots = list(run.snapshots)  # the reader thread appends meanwhile
    if not snapshots or run.started is None:
        return
    settings, started = run.settings, run.started
    show_figure(live_curves(snapshots, settings.kind, compared(settings)), "live-curves")
    changes = [s.change for s in snapshots if s.change is not None]
    if changes:
        st.caption(
            "Dashed lines: your changes, at the epoch that first trained with them ("
            + "; ".join(f"epoch {c.epoch}: {change_label(c)}" for c in changes)
            + ")."
        )
    shown = shown_snapshot(snapshots)
    map_column, pictures_column = st.columns([3, 2])
    with map_column:
        show_figure(
            live_map(shown, started.map_labels, started.class_names, map_extent(snapshots), settings.latent_dim),
            "live-map",
        )
        if settings.latent_dim == 2:
            st.caption(
                f"The codes themselves (the code means) of {len(started.map_labels)} held-out images, never trained "
                "on. The square stays the same for the whole run (it grows only when codes spread wider than any "
                "epoch before), so what moves is the model's doing."
            )
        else:
            st.caption(
                f"{len(started.map_labels)} held-out codes (16-D) projected on their 2 principal components, PCA "
                "refitted each epoch as the codes move, then turned or mirrored (never stretched) onto the previous "
                "epoch's picture so a refit does not flip the axes. A projection: distances are only approximate. "
                "The square stays the same for the run (it grows only when codes spread wider than before)."
            )
    with pictures_column:
        st.image(pictures(started.originals), caption="held-out images, one per class (never trained on)")
        st.image(pictures(shown.reconstructions), caption=f"their reconstructions after epoch {shown.record.epoch}")
        prior_note = "" if settings.kind == "vae" else " (an AE was never trained to decode such draws)"
        draws = shown.prior_decodes
        half = len(draws) // 2
        st.image(pictures(draws[:half]))
        st.image(
            pictures(draws[half:]),
            caption=f"{len(draws)} fixed draws z ~ N(0, I), the same every epoch, decoded after epoch "
            f"{shown.record.epoch}{prior_note}",
        )


def first_epoch(run: LiveRun) -> None:
    """(The run that pressed Start.) Show the progress bar until epoch 1 is filed, so the panel below draws it the
    moment it arrives instead of at the fragment's next refresh; after a few seconds the refreshes take over."""
    slot = st.empty()
    with slot:
        progress(run)
    run.wait_for_epochs(1)
    slot.empty()


def live_panel(run: LiveRun, active: bool) -> None:
    """Progress and the live views; while the run is active (a fragment) it redraws itself REFRESH_SECONDS after
    the browser has drawn it, and the whole page reruns once the run ends (to offer saving)."""
    if active and run.ended is not None:
        st.rerun()
    progress(run)
    views(run)
    if active:
        refresh_after_drawn(REFRESH_SECONDS, key="live_refresh")


def ending(run: LiveRun) -> None:
    ended = run.ended
    settings = run.settings
    ENDING_LOOK[ended.ending](f"The run {ended.message}.")
    if ended.weights is None:
        return
    filename = safe_filename(
        f"live_{settings.dataset}_{settings.kind}_z{settings.latent_dim}_{ended.good_epochs}ep.safetensors"
    )
    save, download, gif = st.columns(3)
    save.button(
        "Save for the other pages", key="live_save", type="primary", on_click=keep_model,
        args=(ended.weights, filename),
        help="added to the sidebar's models for this session, like an uploaded file (nothing is overwritten)",
    )  # fmt: skip
    download.download_button("Download the weights", ended.weights, filename, key="live_download")
    snapshots = list(run.snapshots)[: ended.good_epochs]
    if snapshots and run.started is not None:
        gif.download_button(
            "Download the map over epochs (GIF)", partial(map_gif, snapshots, run.started.map_labels),
            filename.replace(".safetensors", "_map.gif"), mime="image/gif", key="live_gif",
        )  # fmt: skip
    if st.session_state.get(SAVED_KEY):
        st.info(st.session_state[SAVED_KEY])


def keep_model(weights: bytes, filename: str) -> None:
    """(Callback: runs before the sidebar is drawn.) Keep the run's file as this session's upload and pick it."""
    problem = add_session_model(weights, filename, choose=True, prefix=TRAINED_LIVE_PREFIX)
    st.session_state[SAVED_KEY] = problem or (
        f"Saved as {TRAINED_LIVE_PREFIX}{safe_stem(filename)}: it is now chosen in the sidebar, so every other "
        "page shows it. Its settings keep the β and learning rate the run started with; its history keeps each "
        "epoch's own, your changes included."
    )


def preview(kind: str) -> DeltaGenerator:
    """(Before any run.) The empty axes the curves will be drawn on, beside the introduction: they show where the
    curves come, and have the browser load its charting code before Start, not after it (that load delayed the
    first epoch's picture by seconds). Returned so that Start can clear it."""
    slot = st.empty()
    with slot:
        show_figure(live_curves([], kind), "live-curves-preview")
    return slot


st.title("Train live")
pool = training_pool()  # its waiting worker starts now, while the visitor reads the settings
hold = owner()
run = hold.current
about, right = st.columns([3, 2]) if run is None else (st.container(), None)
about.caption(
    "Train an autoencoder or a VAE here and watch it learn, one epoch at a time: the curves, the map of held-out "
    "codes, reconstructions and decoded prior draws refresh after every epoch. β and the learning rate can be "
    "changed while it trains (GAN Lab's idea, for an AE/VAE on real images): raise β and watch the KL fall and the "
    "reconstructions blur (posterior collapse); set it to 0 and watch the map tear apart. Training runs in its own "
    "process on the server; a few runs at a time, the others wait in a queue."
)
if right is not None:
    with right:
        empty_axes = preview(st.session_state.get("live_kind", "vae"))
busy = run is not None and run.ended is None
chosen = settings_form(busy)
if chosen is not None:
    st.session_state[SAVED_KEY] = None
    run = hold.start(pool, chosen)
    busy = True
    if right is not None:
        empty_axes.empty()
if run is None:
    st.info("Choose the settings and press Start.")
    st.stop()
if busy:
    steering(run)
    if chosen is not None:
        first_epoch(run)
    st.fragment(live_panel)(run, True)
else:
    ending(run)
    live_panel(run, False)
