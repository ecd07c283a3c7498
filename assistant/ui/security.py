"""The screen's guard, in front of every route (DESIGN.md "The therapist's screen"):

- the screen has a name of its own for each run, `<random>.localhost` (browsers take every name
  under `localhost` to be this computer, without asking DNS), and its URL is
  `http://<random>.localhost:PORT/?token=…`. Browsers do not keep cookies apart by port: a cookie
  of 127.0.0.1 or localhost would go with every request to any other server on this computer.
  The cookie of this name is host-only (no Domain attribute), so it is never sent to any other
  server, which is reached as 127.0.0.1 or localhost (and does not know the random name);
- the Host header must be that name, 127.0.0.1 or localhost, with the port (no DNS rebinding),
  else 403;
- a request needs the access token: in the URL (`?token=…`: on the screen's own name it sets an
  HttpOnly, SameSite=Strict cookie and redirects to the same path without the token, so it
  leaves the address bar and the history; on 127.0.0.1 or localhost it sets no cookie and
  redirects to the screen's own name first) or in that cookie; else 403;
- a state-changing request is a POST with the CSRF token (embedded in each page) in the
  X-CSRF-Token header, and a matching Origin when the browser sends one; else 403. Other methods
  than GET, HEAD and POST get 405;
- no CORS headers ever; pages are not cached, framed or sniffed, and scripts come only from
  the screen itself (Content-Security-Policy);
- an unexpected failure answers 500 with one Dutch line and is not logged (a traceback could
  hold patient data).
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass, field
from typing import Final

from starlette.datastructures import QueryParams
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_PARAM: Final = "token"
CSRF_HEADER: Final = "x-csrf-token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD"})
# what a path may hold as it is (RFC 3986 unreserved, sub-delims, ':', '@', '/'); else %XX
PATH_SAFE: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                             "-._~!$&'()*+,;=:@/")
HEADERS: Final = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
)


@dataclass(frozen=True)
class Secrets:
    """The access token (in the printed URL and the cookie), the CSRF token (in the page), both
    256-bit random, and the screen's host name (128-bit random, under `localhost`); new at
    every start."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    name: str = field(default_factory=lambda: f"{secrets.token_hex(16)}.localhost")

    @property
    def cookie(self) -> str:
        """The cookie's name: one per port, so two screens on one machine do not clash."""
        return f"nekpijn_ui_{self.port}"

    @property
    def host(self) -> str:
        """The screen's own host (and port): the only one its cookie is set for."""
        return f"{self.name}:{self.port}"

    @property
    def loopback(self) -> frozenset[str]:
        """The shared names of this computer: served, but never given the cookie."""
        return frozenset({f"127.0.0.1:{self.port}", f"localhost:{self.port}"})

    @property
    def hosts(self) -> frozenset[str]:
        return self.loopback | {self.host}

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.hosts)

    def url(self, path: str = "/") -> str:
        """The URL to open, with the access token."""
        return f"http://{self.host}{path}?{TOKEN_PARAM}={self.token}"


def local_path(path: str) -> str:
    """`path` as a safe Location on this server: percent-encoded (no byte outside printable
    ASCII, no CR or LF, no backslash), and one leading slash only, so it can never name a scheme
    or another host ('//evil.example' becomes '/evil.example')."""
    encoded = "".join(chr(byte) if chr(byte) in PATH_SAFE else f"%{byte:02X}"
                      for byte in path.encode("utf-8", "replace"))
    return "/" + encoded.lstrip("/")


def _same(given: str | None, expected: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


class Guard:
    """ASGI middleware applying the rules above to every HTTP request (and refusing any
    websocket)."""

    def __init__(self, app: ASGIApp, keys: Secrets) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await _close_websocket(send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope["headers"]}
        host = headers.get("host")
        if host not in self.keys.hosts:
            await _plain(send, 403, "Geweigerd: onbekend adres.")
            return
        query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
        given = query.getlist(TOKEN_PARAM)
        if given:
            if len(given) == 1 and _same(given[0], self.keys.token):
                rest = str(QueryParams([(k, v) for k, v in query.multi_items()
                                        if k != TOKEN_PARAM]))
                if host != self.keys.host:  # a name other servers share: no cookie for it
                    query_string = str(QueryParams([*QueryParams(rest).multi_items(),
                                                    (TOKEN_PARAM, self.keys.token)]))
                    await _redirect(send, f"http://{self.keys.host}{local_path(scope['path'])}"
                                          f"?{query_string}")
                    return
                await self._enter(send, local_path(scope["path"]) + (f"?{rest}" if rest else ""),
                                  cross_site=headers.get("sec-fetch-site") == "cross-site")
            else:
                await _plain(send, 403, "Geweigerd: onjuiste toegangscode. Open de assistent "
                                        "via de link die bij het starten is getoond.")
            return
        cookies = cookie_parser(headers.get("cookie", ""))
        if not _same(cookies.get(self.keys.cookie), self.keys.token):
            await _plain(send, 403, "Geweigerd: open de assistent via de link die bij het "
                                    "starten is getoond.")
            return
        method = scope["method"]
        if method not in SAFE_METHODS:
            if method != "POST":
                await _plain(send, 405, "Niet toegestaan.")
                return
            origin = headers.get("origin")
            if origin is not None and origin not in self.keys.origins:
                await _plain(send, 403, "Geweigerd: verzoek van een andere site.")
                return
            if not _same(headers.get(CSRF_HEADER), self.keys.csrf):
                await _plain(send, 403, "Geweigerd: het formulier is verlopen; laad de pagina "
                                        "opnieuw.")
                return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await _with_headers(send)(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:  # a bug: one Dutch line to the page, no traceback in any log
            if not started:
                await _plain(send, 500, "Er ging iets mis op het scherm; probeer het opnieuw.")

    async def _enter(self, send: Send, location: str, *, cross_site: bool = False) -> None:
        """The token was right: set the cookie and send the browser to the same path without
        the token. Opened from another site (the private launcher file of `assistant ui` is a
        file:// page), a redirect would not carry the SameSite=Strict cookie on: then a page
        of our own sets it and moves on (meta refresh: no script), from this site."""
        cookie = (f"{self.keys.cookie}={self.keys.token}; Path=/; HttpOnly; SameSite=Strict")
        common = [(b"set-cookie", cookie.encode("latin-1")), *HEADERS]
        if not cross_site:
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", location.encode("latin-1")),
                                    (b"content-length", b"0"), *common]})
            await send({"type": "http.response.body", "body": b""})
            return
        target = html.escape(location, quote=True)
        body = (f'<!doctype html><html lang="nl"><head><meta charset="utf-8">'
                f'<meta http-equiv="refresh" content="0;url={target}">'
                f"<title>Nekpijn-assistent</title></head><body>"
                f'<p><a href="{target}">Verder naar de Nekpijn-assistent</a></p></body></html>'
                ).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()), *common]})
        await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode("latin-1")),
                            (b"content-length", b"0"), *HEADERS]})
    await send({"type": "http.response.body", "body": b""})


def _with_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            existing = {k.lower() for k, _ in message.get("headers", [])}
            extra = [(k, v) for k, v in HEADERS if k not in existing]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)
    return sending


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


async def _close_websocket(send: Send) -> None:
    await send({"type": "websocket.close", "code": 1008})
