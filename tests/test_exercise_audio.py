"""The guided exercise session on a real PortAudio/ALSA device without a sound card (ALSA's file
plugin): with speech on, every step, count and closing word is really played, in full."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.audio_probe import RAW_RATE, asoundrc

ROOT = Path(__file__).resolve().parent.parent
SPOKEN = {"ask", "confirm", "reprompt", "say"}  # what SpeechOutput speaks


@pytest.fixture
def room(tmp_path: Path) -> Path:
    """A HOME whose ~/.asoundrc makes the default ALSA device a pair of raw files."""
    if not sys.platform.startswith("linux"):
        pytest.skip("real-audio tests drive ALSA's file plugin: they run on Linux only")
    done = subprocess.run([sys.executable, "-c", "import sounddevice"], capture_output=True,
                          text=True, timeout=30, check=False)
    if done.returncode != 0:
        pytest.skip("PortAudio cannot be loaded; install libportaudio2 to run the real-audio "
                    "tests")
    (tmp_path / ".asoundrc").write_text(asoundrc(tmp_path))
    (tmp_path / "heard.raw").write_bytes(bytes(2 * RAW_RATE))  # one second of room silence
    return tmp_path


@pytest.mark.audio
def test_every_step_of_an_exercise_is_played_on_the_default_device(room: Path) -> None:
    from assistant.protocol.exercise_loader import load_library
    from assistant.speech.tts import Pyttsx3Synthesizer, TtsError

    try:
        synthesizer = Pyttsx3Synthesizer()
    except TtsError as exc:
        pytest.skip(f"needs a Dutch pyttsx3 voice (install espeak-ng): {exc}")
    events_file = room / "events.jsonl"
    env = dict(os.environ, HOME=str(room), XDG_CONFIG_HOME=str(room / "xdg"),
               ASSISTANT_FAST_CLOCK="1")
    env.pop("ALSA_CONFIG_PATH", None)
    # F14 (with F14a) says the least of the whole library; its counting is 2 sets of 10.
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "exercises", "--codes", "F14", "--text",
         "--events", str(events_file)], input="", env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Geen spraakuitvoer" not in done.stderr
    assert "Spraakuitvoer gestopt" not in done.stderr
    events = [json.loads(line) for line in events_file.read_text("utf-8").splitlines()]
    assert events[-1] == {"event": "done", "completed": ["F14"], "skipped": [],
                          "stopped": False}
    spoken = [e for e in events if e["event"] in SPOKEN]
    assert {e["event"] for e in spoken} == {"say"}  # no input: nothing to re-ask
    texts = [e["text"] for e in spoken]
    library = load_library()
    steps = list(library.exercise("F14").steps)
    assert [e["text"] for e in events if e["event"] == "step"] == steps
    assert all(step in texts for step in steps)
    counts = [e["text"] for e in spoken if e["kind"] == "count"]
    assert counts == 2 * ["één.", "twee.", "drie.", "vier.", "vijf.", "zes.", "zeven.",
                          "acht.", "negen.", "tien."]
    closing = list(library.session.closing)
    assert texts[-len(closing):] == closing
    expected = sum(len(s) / r for s, r in (synthesizer.synthesize(t) for t in texts))
    played = np.fromfile(room / "played.raw", dtype="<i2")
    seconds = len(played) / RAW_RATE
    assert expected * 0.95 <= seconds <= expected * 1.2 + 0.1 * len(texts), (seconds, expected)
    assert np.abs(played).max() > 3000  # speech, not silence
