"""Where the dashboard reads weights from and where it may write: flag, then environment, then defaults."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ae_models.datasets import NAMED_DATASETS

REPO_ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_ENV = "AE_DASHBOARD_WEIGHTS"
CACHE_ENV = "AE_DASHBOARD_CACHE"
DATASETS_ENV = "AE_DASHBOARD_DATASETS"


def weights_dir(argv: list[str] | None = None) -> Path:
    """`streamlit run dashboard/app.py -- --weights-dir DIR`, else $AE_DASHBOARD_WEIGHTS, else ./weights."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--weights-dir", type=Path)
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if known.weights_dir is not None:
        return known.weights_dir
    return Path(os.environ.get(WEIGHTS_ENV, REPO_ROOT / "weights"))


def cache_dir() -> Path:
    """Maps computed for models without one, and uploaded files; never the weights folder itself."""
    return Path(os.environ.get(CACHE_ENV, REPO_ROOT / "cache"))


def served_datasets() -> tuple[str, ...]:
    """The datasets a loaded model may name: the named ones, plus IDX folders the operator lists in
    $AE_DASHBOARD_DATASETS (separated by the platform's path separator); a file can never add a folder."""
    folders = [entry for entry in os.environ.get(DATASETS_ENV, "").split(os.pathsep) if entry]
    return (*NAMED_DATASETS, *folders)
