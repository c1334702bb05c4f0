"""Issue 14, classes 1-7 through the loaders and the CLI: files that pass the framing checks but lie in their values.

Every case comes from tests/fuzz_corpus.py; the CLI runs in-process (`main`), so a traceback fails the test.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from ae_models.cli import main
from ae_models.library import load_folder, load_library_model
from ae_models.weights import TrainedModel, WeightsError, load_model
from tests.fuzz_corpus import (
    control_character_corpus,
    dataset_path_corpus,
    insane_metadata_corpus,
    mismatched_size_corpus,
    overflowing_corpus,
    weights_bytes,
)


def _write(folder: Path, case: str, data: bytes) -> Path:
    path = folder / f"{''.join(c if c.isalnum() else '_' for c in case)}.safetensors"
    path.write_bytes(data)
    return path


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_class1_every_insane_number_and_string_is_refused_by_every_loader_path(
    tmp_path: Path, tiny_vae: TrainedModel, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = list(insane_metadata_corpus(weights_bytes(tiny_vae)))
    assert len(cases) >= 150
    for case, data in cases:
        path = _write(tmp_path, case, data)
        with pytest.raises(WeightsError) as refused:
            load_model(path)
        assert refused.value.path == str(path) and 0 < len(refused.value.reason) < 400, (case, refused.value.reason)
        for command in ("info", "evaluate", "project"):
            code, out, err = _cli(capsys, command, str(path))
            assert code == 2 and not out and err.startswith("error: ") and len(err) < 600, (case, command, err[:300])
        path.unlink()


def test_class2_one_file_raising_anything_is_that_files_failure_and_the_rest_serves(
    tmp_path: Path, tiny_vae: TrainedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    valid = weights_bytes(tiny_vae)
    _write(tmp_path, "good", valid)
    for case, data in list(insane_metadata_corpus(valid))[::10]:
        _write(tmp_path, case, data)
    odd = {"raises_keyerror": KeyError("x"), "raises_recursion": RecursionError(), "raises_memory": MemoryError()}
    for name in odd:
        _write(tmp_path, name, valid)
    real_load = load_model

    def flaky_load(path: str | Path) -> TrainedModel:
        if Path(path).stem in odd:
            raise odd[Path(path).stem]
        return real_load(path)

    monkeypatch.setattr("ae_models.library.load_model", flaky_load)
    models, failures = load_folder(tmp_path)
    assert [m.name for m in models] == ["good"]
    assert len(failures) == len(list(tmp_path.glob("*.safetensors"))) - 1
    assert all(f.message.startswith(f.path.name) for f in failures), [f.message for f in failures][:3]


def test_class3_models_that_load_but_cannot_serve_are_refused_with_the_reason(
    tmp_path: Path, tiny_vae: TrainedModel, capsys: pytest.CaptureFixture[str]
) -> None:
    mismatched, overflowing = list(mismatched_size_corpus(tiny_vae)), list(overflowing_corpus(tiny_vae))
    assert len(mismatched) == 20 and len(overflowing) == 16
    for case, data in mismatched:
        path = _write(tmp_path, case, data)
        load_model(path)  # a well-formed file: only serving it is wrong
        with pytest.raises(WeightsError, match=r"images are \d+x\d+"):
            load_library_model(path)
        code, _, err = _cli(capsys, "project", str(path))
        assert code == 2 and err.startswith("error: ") and "images" in err, (case, err)
    for case, data in overflowing:
        path = _write(tmp_path, case, data)
        with pytest.raises(WeightsError, match="not finite"):
            load_library_model(path)
        code, _, err = _cli(capsys, "project", str(path))
        assert code == 2 and err.startswith("error: ") and "not finite" in err, (case, err)


def _printable(text: str) -> bool:
    return all(c == "\n" or unicodedata.category(c)[0] != "C" for c in text)


def test_class5_info_prints_control_characters_escaped(
    tmp_path: Path, tiny_vae: TrainedModel, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = list(control_character_corpus(weights_bytes(tiny_vae)))
    assert len(cases) == 20
    for case, data in cases:
        path = _write(tmp_path, case, data)
        code, out, err = _cli(capsys, "info", str(path))
        assert code == 0 and _printable(out) and _printable(err), (case, out)
        assert "\\x1b" in out or "\\x" in out or "\\t" in out or "\\r" in out, (case, out)
    escaped_name = tmp_path / "name\x1b[2J.safetensors"
    escaped_name.write_bytes(weights_bytes(tiny_vae))
    code, out, _ = _cli(capsys, "info", str(escaped_name))
    assert code == 0 and _printable(out) and "name\\x1b[2J" in out


def test_class6_the_dashboard_loader_serves_only_known_datasets_and_says_nothing_about_the_path(
    tmp_path: Path, tiny_vae: TrainedModel
) -> None:
    cases = list(dataset_path_corpus(weights_bytes(tiny_vae)))
    assert len(cases) == 20
    reasons = set()
    for case, data in cases:
        path = _write(tmp_path, case, data)
        with pytest.raises(WeightsError) as refused:
            load_library_model(path)
        name = load_model(path).dataset.name
        reasons.add(refused.value.reason.replace(repr(name), "NAME"))
    assert len(reasons) == 1, reasons  # the same words whether the folder exists, is readable or holds data


def test_class6_a_folder_dataset_serves_only_when_the_operator_configured_it(
    tmp_path: Path, tiny_vae: TrainedModel
) -> None:
    from ae_models.datasets import load_source
    from tests.fuzz_corpus import with_field

    folder = tmp_path / "idx"
    folder.mkdir()
    digits = load_source("digits").pool
    _write_idx(folder, (digits.images * 255).round().byte().numpy(), digits.labels.byte().numpy())
    path = _write(tmp_path, "folder-model", with_field(weights_bytes(tiny_vae), "dataset", "name", str(folder)))
    with pytest.raises(WeightsError, match="does not serve"):
        load_library_model(path)
    assert load_library_model(path, datasets=(str(folder),)).dataset == str(folder)


def _write_idx(folder: Path, images: object, labels: object) -> None:
    import struct

    import numpy as np

    images, labels = np.asarray(images, dtype=np.uint8), np.asarray(labels, dtype=np.uint8)
    (folder / "train-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 0x803, *images.shape) + images.tobytes())
    (folder / "train-labels-idx1-ubyte").write_bytes(struct.pack(">II", 0x801, len(labels)) + labels.tobytes())


def _strict(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_class7_evaluate_prints_strict_json_with_null_and_a_reason(
    tmp_path: Path, tiny_vae: TrainedModel, capsys: pytest.CaptureFixture[str]
) -> None:
    nulls = 0
    for case, data in overflowing_corpus(tiny_vae):
        path = _write(tmp_path, case, data)
        code, out, err = _cli(capsys, "evaluate", str(path))
        assert code == 0, (case, err)
        scores = _strict(out)
        for key in ("reconstruction", "kl", "neg_elbo"):
            if scores[key] is None:
                nulls += 1
                assert key in scores["not_finite"] and "overflow" in scores["not_finite"][key], scores
    assert nulls >= 8
    path = _write(tmp_path, "good", weights_bytes(tiny_vae))
    code, out, _ = _cli(capsys, "evaluate", str(path))
    assert code == 0 and "not_finite" not in _strict(out)


def test_class1_an_unforeseen_failure_inside_the_loader_is_still_a_weights_error(
    vae_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("/secret/server/path is unreadable")

    monkeypatch.setattr("ae_models.weights.build_model", broken)
    with pytest.raises(WeightsError) as refused:
        load_model(vae_file)
    assert refused.value.reason == "could not be loaded (RuntimeError)"
