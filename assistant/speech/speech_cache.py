"""Synthesised speech kept on disk: a fixed prompt is synthesised once per voice and speech
rate, so the next consultation starts speaking at once. Only sentences of the protocol's own
texts are kept (`fixed_sentences`): nothing a patient said, no number or note read back, ever
reaches the disk. Files are 0600 in a 0700 folder in the user's cache folder (the front end
says which: cli/model_folder.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from contextlib import suppress
from pathlib import Path

import numpy as np

from assistant.speech.audio import AudioError, read_wav, write_wav

ENV_CACHE = "ASSISTANT_SPEECH_CACHE"  # a folder instead of the default; "off": no disk cache
MAX_BYTES = 200_000_000  # the cache is trimmed (oldest first) beyond this
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)")

Audio = tuple[np.ndarray, int]  # mono float32 samples, rate (Hz)


def split_sentences(text: str) -> list[str]:
    """`text` as its sentences (split after . ! ? followed by a space), blanks dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


FIRST_CLAUSE = 24  # characters: a long first sentence starts with its first clause this long+
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+(?=\S)")


def stream_pieces(text: str) -> list[str]:
    """`text` cut for speaking while synthesising: its sentences, the first cut once more
    after its first clause (a comma, semicolon or colon at least FIRST_CLAUSE characters in)
    so that speech starts after a short piece is made."""
    sentences = split_sentences(text)
    if not sentences or len(sentences[0]) < 2 * FIRST_CLAUSE:
        return sentences
    first = sentences[0]
    cut = next((m for m in _CLAUSE_END.finditer(first)
                if FIRST_CLAUSE <= m.start() <= len(first) - FIRST_CLAUSE), None)
    if cut is None:
        return sentences
    return [first[:cut.start()], first[cut.end():], *sentences[1:]]


def fixed_sentences(*data: object) -> frozenset[str]:
    """Every sentence of every text in `data` (dataclasses, mappings and sequences walked
    through) that has no placeholder: the sentences the assistant may keep on disk."""
    found: set[str] = set()
    seen: set[int] = set()

    def walk(item: object) -> None:
        if isinstance(item, str):
            if "{" not in item:
                found.update(split_sentences(item))
                found.update(stream_pieces(item))
            return
        if id(item) in seen:
            return
        seen.add(id(item))
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            for field in dataclasses.fields(item):
                walk(getattr(item, field.name))
        elif isinstance(item, Mapping):
            for value in item.values():
                walk(value)
        elif isinstance(item, list | tuple | set | frozenset):
            for value in item:
                walk(value)

    for item in data:
        walk(item)
    return frozenset(found)


def cache_dir(default: Path) -> Path | None:
    """`ASSISTANT_SPEECH_CACHE`, else `default` (the front end's: its cache folder); None when
    the variable says "off"."""
    env = os.environ.get(ENV_CACHE, "").strip()
    if env.lower() == "off":
        return None
    return Path(env) if env else default


class DiskCache:
    """WAV files named by the SHA-256 of voice id, speech rate and text. A folder that cannot
    be written turns the cache off for the session (speech itself goes on)."""

    def __init__(self, folder: Path, max_bytes: int = MAX_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self.broken: str | None = None  # why writing stopped

    def path(self, voice: str, rate: int | None, text: str) -> Path:
        key = hashlib.sha256(f"{voice}\n{rate}\n{text}".encode()).hexdigest()
        return self.folder / f"{key}.wav"

    def get(self, voice: str, rate: int | None, text: str) -> Audio | None:
        path = self.path(voice, rate, text)
        try:
            audio = read_wav(path)
        except (AudioError, OSError):
            self.misses += 1
            return None
        with suppress(OSError):
            os.utime(path)  # recently used: trimmed last
        self.hits += 1
        return audio

    def put(self, voice: str, rate: int | None, text: str, audio: Audio) -> None:
        if self.broken is not None:
            return
        samples, sample_rate = audio
        try:  # atomic, 0600 (mkstemp) in a 0700 folder; the speech layer writes its own files
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".", suffix=".part", dir=self.folder)
            try:
                with os.fdopen(handle, "wb") as raw:
                    write_wav(raw, samples, sample_rate)
                os.replace(temp, self.path(voice, rate, text))
            except BaseException:
                with suppress(OSError):
                    os.unlink(temp)
                raise
        except OSError as exc:
            self.broken = f"{self.folder}: {exc.strerror or exc}"
            return
        self.trim()

    def trim(self) -> None:
        """Remove the least recently used files until the cache holds at most max_bytes."""
        try:
            files = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.folder.glob("*.wav")]
        except OSError:
            return
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            with suppress(OSError):
                path.unlink()
                total -= size

    def entries(self) -> Iterable[Path]:
        return sorted(self.folder.glob("*.wav")) if self.folder.is_dir() else []
