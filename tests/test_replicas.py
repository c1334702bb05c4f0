"""Replicas for real: Debian's nginx, with the shipped docs/deploy/nginx.conf (ports swapped), in front of two
dashboard replicas on loopback. Visitors from several loopback addresses (one /24, as a classroom behind one NAT
looks to ip_hash) spread over both replicas; one replica is killed; its visitors reconnect, as the browser's
frontend does, to the other, get their view back and a message; the other replica's visitors notice nothing; and
nginx answers no request with an error. Visitors speak Streamlit's protocol (dashboard/protocol_client.py)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import time
import urllib.parse
from contextlib import ExitStack
from pathlib import Path

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState

from dashboard import replica
from dashboard.live_server import dashboard_server
from dashboard.protocol_client import Visitor
from dashboard.replica_proxy import NGINX, nginx_in_front, route_cookie

pytestmark = [
    pytest.mark.replicas,
    pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason="nginx is installed by `make system-packages`"),
]
ADDRESSES = [f"127.0.0.{n}" for n in (11, 12, 13, 14)]
VISITORS_PER_ADDRESS = 4


def server_of(visitor: Visitor) -> str:
    return urllib.parse.parse_qs(visitor.query)[replica.SERVER_PARAM][0]


async def server_id(url: str) -> str:
    visitor = Visitor(url, 0)
    await visitor.open("training-curves")
    await visitor.close()
    return server_of(visitor)


def widget(visitor: Visitor, key: str) -> str:
    return next(i for i in visitor.last.widgets if i.endswith(f"-{key}"))


def seed_state(visitor: Visitor, seed: int) -> WidgetState:
    return WidgetState(id=widget(visitor, "sampling_seed"), int_value=seed)


FASHION = "fashion-mnist · latent 2"  # not the default group: a view to lose


def shows_seed(visitor: Visitor, seed: int) -> bool:
    return any(caption.endswith(f"seed {seed}") for caption in visitor.last.captions)


async def scenario(proxy: str, replicas: dict[str, int], access_log: Path) -> None:
    visitors = []
    for index in range(len(ADDRESSES) * VISITORS_PER_ADDRESS):
        address = ADDRESSES[index // VISITORS_PER_ADDRESS]
        visitor = Visitor(proxy, index, local_address=address, cookie=route_cookie(proxy, address))
        await visitor.open("sampling")
        visitors.append(visitor)
    where = {visitor.name: server_of(visitor) for visitor in visitors}
    assert set(where.values()) == set(replicas), where  # both replicas serve, though every address is 127.0.0.x
    by_address = [{where[v.name] for v in visitors if v.local_address == a} for a in ADDRESSES]
    assert any(len(servers) == 2 for servers in by_address), "one address (a NAT) was lumped onto one replica"

    victim = where[visitors[0].name]
    moving = [v for v in visitors if where[v.name] == victim]
    staying = [v for v in visitors if where[v.name] != victim]
    for number, visitor in enumerate(moving):  # each moving visitor has a view of its own to lose
        await visitor.rerun("sampling", WidgetState(id=widget(visitor, "group"), string_value=FASHION))
        await visitor.rerun("sampling", seed_state(visitor, 40 + number))
        assert shows_seed(visitor, 40 + number) and visitor.last.choices[widget(visitor, "group")] == FASHION
    os.kill(replicas[victim], signal.SIGKILL)

    for number, visitor in enumerate(staying):
        await visitor.rerun("sampling", seed_state(visitor, 70 + number))
        assert shows_seed(visitor, 70 + number) and replica.MOVED not in visitor.toasts, visitor.name
    for number, visitor in enumerate(moving):
        await visitor.reconnect()
        assert server_of(visitor) != victim, visitor.name
        assert replica.MOVED in visitor.toasts, visitor.name  # told what happened ...
        assert visitor.last.choices[widget(visitor, "group")] == FASHION, visitor.name  # ... and its view is back
        assert shows_seed(visitor, 40 + number), (visitor.name, visitor.last.captions)
        await visitor.rerun("sampling", seed_state(visitor, 90 + number))  # and it goes on working there
        assert shows_seed(visitor, 90 + number)
    for visitor in visitors:
        await visitor.close()

    statuses = [int(line.split('"')[2].split()[0]) for line in access_log.read_text().splitlines()]
    assert statuses and all(status < 500 for status in statuses), [s for s in statuses if s >= 500]


def test_one_replica_dies_and_its_visitors_carry_on_on_the_other(tmp_path: Path) -> None:
    started = time.monotonic()
    secret = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(16)}  # shared, as the deploy notes say
    cache = tmp_path / "cache"
    cache.mkdir()
    with ExitStack() as stack:
        lives = [
            stack.enter_context(dashboard_server(cache, log_path=tmp_path / f"replica-{n}.log", env=secret))
            for n in range(2)
        ]
        ids = {asyncio.run(server_id(live.url)): live.pid for live in lives}
        proxy, access_log = stack.enter_context(nginx_in_front(tmp_path, [live.url for live in lives]))
        asyncio.run(scenario(proxy, ids, access_log))
    print(f"replica scenario took {time.monotonic() - started:.0f} s")
