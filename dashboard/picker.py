"""The sidebar picker every page shares: a dataset and latent size, the AE and VAE shown for it, and uploads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ae_models.library import LibraryModel, model_choices
from ae_models.weights import WeightsError

from .resources import load_library, load_uploaded, save_upload

UPLOADS_KEY = "uploaded_models"
DEFAULT_GROUP = ("mnist-5k", 2)  # the book's setting: MNIST digits in a 2-D latent plane
UPLOAD_ERRORS_KEY = "upload_errors"


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


def _ingest_upload() -> None:
    upload = st.session_state.get("weights_upload")
    if upload is None:
        return
    try:
        path = save_upload(upload.getvalue(), upload.name)
        model = load_uploaded(str(path), f"upload:{Path(upload.name).stem}")
    except WeightsError as err:
        path.unlink(missing_ok=True)  # keep only uploads that load, so bad ones cannot pile up on the server
        st.session_state[UPLOAD_ERRORS_KEY] = f"{upload.name} could not be loaded: {err.reason}"
        return
    except OSError as err:
        st.session_state[UPLOAD_ERRORS_KEY] = f"{upload.name} could not be stored: {err}"
        return
    st.session_state[UPLOAD_ERRORS_KEY] = None
    uploads: dict[str, str] = st.session_state.setdefault(UPLOADS_KEY, {})
    uploads[str(path)] = model.name
    st.session_state["group"] = (model.dataset, model.latent_dim)


def _uploaded_models() -> list[LibraryModel]:
    return [load_uploaded(path, name) for path, name in st.session_state.get(UPLOADS_KEY, {}).items()]


def _model_choice(title: str, options: list[LibraryModel], key: str) -> LibraryModel | None:
    """A selectbox over model names, not models: Streamlit deep-copies widget values on every rerun."""
    by_name = {m.name: m for m in options}
    name = st.selectbox(title, list(by_name), format_func=lambda n: by_name[n].label, key=key)
    return by_name.get(name)


def sidebar_picker(weights_dir: Path) -> Selection | None:
    library = load_library(str(weights_dir))
    models = library.models + _uploaded_models()
    with st.sidebar:
        if library.failures:
            with st.expander(f"{len(library.failures)} file(s) in {weights_dir} could not be loaded"):
                for failure in library.failures:
                    st.caption(failure.message)
        if not models:
            st.error(f"No models found in {weights_dir}. Run `python -m ae_models train-all` or upload a file below.")
        groups = sorted({(m.dataset, m.latent_dim) for m in models})
        selection = None
        if groups:
            if st.session_state.get("group") not in groups:
                st.session_state["group"] = DEFAULT_GROUP if DEFAULT_GROUP in groups else groups[0]
            dataset, latent = st.selectbox(
                "Dataset and latent size", groups, key="group", format_func=lambda g: f"{g[0]} · latent {g[1]}"
            )
            ae = _model_choice(
                "Autoencoder", model_choices(models, dataset, latent, "ae"), key=f"ae-{dataset}-{latent}"
            )
            vae = _model_choice("VAE", model_choices(models, dataset, latent, "vae"), key=f"vae-{dataset}-{latent}")
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
