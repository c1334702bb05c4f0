"""The protocol-level load generator works: websocket clients tour every page and act on it without a browser,
and the server answers every rerun without an error (figures: benchmarks/protocol_load.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.replica_proxy import NGINX

from .conftest import REPO_ROOT


@pytest.mark.slow
@pytest.mark.parametrize(
    "replicas",
    [
        1,
        pytest.param(
            2,
            marks=[
                pytest.mark.scenario,
                pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason="needs nginx (apt)"),
            ],
        ),
    ],
)
def test_protocol_sessions_tour_every_page_without_a_browser(tmp_path: Path, replicas: int) -> None:
    """Also with two replicas behind the shipped nginx config: each visitor gets its route cookie first."""
    figures = tmp_path / "figures.json"
    command = [sys.executable, "-m", "benchmarks.protocol_load", "--sessions", "2", "--seconds", "5"]
    command += ["--think", "0.2", "--ramp", "0.1", "--json", str(figures), "--replicas", str(replicas)]
    run = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert figures.exists(), run.stderr[-2000:]
    result = json.loads(figures.read_text())  # the exit status judges the speed targets: machine-dependent
    assert result["errors"] == [] and result["warm_at"] is not None
    actions = set(result["actions"])
    assert {"select a point", "move an interpolation endpoint", "draw with the next seed"} <= actions, actions
    assert result["server_reruns"] >= 14 and result["shortest_server_script_ms"] > 0  # every action reran
    assert result["memory_samples"] >= 5
