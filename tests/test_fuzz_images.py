"""Hostile images: each becomes an MNIST-style input or an ImageInputError that says what to do; nothing else."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ae_models.user_images import ImageInputError, read_image, to_mnist_style
from tests.fuzz_corpus import IMAGE_REFUSALS, image_corpus

from .peak_memory import peak_growth_mib

USABLE = {"valid-png", "valid-jpeg", "valid-gif", "valid-bmp", "valid-webp", "valid-tiff", "palette", "1-bit",
          "palette-with-transparency", "16-bit", "cmyk-jpeg", "lab-tiff", "rgba-transparent", "very-wide",
          "valid-ico"}  # fmt: skip


# the same preparation, as code for a fresh process that measures its peak memory (tests/peak_memory.py)
PREPARE = """
from ae_models.user_images import ImageInputError, read_image, to_mnist_style
from tests.fuzz_corpus import image_corpus

def prepare(data):
    try:
        return to_mnist_style(read_image(data)[0])
    except ImageInputError as err:
        return err
"""
PREPARE_ALL = "for data in cases: prepare(data)"
# a loader that keeps 8 MiB (written, so resident) of every picture it opens: what a memory bound must catch
LEAKY_LOADER = """
import numpy as np
kept, original_read_image = [], read_image

def read_image(data):
    kept.append(np.ones(2**20))
    return original_read_image(data)
"""
CONTAINER_BOUND_MIB = 64  # measured: under 1 MiB
CORPUS_BOUND_MIB = 128  # measured: about 1 MiB


def prepare(data: bytes) -> torch.Tensor | ImageInputError:
    try:
        gray, _ = read_image(data)
        return to_mnist_style(gray)
    except ImageInputError as err:
        return err


@pytest.mark.parametrize("case", sorted(USABLE | set(IMAGE_REFUSALS)))
def test_each_named_trap_gets_its_outcome(case: str) -> None:
    data = dict(image_corpus())[case]
    outcome = prepare(data)
    if case in IMAGE_REFUSALS:
        assert isinstance(outcome, ImageInputError) and IMAGE_REFUSALS[case] in str(outcome), outcome
    else:
        assert isinstance(outcome, torch.Tensor), outcome
        assert outcome.shape == (28, 28) and outcome.min() >= 0 and outcome.max() <= 1 and outcome.max() > 0.5


CONTAINER_FAMILIES = {"ico-with-one-huge-picture": "at most 4096x4096", "ico-bad-directory": "",
                      "multi-page-tiff-sizes": "multi-page TIFF", "animated-gif-frames": "animated",
                      "animated-png-frames": "animated", "animated-webp-frames": "animated",
                      "gif-frame-beyond-screen": "at most 4096x4096"}  # fmt: skip
CONTAINERS = PREPARE + f"cases = [data for case, data in image_corpus() if case in {set(CONTAINER_FAMILIES)!r}]"


def test_every_picture_a_container_holds_is_measured_before_decoding() -> None:
    seen: Counter[str] = Counter()
    for case, data in image_corpus():
        if case in CONTAINER_FAMILIES:
            outcome = prepare(data)
            assert isinstance(outcome, ImageInputError) and CONTAINER_FAMILIES[case] in str(outcome), (case, outcome)
            seen[case] += 1
    assert set(seen) == set(CONTAINER_FAMILIES), "the corpus holds every container family"
    growth = peak_growth_mib(CONTAINERS, PREPARE_ALL)
    assert growth < CONTAINER_BOUND_MIB, f"peak memory grew by {growth:.0f} MiB"


def test_the_container_memory_bound_catches_a_leaky_loader() -> None:
    growth = peak_growth_mib(CONTAINERS + LEAKY_LOADER, PREPARE_ALL)
    assert growth >= CONTAINER_BOUND_MIB, f"a loader keeping 8 MiB per picture grew only {growth:.0f} MiB"


def test_the_whole_corpus_is_handled_quickly_in_bounded_memory() -> None:
    outcomes: Counter[str] = Counter()
    slowest = 0.0
    for case, data in image_corpus():
        started = time.perf_counter()
        outcome = prepare(data)
        slowest = max(slowest, time.perf_counter() - started)
        outcomes["refused" if isinstance(outcome, ImageInputError) else "prepared"] += 1
        if isinstance(outcome, torch.Tensor):
            assert outcome.shape == (28, 28) and torch.isfinite(outcome).all(), case
    assert outcomes["refused"] >= 50 and outcomes["prepared"] >= 20, outcomes
    assert slowest < 5.0, f"one image took {slowest:.1f} s"
    growth = peak_growth_mib(PREPARE + "cases = [data for _, data in image_corpus()]", PREPARE_ALL)
    assert growth < CORPUS_BOUND_MIB, f"peak memory grew by {growth:.0f} MiB"


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
    outcome = prepare(data)  # any exception but ImageInputError fails here
    if isinstance(outcome, torch.Tensor):
        assert outcome.shape == (28, 28) and torch.isfinite(outcome).all() and float(outcome.max()) > 0
    else:
        assert "Traceback" not in str(outcome) and len(str(outcome)) > 20, "a sentence saying what to do"


@settings(FUZZ, max_examples=100)
@given(array=GRAY_ARRAYS)
def test_any_grayscale_array_prepares_or_is_called_blank(array: np.ndarray) -> None:
    try:
        image = to_mnist_style(array)
    except ImageInputError as err:
        assert "blank" in str(err)
    else:  # MNIST's recipe: the ink fitted into a 20x20 box inside the 28x28 frame
        rows, cols = torch.nonzero(image > 0, as_tuple=True)
        assert image.shape == (28, 28) and len(rows) > 0
        assert int(rows.max() - rows.min()) < 20 and int(cols.max() - cols.min()) < 20
