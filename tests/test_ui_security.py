"""The screen's guard (DESIGN.md "The therapist's screen"): the access token and its cookie, the
Host header, CSRF and Origin on every POST, no CORS, and no patient data in URLs or logs."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

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

PORT = 8123
BASE = f"http://127.0.0.1:{PORT}"
PROTOCOL = load_protocol()


@pytest.fixture
def screen(tmp_path: Path) -> Iterator[tuple[TestClient, Secrets, Engine]]:
    keys = Secrets(PORT)
    engine = Engine(PROTOCOL, EventHub(), db=tmp_path / "records.sqlite3")
    app = create_app(engine, RecordsView(PROTOCOL, tmp_path / "records.sqlite3"), keys)
    with TestClient(app, base_url=BASE) as client:
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
    ours = {"x-csrf-token": keys.csrf, "origin": BASE}
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
