""" "What to notice" under the latent anatomy figures: sentences worded from the numbers they show.

Pure functions from numbers to text (tested without Streamlit); kept apart from notes.py, whose notes belong to
the other pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from ae_models.anatomy.aggregate import HOLE_RATIO
from ae_models.anatomy.size_curve import SizeCurve
from ae_models.anatomy.usage import ACTIVE_THRESHOLD, LatentUsage


def usage_note(usage: LatentUsage) -> str:
    """How many dimensions carry information, and how concentrated the KL is in the first few."""
    order = usage.by_kl
    width = len(order)
    top = min(3, width)
    share = sum(usage.kl[d] for d in order[:top]) / usage.total_kl if usage.total_kl > 0 else 0.0
    text = (
        f"{usage.n_active} of {width} dimensions are active (their posterior mean varies over the images with "
        f"variance above {ACTIVE_THRESHOLD:g}); the KL totals {usage.total_kl:.1f} nats per image"
        + (f", {share:.0%} of it in the top {top}." if width > top else ".")
    )
    if usage.n_active < width:
        text += (
            f" The other {width - usage.n_active} have collapsed to the prior: every image gets the same N(0, 1) "
            "there, so the decoder reads nothing from them."
        )
    return text


def sweep_usage_note(betas: Sequence[float], usages: Sequence[LatentUsage]) -> str:
    """Active units and total KL at the smallest and largest beta of a sweep."""
    first, last = usages[0], usages[-1]
    width = len(first.kl)
    text = (
        f"At β={betas[0]:g}, {first.n_active} of {width} dimensions are active ({first.total_kl:.1f} nats of KL); "
        f"at β={betas[-1]:g}, {last.n_active} ({last.total_kl:.1f} nats)."
    )
    if last.n_active < first.n_active:
        text += " A heavier KL weight switches dimensions off entirely rather than shrinking all of them a little."
    return text


def traversal_note(steps: int, extent: float) -> str:
    return (
        f"Each row moves one dimension through {steps} values from −{extent:g} to +{extent:g} units while every "
        "other dimension stays put. A row that does not change is a dimension the decoder ignores."
    )


def hole_note(masses: dict[str, float]) -> str:
    """The share of the prior's draws that land in holes, per model."""
    parts = [f"{share:.0%} for the {kind}" for kind, share in masses.items()]
    return (
        f"Share of N(0, I)'s draws that land in a hole, where the codes are less than {HOLE_RATIO:g} times as dense "
        f"as the prior: {', '.join(parts)}. A sample drawn there decodes from a code no image was encoded near."
    )


def marginal_note(spreads: dict[str, tuple[float, float]]) -> str:
    """The smallest and largest standard deviation of the codes across dimensions, per model, against N(0, 1)'s 1."""
    parts = [f"the {kind}'s from {low:.2f} to {high:.2f}" for kind, (low, high) in spreads.items()]
    return (
        f"Standard deviations of the codes per dimension (N(0, 1) has 1): {'; '.join(parts)}. Where the codes are "
        "narrower than 1, many prior draws land beyond them; where wider, prior draws reach only their middle."
    )


def pca_note(size: int, errors: dict[str, float]) -> str:
    """The three models' held-out squared errors at the selected latent size, and which is lowest."""
    best = min(errors, key=errors.__getitem__)
    parts = ", ".join(f"{kind} {value:.1f}" for kind, value in errors.items())
    return (
        f"At latent size {size}, squared error per held-out image: {parts}; lowest: {best}. PCA is the best any "
        "linear code of that size can do on its training images; a nonlinear AE may beat it, and a VAE trades "
        "some of its reconstruction for a code distribution it can sample from."
    )


def size_curve_caption(shipped_sizes: Sequence[int], curve: SizeCurve | None) -> str:
    """Which points of the error-by-size chart are shipped models and which small MLPs trained for the chart."""
    sizes = " and ".join(map(str, shipped_sizes)) or "no size"
    text = (
        f"Big markers: the shipped AE and VAE (latent {sizes}, their full training recipe), scored like PCA on "
        "the held-out images of the evaluation sample."
    )
    if curve is None:
        return text + " No size curve is stored for this dataset, so the other sizes have no AE or VAE."
    return text + (
        f" Dashed lines: small MLP AEs and VAEs (one 256-unit hidden layer, {curve.epochs} epochs on the first "
        f"{curve.n_train:,} images of the training split), trained at every size for this chart only and scored on "
        f"all {curve.n_val:,} validation images; one recipe at every size, so the lines' shape compares sizes "
        "fairly, while the big markers show what longer training buys."
    )
