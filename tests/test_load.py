"""The load test itself works: real browser sessions act on every page, the server answers every rerun without
an error, and it lets go of every session once the tabs are closed and the TTL has passed (figures: benchmarks)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.async_api")


def test_two_sessions_exercise_every_action_and_are_released() -> None:
    from benchmarks.load_test import Pace, measure

    result = measure(sessions=2, seconds=20, ttl=2, pace=Pace(ramp_s=0.5, think_s=0.2))
    assert result.tally.errors == []
    assert result.tally.warm_at is not None and result.load_ended - result.warm >= 20  # a steady window followed
    actions = {action for _, _, action in result.tally.latencies}
    assert {"select a point", "move an interpolation endpoint", "draw with the next seed"} <= actions, actions
    assert len(result.server_reruns) >= 10 and all(r.ran_ms > 0 for r in result.server_reruns)
    assert max(count for _, count in result.sessions_held) == 2 and result.sessions_left == 0
    assert len(result.memory) >= 20 and all(mib > 50 for _, mib in result.memory)
