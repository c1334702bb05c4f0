""" "What to notice" under each chart: sentences worded from the numbers on screen, short enough to read aloud.

Pure functions from numbers to text (tested without Streamlit), plus `notice` to show one under a chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st


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


def share(count: int, total: int) -> str:
    return f"{count} of {total}"


def prior_draws_note(outside: dict[str, int], total: int) -> str:
    """How many of the same prior draws land outside each model's codes, and what that means for its samples."""
    parts = [f"{share(n, total)} draws land outside the {kind}'s codes" for kind, n in outside.items()]
    text = "; ".join(parts) + "."
    ae, vae = outside.get("AE"), outside.get("VAE")
    if ae is not None and vae is not None:
        if ae > vae + total // 8:
            text += " The AE's decoder never learned what to draw there."
        elif ae <= total // 8:
            text += (
                " By this count the AE is no worse off here: its codes happen to cover the prior's region, luck of "
                "its training run rather than anything its loss asked for."
            )
    return text + " Outside means farther from every image's code than 99% of codes are from their nearest one."


def fitted_note(fitted_outside: int, prior_outside: int, total: int) -> str:
    """The AE's fitted-Gaussian draws against its plain prior draws, by the same outside test."""
    verdict = "fewer" if fitted_outside < prior_outside else "more" if fitted_outside > prior_outside else "as many"
    text = f"{share(fitted_outside, total)} fitted draws land outside the AE's codes, {verdict} than the "
    text += f"{prior_outside} of the N(0, I) draws."
    if fitted_outside:
        text += " One Gaussian still spills into the gaps between the AE's clusters."
    return text
