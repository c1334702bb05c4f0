""" "What to notice" sentences say what the numbers say, and change when the numbers do."""

from __future__ import annotations

from types import SimpleNamespace

from dashboard.notes import (
    anomaly_note,
    class_sequence,
    compression_note,
    denoising_note,
    fitted_note,
    interpolation_note,
    map_note,
    neighbours_note,
    prior_draws_note,
    sigma_note,
    sweep_note,
    training_note,
)


def test_prior_draws_note_calls_the_smudgier_samples_by_their_count() -> None:
    bad = prior_draws_note({"AE": 17, "VAE": 1}, {"AE": 24, "VAE": 6}, 24)
    assert (
        "outside the codes the decoder was trained on: AE 17, VAE 1" in bad and "AE's samples are the smudgier" in bad
    )
    even = prior_draws_note({"AE": 0, "VAE": 0}, {"AE": 3, "VAE": 2}, 24)
    assert "about equally well" in even and "smudgier" not in even
    assert "VAE's samples are the smudgier" in prior_draws_note({"AE": 0, "VAE": 0}, {"AE": 0, "VAE": 9}, 24)
    assert "fewer than the 22" in fitted_note(2, 4, 22, 24) and "spills" in fitted_note(2, 4, 22, 24)
    assert "more than the 0" in fitted_note(0, 3, 0, 24) and "spills" not in fitted_note(0, 3, 0, 24)


def test_interpolation_note_names_the_detours() -> None:
    assert class_sequence(["0", "0", "6", "6", "1"]) == "0 → 6 → 1"
    note = interpolation_note({"AE": ["0", "6", "1"], "VAE": ["0", "1"]}, "0", "1")
    assert note.startswith("The AE's frames read as 0 → 6 → 1 (a detour through 6)")
    assert "the VAE's frames read as 0 → 1." in note


def test_denoising_note_says_worse_than_doing_nothing_when_it_is() -> None:
    note = denoising_note({"AE": (4.0, 2), "AE (denoising)": (19.8, 10)}, 11.0, 10)
    assert "AE 4.0 dB (-7.0, worse than doing nothing; 2 of 10 the right class)" in note
    assert "AE (denoising) 19.8 dB (+8.8, better than doing nothing; 10 of 10 the right class)" in note


def test_compression_note_states_the_raw_baseline_and_the_decoder() -> None:
    note = compression_note("AE · m", 8, 14.8, 277, 369, 1, 19.0, 3_360_132, 784)
    assert "Raw is 784 bytes" in note and "already sharper" in note and "3.4 MB decoder" in note
    assert "quality 8" in compression_note("AE · m", 64, 22.1, 277, 393, 8, 22.3, 3_374_468, 784)


def test_map_sigma_training_sweep_anomaly_and_neighbour_notes_follow_their_numbers() -> None:
    summary = SimpleNamespace(same_class_neighbour=0.73, within_prior=0.27, low=(-11.2, 0), high=(48.4, 0))
    assert "AE 73%" in map_note({"AE": summary}, True, 2) and "-11.2 to 48.4" in map_note({"AE": summary}, True, 2)
    assert "16-D codes" in map_note({"AE": summary}, False, 16)
    assert sigma_note(0.05, 0.13) is not None and sigma_note(0.2, 0.13) is None
    assert "overfit" in training_note({"m": [3.0, 2.0, 2.5]}) and "overfit" not in training_note({"m": [3.0, 2.0]})
    assert "from 48.1 to 4.4" in sweep_note([0.1, 8.0], [48.1, 4.4], [69.2, 138.1])
    assert "coin flip" in anomaly_note({"AE": (0.4, 0, 209, 11, 209)}, 95.0)
    assert "coin flip" not in anomaly_note({"AE": (0.99, 195, 196, 10, 196)}, 95.0)
    assert "mostly 7 (6 of 8)" in neighbours_note({"AE": ("7", 6, 8)})
