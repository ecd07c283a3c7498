"""The assembled voice layer on real PortAudio/ALSA devices without a sound card (ALSA's file
plugin): every prompt of a consultation is really played, and `doctor` finds the devices."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.audio_probe import RAW_RATE, asoundrc
from tests.harness import NO_NEURO, NO_RED_FLAGS

ROOT = Path(__file__).resolve().parent.parent
SPOKEN = {"ask", "confirm", "reprompt", "say"}


def _portaudio_missing() -> str | None:
    done = subprocess.run([sys.executable, "-c", "import sounddevice"], capture_output=True,
                          text=True, timeout=30, check=False)
    if done.returncode != 0:
        return "PortAudio cannot be loaded; install libportaudio2 to run the real-audio tests"
    return None


@pytest.fixture
def room(tmp_path: Path) -> Path:
    """A HOME whose ~/.asoundrc makes the default ALSA device a pair of raw files."""
    if not sys.platform.startswith("linux"):
        pytest.skip("real-audio tests drive ALSA's file plugin: they run on Linux only")
    reason = _portaudio_missing()
    if reason:
        pytest.skip(reason)
    (tmp_path / ".asoundrc").write_text(asoundrc(tmp_path))
    (tmp_path / "heard.raw").write_bytes(bytes(2 * RAW_RATE))  # one second of room silence
    return tmp_path


def run(room: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOME=str(room), XDG_CONFIG_HOME=str(room / "xdg"))
    env.pop("ALSA_CONFIG_PATH", None)
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.audio
def test_every_prompt_is_played_on_the_default_device(room: Path) -> None:
    from assistant.speech.tts import Pyttsx3Synthesizer, TtsError

    try:
        synthesizer = Pyttsx3Synthesizer()
    except TtsError as exc:
        pytest.skip(f"needs a Dutch pyttsx3 voice (install espeak-ng): {exc}")
    answers = [*NO_RED_FLAGS, *NO_NEURO, "een beetje", "drie weken", "ja", "nee", "nee"]
    events_file = room / "events.jsonl"
    done = run(room, "intake", "--text", "--events", str(events_file),
               stdin="\n".join(answers) + "\n")
    assert done.returncode == 0, done.stderr
    assert "Geen spraakuitvoer" not in done.stderr
    events = [json.loads(line) for line in events_file.read_text("utf-8").splitlines()]
    spoken = [e["text"] for e in events if e["event"] in SPOKEN]
    assert len(spoken) >= len(answers) + 2  # every question, the intro and the conclusion
    expected = sum(len(s) / r for s, r in (synthesizer.synthesize(t) for t in spoken))
    played = np.fromfile(room / "played.raw", dtype="<i2")
    seconds = len(played) / RAW_RATE
    assert expected * 0.95 <= seconds <= expected * 1.2 + 0.1 * len(spoken), (seconds, expected)
    assert np.abs(played).max() > 3000  # speech, not silence


@pytest.mark.audio
def test_doctor_finds_the_devices_and_the_voice(room: Path, tmp_path: Path) -> None:
    done = run(room, "doctor", "--model", str(tmp_path / "no-model"))
    lines = done.stdout.splitlines()
    assert any(line.startswith("OK   Microfoon: 'default'") for line in lines), done.stdout
    assert any(line.startswith("OK   Luidspreker: 'default'") for line in lines), done.stdout
    assert any(line.startswith("OK   Nederlandse stem") for line in lines), done.stdout
    assert any(line.startswith("FOUT Spraakmodel") for line in lines)
    assert done.returncode == 2  # not ready without a model


@pytest.mark.audio
def test_unknown_device_is_named_and_falls_back_to_silence(room: Path) -> None:
    done = run(room, "intake", "--text", "--output-device", "hw:9", stdin="stop\n")
    assert done.returncode == 1
    assert "Geen spraakuitvoer: Luidspreker 'hw:9' niet gevonden." in done.stderr
    forced = run(room, "intake", "--voice", "--output-device", "hw:9", "--model", str(room))
    assert forced.returncode == 2 and forced.stderr.count("\n") == 1
