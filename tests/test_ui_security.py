"""The screen's guard (DESIGN.md "The therapist's screen"): the access token and its cookie, the
Host header, CSRF and Origin on every POST, no CORS, and no patient data in URLs or logs."""

from __future__ import annotations

import asyncio
import socket
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient on httpx: a deprecation notice
    from starlette.testclient import TestClient

from assistant.protocol import load_protocol
from assistant.ui.app import create_app
from assistant.ui.engine import Engine
from assistant.ui.hub import EventHub
from assistant.ui.records_view import RecordsView
from assistant.ui.security import Secrets
from assistant.ui.server import running

PORT = 8123
PROTOCOL = load_protocol()


@pytest.fixture
def screen(tmp_path: Path) -> Iterator[tuple[TestClient, Secrets, Engine]]:
    keys = Secrets(PORT)
    engine = Engine(PROTOCOL, EventHub(), db=tmp_path / "records.sqlite3")
    app = create_app(engine, RecordsView(PROTOCOL, tmp_path / "records.sqlite3"), keys)
    with TestClient(app, base_url=f"http://{keys.host}") as client:
        yield client, keys, engine
    engine.shutdown()


def _enter(client: TestClient, keys: Secrets) -> None:
    response = client.get(f"/?token={keys.token}", follow_redirects=False)
    assert response.status_code == 303


