"""The protocol-level load generator works: websocket clients tour every page and act on it without a browser,
and the server answers every rerun without an error (figures: benchmarks/protocol_load.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from dashboard.page_list import PAGE
from dashboard.protocol_client import Visitor
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


class _Socket:
    """A server that answers every rerun request with the given messages."""

    def __init__(self, answers: list[list[bytes]]) -> None:
        self.answers, self.sent, self.pending = answers, [], []

    async def send(self, data: bytes) -> None:
        self.sent.append(BackMsg.FromString(data))
        self.pending = list(self.answers.pop(0))

    async def recv(self) -> bytes:
        return self.pending.pop(0)


def _chart(widget_id: str, fragment: str) -> bytes:
    message = ForwardMsg()
    message.delta.fragment_id = fragment
    message.delta.new_element.plotly_chart.id = widget_id
    message.delta.new_element.plotly_chart.spec = json.dumps({"data": [{"customdata": [4, 9]}]})
    return message.SerializeToString()


def _finished() -> bytes:
    message = ForwardMsg()
    message.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    return message.SerializeToString()


def test_a_selection_on_a_chart_in_a_fragment_reruns_only_that_fragment() -> None:
    """As the frontend does: a widget drawn inside st.fragment (the latent map's charts) asks for a rerun of its
    fragment, and the rest of the page (its widgets, sent back with every request) stays as it was."""
    page = PAGE["latent_map"].url_path
    first = [_chart("in-fragment", "f1"), _chart("on-page", ""), _finished()]
    socket = _Socket([first, [_chart("in-fragment", "f1"), _finished()], [_finished()]])
    visitor = Visitor("http://127.0.0.1:1", 0)
    visitor.socket = socket

    async def tour() -> None:
        await visitor.rerun(page)
        await visitor.rerun(page, WidgetState(id="in-fragment", string_value="{}"))
        await visitor.rerun(page, WidgetState(id="on-page", string_value="{}"))

    asyncio.run(tour())
    assert [m.rerun_script.fragment_id for m in socket.sent] == ["", "f1", ""]
    assert {s.id for s in socket.sent[2].rerun_script.widget_states.widgets} == {"in-fragment", "on-page"}
