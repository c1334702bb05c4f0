"""The load tests' timing hook reads Streamlit internals: on a Streamlit where they moved it says so plainly."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.app_session import AppSession

from dashboard.rerun_timing import (
    UnsupportedStreamlit,
    held_sessions,
    install,
    log_dropped_clients,
    missing_internals,
    read_log,
)


def test_the_pinned_streamlit_has_what_the_hook_patches() -> None:
    assert missing_internals() == []


def test_a_moved_session_method_is_reported_as_an_unsupported_version(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delattr(AppSession, "handle_backmsg")
    untouched = AppSession._enqueue_forward_msg
    with pytest.raises(UnsupportedStreamlit, match=r"unsupported Streamlit version .*AppSession\.handle_backmsg"):
        install(tmp_path / "reruns.log")
    assert AppSession._enqueue_forward_msg is untouched, "nothing is patched when anything is missing"
    logged = read_log(tmp_path / "reruns.log", started=0.0)
    assert len(logged.unsupported) == 1 and "AppSession.handle_backmsg" in logged.unsupported[0]
    assert logged.reruns == [] and logged.held == []


def test_a_runtime_without_its_session_manager_is_reported_not_a_traceback() -> None:
    with pytest.raises(UnsupportedStreamlit, match=r"unsupported Streamlit version .*Runtime\._session_mgr"):
        held_sessions(SimpleNamespace())
    assert held_sessions(SimpleNamespace(_session_mgr=SimpleNamespace(list_sessions=lambda: ["a", "b"]))) == 2


def test_the_log_gives_each_rerun_its_wait_and_run_time(tmp_path: Path) -> None:
    log = tmp_path / "reruns.log"
    log.write_text("10.0 rerun s1\n10.5 started s1\n10.7 finished s1\n11.0 held 3\n11.2 finished s2\n")
    logged = read_log(log, started=10.0)
    assert [(round(r.waited_ms), round(r.ran_ms), r.session) for r in logged.reruns] == [(500, 200, "s1")]
    assert logged.held == [(1.0, 3)] and logged.unsupported == []


def test_the_hook_logs_each_browser_the_server_gives_up_on_and_why(tmp_path: Path, monkeypatch) -> None:
    from streamlit.runtime import SessionClientDisconnectedError
    from streamlit.web.server.starlette.starlette_websocket import StarletteSessionClient
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    for owner, name in ((StarletteSessionClient, "write_forward_msg"), (WebSocketsSansIOProtocol, "keepalive_timeout")):
        monkeypatch.setattr(owner, name, getattr(owner, name))  # undone after the test
    logged: list[tuple[str, str]] = []
    log_dropped_clients(lambda event, subject: logged.append((event, subject)))

    full = asyncio.Queue(maxsize=1)
    full.put_nowait(b"a frame the browser never read")
    client = SimpleNamespace(_closed=asyncio.Event(), _send_queue=full)
    with pytest.raises(SessionClientDisconnectedError):  # Streamlit cuts the session off that socket
        StarletteSessionClient.write_forward_msg(client, ForwardMsg())
    WebSocketsSansIOProtocol.keepalive_timeout(SimpleNamespace(pong_timer=None, close_sent=True))
    assert logged == [("dropped", "send-queue-full"), ("dropped", "keepalive-ping-unanswered")]
    log = tmp_path / "reruns.log"
    log.write_text("1.0 dropped send-queue-full\n2.5 dropped keepalive-ping-unanswered\n")
    assert read_log(log, started=0.0).dropped == [(1.0, "send-queue-full"), (2.5, "keepalive-ping-unanswered")]
