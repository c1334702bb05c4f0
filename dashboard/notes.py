""" "What to notice" under each chart: sentences worded from the numbers on screen, short enough to read aloud.

Pure functions from numbers to text (tested without Streamlit), plus `notice` to show one under a chart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import groupby

import streamlit as st

from ae_models.recognition import NEIGHBOURS

WASHED_OUT = (
    " (Outside: farther from every code than 99% of codes are from theirs. Washed out: fainter than 95% of the "
    "model's own reconstructions.)"
)


def notice(text: str) -> None:
    st.caption(f"**What to notice:** {text}")


def _steps(first: int, last: int) -> str:
    return f"step {first}" if first == last else f"steps {first}–{last}"


def _shares(values: Sequence[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.0%}" if round(low, 2) == round(high, 2) else f"{low:.0%}–{high:.0%}"


def path_reading(frames: Sequence[tuple[str | None, float]]) -> list[tuple[str | None, int, int, list[float]]]:
    """The frames of a path as runs of one class, in order: (class or None, first step, last step, the judge's
    agreement on each frame of the run), steps counted from 1."""
    runs, step = [], 1
    for name, run in groupby(frames, key=lambda frame: frame[0]):
        shares = [agreement for _, agreement in run]
        runs.append((name, step, step + len(shares) - 1, shares))
        step += len(shares)
    return runs


def interpolation_note(readings: dict[str, Sequence[tuple[str | None, float]]], start: str, end: str) -> str:
    """Per model, the classes its decoded steps read as, in order, with the judge's agreement (each frame read as
    (class, or None when it looks like no real image; share of the judge's nearest images that agree)), and
    whether its end frames rebuild the endpoints' classes. Every class on the way is named: a strip that visibly
    passes through a 4 must not be summed up as "no detour"."""
    parts = []
    for kind, frames in readings.items():
        runs = path_reading(frames)
        text = f"The {kind}'s steps read as " + " → ".join(
            f"{name or 'no real image'} ({_steps(first, last)}, {_shares(shares)})"
            for name, first, last, shares in runs
        )
        for which, wanted, (got, _) in (("first", start, frames[0]), ("last", end, frames[-1])):
            if got != wanted:
                text += f"; it cannot rebuild the {wanted}: its {which} step reads as {got or 'no real image'}"
        parts.append(text + ".")
    return " ".join(parts) + (
        f" Each step's class is the majority of its {NEIGHBOURS} nearest real images, pixel by pixel; the "
        "percentage is the share of them that agree."
    )


def prior_draws_note(
    outside: dict[str, int], washed_out: dict[str, int], read_as: dict[str, list[str | None]], total: int
) -> str:
    """How many of the same prior draws land outside each model's codes, how many decode washed out, and how many
    classes the decoded draws read as (None: like no real image): a model may sample crisply but only a few
    classes."""
    variety = {kind: sorted({name for name in names if name is not None}) for kind, names in read_as.items()}
    text = (
        f"Of {total} draws, outside the codes the decoder was trained on: {_counts(outside)}; decoded washed out: "
        f"{_counts(washed_out)}; classes the draws read as: {_counts({k: len(v) for k, v in variety.items()})}."
    )
    ae, vae = washed_out.get("AE"), washed_out.get("VAE")
    if ae is None or vae is None:
        return text + WASHED_OUT
    verdicts = []
    if ae > vae + total // 8:
        verdicts.append("The AE's samples are the smudgier")
        if outside.get("AE", 0) > total // 8:
            verdicts[-1] += f": {outside['AE']} of its draws land where it encoded no image"
    elif vae > ae + total // 8:
        verdicts.append("Here the VAE's samples are the smudgier ones")
    few, many = sorted(("AE", "VAE"), key=lambda kind: len(variety[kind]))
    if len(variety[many]) >= 2 * len(variety[few]) and len(variety[many]) - len(variety[few]) >= 3:
        verdicts.append(
            f"The {few}'s draws show only {', '.join(variety[few]) or 'no class'} where the {many}'s show "
            f"{len(variety[many])} classes: it samples far less variety"
        )
    if not verdicts:
        verdicts.append(
            "By these counts both sample about equally well here; for the AE that is luck of its training run"
        )
    return f"{text} {'. '.join(verdicts)}. Classes as read by the {NEIGHBOURS} nearest real images.{WASHED_OUT}"


def fitted_note(outside: int, in_gaps: int, washed_out: int, prior_washed_out: int, total: int) -> str:
    """The AE's fitted-Gaussian draws, by the same two counts, against its plain N(0, I) draws; of those outside
    the codes, how many fall in holes within the codes' span and how many beyond their edge."""
    verdict = "fewer" if washed_out < prior_washed_out else "more" if washed_out > prior_washed_out else "as many"
    text = (
        f"{washed_out} of {total} fitted draws decode washed out, {verdict} than the {prior_washed_out} from N(0, I); "
        f"{outside} land outside the AE's codes"
    )
    if not outside:
        return text + "."
    return text + (
        f": {in_gaps} in gaps within the codes' span, {outside - in_gaps} beyond their edge."
        if in_gaps < outside
        else ", all of them in gaps within the codes' span (one Gaussian over clustered codes fills the holes too)."
    )


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


def plane_note(outside: dict[str, float], framed: dict[str, float]) -> str:
    """Share of each decoded plane's tiles that decode codes no image was encoded near, and the share of each
    model's codes its frame holds (the rest lie beyond the edges)."""
    parts = [f"{share:.0%} of the {kind}'s tiles" for kind, share in outside.items()]
    return (
        " and ".join(parts) + " decode codes farther from every image's code than 99% of codes are from their "
        "nearest one: gaps where no image was encoded, so the decoder never learned what belongs there. "
        f"Codes inside each frame: {_by_kind(framed, lambda share: f'{share:.0%}')}; the rest lie beyond its edges."
    )


def denoising_note(scores: dict[str, tuple[float, int, int]], damaged: float, total: int) -> str:
    """Each model's PSNR against the damaged input's own (did passing through the model help or hurt?), how many
    of its outputs still read as the right class, and how many look like no real image at all."""
    parts = []
    for name, (value, right, unrecognisable) in scores.items():
        change = value - damaged
        verdict = "better than" if change > 0.5 else "worse than" if change < -0.5 else "about the same as"
        junk = f", {unrecognisable} look like no real image" if unrecognisable else ""
        parts.append(
            f"{name} {value:.1f} dB ({change:+.1f}, {verdict} doing nothing; {right} of {total} read as the right "
            f"class{junk})"
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
