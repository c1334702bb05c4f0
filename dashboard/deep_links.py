"""Deep links such as /latent-map without 404s: the page tells Streamlit's frontend where the app's root is.

Opened at /latent-map, the frontend cannot tell a page from a base path, so it first probes
/latent-map/_stcore/health and /latent-map/_stcore/host-config (two 404s in the console) before it tries the
root. `serve` wraps Streamlit's web app in `DeepLinkBase`, which adds one inline script to the HTML page: it drops
a known page name from the address and sets `window.__streamlit.BACKEND_BASE_URL`, the setting the frontend
reads before it guesses. Behind a proxy under a path prefix the prefix is kept, because only a page name is
dropped.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_SCRIPT = """<script>(function () {{
  var pages = {pages}, path = window.location.pathname.replace(/\\/+$/, "");
  var last = path.slice(path.lastIndexOf("/") + 1);
  if (pages.indexOf(last) >= 0) path = path.slice(0, path.length - last.length - 1);
  var base = {{BACKEND_BASE_URL: window.location.origin + path + "/"}};
  window.__streamlit = Object.assign({{}}, window.__streamlit, base);
}})();</script>"""


def base_url_script(page_paths: Iterable[str]) -> bytes:
    return _SCRIPT.format(pages=json.dumps(sorted(p for p in page_paths if p))).encode()


class DeepLinkBase:
    """ASGI middleware: the base-URL script goes into every HTML page the app serves, right after <head>."""

    def __init__(self, app: ASGIApp, page_paths: Iterable[str]) -> None:
        self.app = app
        self.script = base_url_script(page_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = b""

        async def send_with_script(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start" and _is_html(message):
                start = message  # held back until the whole body is in: its length changes
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body"):
                return
            body = body.replace(b"<head>", b"<head>" + self.script, 1)
            start["headers"] = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            start["headers"].append((b"content-length", str(len(body)).encode()))
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_with_script)


def _is_html(message: Message) -> bool:
    headers = dict((k.lower(), v) for k, v in message.get("headers", []))
    return headers.get(b"content-type", b"").startswith(b"text/html") and b"content-encoding" not in headers
