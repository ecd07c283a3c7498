"""Speech output survives a failed synthesis: tried once more, then that one utterance is
skipped with one line, and the rest of the session is spoken; empty text is never synthesised."""

from __future__ import annotations

import sys
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.speech.tts import AudioSpeaker, Pyttsx3Synthesizer, TtsError

RATE = 16000  # Hz


class FakePlayer:
    def __init__(self) -> None:
        self.played: list[int] = []  # samples per utterance

    def play(self, samples: np.ndarray, rate: int) -> bool:
        self.played.append(len(samples))
        return True

    def stop(self) -> None: ...

    def close(self) -> None: ...


class FlakySynth:
    """Fails the calls whose number is in `failing` (1-based), like pyttsx3's empty WAVs."""

    def __init__(self, failing: set[int]) -> None:
        self.failing = failing
        self.calls: list[str] = []

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        self.calls.append(text)
        if len(self.calls) in self.failing:
            raise TtsError("er kwam geen geluid uit pyttsx3")
        return np.zeros(len(text) * 10, np.float32), RATE


def speaker(synth: FlakySynth) -> tuple[AudioSpeaker, FakePlayer, list[str]]:
    notices: list[str] = []
    player = FakePlayer()
    said = AudioSpeaker(synth, player, on_error=notices.append)  # type: ignore[arg-type]
    return said, player, notices


def test_a_failed_synthesis_is_tried_once_more_and_then_said() -> None:
    synth = FlakySynth({1})
    said, player, notices = speaker(synth)
    said.say("Heeft u koorts gehad?")
    assert synth.calls == ["Heeft u koorts gehad?"] * 2
    assert player.played == [210] and notices == []


def test_failing_twice_skips_that_utterance_only_with_one_line() -> None:
    synth = FlakySynth({1, 2})
    said, player, notices = speaker(synth)
    said.say("eerste vraag")
    said.say("tweede vraag")
    said.say("derde vraag")
    assert synth.calls == ["eerste vraag", "eerste vraag", "tweede vraag", "derde vraag"]
    assert player.played == [120, 110]  # the second and third are said
    assert said.failed is None
    assert len(notices) == 1 and "\n" not in notices[0]
    assert notices[0].startswith("Spraakuitvoer mislukt voor één zin (er kwam geen geluid uit")
    said.say("eerste vraag")  # a failed text is not cached: asked again, it is tried again
    assert synth.calls[-1] == "eerste vraag" and player.played[-1] == 120


@pytest.mark.parametrize("text", ["", " ", "\n\t "])
def test_empty_text_is_never_synthesised(text: str) -> None:
    synth = FlakySynth(set())
    said, player, notices = speaker(synth)
    said.say(text)
    assert synth.calls == [] and player.played == [] and notices == []


class FakeEngine:
    """pyttsx3's engine: writes a WAV, or an empty file on the calls in `empty`."""

    def __init__(self, empty: set[int]) -> None:
        self.empty = empty
        self.saves = 0
        self.pending: tuple[str, str] | None = None
        self.properties: dict[str, Any] = {}

    def getProperty(self, name: str) -> Any:
        voice = type("Voice", (), {"id": "nl", "name": "dutch", "languages": ["nl"]})
        return [voice] if name == "voices" else None

    def setProperty(self, name: str, value: Any) -> None:
        self.properties[name] = value

    def save_to_file(self, text: str, path: str) -> None:
        self.pending = (text, path)

    def runAndWait(self) -> None:
        assert self.pending is not None
        self.saves += 1
        text, path = self.pending
        if self.saves in self.empty:
            Path(path).write_bytes(b"")
            return
        with wave.open(path, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(b"\x00\x01" * (len(text) * 10))


def fake_pyttsx3(monkeypatch: pytest.MonkeyPatch, engine: FakeEngine) -> None:
    module = type("pyttsx3", (), {"init": staticmethod(lambda: engine)})
    monkeypatch.setitem(sys.modules, "pyttsx3", module)


def test_pyttsx3_writing_an_empty_wav_is_retried_by_the_speaker(
        monkeypatch: pytest.MonkeyPatch) -> None:
    engine = FakeEngine(empty={1, 3, 4})
    fake_pyttsx3(monkeypatch, engine)
    synth = Pyttsx3Synthesizer()
    notices: list[str] = []
    player = FakePlayer()
    said = AudioSpeaker(synth, player, on_error=notices.append)  # type: ignore[arg-type]
    said.say("ja")  # empty, then fine
    said.say("nee")  # empty twice: skipped with one line
    said.say("stop")  # fine again
    assert engine.saves == 5 and player.played == [20, 40]
    assert len(notices) == 1 and "geen geluid" in notices[0]


def test_a_pyttsx3_driver_error_is_a_tts_error(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = FakeEngine(empty=set())

    def broken() -> None:
        raise RuntimeError("run loop already started")

    monkeypatch.setattr(engine, "runAndWait", broken)
    fake_pyttsx3(monkeypatch, engine)
    with pytest.raises(TtsError, match="RuntimeError: run loop already started"):
        Pyttsx3Synthesizer().synthesize("ja")
