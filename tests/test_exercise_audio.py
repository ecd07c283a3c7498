"""The guided exercise session on a real PortAudio/ALSA device without a sound card (ALSA's file
plugin): with speech on, every step, count and closing word is really played, in full."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.dialog.events import SPOKEN_KINDS as SPOKEN
from tests.audio_probe import RAW_RATE
from tests.audio_room import dutch_synthesizer, run


@pytest.mark.audio
def test_every_step_of_an_exercise_is_played_on_the_default_device(room: Path) -> None:
    from assistant.protocol.exercise_loader import load_library

    synthesizer = dutch_synthesizer()
    events_file = room / "events.jsonl"
    # F14 (with F14a) says the least of the whole library; its counting is 2 sets of 10.
    done = run(room, "exercises", "--codes", "F14", "--text", "--events", str(events_file),
               ASSISTANT_FAST_CLOCK="1")
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
    cues = list(library.exercise("F14").rep_cues)  # 'Naar links.', 'Naar rechts.'
    assert counts == 2 * [said for n in ("één", "twee", "drie", "vier", "vijf", "zes", "zeven",
                                         "acht", "negen", "tien")
                          for said in (f"Herhaling {n}.", *cues)]
    closing = list(library.session.closing)
    assert texts[-len(closing):] == closing
    expected = sum(len(s) / r for s, r in (synthesizer.synthesize(t) for t in texts))
    played = np.fromfile(room / "played.raw", dtype="<i2")
    seconds = len(played) / RAW_RATE
    assert expected * 0.95 <= seconds <= expected * 1.2 + 0.1 * len(texts), (seconds, expected)
    assert np.abs(played).max() > 3000  # speech, not silence
