"""Issue 23, what the second hostile review still found: a settings file nested too deep or a
socket, named in one Dutch line and passed over; damaged rows that named no file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_a_settings_file_nested_too_deep_is_named_as_damaged(tmp_path: Path) -> None:
    deep = tmp_path / "instellingen.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="te diep geneste gegevens") as caught:
        load_settings(deep)
    assert str(deep) in caught.value.message


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets (not Windows)")
def test_a_socket_as_settings_file_is_said_in_dutch_and_the_intake_goes_on(
        tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "intake", "--text", "--mute"], input="",
            capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
            env={**os.environ, "ASSISTANT_CONFIG": str(path), "HOME": str(tmp_path),
                 "XDG_DATA_HOME": str(tmp_path / "data"), "ASSISTANT_FAST_CLOCK": "1"})
    finally:
        server.close()
    first = done.stderr.splitlines()[0]
    assert first.startswith("Instellingen niet gebruikt: ") and str(path) in first
    assert "No such device" not in done.stderr
    assert "Hoe oud" in done.stdout  # the intake went on


def test_a_recording_in_text_mode_is_refused_not_ignored(tmp_path: Path) -> None:
    wav = tmp_path / "s.wav"
    wav.write_bytes(b"RIFF")
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "intake", "--text", "--mute", "--audio-in",
         str(wav)], input="", capture_output=True, text=True, timeout=60, check=False,
        cwd=ROOT, env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "--audio-in gaat niet samen met --text" in done.stderr


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_a_lock_file_is_private(tmp_path: Path) -> None:
    from assistant.intake.records import hold_intake_lock
    from assistant.records.store import Store

    db = tmp_path / "r.sqlite3"
    Store.open(db).close()
    lock = hold_intake_lock(db, "patient:P-1", "de intake")
    try:
        assert Path(lock.lock_file).stat().st_mode & 0o777 == 0o600
    finally:
        lock.release()
