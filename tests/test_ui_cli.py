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
import time
from pathlib import Path

import httpx
import pytest

from assistant.records.store import Store
from tests import ui_loopback as loopback
from tests.ui_screen import PROFILE_A_SAID

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"http://([0-9a-f]{32}\.localhost):(\d+)/\?token=([A-Za-z0-9_-]{40,})")


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
            socket.create_connection(("127.0.0.2", int(match[2])), timeout=2).close()
        with loopback.client(follow_redirects=True, timeout=10) as client:
            page = client.get(first)
            assert page.status_code == 200 and str(page.url) == f"http://{match[1]}:{match[2]}/"
            csrf = re.search(r'name="csrf" content="([^"]+)"', page.text)
            assert csrf is not None
            headers = {"x-csrf-token": csrf[1]}
            base = f"http://{match[1]}:{match[2]}"
            started = client.post(f"{base}/api/intake", json={"patient": "P-0200"},
                                  headers=headers)
            assert started.status_code == 200
            answered: set[int] = set()
            for _ in range(500):  # the age, the duration, no accident: each to its prompt
                messages = client.get(f"{base}/api/events").json()["messages"]
                if sum(m.get("event", {}).get("event") == "answer" for m in messages) == 3:
                    break
                prompt = messages[-1]["seq"] if messages[-1]["type"] == "prompt" else None
                if prompt is not None and prompt not in answered:
                    answered.add(prompt)
                    text = PROFILE_A_SAID[len(answered) - 1]
                    said = client.post(f"{base}/api/say", headers=headers,
                                       json={"text": text, "prompt": prompt})
                    assert said.status_code == 200, said.text
                time.sleep(0.01)
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
        assert [e["event"] for e in store.journal_entries(journal.id)] == ["answer"] * 3


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
    # one line naming the flag (its prefix, the command as started, is the CLI's: cli/app.py)
    assert len(server.stderr.splitlines()) == 1 and "--voice" in server.stderr
    assert server.stdout == ""  # no URL: nothing is served


def test_the_browser_gets_a_private_file_never_the_token(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    """The token is not on the browser's command line (/proc/PID/cmdline is readable by every
    user): the browser opens a 0600 file in a 0700 folder that redirects to the URL, deleted
    when the screen stops."""
    import webbrowser

    import assistant.ui.server as server
    from assistant.cli.app import main

    opened: list[str] = []
    seen: dict[str, object] = {}

    def serve(screen: server.Screen) -> None:
        launcher = Path(opened[0].removeprefix("file://"))
        seen["mode"] = launcher.stat().st_mode & 0o777
        seen["folder"] = launcher.parent.stat().st_mode & 0o777
        seen["text"] = launcher.read_text(encoding="utf-8")
        seen["url"] = screen.url
        screen.engine.shutdown()
        screen.sock.close()

    def browser(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", browser)
    monkeypatch.setattr(server, "serve", serve)
    monkeypatch.setenv("ASSISTANT_DB", str(tmp_path / "records.sqlite3"))
    assert main(["ui", "--text", "--mute"]) == 0
    assert len(opened) == 1 and opened[0].startswith("file://")
    url = str(seen["url"])
    assert url.split("token=")[1] not in opened[0]  # no token in what the browser is given
    assert seen["mode"] == 0o600 and seen["folder"] == 0o700
    assert f'content="0;url={url}"' in str(seen["text"])
    assert not Path(opened[0].removeprefix("file://")).parent.exists()  # deleted at the end
    assert capsys.readouterr().out.startswith(url)


def test_sigterm_stops_the_screen_as_ctrl_c_does(tmp_path: Path) -> None:
    """Closing the terminal or `kill` ends the screen cleanly too: it says so, and the
    launcher file with the token is gone (BROWSER=true opens nothing)."""
    env = {**os.environ, "ASSISTANT_DB": str(tmp_path / "records.sqlite3"), "BROWSER": "true",
           "TMPDIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ui", "--text", "--mute"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        assert URL.fullmatch(url)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # serving: the signal goes to the server
            try:
                with loopback.client(timeout=2) as client:
                    if client.get(url).status_code in (200, 303):
                        break
            except httpx.HTTPError:
                time.sleep(0.05)
        assert list(tmp_path.glob("nekpijn-ui-*/open.html"))
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, err
    assert "Het scherm is gestopt." in err and "Traceback" not in err
    assert not list(tmp_path.glob("nekpijn-ui-*"))
