"""Round trips are exact, and every kind of broken file gives one WeightsError that names the file."""

import json
import struct
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from ae_models.weights import NAMESPACE, WeightsError, load_model, save_model


def test_round_trip_is_exact(vae_file: Path, tiny_vae) -> None:
    loaded = load_model(vae_file)
    assert loaded.config == tiny_vae.config
    assert loaded.training == tiny_vae.training
    assert loaded.dataset == tiny_vae.dataset
    assert loaded.history == tiny_vae.history
    assert loaded.final_metrics == tiny_vae.final_metrics
    assert loaded.created == tiny_vae.created
    original = tiny_vae.network.state_dict()
    for name, tensor in loaded.network.state_dict().items():
        assert torch.equal(tensor, original[name]), name
    assert not loaded.network.training


def test_metadata_is_namespaced_json_strings(vae_file: Path) -> None:
    from safetensors import safe_open

    with safe_open(str(vae_file), framework="pt") as handle:
        metadata = handle.metadata()
    assert all(key.startswith(NAMESPACE) for key in metadata)
    assert json.loads(metadata[NAMESPACE + "model_config"])["kind"] == "vae"
    assert len(json.loads(metadata[NAMESPACE + "history"])) == 3


def test_existing_file_is_not_overwritten(vae_file: Path, tiny_ae) -> None:
    before = vae_file.read_bytes()
    with pytest.raises(FileExistsError):
        save_model(tiny_ae, vae_file)
    assert vae_file.read_bytes() == before
    save_model(tiny_ae, vae_file, force=True)
    assert load_model(vae_file).config.kind == "ae"
    assert not list(vae_file.parent.glob("*.tmp"))


def _rewrite(path: Path, mutate_tensors=None, mutate_metadata=None) -> None:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        metadata = dict(handle.metadata())
    tensors = load_file(str(path))
    if mutate_tensors:
        mutate_tensors(tensors)
    if mutate_metadata:
        mutate_metadata(metadata)
    save_file(tensors, str(path), metadata=metadata)


def _first(tensors: dict) -> str:
    return sorted(tensors)[0]


def _set_config(metadata: dict, **changes) -> None:
    config = json.loads(metadata[NAMESPACE + "model_config"])
    config.update(changes)
    metadata[NAMESPACE + "model_config"] = json.dumps(config)


CORRUPTIONS = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "header-bit-flipped": lambda p: p.write_bytes(_flip(p.read_bytes(), 12)),
    "huge-declared-header": lambda p: p.write_bytes(struct.pack("<Q", 2**40) + p.read_bytes()[8:]),
    "not-safetensors": lambda p: p.write_text("this is a text file, not weights"),
    "empty": lambda p: p.write_bytes(b""),
    "wrong-shape": lambda p: _rewrite(p, lambda t: t.update({_first(t): torch.zeros(3, 3)})),
    "wrong-dtype": lambda p: _rewrite(p, lambda t: t.update({_first(t): t[_first(t)].double()})),
    "nan-weights": lambda p: _rewrite(p, lambda t: t[_first(t)].fill_(float("nan"))),
    "missing-tensor": lambda p: _rewrite(p, lambda t: t.pop(_first(t))),
    "extra-tensor": lambda p: _rewrite(p, lambda t: t.update({"intruder": torch.zeros(1)})),
    "missing-metadata": lambda p: _rewrite(p, mutate_metadata=lambda m: m.clear()),
    "missing-history": lambda p: _rewrite(p, mutate_metadata=lambda m: m.pop(NAMESPACE + "history")),
    "metadata-not-json": lambda p: _rewrite(p, mutate_metadata=lambda m: m.update({NAMESPACE + "history": "{oops"})),
    "other-architecture": lambda p: _rewrite(p, mutate_metadata=lambda m: _set_config(m, hidden_sizes=[64])),
    "unknown-kind": lambda p: _rewrite(p, mutate_metadata=lambda m: _set_config(m, kind="gan")),
    "future-version": lambda p: _rewrite(p, mutate_metadata=lambda m: m.update({NAMESPACE + "format_version": "9"})),
    "schema-violation": lambda p: _rewrite(p, mutate_metadata=lambda m: m.update({NAMESPACE + "final_metrics": "[1]"})),
}


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0xFF]) + data[index + 1 :]


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_broken_files_give_the_typed_error(vae_file: Path, corruption: str) -> None:
    CORRUPTIONS[corruption](vae_file)
    with pytest.raises(WeightsError) as info:
        load_model(vae_file)
    assert str(vae_file) in str(info.value)
    assert info.value.reason


def test_missing_file_gives_the_typed_error(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="no such file"):
        load_model(tmp_path / "absent.safetensors")
