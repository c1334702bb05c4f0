"""The sidebar picker every page shares: a dataset and latent size, the AE and VAE shown for it, and uploads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import streamlit as st

from ae_models.library import LibraryModel, model_choices, safe_stem
from ae_models.weights import WeightsError

from . import url_state
from .resources import load_library, load_uploaded
from .settings import cache_dir
from .untrusted import literal
from .upload_store import SessionUploads, UploadRefused, UploadStore

UPLOADS_KEY = "uploaded_models"
DEFAULT_GROUP = ("mnist-5k", 2)  # the book's setting: MNIST digits in a 2-D latent plane
UPLOAD_ERRORS_KEY = "upload_errors"
UPLOAD_OWNER_KEY = "upload_owner"
UPLOAD_PREFIX = "upload:"  # uploaded models are named upload:<file stem>
TRAINED_LIVE_PREFIX = "trained live:"  # runs saved from the Train live page: trained live:<file stem>
# how the session got each kind of model, for a link naming one after its session ended
SESSION_MODEL_ORIGINS = {UPLOAD_PREFIX: "uploaded", TRAINED_LIVE_PREFIX: "trained live"}


@dataclass(frozen=True)
class Selection:
    """What the pages compare: one AE and one VAE trained on the same data with the same latent size."""

    weights_dir: str
    dataset: str
    latent_dim: int
    ae: LibraryModel | None
    vae: LibraryModel | None
    models: tuple[LibraryModel, ...]

    @property
    def pair(self) -> list[LibraryModel]:
        return [m for m in (self.ae, self.vae) if m is not None]


def _session_uploads() -> SessionUploads:
    """This session's folder in the upload store; dropping the session (or a reset) deletes it."""
    if UPLOAD_OWNER_KEY not in st.session_state:
        st.session_state[UPLOAD_OWNER_KEY] = SessionUploads(UploadStore(cache_dir() / "uploads"))
    return st.session_state[UPLOAD_OWNER_KEY]


def add_session_model(data: bytes, filename: str, choose: bool = False, prefix: str = UPLOAD_PREFIX) -> str | None:
    """Keep a weights file for this session, as an upload: stored (never over another file), checked, listed in
    every page's sidebar with its group shown (and, with `choose`, picked as that group's model of its kind), named
    `prefix` + its file's stem. Returns what went wrong, in words for the visitor, or None.

    Only from a callback (it sets the sidebar's widgets, which must not have been drawn yet in this run)."""
    uploads = _session_uploads()
    try:
        path = uploads.save(data, filename)
    except UploadRefused as err:
        return f"{literal(filename)} was not added: {err}"
    except OSError as err:
        reason = err.strerror or "the server cannot write it"  # never the path: it would show the server's folders
        return f"{literal(filename)} could not be stored: {reason}."
    try:
        model = load_uploaded(str(path), f"{prefix}{safe_stem(filename)}")
    except WeightsError as err:
        uploads.discard(path)  # keep only uploads that load, so bad ones cannot pile up on the server
        return f"{literal(filename)} could not be loaded: {literal(err.reason)}"
    st.session_state.setdefault(UPLOADS_KEY, {})[str(path)] = model.name
    group = (model.dataset, model.latent_dim)
    st.session_state["group"] = group
    if choose:
        st.session_state[url_state.model_key(model.kind, group)] = model.name
    return None


def _ingest_upload() -> None:
    upload = st.session_state.get("weights_upload")
    if upload is not None:
        st.session_state[UPLOAD_ERRORS_KEY] = add_session_model(upload.getvalue(), upload.name)


def _uploaded_models() -> list[LibraryModel]:
    """This session's uploads that are still on the server; a missing one is dropped with a plain message."""
    uploads: dict[str, str] = st.session_state.get(UPLOADS_KEY, {})
    models, gone = [], []
    for path, name in list(uploads.items()):
        try:
            models.append(load_uploaded(path, name))
        except WeightsError:
            del uploads[path]
            gone.append(name)
    if gone:
        st.session_state[UPLOAD_ERRORS_KEY] = (
            f"{', '.join(gone)} is no longer on the server (the upload store was full and removed its oldest files): "
            "upload the file again to use it"
        )
    return models


def _link_model_here(by_name: dict[str, LibraryModel], name: str) -> bool:
    """Whether a model named by the link is here; an upload or a live run's model that is not (its session ended:
    a reload, a server restart, a move to another replica) is named in a plain message, since only the visitor can
    bring it back."""
    if name in by_name:
        return True
    origin = next((verb for prefix, verb in SESSION_MODEL_ORIGINS.items() if name.startswith(prefix)), None)
    if origin is not None:
        st.session_state[UPLOAD_ERRORS_KEY] = (
            f"{literal(name)} was {origin} in an earlier session and is not on this server any more (an upload lasts "
            "as long as the session that added it; a reload, a server restart or a move to another server ends it): "
            "upload the file again to see it"
        )
    return False


def _model_choice(title: str, options: list[LibraryModel], key: str, param: str) -> LibraryModel | None:
    """A selectbox over model names, not models: Streamlit deep-copies widget values on every rerun."""
    by_name = {m.name: m for m in options}
    url_state.check(param, partial(_link_model_here, by_name))  # a link naming a model this server does not have
    name = st.selectbox(title, list(by_name), format_func=lambda n: by_name[n].label, key=key)
    return by_name.get(name)


def sidebar_picker(weights_dir: Path) -> Selection | None:
    library = load_library(str(weights_dir))
    models = library.models + _uploaded_models()
    with st.sidebar:
        if library.failures:
            with st.expander(f"{len(library.failures)} file(s) in the weights folder could not be loaded"):
                for failure in library.failures:
                    st.caption(literal(failure.message))
        if not models:
            st.error(
                "No models found in the weights folder. Run `python -m ae_models train-all` or upload a file below."
            )
        groups = sorted({(m.dataset, m.latent_dim) for m in models})
        selection = None
        if groups:
            url_state.check("group", groups.__contains__)
            if st.session_state.get("group") not in groups:
                st.session_state["group"] = DEFAULT_GROUP if DEFAULT_GROUP in groups else groups[0]
            dataset, latent = st.selectbox(
                "Dataset and latent size", groups, key="group", format_func=lambda g: f"{g[0]} · latent {g[1]}"
            )
            ae = _model_choice(
                "Autoencoder",
                model_choices(models, dataset, latent, "ae"),
                key=url_state.model_key("ae", (dataset, latent)),
                param="ae",
            )
            vae = _model_choice(
                "VAE",
                model_choices(models, dataset, latent, "vae"),
                key=url_state.model_key("vae", (dataset, latent)),
                param="vae",
            )
            selection = Selection(str(weights_dir), dataset, latent, ae, vae, tuple(models))
        st.file_uploader(
            "Add a model (.safetensors from `python -m ae_models train`)",
            type=["safetensors"],
            key="weights_upload",
            on_change=_ingest_upload,
        )
        if st.session_state.get(UPLOAD_ERRORS_KEY):
            st.error(st.session_state[UPLOAD_ERRORS_KEY])
    return selection
