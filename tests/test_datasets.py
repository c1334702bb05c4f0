import gzip
from pathlib import Path

import numpy as np
import pytest
import torch

from ae_models.datasets import DatasetError, load_idx_directory, load_source, load_split, split_indices
from ae_models.idx import IdxError, read_idx, write_idx


@pytest.mark.parametrize("name", ["plain.idx", "packed.idx.gz"])
def test_idx_round_trip(tmp_path: Path, name: str) -> None:
    array = np.random.default_rng(0).integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    write_idx(tmp_path / name, array)
    assert (tmp_path / name).read_bytes()[:2] == (b"\x1f\x8b" if name.endswith(".gz") else b"\x00\x00")
    assert np.array_equal(read_idx(tmp_path / name), array)


def test_idx_reader_knows_the_mnist_header(tmp_path: Path) -> None:
    payload = bytes([0, 0, 8, 1]) + (3).to_bytes(4, "big") + bytes([1, 2, 3])
    (tmp_path / "labels").write_bytes(gzip.compress(payload))
    assert read_idx(tmp_path / "labels").tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    "payload",
    [
        b"\x01\x02\x08\x01",
        bytes([0, 0, 8, 1]) + (5).to_bytes(4, "big") + b"\x01",
        bytes([0, 0, 0x42, 1]),
        b"\x1f\x8bjunk",
    ],
)
def test_idx_reader_rejects_malformed_files(tmp_path: Path, payload: bytes) -> None:
    (tmp_path / "bad").write_bytes(payload)
    with pytest.raises(IdxError):
        read_idx(tmp_path / "bad")


def _write_idx_dataset(folder: Path, n_train: int = 20, n_test: int = 6) -> None:
    rng = np.random.default_rng(1)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, n, dtype=np.uint8))


def test_any_idx_directory_is_a_dataset(tmp_path: Path) -> None:
    _write_idx_dataset(tmp_path)
    source = load_idx_directory(tmp_path)
    assert source.pool.images.shape == (20, 28, 28) and source.test.images.shape == (6, 28, 28)
    assert source.pool.images.min() >= 0 and source.pool.images.max() <= 1
    assert load_split(str(tmp_path), "test").images.shape[0] == 6
    assert load_split(str(tmp_path), "train").images.shape[0] + load_split(str(tmp_path), "val").images.shape[0] == 20


def test_idx_directory_with_mismatched_counts_is_refused(tmp_path: Path) -> None:
    _write_idx_dataset(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(3, dtype=np.uint8))
    with pytest.raises(DatasetError, match="do not match"):
        load_idx_directory(tmp_path)


def test_digits_keep_their_shape_and_range() -> None:
    data = load_source("digits").pool
    assert data.image_shape == (8, 8) and len(data) == 1797
    assert data.images.dtype == torch.float32 and data.images.min() >= 0 and data.images.max() == 1


def test_mnist_5k_are_real_digits() -> None:
    data = load_source("mnist-5k").pool
    assert data.images.shape == (5000, 28, 28) and data.labels.bincount().tolist() == [500] * 10


def test_split_is_fixed_disjoint_and_complete() -> None:
    train, val = split_indices(100, 0.1, seed=3)
    again_train, again_val = split_indices(100, 0.1, seed=3)
    assert np.array_equal(train, again_train) and np.array_equal(val, again_val)
    assert len(val) == 10 and not set(train) & set(val) and len(set(train) | set(val)) == 100
    assert not np.array_equal(val, split_indices(100, 0.1, seed=4)[1])


def test_missing_datasets_say_how_to_get_them(monkeypatch) -> None:
    monkeypatch.delenv("AE_MODELS_MNIST_DIR", raising=False)
    with pytest.raises(DatasetError, match="AE_MODELS_MNIST_DIR"):
        load_source("mnist")
    with pytest.raises(DatasetError, match="unknown dataset"):
        load_source("imagenet")
    with pytest.raises(DatasetError, match="no separate test set"):
        load_split("digits", "test")
    monkeypatch.setattr("ae_models.datasets.FASHION_MNIST_DIR", Path("/nonexistent"))
    with pytest.raises(DatasetError, match="apt-get install dataset-fashion-mnist"):
        load_source("fashion-mnist")
