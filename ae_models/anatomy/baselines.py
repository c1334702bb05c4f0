"""The per-dataset baselines stored with the weights: the sample judge and the PCA basis, made together by
`train-all` or `python -m ae_models baselines DATASET`."""

from __future__ import annotations

from pathlib import Path

from .judge import judge_path, save_judge, train_judge
from .pca import fit_pca, pca_path, save_pca


def baseline_paths(weights_dir: str | Path, dataset: str) -> list[Path]:
    return [judge_path(weights_dir, dataset), pca_path(weights_dir, dataset)]


def write_baselines(weights_dir: str | Path, dataset: str, force: bool = False) -> str:
    """Fit both on the dataset's training split and store them; existing files are kept unless force is set.
    Returns a line for the console."""
    existing = [str(path) for path in baseline_paths(weights_dir, dataset) if path.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} already exists; pass --force to overwrite it")
    judge = train_judge(dataset)
    save_judge(judge, judge_path(weights_dir, dataset), force=force)
    save_pca(fit_pca(dataset), pca_path(weights_dir, dataset), force=force)
    return f"judge (held-out accuracy {judge.accuracy:.1%}) and PCA basis for {dataset} in {weights_dir}"
