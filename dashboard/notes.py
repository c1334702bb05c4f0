""" "What to notice" under each chart: sentences worded from the numbers on screen, short enough to read aloud.

Pure functions from numbers to text (tested without Streamlit), plus `notice` to show one under a chart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

WASHED_OUT = (
    " (Outside: farther from every code than 99% of codes are from theirs. Washed out: fainter than 95% of the "
    "model's own reconstructions.)"
)


def notice(text: str) -> None:
    st.caption(f"**What to notice:** {text}")


def class_sequence(names: Sequence[str]) -> str:
    """Frame classes in order with repeats merged: ['0', '0', '6', '1'] -> '0 → 6 → 1'."""
    merged = [name for i, name in enumerate(names) if i == 0 or name != names[i - 1]]
    return " → ".join(merged)


def interpolation_note(sequences: dict[str, list[str]], start: str, end: str) -> str:
    """Which classes each model's frames pass through between the two endpoints' classes."""
    parts = []
    for kind, names in sequences.items():
        detours = [n for n in dict.fromkeys(names) if n not in (start, end)]
        path = class_sequence(names)
        parts.append(
            f"the {kind}'s frames read as {path}" + (f" (a detour through {', '.join(detours)})" if detours else "")
        )
    text = "; ".join(parts)
    return f"{text[:1].upper()}{text[1:]}. Each frame's class is that of its nearest real images, pixel by pixel."


def prior_draws_note(outside: dict[str, int], washed_out: dict[str, int], total: int) -> str:
    """How many of the same prior draws land outside each model's codes and how many decode washed out."""
    text = (
        f"Of {total} draws, outside the codes the decoder was trained on: {_counts(outside)}; decoded washed out: "
        f"{_counts(washed_out)}."
    )
    ae, vae = washed_out.get("AE"), washed_out.get("VAE")
    if ae is not None and vae is not None:
        if ae > vae + total // 8:
            text += " The AE's samples are the smudgier: its decoder was never asked to draw at N(0, I)'s codes."
        elif vae > ae + total // 8:
            text += " Here the VAE's samples are the smudgier ones."
        else:
            text += " By this count both sample about equally well here; for the AE that is luck of its training run."
    return text + WASHED_OUT


def fitted_note(outside: int, washed_out: int, prior_washed_out: int, total: int) -> str:
    """The AE's fitted-Gaussian draws, by the same two counts, against its plain N(0, I) draws."""
    verdict = "fewer" if washed_out < prior_washed_out else "more" if washed_out > prior_washed_out else "as many"
    text = (
        f"{washed_out} of {total} fitted draws decode washed out, {verdict} than the {prior_washed_out} from N(0, I); "
        f"{outside} land outside the AE's codes."
    )
    if outside:
        text += " One Gaussian still spills into the gaps between the AE's clusters."
    return text


def _counts(values: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in values.items())


def _by_kind(summaries: dict[str, object], show: Callable[[object], str]) -> str:
    return ", ".join(f"{kind} {show(summary)}" for kind, summary in summaries.items())


def map_note(summaries: dict[str, object], is_plane: bool, latent_dim: int) -> str:
    """Per model: how often an image's nearest code shares its class, and how much of the map the prior covers."""
    text = (
        "Images whose nearest code has their own class: "
        f"{_by_kind(summaries, lambda s: f'{s.same_class_neighbour:.0%}')}."
        f" Codes where N(0, I) puts 99% of its draws: {_by_kind(summaries, lambda s: f'{s.within_prior:.0%}')}."
    )
    if is_plane:
        text += f" z₁ spans {_by_kind(summaries, lambda s: f'{s.low[0]:.1f} to {s.high[0]:.1f}')}."
    else:
        text += f" Both measured in the {latent_dim}-D codes, not on the UMAP picture."
    return text


def sigma_note(median_sigma: float, marker: float) -> str | None:
    """Say so when the posterior ellipses are too small to see next to a marker at the default zoom."""
    if median_sigma >= marker:
        return None
    return (
        f"Most 1σ ellipses are smaller than a dot at this zoom (median radius {median_sigma:.2f}, a dot covers "
        f"about {marker:.2f}): the VAE is very sure of most codes. Scroll on the map to zoom in and see them."
    )


