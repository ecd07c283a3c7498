"""What the real-audio CLI tests share: a HOME whose ALSA default device is a pair of raw files
(the `room` fixture), running the assistant in it, and the Dutch synthesizer or a skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.audio_probe import RAW_RATE, asoundrc

if TYPE_CHECKING:
    from assistant.speech.tts import Pyttsx3Synthesizer

ROOT = Path(__file__).resolve().parent.parent


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


def run(room: Path, *args: str, stdin: str = "",
        **env_extra: str) -> subprocess.CompletedProcess[str]:
    """`python -m assistant ARGS` with the room as HOME (and `env_extra` in its environment)."""
    env = dict(os.environ, HOME=str(room), XDG_CONFIG_HOME=str(room / "xdg"), **env_extra)
    env.pop("ALSA_CONFIG_PATH", None)
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def dutch_synthesizer() -> Pyttsx3Synthesizer:
    """The synthesizer the assistant speaks with, or a skip saying what to install."""
    from assistant.speech.tts import Pyttsx3Synthesizer, TtsError

    try:
        return Pyttsx3Synthesizer()
    except TtsError as exc:
        pytest.skip(f"needs a Dutch pyttsx3 voice (install espeak-ng): {exc}")
