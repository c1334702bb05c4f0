"""The package's layering: records at the bottom, behaviour above, and no module pulling in more than it uses."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO_ROOT


def _modules_loaded_by(statement: str) -> set[str]:
    """ae_models modules that a fresh interpreter has loaded after running one import statement."""
    script = f"import sys; {statement}; print(' '.join(m for m in sys.modules if m.startswith('ae_models')))"
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_reading_a_weights_file_does_not_load_the_training_loop() -> None:
    loaded = _modules_loaded_by("import ae_models.weights")
    assert "ae_models.weights" in loaded
    assert not loaded & {"ae_models.training", "ae_models.distributed", "ae_models.evaluation"}


def test_the_use_cases_do_not_load_the_map_module() -> None:
    loaded = _modules_loaded_by("import ae_models.anomaly, ae_models.compression")
    assert "ae_models.anomaly" in loaded and "ae_models.latent_maps" not in loaded
