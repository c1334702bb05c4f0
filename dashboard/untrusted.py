"""Text that came from a visitor or a file, made safe to show in Markdown elements (st.error, st.caption, ...).

Streamlit renders those as Markdown with GitHub's autolinks, so escaping punctuation is not enough: a bare
`www.example.com` still becomes a link. A code span is shown exactly as typed and nothing inside it is parsed.
"""

from __future__ import annotations

import re

MAX_SHOWN = 300


def literal(text: object, limit: int = MAX_SHOWN) -> str:
    """`text` as one Markdown code span: never a link, image, emphasis, icon or formula; long text is cut."""
    flat = " ".join(str(text).split())  # a code span is one line; newlines would end it
    if len(flat) > limit:
        flat = flat[:limit] + "…"
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", flat)), default=0))
    return f"{fence} {flat} {fence}"  # one space each side is stripped again, so a leading backtick stays text
