"""`assistant ui` as a therapist starts it: the first line on stdout is the URL with the token,
on 127.0.0.1; Ctrl-C ends it cleanly and an intake in progress keeps its journal; nothing of
the patient reaches the terminal (no access log); a port in use is refused in one line."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from assistant.records.store import Store

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]{40,})")


def _start(db: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ASSISTANT_DB": str(db)}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "ui", "--text", "--mute", "--no-browser", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_url_first_then_ctrl_c_keeps_the_intake(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    server = _start(db)
    try:
        assert server.stdout is not None
        first = server.stdout.readline().strip()
        match = URL.fullmatch(first)
        assert match, first
        with pytest.raises(OSError):  # bound to 127.0.0.1 alone, not to every address
            socket.create_connection(("127.0.0.2", int(match[1])), timeout=2).close()
        with httpx.Client(follow_redirects=True, timeout=10) as client:
            page = client.get(first)
            assert page.status_code == 200 and str(page.url).endswith(f":{match[1]}/")
            csrf = re.search(r'name="csrf" content="([^"]+)"', page.text)
            assert csrf is not None
            headers = {"x-csrf-token": csrf[1]}
            base = f"http://127.0.0.1:{match[1]}"
            started = client.post(f"{base}/api/intake", json={"patient": "P-0200"},
                                  headers=headers)
            assert started.status_code == 200
            for _ in range(3):
                client.post(f"{base}/api/say", json={"text": "nee"}, headers=headers)
            for _ in range(200):
                messages = client.get(f"{base}/api/events").json()["messages"]
                if sum(m.get("event", {}).get("event") == "answer" for m in messages) == 3:
                    break
            else:
                raise AssertionError("the three answers were not taken")
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, err
    assert "Het scherm is gestopt." in err
    assert "Traceback" not in err
    assert "P-0200" not in out + err and "/api/" not in out + err  # no access log
    with Store.open(db, write=False) as store:
        journal = store.journal_find_open("P-0200")
        assert journal is not None  # resumable, from the screen or `intake --resume`
        assert [e["kind"] for e in store.journal_entries(journal.id)] == ["answer"] * 3


def test_a_port_in_use_is_refused_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = _start(tmp_path / "records.sqlite3", "--port", str(port))
        out, err = server.communicate(timeout=20)
    assert server.returncode == 2
    assert f"--port {port}: de poort is niet vrij" in err
    assert len(err.strip().splitlines()) == 1 and out == ""


def test_a_bad_port_is_a_usage_error(tmp_path: Path) -> None:
    server = _start(tmp_path / "records.sqlite3", "--port", "70000")
    _, err = server.communicate(timeout=20)
    assert server.returncode == 2 and "geen poort" in err


def test_voice_forced_without_a_model_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_DB": str(tmp_path / "records.sqlite3"),
           "ASSISTANT_VOSK_MODEL": str(tmp_path / "no-model")}
    server = subprocess.run(
        [sys.executable, "-m", "assistant", "ui", "--voice", "--mute", "--no-browser"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert server.returncode == 2
    assert server.stderr.startswith("assistant: ") and "--voice" in server.stderr
    assert server.stdout == ""  # no URL: nothing is served
