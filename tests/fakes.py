"""Test doubles behind the real interfaces: a scripted recogniser and an in-memory audio source."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

RATE = 16000  # Hz


def tone(seconds: float, rate: int = RATE, level: float = 0.3, freq: float = 220.0) -> bytes:
    """A sine burst standing in for speech, as 16-bit mono."""
    t = np.arange(int(seconds * rate)) / rate
    return (level * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2").tobytes()


def silence(seconds: float, rate: int = RATE) -> bytes:
    return bytes(2 * int(seconds * rate))


def vosk_json(text: str, conf: float = 0.95) -> str:
    words = [{"word": w, "conf": conf, "start": 0.0, "end": 0.1} for w in text.split()]
    return json.dumps({"result": words, "text": text} if text else {"text": ""})


@dataclass
class ScriptedDecoder:
    """Answers with the next scripted phrase when the audio's speech ends; [unk] when the
    phrase is not made of the question's grammar (a grammar-restricted vosk strings the
    grammar's words together freely: alphacep/vosk-api#740)."""

    phrase: str
    conf: float
    grammar: Sequence[str]
    audio: bytes = b""  # everything it was fed

    @property
    def fed(self) -> int:
        return len(self.audio)

    def accept(self, audio: bytes) -> bool:
        self.audio += audio
        return False

    def result(self) -> str:
        return self.final_result()

    def partial(self) -> str:
        """Nothing before the end: the scripted phrase comes only as the result."""
        return '{"partial": ""}'

    def final_result(self) -> str:
        words = {w for phrase in self.grammar for w in phrase.split()}
        known = self.phrase in self.grammar or (
            bool(self.phrase) and set(self.phrase.split()) <= words)
        text = self.phrase if known else "[unk]"
        return vosk_json(text, self.conf)


@dataclass
class ScriptedRecognizer:
    """A Recognizer whose decoders hear `script` in turn; its model has [unk] and knows every
    word (subclasses say otherwise)."""

    script: list[tuple[str, float]]
    grammars: list[Sequence[str]] = field(default_factory=list)
    decoders: list[ScriptedDecoder] = field(default_factory=list)
    has_unknown_token = True

    def unknown_words(self, phrases: Iterable[str]) -> list[str]:
        return []

    def decoder(self, phrases: Sequence[str], rate: int) -> ScriptedDecoder:
        self.grammars.append(phrases)
        phrase, conf = self.script.pop(0) if self.script else ("", 1.0)
        decoder = ScriptedDecoder(phrase, conf, phrases)
        self.decoders.append(decoder)
        return decoder


@dataclass
class MemorySource:
    """Audio blocks from memory; `flush` drops what is queued; empty → None (no audio)."""

    audio: bytes
    rate: int = RATE
    block: float = 0.05  # s
    flushed: int = 0
    ended = False  # a live source: silence is a pause

    def read(self, timeout: float) -> bytes | None:
        size = 2 * int(self.block * self.rate)
        chunk, self.audio = self.audio[:size], self.audio[size:]
        return chunk or None

    def flush(self) -> None:
        self.flushed += 1

    def close(self) -> None:
        self.audio = b""


class MemoryJournal:
    """A journal store in memory (intake/journal.JournalStore): the entries appended, and the
    status it was closed with."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.status = "open"

    def journal_append(self, journal_id: int, payload: dict[str, Any]) -> None:
        self.entries.append(payload)

    def journal_close(self, journal_id: int, status: Any) -> None:
        self.status = status
