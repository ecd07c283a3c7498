"""An httpx transport for tests that talk to the screen over a real socket: it sends every
request for a name under `localhost` to 127.0.0.1 (the same port) and keeps the Host header, as
a browser does for the screen's own name (`<random>.localhost`, security.py). The system's
resolver need not know such names; cookies are kept for the name, as in a browser."""

from __future__ import annotations

from typing import Any

import httpx


class Loopback(httpx.HTTPTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.host.endswith(".localhost"):
            return super().handle_request(request)
        # a copy: the client keeps the cookies by the request's own URL, the screen's name
        local = httpx.Request(request.method, request.url.copy_with(host="127.0.0.1"),
                              headers=request.headers, stream=request.stream,
                              extensions=request.extensions)
        return super().handle_request(local)


def client(**options: Any) -> httpx.Client:
    """An httpx.Client (as httpx.Client(**options)) that reaches the screen by its name."""
    return httpx.Client(transport=Loopback(), **options)
