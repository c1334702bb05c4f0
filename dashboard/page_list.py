"""The dashboard's pages, defined once: the app's navigation, the tests, the benchmarks and the load test derive
their page lists from here. Plain data, no Streamlit, so tools can read it without starting anything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VIEWS_DIR = Path(__file__).resolve().parent / "views"


@dataclass(frozen=True)
class Page:
    """One page: its script in views/, its title and Material icon, its URL path ("" for the home page)."""

    name: str
    title: str
    icon: str
    url_path: str
    section: str

    @property
    def file(self) -> Path:
        return VIEWS_DIR / f"{self.name}.py"

    @property
    def app_path(self) -> str:
        """The script path relative to the app, as AppTest.switch_page takes it."""
        return f"views/{self.name}.py"

    @property
    def slug(self) -> str:
        """A file-name-safe handle: the URL path, or the name for the home page."""
        return self.url_path or self.name


PAGES = (
    Page("overview", "Overview", "home", "", "Explore"),
    Page("latent_map", "Latent map", "scatter_plot", "latent-map", "Explore"),
    Page("interpolation", "Interpolation", "linear_scale", "interpolation", "Explore"),
    Page("sampling", "Sampling", "casino", "sampling", "Explore"),
    Page("training_curves", "Training curves", "show_chart", "training-curves", "Explore"),
    Page("latent_anatomy", "Latent anatomy", "biotech", "latent-anatomy", "Explore"),
    Page("prior_codes", "Prior vs codes", "blur_on", "prior-vs-codes", "Explore"),
    Page("train_live", "Train live", "model_training", "train-live", "Explore"),
    Page("anomaly", "Anomaly detection", "troubleshoot", "anomaly", "Uses"),
    Page("denoising", "Denoising", "auto_fix_high", "denoising", "Uses"),
    Page("own_image", "Your own image", "draw", "own-image", "Uses"),
    Page("compression", "Compression", "compress", "compression", "Uses"),
)
PAGE = {page.name: page for page in PAGES}
