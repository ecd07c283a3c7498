"""The screen under the faults a hostile user finds (issue 23): a lone surrogate or deep nesting
in a POST (400, the intake goes on), a message that cannot be sent (the event stream goes on),
many idle connections (the screen still answers, stderr stays small, the fd limit is raised),
SIGHUP with a page open (one line, exit 0) and damaged rows in the records (the other patients
are shown, with a one-line notice)."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.protocol import load_protocol
from assistant.records.store import Store
from assistant.ui.server import running
from tests import ui_loopback as loopback
from tests.harness import AGE
from tests.records_fixtures import add_intake
from tests.ui_screen import Page, ended, open_prompt

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"http://([0-9a-f]{32}\.localhost):(\d+)/\?token=([A-Za-z0-9_-]{40,})")
PROTOCOL = load_protocol()
POSIX = os.name == "posix"


def _raw_post(page: Page, path: str, body: bytes) -> Any:
    return page.client.post(path, content=body, headers={
        "x-csrf-token": page.keys.csrf, "content-type": "application/json"})


# --- 5: what a POST may carry ------------------------------------------------------------------

def test_a_lone_surrogate_in_an_answer_is_refused_and_the_intake_goes_on(page: Page) -> None:
    page.post("/api/intake", {"patient": "P-0300"})
    prompt = page.prompt()
    refused = _raw_post(page, "/api/say",
                        b'{"text": "nee \\ud800", "prompt": %d}' % prompt)
    assert refused.status_code == 400
    assert refused.json() == {"error": "geen geldig verzoek: de tekst bevat een ongeldig teken"}
    time.sleep(0.2)  # an answer, had it reached the dialog, would show by now
    messages = page.messages()
    assert not ended(messages) and open_prompt(messages) == prompt  # the same question waits
    page.post("/api/say", {"text": AGE, "prompt": prompt})  # and is answered as usual
    page.wait(lambda m: any(x.get("event", {}).get("event") == "answer" for x in m))
    assert not ended(page.messages())
    for body in (b'{"patient": "P-\\udfff"}', b'{"\\ud800": 1}'):  # in an id, in a key
        assert _raw_post(page, "/api/intake", body).status_code in (400, 409)
        assert _raw_post(page, "/api/intake", body).json()["error"].startswith("geen geldig")


def test_deeply_nested_json_is_refused_with_400(page: Page) -> None:
    for depth in (3000, 20):  # past the parser's recursion limit; past any action's need
        body = b'{"text": ' + b"[" * depth + b"]" * depth + b"}"
        response = _raw_post(page, "/api/say", body)
        assert response.status_code == 400, depth
        assert response.json() == {"error": "geen geldig verzoek"}
    assert _raw_post(page, "/api/say", b'{"text": "\xff"}').status_code == 400  # not UTF-8


def test_the_event_stream_survives_a_message_that_cannot_be_sent(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with running(PROTOCOL, db=tmp_path / "records.sqlite3") as screen, \
            loopback.client(base_url=f"http://{screen.keys.host}", follow_redirects=True,
                            timeout=10) as client:
        assert client.get(screen.url).status_code == 200
        hub = screen.engine.hub
        seen: list[str] = []
        with caplog.at_level(logging.WARNING, logger="assistant.ui"), \
                client.stream("GET", "/events") as stream:
            hub.publish({"type": "notice", "text": object()})  # no JSON for it
            hub.publish({"type": "notice", "text": "nee \ud800"})  # no UTF-8 for it
            hub.publish({"type": "notice", "text": "nog hier"})
            for line in stream.iter_lines():
                seen.append(line)
                if "nog hier" in line:
                    break
        assert any('"text": "nog hier"' in line for line in seen)
        skipped = [r.getMessage() for r in caplog.records if r.name == "assistant.ui"]
        assert len(skipped) == 2 and all("overgeslagen" in line for line in skipped)
        assert "nee" not in " ".join(skipped)  # no content in the log
        listed = client.get("/api/events")  # the page without a stream: the rest, too
        assert listed.status_code == 200
        assert [m["text"] for m in listed.json()["messages"]] == ["nog hier"]


# --- 6: many idle connections -------------------------------------------------------------------

def _start(db: Path, *, limits: tuple[int, int] | None = None) -> subprocess.Popen[str]:
    def limited() -> None:
        import resource

        assert limits is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, limits)

    env = {**os.environ, "ASSISTANT_DB": str(db)}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "ui", "--text", "--mute", "--no-browser"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=limited if limits else None)


def _url(server: subprocess.Popen[str]) -> re.Match[str]:
    """The URL on the first line, once the screen serves it (a signal then goes to it)."""
    assert server.stdout is not None
    first = server.stdout.readline().strip()
    match = URL.fullmatch(first)
    assert match, first
    deadline = time.monotonic() + 20
    with loopback.client(timeout=2) as client:
        while True:
            try:
                client.get(f"http://{match[1]}:{match[2]}/")
                return match
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the screen does not answer"
                time.sleep(0.05)


def _stop(server: subprocess.Popen[str], sig: int = signal.SIGINT) -> str:
    try:
        server.send_signal(sig)
        _, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    return err


@pytest.mark.skipif(not POSIX, reason="RLIMIT_NOFILE is POSIX")
def test_many_idle_connections_leave_the_screen_answering_and_stderr_quiet(
        tmp_path: Path) -> None:
    """Far more idle connections than the screen may hold open (its fd limit is 256 here):
    the oldest idle ones are closed, a page's request is still answered, and stderr gets no
    flood of tracebacks (as it got with asyncio's accept loop out of descriptors)."""
    server = _start(tmp_path / "records.sqlite3", limits=(256, 256))
    idle: list[socket.socket] = []
    try:
        match = _url(server)
        port = int(match[2])
        with loopback.client(follow_redirects=True, timeout=10) as client:
            assert client.get(match[0]).status_code == 200  # served: the cookie is set
            for _ in range(600):
                sock = socket.socket()
                sock.setblocking(False)
                sock.connect_ex(("127.0.0.1", port))
                idle.append(sock)
            time.sleep(2)
            page = client.get(f"http://{match[1]}:{match[2]}/", timeout=15)
            assert page.status_code == 200 and "Nieuwe intake" in page.text
    finally:
        for sock in idle:
            sock.close()
        err = _stop(server)
    assert server.returncode == 0, err[-3000:]
    assert "Traceback" not in err and len(err) < 2000, err[-3000:]


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads /proc/PID/limits")
def test_the_soft_fd_limit_is_raised_to_the_hard_limit(tmp_path: Path) -> None:
    server = _start(tmp_path / "records.sqlite3", limits=(200, 4096))
    try:
        _url(server)
        limits = Path(f"/proc/{server.pid}/limits").read_text()
    finally:
        err = _stop(server)
    line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
    assert line.split()[3:5] == ["4096", "4096"], line
    assert server.returncode == 0 and "open bestanden" not in err  # raised: nothing to say


def test_a_limit_that_cannot_be_raised_is_said_in_one_line(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    resource = pytest.importorskip("resource")
    from assistant.ui import server

    def refuse(which: int, limits: tuple[int, int]) -> None:
        raise ValueError("not allowed")

    monkeypatch.setattr(resource, "getrlimit", lambda which: (256, 8192))
    monkeypatch.setattr(resource, "setrlimit", refuse)
    line = server.raise_fd_limit()
    assert line is not None and "\n" not in line and "256" in line
    monkeypatch.setattr(resource, "setrlimit", lambda which, limits: None)
    assert server.raise_fd_limit() is None


# --- 8: SIGHUP with a page open -----------------------------------------------------------------

@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this system")
def test_sighup_with_a_page_open_stops_the_screen_in_one_line(tmp_path: Path) -> None:
    server = _start(tmp_path / "records.sqlite3")
    try:
        match = _url(server)
        with loopback.client(follow_redirects=True, timeout=10) as client:
            assert client.get(match[0]).status_code == 200
            with client.stream("GET", f"http://{match[1]}:{match[2]}/events") as stream:
                lines = stream.iter_lines()
                assert next(lines).startswith("retry:")  # the page follows the stream
                server.send_signal(signal.SIGHUP)
                with contextlib.suppress(httpx.HTTPError):  # the stream ends as the screen stops
                    for _ in lines:
                        pass
    finally:
        err = _stop(server, signal.SIGHUP)
    assert server.returncode == 0, err
    assert "Traceback" not in err and "Het scherm is gestopt." in err
    assert len(err.strip().splitlines()) <= 3, err  # the start lines and the one at the end


# --- 9: damaged rows ----------------------------------------------------------------------------

def _damaged_records(db: Path) -> None:
    """Four patients; P-2's open intake has an impossible date, P-3's intake an impossible
    date, P-4's result is JSON of the wrong shape. P-1 is whole."""
    for patient in ("P-1", "P-2", "P-3", "P-4"):
        add_intake(db, patient, "A")
    with Store.open(db) as store:
        journal = store.journal_open("P-2", date(2024, 3, 4))
        store.journal_append(journal, {"kind": "answer", "question": "age", "text": "47"})
    with sqlite3.connect(db) as con:
        con.execute("UPDATE journal SET date = '2024-02-31' WHERE patient = 'P-2'")
        con.execute("UPDATE consultations SET date = '2024-02-31' WHERE patient = 'P-3'")
        con.execute("UPDATE consultations SET result = '[1, 2]' WHERE patient = 'P-4'")
    con.close()


def test_damaged_rows_leave_the_other_patients_on_screen(page: Page) -> None:
    db = page.engine.db
    assert db is not None
    _damaged_records(db)
    start = page.client.get("/")
    assert start.status_code == 200
    for patient in ("P-1", "P-2", "P-3", "P-4"):
        assert f">{patient}</a>" in start.text
    notice = re.findall(r'<p class="error" id="damaged">([^<]*)</p>', start.text)
    assert len(notice) == 1 and "P-2" in notice[0] and str(db) in notice[0]
    handles = dict(re.findall(r'href="/patient/([^"]+)">([^<]+)</a>', start.text))
    by_patient = {patient: handle for handle, patient in handles.items()}
    whole = page.client.get(f"/patient/{by_patient['P-1']}")
    assert whole.status_code == 200 and "P-1" in whole.text
    assert page.client.get(f"/chart/{by_patient['P-1']}.png").status_code == 200
    for patient in ("P-3", "P-4"):
        shown = page.client.get(f"/patient/{by_patient[patient]}")
        assert shown.status_code != 500 and "beschadigd" in shown.text, patient
        line = re.findall(r"<p>([^<]*beschadigd[^<]*)</p>", shown.text)
        assert len(line) == 1, shown.text  # one line: the store's, or ours naming the patient
        assert page.client.get(f"/chart/{by_patient[patient]}.png").status_code == 404
