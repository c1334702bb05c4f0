"""Over a thousand hostile weights files: each is refused with a WeightsError naming it, fast, in bounded memory."""

from __future__ import annotations

import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ae_models.library import load_folder
from ae_models.weights import NAMESPACE, TrainedModel, WeightsError, load_model
from tests.fuzz_corpus import join_safetensors, split_safetensors, weights_bytes, weights_corpus

PER_FAMILY = 80  # 13 families -> 1,040 files, plus the hypothesis-generated ones below
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


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
    rss_before = psutil.Process().memory_info().rss
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
    peak_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    assert peak_growth < 300 * 2**20, f"peak memory grew by {peak_growth / 2**20:.0f} MiB"


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
