"""Rerun timing inside a live server, for the load tests: when each rerun request arrives and its script ends, and
how many sessions the server holds each second, written to a log the load test reads afterwards.

It patches two Streamlit internals (AppSession.handle_backmsg and _enqueue_forward_msg) and reads a third
(Runtime._session_mgr). They are not public API: on a Streamlit where they have moved the hook refuses with an
"unsupported Streamlit version" line in the log (and an UnsupportedStreamlit error), and the load test reports
that instead of a traceback, measuring only what it can from outside (browser timings, process memory).
It also logs each browser the server gives up on and why (a full send queue, keepalive pings unanswered), by
wrapping StarletteSessionClient.write_forward_msg and uvicorn's keepalive_timeout where they exist.
Installed by benchmarks/server_hooks/sitecustomize.py; `make run` never loads it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PATCHED = ("handle_backmsg", "_enqueue_forward_msg")  # methods of streamlit.runtime.app_session.AppSession


class UnsupportedStreamlit(RuntimeError):
    """The Streamlit internals the timing hook needs are not where this code expects them."""

    def __init__(self, missing: list[str]) -> None:
        import streamlit

        super().__init__(
            f"unsupported Streamlit version {streamlit.__version__}: the rerun timing hook needs "
            f"{', '.join(missing)} (tested with 1.67.0); server-side latency and held sessions are not measured"
        )


def missing_internals() -> list[str]:
    """The patched AppSession methods this Streamlit lacks (empty when the hook can be installed)."""
    from streamlit.runtime.app_session import AppSession

    return [f"AppSession.{name}" for name in PATCHED if not callable(getattr(AppSession, name, None))]


def held_sessions(runtime: Any) -> int:
    """Sessions the server holds, connected or within server.disconnectedSessionTTL."""
    manager = getattr(runtime, "_session_mgr", None)
    if manager is None or not callable(getattr(manager, "list_sessions", None)):
        raise UnsupportedStreamlit(["Runtime._session_mgr.list_sessions"])
    return len(manager.list_sessions())


def install(log_path: str | Path) -> None:
    """Patch the running server's AppSession to log rerun requests, script starts and ends, and count held
    sessions every second; on an unsupported Streamlit, log why and raise UnsupportedStreamlit."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.app_session import AppSession

    lock, log = threading.Lock(), open(log_path, "a", buffering=1)  # noqa: SIM115 - open as long as the server

    def write(event: str, subject: str) -> None:
        with lock:
            log.write(f"{time.monotonic():.6f} {event} {subject}\n")

    missing = missing_internals()
    if missing:
        error = UnsupportedStreamlit(missing)
        write("unsupported", str(error).replace("\n", " "))
        raise error
    original = {name: getattr(AppSession, name) for name in PATCHED}

    def handle_backmsg(self, msg) -> None:
        if msg.WhichOneof("type") == "rerun_script":
            write("rerun", self.id)
        original["handle_backmsg"](self, msg)

    def _enqueue_forward_msg(self, msg) -> None:
        kind = msg.WhichOneof("type")
        if kind in ("new_session", "script_finished"):
            write("started" if kind == "new_session" else "finished", self.id)
        original["_enqueue_forward_msg"](self, msg)

    def write_held(runtime: Runtime) -> None:
        try:
            write("held", str(held_sessions(runtime)))
        except UnsupportedStreamlit as error:
            write("unsupported", str(error))

    def count_held_sessions() -> None:
        # the session manager is not thread-safe (counting from this thread once died mid-run on a dict changing
        # size), so the count is made on the server's own event loop
        while True:
            time.sleep(1.0)
            runtime = Runtime.instance() if Runtime.exists() else None
            loop = getattr(getattr(runtime, "_async_objs", None), "eventloop", None)
            if loop is None:
                continue
            try:
                loop.call_soon_threadsafe(write_held, runtime)
            except RuntimeError:  # the event loop has closed: the server is shutting down
                return

    for function in (handle_backmsg, _enqueue_forward_msg):
        setattr(AppSession, function.__name__, function)
    threading.Thread(target=count_held_sessions, name="held-sessions", daemon=True).start()
    log_dropped_clients(write)


def log_dropped_clients(write) -> None:
    """Log each browser the server gives up on, and why: its send queue full (the browser read nothing while 500
    messages waited; the session is then cut off from that socket) or its keepalive pings unanswered (uvicorn closes
    the socket). Where these internals have moved, nothing is logged: the load test then sees only the closes."""
    with contextlib.suppress(ImportError, AttributeError):
        from streamlit.web.server.starlette.starlette_websocket import StarletteSessionClient

        write_forward_msg = StarletteSessionClient.write_forward_msg

        def watched_write(self, msg) -> None:
            if not self._closed.is_set() and self._send_queue.full():
                write("dropped", "send-queue-full")
            write_forward_msg(self, msg)

        StarletteSessionClient.write_forward_msg = watched_write
    with contextlib.suppress(ImportError, AttributeError):
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

        keepalive_timeout = WebSocketsSansIOProtocol.keepalive_timeout

        def watched_timeout(self) -> None:
            write("dropped", "keepalive-ping-unanswered")
            keepalive_timeout(self)

        WebSocketsSansIOProtocol.keepalive_timeout = watched_timeout


@dataclass(frozen=True)
class ServerRerun:
    finished: float  # s since the load started
    waited_ms: float  # request -> script started (queued behind other work)
    ran_ms: float  # script started -> finished
    session: str = ""  # the Streamlit session id that asked

    @property
    def total_ms(self) -> float:
        return self.waited_ms + self.ran_ms


@dataclass
class ServerLog:
    """What the hook logged: every rerun answered, sessions held each second, and why it could not measure."""

    reruns: list[ServerRerun] = field(default_factory=list)
    held: list[tuple[float, int]] = field(default_factory=list)  # (s since start, sessions held)
    dropped: list[tuple[float, str]] = field(default_factory=list)  # (s since start, why the server let a browser go)
    unsupported: list[str] = field(default_factory=list)


def read_log(log_path: str | Path, started: float) -> ServerLog:
    """Parse the hook's log, times relative to `started` (time.monotonic() when the load began)."""
    result = ServerLog()
    requested: dict[str, float] = {}
    began: dict[str, float] = {}
    path = Path(log_path)
    for line in path.read_text().splitlines() if path.exists() else []:
        stamp, event, subject = line.split(" ", 2)
        at = float(stamp) - started
        if event == "unsupported":
            result.unsupported.append(subject)
        elif event == "rerun":
            requested[subject] = at
        elif event == "started" and subject in requested:
            began[subject] = at
        elif event == "finished" and subject in requested:
            asked = requested.pop(subject)
            start = max(began.pop(subject, asked), asked)
            result.reruns.append(ServerRerun(at, (start - asked) * 1000, (at - start) * 1000, subject))
        elif event == "held":
            result.held.append((at, int(subject)))
        elif event == "dropped":
            result.dropped.append((at, subject))
    return result
