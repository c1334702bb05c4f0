""" "What to notice" sentences say what the numbers say, and change when the numbers do."""

from __future__ import annotations

from types import SimpleNamespace

from dashboard.notes import (
    anomaly_note,
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


def test_prior_draws_note_calls_the_smudgier_and_the_less_varied_samples_by_their_counts() -> None:
    every = {"AE": [str(i % 10) for i in range(24)], "VAE": [str(i % 10) for i in range(24)]}
    bad = prior_draws_note({"AE": 17, "VAE": 1}, {"AE": 24, "VAE": 6}, every, 24)
    assert (
        "outside the codes the decoder was trained on: AE 17, VAE 1" in bad and "AE's samples are the smudgier" in bad
    )
    assert "17 of its draws land where it encoded no image" in bad
    inside = prior_draws_note({"AE": 0, "VAE": 0}, {"AE": 8, "VAE": 2}, every, 24)
    assert "AE's samples are the smudgier." in inside and "encoded no image" not in inside  # issue: no false cause
    even = prior_draws_note({"AE": 0, "VAE": 0}, {"AE": 3, "VAE": 2}, every, 24)
    assert (
        "about equally well" in even and "smudgier" not in even and "classes the draws read as: AE 10, VAE 10" in even
    )
    assert "VAE's samples are the smudgier" in prior_draws_note({"AE": 0, "VAE": 0}, {"AE": 0, "VAE": 9}, every, 24)
    narrow = {"AE": ["2", "6", None] * 8, "VAE": every["VAE"]}  # defect: seed 7, all AE draws are 2s and 6s
    note = prior_draws_note({"AE": 0, "VAE": 0}, {"AE": 5, "VAE": 4}, narrow, 24)
    assert "about equally well" not in note and "AE's draws show only 2, 6 where the VAE's show 10 classes" in note
    assert "fewer than the 22" in fitted_note(2, 1, 4, 22, 24) and "more than the 0" in fitted_note(0, 0, 3, 0, 24)
    # defect: "one Gaussian still spills into the gaps between the AE's clusters" whenever a draw was outside,
    # wherever it was: the note now says how many are in gaps within the codes' span and how many beyond
    assert "2 land outside the AE's codes: 1 in gaps within the codes' span, 1 beyond their edge." in fitted_note(
        2, 1, 4, 22, 24
    )
    assert "0 in gaps within the codes' span, 3 beyond their edge" in fitted_note(3, 0, 4, 22, 24)
    assert "all of them in gaps" in fitted_note(3, 3, 4, 22, 24) and "gaps" not in fitted_note(0, 0, 3, 0, 24)


def test_interpolation_note_names_every_class_the_steps_read_as_in_order() -> None:
    """Defects: "takes no detour" for strips that visibly pass through a 4 and a 9 (only runs of 3+ confident
    frames counted), and "9 → 7 (a detour through 9)" when the AE rebuilt the start, a 3, as a 9."""
    frames = [("0", 1.0), ("4", 1.0), ("9", 0.8), ("9", 1.0), ("1", 0.6), ("1", 1.0)]
    note = interpolation_note({"AE": frames}, "0", "1")
    assert "The AE's steps read as 0 (step 1, 100%) → 4 (step 2, 100%) → 9 (steps 3–4, 80%–100%) → 1" in note
    assert "1 (steps 5–6, 60%–100%)." in note and "cannot" not in note and "detour" not in note
    wrong_start = [("9", 1.0), ("9", 1.0), ("7", 1.0), ("7", 1.0)]
    note = interpolation_note({"AE": wrong_start, "VAE": [("3", 0.6), ("7", 0.6)]}, "3", "7")
    assert "cannot rebuild the 3: its first step reads as 9" in note
    assert "The VAE's steps read as 3 (step 1, 60%) → 7 (step 2, 60%)." in note
    note = interpolation_note({"AE": [("0", 1.0), (None, 0.4)]}, "0", "1")
    assert "→ no real image (step 2, 40%)" in note and "its last step reads as no real image" in note


def test_denoising_note_says_worse_than_doing_nothing_when_it_is() -> None:
    note = denoising_note({"AE": (4.0, 0, 10), "AE (denoising)": (19.8, 10, 0)}, 11.0, 10)
    assert "AE 4.0 dB (-7.0, worse than doing nothing; 0 of 10 read as the right class, 10 look like no real" in note
    assert "AE (denoising) 19.8 dB (+8.8, better than doing nothing; 10 of 10 read as the right class)" in note


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
