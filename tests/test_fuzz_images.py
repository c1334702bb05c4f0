"""Hostile images: each becomes an MNIST-style input or an ImageInputError that says what to do; nothing else."""

from __future__ import annotations

import resource
import time
from collections import Counter

import numpy as np
import psutil
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ae_models.user_images import ImageInputError, read_image, to_mnist_style
from tests.fuzz_corpus import image_corpus

USABLE = {"valid-png", "valid-jpeg", "valid-gif", "valid-bmp", "valid-webp", "valid-tiff", "palette", "1-bit",
          "palette-with-transparency", "16-bit", "cmyk-jpeg", "lab-tiff", "rgba-transparent", "very-wide",
          "valid-ico"}  # fmt: skip
REFUSED = {"not-an-image": "not an image", "empty": "not an image", "decompression-bomb": "at most 4096x4096",
           "decompression-bomb-over-pillow-limit": "at most 4096x4096", "1x1": "at least 8x8",
           "10000x10000": "at most 4096x4096", "animated-gif": "animated", "animated-png": "animated",
           "32-bit-int": "8-bit", "float": "8-bit", "blank": "blank",
           "ico-holding-huge-png": "picture of 9400x9400", "ico-holding-huge-bitmap": "picture of 20000x20000",
           "multi-page-tiff": "multi-page", "multi-picture-jpeg": "2 pictures", "animated-webp": "animated",
           "icns": "not an image", "psd-like-container": "not an image"}  # fmt: skip


def prepare(data: bytes) -> torch.Tensor | ImageInputError:
    try:
        gray, _ = read_image(data)
        return to_mnist_style(gray)
    except ImageInputError as err:
        return err


@pytest.mark.parametrize("case", sorted(USABLE | set(REFUSED)))
def test_each_named_trap_gets_its_outcome(case: str) -> None:
    data = dict(image_corpus())[case]
    outcome = prepare(data)
    if case in REFUSED:
        assert isinstance(outcome, ImageInputError) and REFUSED[case] in str(outcome), outcome
    else:
        assert isinstance(outcome, torch.Tensor), outcome
        assert outcome.shape == (28, 28) and outcome.min() >= 0 and outcome.max() <= 1 and outcome.max() > 0.5


CONTAINER_FAMILIES = {"ico-with-one-huge-picture": "at most 4096x4096", "ico-bad-directory": "",
                      "multi-page-tiff-sizes": "multi-page TIFF", "animated-gif-frames": "animated",
                      "animated-png-frames": "animated", "animated-webp-frames": "animated",
                      "gif-frame-beyond-screen": "at most 4096x4096"}  # fmt: skip


def test_every_picture_a_container_holds_is_measured_before_decoding() -> None:
    rss_before = psutil.Process().memory_info().rss
    seen: Counter[str] = Counter()
    for case, data in image_corpus():
        if case in CONTAINER_FAMILIES:
            outcome = prepare(data)
            assert isinstance(outcome, ImageInputError) and CONTAINER_FAMILIES[case] in str(outcome), (case, outcome)
            seen[case] += 1
    assert set(seen) == set(CONTAINER_FAMILIES) and sum(seen.values()) >= 50, seen
    peak_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    assert peak_growth < 200 * 2**20, f"peak memory grew by {peak_growth / 2**20:.0f} MiB"


def test_the_whole_corpus_is_handled_quickly_in_bounded_memory() -> None:
    rss_before = psutil.Process().memory_info().rss
    outcomes: Counter[str] = Counter()
    slowest = 0.0
    for case, data in image_corpus():
        started = time.perf_counter()
        outcome = prepare(data)
        slowest = max(slowest, time.perf_counter() - started)
        outcomes["refused" if isinstance(outcome, ImageInputError) else "prepared"] += 1
        if isinstance(outcome, torch.Tensor):
            assert outcome.shape == (28, 28) and torch.isfinite(outcome).all(), case
    assert sum(outcomes.values()) >= 200 and outcomes["refused"] >= 50 and outcomes["prepared"] >= 20, outcomes
    assert slowest < 5.0, f"one image took {slowest:.1f} s"
    peak_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    assert peak_growth < 600 * 2**20, f"peak memory grew by {peak_growth / 2**20:.0f} MiB"


FUZZ = settings(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
CUT_IMAGES = st.sampled_from([data for _, data in image_corpus()]).flatmap(
    lambda data: st.integers(0, len(data)).map(lambda cut: data[:cut])
)
GRAY_ARRAYS = st.tuples(st.integers(1, 64), st.integers(1, 64), st.integers(0, 2**32 - 1)).map(
    lambda hws: np.random.default_rng(hws[2]).random(hws[:2]).astype(np.float32)
)


@settings(FUZZ, max_examples=300)
@given(data=st.binary(max_size=2048) | CUT_IMAGES)
def test_random_and_cut_bytes(data: bytes) -> None:
    outcome = prepare(data)
    assert isinstance(outcome, ImageInputError | torch.Tensor)
    if isinstance(outcome, ImageInputError):
        assert str(outcome)


@settings(FUZZ, max_examples=100)
@given(array=GRAY_ARRAYS)
def test_any_grayscale_array_prepares_or_is_called_blank(array: np.ndarray) -> None:
    try:
        image = to_mnist_style(array)
    except ImageInputError as err:
        assert "blank" in str(err)
    else:
        assert image.shape == (28, 28) and image.min() >= 0 and image.max() <= 1
