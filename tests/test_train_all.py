"""train-all's extras on a one-model catalogue: each VAE's likelihood sidecar and each dataset's baselines."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae_models import train_all as train_all_module
from ae_models.anatomy.judge import judge_path, load_judge
from ae_models.anatomy.likelihood_file import find_likelihood, likelihood_path_for
from ae_models.anatomy.pca import CHART_SIZES, load_pca, pca_path
from ae_models.anatomy.size_curve import load_size_curve, size_curve_path
from ae_models.files import sha256_of
from ae_models.fullmap import load_full_map
from ae_models.weights import load_model

from .conftest import tiny_spec


def test_train_all_writes_the_likelihood_and_the_baselines(tmp_path: Path, monkeypatch) -> None:
    spec = tiny_spec("vae", epochs=1)
    monkeypatch.setattr(train_all_module, "shipped_specs", lambda: [spec])
    train_all_module.train_all(tmp_path, workers=1)
    weights = tmp_path / spec.filename
    record = find_likelihood(weights, sha256_of(weights))
    assert record is not None and record.ks[-1] == 64 and record.iw_nll[-1] < record.neg_elbo
    assert load_judge(judge_path(tmp_path, "digits")).accuracy > 0.5
    assert load_pca(pca_path(tmp_path, "digits")).components.shape == (32, 64)
    assert list(load_size_curve(size_curve_path(tmp_path, "digits")).errors["vae"]) == list(CHART_SIZES)
    assert len(load_full_map(weights, load_model(weights))) == 1797  # every digit on the full map
    with pytest.raises(FileExistsError):  # a second run refuses to overwrite any of it without --force
        train_all_module.train_all(tmp_path, workers=1)
    assert likelihood_path_for(weights).exists()
