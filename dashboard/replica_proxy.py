"""Debian's nginx with the shipped docs/deploy/nginx.conf (ports swapped) in front of dashboard replicas on
loopback, for tests/test_replicas.py and the protocol load test's --replicas: the deploy file run for real."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dashboard.live_server import REPO_ROOT, free_port, wait_healthy

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY = REPO_ROOT / "docs" / "deploy" / "nginx.conf"
SHIPPED_PORTS = (8501, 8502)  # the replicas the deploy file names


def site_config(listen_port: int, replica_ports: list[int]) -> str:
    """The shipped site file, listening on a free loopback port in front of these replicas."""
    text = DEPLOY.read_text()
    servers = re.findall(r"^    server 127\.0\.0\.1:\d+(.*);$", text, flags=re.MULTILINE)
    if len(servers) != len(SHIPPED_PORTS) or "listen 80;" not in text:
        raise ValueError(f"{DEPLOY} changed shape: update dashboard/replica_proxy.py")
    for port, shipped in zip(replica_ports, SHIPPED_PORTS, strict=True):
        text = text.replace(f"server 127.0.0.1:{shipped}", f"server 127.0.0.1:{port}")
    return text.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")


@contextmanager
def nginx_in_front(folder: Path, replica_urls: list[str]) -> Iterator[tuple[str, Path]]:
    """nginx in the foreground with its own prefix, pid, logs and temp folders; yields its URL and access log."""
    port = free_port()
    (folder / "site.conf").write_text(site_config(port, [urllib.parse.urlsplit(u).port for u in replica_urls]))
    temps = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers otherwise run as nobody, shut out of tmp_path
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        f"events {{ worker_connections 512; }}\n"
        f"http {{\n    access_log {folder / 'access.log'};\n{temps}\n    include {folder / 'site.conf'};\n}}\n"
    )
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, timeout=30)
        yield url, folder / "access.log"
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def route_cookie(url: str, address: str) -> str:
    """The cookie nginx hands a new browser on its first page load, fetched from that browser's address."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30, source_address=(address, 0))
    connection.request("GET", "/")
    reply = connection.getresponse()
    reply.read()
    connection.close()
    cookie = reply.getheader("Set-Cookie") or ""
    if reply.status != 200 or not cookie.startswith("ae_route="):
        raise RuntimeError(f"nginx answered {reply.status} with cookie {cookie!r}: no route cookie")
    return cookie.split(";")[0]
