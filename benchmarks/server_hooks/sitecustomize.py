"""Put on the dashboard server's PYTHONPATH by benchmarks/load_test.py, never by `make run`.

Logs, per Streamlit session, when a rerun request arrives and when its script finishes, and every second how
many sessions the server still holds (connected, or disconnected but within server.disconnectedSessionTTL).
Latency is then measured inside the server, not in a headless browser busy drawing WebGL.
"""

from __future__ import annotations

import os
import threading
import time


def _install(log_path: str) -> None:
    from streamlit.runtime import Runtime
    from streamlit.runtime.app_session import AppSession

    lock, log = threading.Lock(), open(log_path, "a", buffering=1)  # noqa: SIM115 - open as long as the server
    original = {name: getattr(AppSession, name) for name in ("handle_backmsg", "_enqueue_forward_msg")}

    def write(event: str, session: str) -> None:
        with lock:
            log.write(f"{time.monotonic():.6f} {event} {session}\n")

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
        write("held", str(len(runtime._session_mgr.list_sessions())))

    def count_held_sessions() -> None:
        # the session manager is not thread-safe (counting from this thread once died mid-run on a dict changing
        # size), so the count is made on the server's own event loop
        while True:
            time.sleep(1.0)
            runtime = Runtime.instance() if Runtime.exists() else None
            if runtime is not None and runtime._async_objs is not None:
                runtime._async_objs.eventloop.call_soon_threadsafe(write_held, runtime)

    for function in (handle_backmsg, _enqueue_forward_msg):
        setattr(AppSession, function.__name__, function)
    threading.Thread(target=count_held_sessions, name="held-sessions", daemon=True).start()


if os.environ.get("AE_RERUN_LOG"):
    _install(os.environ["AE_RERUN_LOG"])
