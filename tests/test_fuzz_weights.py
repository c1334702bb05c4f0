"""Over a thousand hostile weights files: each is refused with a WeightsError naming it, fast, in bounded memory."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ae_models.library import load_folder
from ae_models.weights import NAMESPACE, TrainedModel, WeightsError, load_model
from tests.fuzz_corpus import join_safetensors, split_safetensors, weights_bytes, weights_corpus

from .peak_memory import peak_growth_mib

PER_FAMILY = 80  # 13 families -> 1,040 files, plus the hypothesis-generated ones below
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


CORPUS_BOUND_MIB = 64  # measured: about 8 MiB
# the corpus loaded in a fresh process that measures its peak memory (tests/peak_memory.py)
LOAD_ALL = """
for index, (family, data) in enumerate(cases):
    path = folder / f"{index:04d}.safetensors"
    path.write_bytes(data)
    try:
        load_model(path)
    except WeightsError:
        pass
    path.unlink()
"""
# a loader that keeps 256 KiB (written, so resident) of every file it reads: what the bound must catch
LEAKY_LOADER = """
import numpy as np
kept, original_load_model = [], load_model

def load_model(path):
    kept.append(np.ones(2**15))
    return original_load_model(path)
"""


def _load_corpus(valid: Path) -> str:
    return f"""
import tempfile
from pathlib import Path
from ae_models.weights import WeightsError, load_model
from tests.fuzz_corpus import weights_corpus
cases = list(weights_corpus(Path({str(valid)!r}).read_bytes(), per_family={PER_FAMILY}))
folder = Path(tempfile.mkdtemp())
"""


def _assert_refused_or_usable(path: Path, data: bytes) -> str:
    """'refused' with the typed error naming the file, or 'loaded' as a model whose outputs are finite."""
    path.write_bytes(data)
    try:
        trained = load_model(path)
    except WeightsError as err:
        assert str(path) in str(err) and err.reason
        return "refused"
    images = torch.rand(4, *trained.config.image_shape)
    assert torch.isfinite(trained.network.reconstruct(images)).all()
    return "loaded"


def test_the_fixed_corpus_is_refused_quickly_in_bounded_memory(tmp_path: Path, tiny_vae: TrainedModel) -> None:
    valid = weights_bytes(tiny_vae)
    outcomes: Counter[tuple[str, str]] = Counter()
    slowest = 0.0
    for index, (family, data) in enumerate(weights_corpus(valid, per_family=PER_FAMILY)):
        started = time.perf_counter()
        outcomes[family, _assert_refused_or_usable(tmp_path / f"{index:04d}-{family}.safetensors", data)] += 1
        slowest = max(slowest, time.perf_counter() - started)
    families = {family for family, _ in outcomes}
    assert len(families) == 13 and sum(outcomes.values()) == 13 * PER_FAMILY
    # only flipped bits that land in tensor data or harmless metadata text can leave a usable model
    assert {family for family, outcome in outcomes if outcome == "loaded"} <= {"bit-flips"}, outcomes
    assert slowest < 5.0, f"one file took {slowest:.1f} s"
    (tmp_path / "valid.safetensors").write_bytes(valid)
    growth = peak_growth_mib(_load_corpus(tmp_path / "valid.safetensors"), LOAD_ALL)
    assert growth < CORPUS_BOUND_MIB, f"peak memory grew by {growth:.0f} MiB"


def test_the_memory_bound_catches_a_leaky_loader(tmp_path: Path, tiny_vae: TrainedModel) -> None:
    (tmp_path / "valid.safetensors").write_bytes(weights_bytes(tiny_vae))
    growth = peak_growth_mib(_load_corpus(tmp_path / "valid.safetensors") + LEAKY_LOADER, LOAD_ALL)
    assert growth >= CORPUS_BOUND_MIB, f"a loader keeping 256 KiB per file grew only {growth:.0f} MiB"


def test_a_folder_of_the_corpus_loads_as_failures_not_exceptions(tmp_path: Path, tiny_vae: TrainedModel) -> None:
    valid = weights_bytes(tiny_vae)
    for index, (family, data) in enumerate(weights_corpus(valid, per_family=3, seed=1)):
        (tmp_path / f"{index:03d}-{family}.safetensors").write_bytes(data)
    models, failures = load_folder(tmp_path)
    assert len(models) + len(failures) == 39
    assert len(failures) >= 36 and all(failure.message.startswith(failure.path.name) for failure in failures)


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes(tiny_vae: TrainedModel, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert _assert_refused_or_usable(Path(folder) / "x.safetensors", data) == "refused"


@FUZZ
@given(header=st.dictionaries(st.text(max_size=12), JSON, max_size=6))
def test_arbitrary_header_json(tiny_vae: TrainedModel, header: dict) -> None:
    _, body = split_safetensors(weights_bytes(tiny_vae))
    with tempfile.TemporaryDirectory() as folder:
        assert _assert_refused_or_usable(Path(folder) / "x.safetensors", join_safetensors(header, body)) == "refused"


@FUZZ
@given(key=st.sampled_from(["model_config", "training", "dataset", "history", "final_metrics"]), value=JSON)
def test_metadata_of_the_wrong_shape(tiny_vae: TrainedModel, key: str, value: object) -> None:
    import json

    header, body = split_safetensors(weights_bytes(tiny_vae))
    header["__metadata__"][NAMESPACE + key] = json.dumps(value)
    with tempfile.TemporaryDirectory() as folder:
        assert _assert_refused_or_usable(Path(folder) / "x.safetensors", join_safetensors(header, body)) == "refused"
