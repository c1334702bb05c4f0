"""The per-dataset baselines stored with the weights: the sample judge, the PCA basis and the small-MLP size
curve, made together by `train-all` or `python -m ae_models baselines DATASET`."""

from __future__ import annotations

from pathlib import Path

from .judge import judge_path, save_judge, train_judge
from .pca import fit_pca, pca_path, save_pca
from .size_curve import save_size_curve, size_curve_path, train_size_curve


def baseline_paths(weights_dir: str | Path, dataset: str) -> list[Path]:
    return [judge_path(weights_dir, dataset), pca_path(weights_dir, dataset), size_curve_path(weights_dir, dataset)]


def write_baselines(weights_dir: str | Path, dataset: str, force: bool = False) -> str:
    """Fit all three on the dataset's training split and store them; existing files are kept unless force is set.
    Returns a line for the console."""
    existing = [str(path) for path in baseline_paths(weights_dir, dataset) if path.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} already exists; pass --force to overwrite it")
    judge = train_judge(dataset)
    save_judge(judge, judge_path(weights_dir, dataset), force=force)
    save_pca(fit_pca(dataset), pca_path(weights_dir, dataset), force=force)
    curve = train_size_curve(dataset)
    save_size_curve(curve, size_curve_path(weights_dir, dataset), force=force)
    return (
        f"judge (held-out accuracy {judge.accuracy:.1%}), PCA basis and size curve ({curve.seconds:.0f} s) "
        f"for {dataset} in {weights_dir}"
    )
