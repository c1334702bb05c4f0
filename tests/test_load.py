"""The load test itself works: real browser sessions act on every page, the server answers every rerun without
an error, and it lets go of every session once the tabs are closed and the TTL has passed (figures: benchmarks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.scenario]
pytest.importorskip("playwright.async_api")  # the load test drives Chromium through it


def test_two_sessions_exercise_every_action_and_are_released(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    command = [sys.executable, "-m", "benchmarks.load_test", "--sessions", "2", "--seconds", "20", "--ttl", "2"]
    command += ["--ramp", "0.5", "--think", "0.2", "--json", str(figures)]
    run = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert figures.exists(), f"the load test wrote no figures (exit {run.returncode}):\n{run.stderr[-4000:]}"
    result = json.loads(figures.read_text())  # the exit status also judges the speed targets: not checked here
    assert result["errors"] == []
    assert result["warm_at"] is not None and result["steady_s"] >= 20  # a steady window followed the warm-up
    actions = set(result["actions"])
    assert {"select a point", "move an interpolation endpoint", "draw with the next seed"} <= actions, actions
    assert result["server_reruns"] >= 10 and result["shortest_server_script_ms"] > 0
    assert result["most_sessions_held"] == 2 and result["sessions_left"] == 0
    assert len(result["memory_samples_mib"]) >= 20 and min(result["memory_samples_mib"]) > 50