def test_without_token_everything_is_refused(screen: tuple[TestClient, Secrets, Engine]) -> None:
    client, _, _ = screen
    for path in ("/", "/intake", "/report", "/events", "/api/events", "/static/app.js",
                 "/static/style.css", "/patient/x", "/chart/x.png"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Geweigerd" in response.text
    assert client.post("/api/say", json={"text": "ja"}).status_code == 403


def test_a_bad_token_is_refused(screen: tuple[TestClient, Secrets, Engine]) -> None:
    client, keys, _ = screen
    assert client.get("/?token=wrong").status_code == 403
    assert client.get(f"/?token={keys.token}x").status_code == 403
    assert client.get(f"/?token={keys.token}&token={keys.token}").status_code == 403
    client.cookies.set(keys.cookie, "wrong")
    assert client.get("/").status_code == 403
    client.cookies.set(keys.cookie, keys.csrf)  # the CSRF token is not the access token
    assert client.get("/").status_code == 403


def test_the_token_sets_a_strict_cookie_and_leaves_the_url(
        screen: tuple[TestClient, Secrets, Engine]) -> None:
    client, keys, _ = screen
    response = client.get(f"/intake?token={keys.token}&x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/intake?x=1"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{keys.cookie}={keys.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    page = client.get("/intake")  # the cookie alone lets it in
    assert page.status_code == 200
    assert keys.token not in page.text  # the access token is never in a page
    assert keys.csrf in page.text  # the CSRF token is, for the page's POSTs


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1", "localhost", f"127.0.0.1:{PORT + 1}",
                                  f"evil.example:{PORT}", f"0.0.0.0:{PORT}", ""])
def test_a_foreign_host_is_refused(screen: tuple[TestClient, Secrets, Engine], host: str) -> None:
    client, keys, _ = screen
    _enter(client, keys)
    response = client.get("/", headers={"host": host})
    assert response.status_code == 403
    assert client.get(f"/?token={keys.token}", headers={"host": host},
                      follow_redirects=False).status_code == 403  # not even with the token


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_token_on_a_shared_name_sets_no_cookie(
        screen: tuple[TestClient, Secrets, Engine], host: str) -> None:
    """127.0.0.1 and localhost are every local server's names, and browsers send a cookie to
    every port of a name: the token there moves on to the screen's own name, cookie-less."""
    client, keys, _ = screen
    assert keys.host.endswith(f".localhost:{PORT}") and len(keys.name) > 40
    response = client.get(f"/intake?token={keys.token}&x=1", headers={"host": f"{host}:{PORT}"},
                          follow_redirects=False)
    assert response.status_code == 303 and "set-cookie" not in response.headers
    assert response.headers["location"] == f"http://{keys.host}/intake?x=1&token={keys.token}"
    assert client.get(response.headers["location"], follow_redirects=False).headers[
        "location"] == "/intake?x=1"  # there the cookie is set and the token leaves the URL
    assert "Domain" not in client.get(response.headers["location"],
                                      follow_redirects=False).headers["set-cookie"]


def test_the_screen_has_a_new_name_at_every_start() -> None:
    first, second = Secrets(PORT), Secrets(PORT)
    assert first.name != second.name and first.url().startswith(f"http://{first.host}/?token=")


def test_localhost_with_the_port_is_served(screen: tuple[TestClient, Secrets, Engine]) -> None:
    client, keys, _ = screen
    _enter(client, keys)
    assert client.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 200


def test_a_post_needs_the_csrf_token_and_a_matching_origin(
        screen: tuple[TestClient, Secrets, Engine]) -> None:
    client, keys, _ = screen
    _enter(client, keys)
    body = {"patient": ""}
    assert client.post("/api/intake", json=body).status_code == 403
    assert client.post("/api/intake", json=body,
                       headers={"x-csrf-token": "wrong"}).status_code == 403
    assert client.post("/api/intake", json=body,
                       headers={"x-csrf-token": keys.token}).status_code == 403
    foreign = {"x-csrf-token": keys.csrf, "origin": "http://evil.example"}
    assert client.post("/api/intake", json=body, headers=foreign).status_code == 403
    other_port = {"x-csrf-token": keys.csrf, "origin": f"http://127.0.0.1:{PORT + 1}"}
    assert client.post("/api/intake", json=body, headers=other_port).status_code == 403
    null_origin = {"x-csrf-token": keys.csrf, "origin": "null"}
    assert client.post("/api/intake", json=body, headers=null_origin).status_code == 403
    ours = {"x-csrf-token": keys.csrf, "origin": f"http://{keys.host}"}
    assert client.post("/api/intake", json=body, headers=ours).status_code == 200


def test_other_methods_are_not_allowed(screen: tuple[TestClient, Secrets, Engine]) -> None:
    client, keys, _ = screen
    _enter(client, keys)
    headers = {"x-csrf-token": keys.csrf}
    assert client.put("/api/say", json={"text": "ja"}, headers=headers).status_code == 405
    assert client.delete("/api/say", headers=headers).status_code == 405
    assert client.options("/api/say").status_code == 405  # no CORS preflight answered


def test_no_cors_headers_and_strict_page_headers(
        screen: tuple[TestClient, Secrets, Engine]) -> None:
    client, keys, _ = screen
    _enter(client, keys)
    origin = {"origin": "http://evil.example"}
    for response in (client.get("/", headers=origin), client.get("/static/app.js"),
                     client.get("/api/events", headers=origin), client.get("/nothing")):
        assert not any(h.lower().startswith("access-control-") for h in response.headers)
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"


def test_no_patient_id_in_any_url(screen: tuple[TestClient, Secrets, Engine],
                                  tmp_path: Path) -> None:
    """A stored patient is reached through a random handle; the id is in the page, not in a
    link, and the start page names no patient in any href."""
    from datetime import date

    from assistant.records.store import Store

    client, keys, _ = screen
    with Store.open(tmp_path / "records.sqlite3") as store:
        store.add_consultation("P-0042", date.today(), {"red_flags": []},
                               {"grade": "I", "profile": "A", "referral": False}, ["F14"])
    _enter(client, keys)
    page = client.get("/").text
    assert "P-0042" in page
    hrefs = [part.split('"', 1)[0] for part in page.split('href="')[1:]]
    assert hrefs and not any("P-0042" in h or "0042" in h for h in hrefs)
    patient = next(h for h in hrefs if h.startswith("/patient/"))
    assert client.get(patient).status_code == 200
    assert client.get("/patient/P-0042").status_code == 404  # the id itself is no handle


def test_a_failure_is_one_dutch_line_and_no_traceback(
        screen: tuple[TestClient, Secrets, Engine], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    client, keys, engine = screen
    _enter(client, keys)

    def broken(text: str) -> None:
        raise RuntimeError("P-0042 said something")

    monkeypatch.setattr(engine, "say", broken)
    response = client.post("/api/say", json={"text": "ja"}, headers={"x-csrf-token": keys.csrf})
    assert response.status_code == 500
    assert response.json() == {"error": "er ging iets mis op het scherm; probeer het opnieuw"}
    assert "P-0042" not in caplog.text and "Traceback" not in caplog.text


async def _asgi(app: Any, path: str, *, query: bytes = b"", method: str = "GET",
                host: str = f"127.0.0.1:{PORT}", headers: list[tuple[bytes, bytes]] | None = None,
                chunks: list[bytes] | None = None) -> tuple[int, dict[bytes, bytes], bytes, int]:
    """One request straight to the ASGI app: status, headers, body and how many body chunks
    the app read."""
    sent: list[dict[str, Any]] = []
    pending = list(chunks or [b""])
    read = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        chunk = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
             "query_string": query, "headers": [(b"host", host.encode()),
                                                *(headers or [])],
             "scheme": "http", "server": ("127.0.0.1", PORT), "client": ("127.0.0.1", 5000),
             "root_path": "", "http_version": "1.1"}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body, read


@pytest.mark.parametrize(("path", "location"), [
    ("//evil.example", b"/evil.example"),
    ("///evil.example/x", b"/evil.example/x"),
    ("/\\evil.example", b"/%5Cevil.example"),
    ("/€", b"/%E2%82%AC"),
    ("/\r\nX: y", b"/%0D%0AX:%20y"),
    ("/intake", b"/intake"),
])
def test_the_token_redirect_stays_on_this_server(path: str, location: bytes) -> None:
    """No open redirect, no failure on any path: the Location is a percent-encoded local path
    with one leading slash."""
    keys = Secrets(PORT)
    engine = Engine(PROTOCOL, EventHub())
    app = create_app(engine, RecordsView(PROTOCOL, None), keys)
    status, headers, _, _ = asyncio.run(_asgi(app, path, query=f"token={keys.token}".encode(),
                                              host=keys.host))
    assert status == 303
    assert headers[b"location"] == location
    assert headers[b"set-cookie"].startswith(keys.cookie.encode())


def test_the_token_from_another_site_is_taken_by_a_page_of_our_own() -> None:
    """Opened from the launcher file (file://, another site), a redirect would lose the
    SameSite=Strict cookie: a page of the screen sets it and moves on, without a script."""
    keys = Secrets(PORT)
    app = create_app(Engine(PROTOCOL, EventHub()), RecordsView(PROTOCOL, None), keys)
    status, headers, body, _ = asyncio.run(_asgi(
        app, "//evil.example", query=f"token={keys.token}".encode(), host=keys.host,
        headers=[(b"sec-fetch-site", b"cross-site")]))
    assert status == 200 and b"SameSite=Strict" in headers[b"set-cookie"]
    assert b'<meta http-equiv="refresh" content="0;url=/evil.example">' in body
    assert b"<script" not in body and keys.token.encode() not in body


def test_a_redirect_over_a_real_socket_with_cr_lf_in_the_path(tmp_path: Path) -> None:
    with running(PROTOCOL, db=tmp_path / "records.sqlite3") as screen, \
            socket.create_connection(("127.0.0.1", screen.keys.port), timeout=5) as conn:
        conn.sendall(f"GET /%0d%0aX:%20y?token={screen.keys.token} HTTP/1.1\r\n"
                     f"Host: {screen.keys.host}\r\nConnection: close\r\n\r\n"
                     .encode())
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert head[0] == b"HTTP/1.1 303 See Other"
    assert b"location: /%0D%0AX:%20y" in head and not any(h.startswith(b"X:") for h in head)


def test_a_body_over_the_limit_is_refused_before_it_is_all_read() -> None:
    keys = Secrets(PORT)
    app = create_app(Engine(PROTOCOL, EventHub()), RecordsView(PROTOCOL, None), keys)
    cookie = (b"cookie", f"{keys.cookie}={keys.token}".encode())
    csrf = (b"x-csrf-token", keys.csrf.encode())
    chunks = [b" " * 4000] * 50  # 200 kB in chunks, no Content-Length
    status, _, body, read = asyncio.run(_asgi(app, "/api/say", method="POST",
                                              headers=[cookie, csrf], chunks=chunks))
    assert status == 413 and "te groot" in body.decode()
    assert read <= 4  # stopped as soon as it was over 10 kB
    status, _, _, read = asyncio.run(_asgi(
        app, "/api/say", method="POST",
        headers=[cookie, csrf, (b"content-length", b"200000")], chunks=chunks))
    assert status == 413 and read == 0  # the Content-Length said so: nothing read


def test_the_port_is_free_again_at_once_after_a_stop() -> None:
    """SO_REUSEADDR (POSIX): a connection the server closed leaves its port in TIME_WAIT,
    which would refuse `assistant ui --port N` for a minute."""
    from assistant.ui.server import REUSE_ADDRESS, bind

    first = bind(0)
    port = first.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = first.accept()
    accepted.close()  # the server closes first: TIME_WAIT on its side
    time.sleep(0.05)
    client.close()
    first.close()
    if not REUSE_ADDRESS:
        pytest.skip("SO_REUSEADDR is for POSIX only")
    again = bind(port)
    assert again.getsockname()[1] == port
    assert again.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
    again.close()
