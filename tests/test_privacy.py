"""Patient data never leaves the machine: whole consultations (text and voice), the exercise
session, follow-up, history and forget all run with the network blocked."""

from __future__ import annotations

import ast
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from tests.audio_room import dutch_synthesizer
from tests.harness import PROFILE_B_TEN_WEEKS, intake, of, result_of
from tests.live_room import SPOKEN_AGE, run_voice, voice_script
from tests.records_fixtures import GRADE_III_FILE

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
NETWORK_MODULES = {"socket", "urllib", "http", "ftplib", "smtplib", "requests", "httpx",
                   "aiohttp", "ssl", "websocket", "xmlrpc"}
# The one deliberate exception: `assistant model download`, run by hand, fetches a speech model
# (no patient data is sent).
DOWNLOADER = PACKAGE / "speech" / "download.py"
# And the therapist's screen: `assistant ui` binds its own socket on 127.0.0.1 only
# (tests/test_ui_cli.py checks the address), so the page can be served on this machine.
LOCAL_SERVER = PACKAGE / "ui" / "server.py"
# And a practice's own records server, only when `--db`/ASSISTANT_DB names one: records/server.py
# parses its address (urllib.parse) and requires TLS outside the loopback (issue 27).
PRACTICE_SERVER = PACKAGE / "records" / "server.py"


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any attempt to open an internet socket or resolve a name fails the test."""
    attempts: list[str] = []

    class GuardedSocket(socket.socket):  # the real class: patched in only below
        def __init__(self, family: int = -1, *args: Any, **kwargs: Any) -> None:
            if family in (socket.AF_INET, socket.AF_INET6, -1):
                attempts.append(f"socket({family})")
                raise NetworkUsed("a network socket was opened")
            super().__init__(family, *args, **kwargs)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(f"resolve{args[:1]}")
        raise NetworkUsed("a network name was looked up")

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("ASSISTANT_FAST_CLOCK", "1")
    return attempts


def test_the_guard_itself_catches_a_connection(no_network: list[str]) -> None:
    import urllib.request

    with pytest.raises(Exception):  # noqa: B017 - whatever urllib wraps it in
        urllib.request.urlopen("http://example.org", timeout=1)
    assert no_network


def test_everything_a_practice_does_runs_offline(tmp_path: Path, no_network: list[str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    findings = tmp_path / "f.json"
    findings.write_text(json.dumps({
        "red_flags": [], "precautions": [], "neurological_signs": True, "trauma_related": False,
        "work_related": True, "work_absence_weeks": 6, **GRADE_III_FILE}), encoding="utf-8")
    db = tmp_path / "records.sqlite3"
    report = tmp_path / "verslag"
    assert main(["intake", "--answers", str(findings), "--mute", "--patient", "pt-net",
                 "--date", "2026-10-01", "--db", str(db), "--exercises", "F56,F57",
                 "--nprs", "7", "--psk", "6,7,8", "--report", str(report),
                 "--events", str(tmp_path / "events.jsonl")]) == 0
    assert (report / "oefenblad.html").exists()
    assert main(["exercises", "--patient", "pt-net", "--db", str(db), "--text",
                 "--mute"]) == 0
    assert main(["followup", "--patient", "pt-net", "--db", str(db), "--nprs", "7",
                 "--psk", "6,7,8", "--date", "2026-11-20", "--report",
                 str(tmp_path / "followup")]) == 0
    assert main(["history", "--patient", "pt-net", "--db", str(db), "--report",
                 str(tmp_path / "history")]) == 0
    assert main(["export", "--patient", "pt-net", "--db", str(db)]) == 0
    assert main(["forget", "--patient", "pt-net", "--db", str(db), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Behandelprofiel D" in out
    assert no_network == []


def test_a_voice_consultation_runs_offline(no_network: list[str]) -> None:
    events, _, _ = run_voice(voice_script(intake(PROFILE_B_TEN_WEEKS, {
        "age_years": SPOKEN_AGE, "exercise_choice": "veertien"}, strict=True)).heard)
    assert result_of(events)["profile"] == "B"
    assert of(events, "answer")[-1]["value"] == ["F14"]
    assert no_network == []


def test_speech_synthesis_runs_offline(no_network: list[str]) -> None:
    samples, rate = dutch_synthesizer().synthesize("Heeft de patiënt koorts gehad?")
    assert len(samples) > rate / 2  # over half a second of speech
    assert no_network == []


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_model_downloader_imports_network_modules() -> None:
    users = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
             if _imports(path) & NETWORK_MODULES}
    assert users == {DOWNLOADER.relative_to(PACKAGE).as_posix(),
                     LOCAL_SERVER.relative_to(PACKAGE).as_posix(),
                     PRACTICE_SERVER.relative_to(PACKAGE).as_posix()}
