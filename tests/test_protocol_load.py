"""The protocol-level load generator works: websocket clients tour every page and act on it without a browser,
and the server answers every rerun without an error (figures: benchmarks/protocol_load.py)."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_protocol_sessions_tour_every_page_without_a_browser() -> None:
    from benchmarks.protocol_load import measure, report

    result = measure(sessions=2, seconds=5, think=0.2, ramp=0.1)
    assert result.tally.errors == [] and result.tally.warm_at is not None
    actions = {action for _, _, action in result.tally.latencies}
    assert {"select a point", "move an interpolation endpoint", "draw with the next seed"} <= actions, actions
    assert len(result.reruns) >= 14 and all(r.ran_ms > 0 for r in result.reruns)  # every action reran in the server
    assert len(result.memory) >= 5
    report(result)  # prints the figures (whether the targets hold depends on the machine, not asserted)