def plane_note(outside: dict[str, float]) -> str:
    """Share of each decoded plane's tiles that decode codes no image was encoded near."""
    parts = [f"{share:.0%} of the {kind}'s tiles" for kind, share in outside.items()]
    return (
        " and ".join(parts) + " decode codes farther from every image's code than 99% of codes are from their "
        "nearest one: gaps where no image was encoded, so the decoder never learned what belongs there."
    )


def denoising_note(scores: dict[str, tuple[float, int]], damaged: float, total: int) -> str:
    """Each model's PSNR against the damaged input's own (did passing through the model help or hurt?), and how
    many of its outputs still read as the right class."""
    parts = []
    for name, (value, right) in scores.items():
        change = value - damaged
        verdict = "better than" if change > 0.5 else "worse than" if change < -0.5 else "about the same as"
        parts.append(
            f"{name} {value:.1f} dB ({change:+.1f}, {verdict} doing nothing; {right} of {total} the right class)"
        )
    return f"The damaged input scores {damaged:.1f} dB. " + "; ".join(parts) + "."


def compression_note(name: str, code_bytes: int, psnr_db: float, png: float, jpeg: float, quality: int,
                     jpeg_psnr_db: float, decoder_bytes: int, raw_bytes: int) -> str:  # fmt: skip
    """One model's code against the raw image, PNG and JPEG at a similar PSNR, and the decoder it needs."""
    jpeg_part = (
        f"JPEG needs {jpeg:.0f} (quality {quality}, {jpeg_psnr_db:.1f} dB)"
        if quality > 1 or jpeg_psnr_db < psnr_db + 1
        else f"JPEG's lowest quality, {jpeg:.0f} bytes, is already sharper ({jpeg_psnr_db:.1f} dB)"
    )
    return (
        f"{name}: {code_bytes} bytes at {psnr_db:.1f} dB. Raw is {raw_bytes} bytes, lossless PNG {png:.0f}; "
        f"{jpeg_part}. The {decoder_bytes / 1e6:.1f} MB decoder ships once."
    )


def anomaly_note(results: dict[str, tuple[float, int, int, int, int]], percentile: float) -> str:
    """Per model: (AUC, anomalies caught, anomalies, normal flagged, normal) worded at the current threshold."""
    parts = []
    for kind, (auc, caught, total, alarms, normal) in results.items():
        part = f"the {kind} catches {caught} of {total} anomalies with {alarms} of {normal} false alarms (AUC {auc:.2f}"
        part += ", worse than a coin flip: these anomalies score lower than normal images)" if auc < 0.5 else ")"
        parts.append(part)
    text = "; ".join(parts)
    return f"At the {percentile:g}th percentile, {text}."


def training_note(histories: dict[str, list[float]]) -> str:
    """Per model (validation totals by epoch): where the lowest value was, and how far the last epoch is from it."""
    parts = []
    for name, totals in histories.items():
        best = min(range(len(totals)), key=totals.__getitem__)
        part = f"{name} is lowest at epoch {best + 1} of {len(totals)} ({totals[best]:.1f} nats)"
        if totals[-1] > totals[best] * 1.01:
            part += f", then rises to {totals[-1]:.1f}: it began to overfit"
        parts.append(part)
    return "Validation total: " + "; ".join(parts) + "."


def sweep_note(betas: list[float], kl: list[float], reconstruction: list[float]) -> str:
    """The rate-distortion trade-off across a sweep, from the smallest beta to the largest."""
    return (
        f"From β={betas[0]:g} to β={betas[-1]:g}, the KL (rate) goes from {kl[0]:.1f} to {kl[-1]:.1f} nats while "
        f"reconstruction (distortion) goes from {reconstruction[0]:.1f} to {reconstruction[-1]:.1f} nats."
    )


def neighbours_note(votes: dict[str, tuple[str, int, int]]) -> str:
    """Per model: the commonest class among the image's nearest codes, and how many of them have it."""
    parts = [f"the {kind}'s nearest codes are mostly {name} ({count} of {total})" for kind, (name, count, total) in
             votes.items()]  # fmt: skip
    text = "; ".join(parts)
    return f"{text[:1].upper()}{text[1:]}: that is what each model thinks your image resembles."
