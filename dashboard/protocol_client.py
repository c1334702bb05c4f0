"""A Streamlit client at the protocol level, for the load and replica tests: it speaks Streamlit's own messages
(BackMsg out, ForwardMsg in) over the websocket as the browser's frontend does, but renders nothing, so that
many sessions fit on one machine. Used by benchmarks/protocol_load.py and tests/test_replicas.py."""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
from dataclasses import dataclass, field

import numpy as np
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from dashboard.page_list import PAGE

RERUN_TIMEOUT_S = 60.0


class ProtocolError(RuntimeError):
    """What a visitor would have seen as a broken page: an exception, a closed socket, no answer."""


@dataclass
class Run:
    """What one script run sent: the widgets it drew (id -> element proto) and how it ended."""

    widgets: dict[str, object] = field(default_factory=dict)
    charts: dict[str, list[int]] = field(default_factory=dict)  # selectable chart id -> sample rows it plots
    captions: list[str] = field(default_factory=list)  # of the pictures it showed
    choices: dict[str, str] = field(default_factory=dict)  # selectbox id -> the option it shows
    fragments: dict[str, str] = field(default_factory=dict)  # id of a widget drawn in a fragment -> that fragment
    status: int | None = None

    def after(self, fragment_run: Run) -> Run:
        """The page after a fragment's rerun: the fragment's elements replaced, the rest of the page as it was."""
        return Run(
            widgets=self.widgets | fragment_run.widgets, charts=self.charts | fragment_run.charts,
            captions=fragment_run.captions, choices=self.choices | fragment_run.choices,
            fragments=self.fragments | fragment_run.fragments, status=fragment_run.status,
        )  # fmt: skip


def _rows_of(spec: str) -> list[int]:
    """The sample rows a latent scatter plots (its customdata), decoding Plotly's typed arrays."""
    rows: list[int] = []
    for trace in json.loads(spec).get("data", []):
        data = trace.get("customdata")
        if isinstance(data, dict) and "bdata" in data:
            data = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).reshape(-1).tolist()
        if isinstance(data, list):  # other charts carry names here (training curves): not sample rows
            values = [v[0] if isinstance(v, list) and v else v for v in data]
            rows += [int(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return rows


class Visitor:
    """One browser tab, minus the rendering: a websocket and the state the frontend would keep."""

    def __init__(self, url: str, index: int, local_address: str | None = None, cookie: str = "") -> None:
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.name, self.rng = f"session {index}", random.Random(index)
        self.local_address, self.cookie = local_address, cookie  # where it connects from, what a browser sends
        self.pages: dict[str, str] = {}  # url path -> page script hash (from the navigation message)
        self.states: dict[str, WidgetState] = {}  # widget id -> the state this visitor has set
        self.query = ""
        self.page = ""
        self.session_id = ""
        self.socket = None
        self.last = Run()
        self.toasts: list[str] = []

    async def _connect(self) -> None:
        # the frontend's subprotocols: "streamlit", an XSRF token (checked only with an Origin header), and the
        # session it had, which a server that still holds it resumes
        protocols = ["streamlit", "-", self.session_id] if self.session_id else ["streamlit"]
        self.socket = await websockets.connect(
            self.ws_url,
            subprotocols=protocols,
            additional_headers={"Cookie": self.cookie} if self.cookie else None,
            local_addr=(self.local_address, 0) if self.local_address else None,
            max_size=None,
        )

    async def open(self, page: str) -> float:
        await self._connect()
        return await self.rerun(page_name=page)

    async def reconnect(self) -> float:
        """What the frontend does when its websocket drops: connect again and rerun the page it shows, with its
        widget states and the address bar's query string."""
        await self.close()
        await self._connect()
        return await self.rerun(self.page)

    async def rerun(self, page_name: str = "", change: WidgetState | None = None) -> float:
        """Send a rerun request and read until its script_finished; the latency in ms. A change of a widget drawn
        inside a fragment (st.fragment) reruns only that fragment, as the frontend asks."""
        fragment = self.last.fragments.get(change.id, "") if change is not None and page_name == self.page else ""
        if change is not None:
            self.states[change.id] = change
        self.page = page_name
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query
        if page_name in self.pages:
            state.page_script_hash = self.pages[page_name]
        else:
            state.page_name = page_name
        state.widget_states.widgets.extend(s for i, s in self.states.items() if i in self.last.widgets)
        state.fragment_id = fragment
        sent = time.perf_counter()
        await self.socket.send(back.SerializeToString())
        run = await asyncio.wait_for(self._read_run(), RERUN_TIMEOUT_S)
        self.last = self.last.after(run) if fragment else run
        return (time.perf_counter() - sent) * 1000

    async def _read_run(self) -> Run:
        run = Run()
        while True:
            try:
                message = ForwardMsg.FromString(await self.socket.recv())
            except websockets.ConnectionClosed as closed:
                raise ProtocolError(f"the server closed the websocket ({closed})") from None
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.session_id = message.new_session.initialize.session_id
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in message.navigation.app_pages}
            elif kind == "page_info_changed":
                self.query = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                which = element.WhichOneof("type")
                inner = getattr(element, which)
                if which == "exception":
                    raise ProtocolError(f"exception shown: {inner.message}")
                if which == "toast":
                    self.toasts.append(inner.body)
                run.captions += [image.caption for image in inner.imgs] if which == "imgs" else []
                if which == "selectbox":
                    run.choices[inner.id] = inner.raw_value if inner.set_value else inner.options[inner.default]
                widget_id = getattr(inner, "id", "") if which != "imgs" else ""
                if widget_id:
                    run.widgets[widget_id] = inner
                    if message.delta.fragment_id:
                        run.fragments[widget_id] = message.delta.fragment_id
                    if which == "plotly_chart":
                        run.charts[widget_id] = _rows_of(inner.spec)
            elif kind == "script_finished":
                run.status = message.script_finished
                return run

    def _select_point(self) -> WidgetState:
        chart = self.rng.choice(sorted(c for c, rows in self.last.charts.items() if rows))
        row = self.rng.choice(self.last.charts[chart])
        point = {"curve_number": 0, "point_number": 0, "point_index": 0, "customdata": [row]}
        event = {"selection": {"points": [point], "point_indices": [0], "box": [], "lasso": []}}
        return WidgetState(id=chart, string_value=json.dumps(event))  # as the frontend sends it (not json_value)

    def _next_seed(self) -> WidgetState:
        seed = next(i for i in self.last.widgets if i.endswith("-sampling_seed"))
        previous = self.states.get(seed)
        value = previous.int_value if previous is not None else int(self.last.widgets[seed].default)
        return WidgetState(id=seed, int_value=value + 1)

    def action_on(self, page: str) -> tuple[str, WidgetState]:
        if page == PAGE["sampling"].url_path:
            return "draw with the next seed", self._next_seed()
        return (
            "select a point" if page == PAGE["latent_map"].url_path else "move an interpolation endpoint"
        ), self._select_point()

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
