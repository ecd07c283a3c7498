"""Speech output: a synthesizer — Piper (a neural voice, speech/piper_voice.py) when a voice is
installed, else pyttsx3 (espeak-ng, SAPI5 or NSSpeech) writing a WAV file — and our own playback
through sounddevice, so the device, interruption and timing are ours. Fixed prompts are kept on
disk per voice (speech/speech_cache.py); a long text is spoken sentence by sentence, the next
made while the first is heard."""

from __future__ import annotations

import io
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.errors import TtsError as TtsError
from assistant.speech.audio import AudioError, read_wav
from assistant.speech.speech_cache import DiskCache, split_sentences, stream_pieces

LANGUAGE = "nl"


class Playback(Protocol):
    """Where synthesised audio goes: the loudspeaker (audio.Player) or a recording."""

    def play(self, samples: np.ndarray, rate: int) -> bool:
        """Play mono `samples` at `rate` Hz to the end; False when stop() cut it off."""
        ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class Synthesizer(Protocol):
    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        """Mono float32 samples and their rate (Hz)."""
        ...


def _is_dutch(voice: Any) -> bool:
    langs = [lang.decode() if isinstance(lang, bytes) else str(lang)
             for lang in (getattr(voice, "languages", None) or [])]
    names = [str(getattr(voice, "id", "")).lower(), str(getattr(voice, "name", "")).lower()]
    by_language = any(lang.lower().replace("_", "-").split("-")[0] == LANGUAGE for lang in langs)
    by_name = any(n.endswith(("/nl", "nl-nl", "dutch")) or n in ("nl", "dutch") for n in names)
    return by_language or by_name


class Pyttsx3Synthesizer:
    """pyttsx3 with a Dutch voice; rate in words per minute."""

    def __init__(self, voice: str | None = None, rate: int | None = None) -> None:
        try:
            with redirect_stdout(io.StringIO()):
                import pyttsx3

                self._engine = pyttsx3.init()
        except Exception as exc:  # pyttsx3 raises whatever its driver raises
            raise TtsError(f"geen spraakuitvoer: pyttsx3 start niet ({exc}); installeer espeak-ng"
                           ) from None
        voices = list(self._engine.getProperty("voices") or [])
        chosen = [v for v in voices if voice in (v.id, v.name)] if voice else [
            v for v in voices if _is_dutch(v)]
        if not chosen:
            if voice:
                raise TtsError(f"geen stem '{voice}' gevonden: geen Piper-stem (een .onnx-"
                               "bestand, een map of een geïnstalleerde naam) en geen stem van "
                               "het systeem met die naam")
            raise TtsError("geen Nederlandse stem gevonden; installeer espeak-ng (Linux) of "
                           "een Nederlandse stem (Windows/macOS)")
        self.voice = str(chosen[0].id)
        self.rate = rate  # words per minute (None: the engine's default)
        self._engine.setProperty("voice", self.voice)
        if rate is not None:
            self._engine.setProperty("rate", rate)
        self._dir = tempfile.TemporaryDirectory(prefix="assistant-tts-")

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        """The WAV pyttsx3 writes for `text`; TtsError when it fails in any way (its driver
        raises whatever it raises; an empty or broken file)."""
        path = Path(self._dir.name) / "say.wav"
        try:
            path.unlink(missing_ok=True)
            with redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved to …"
                self._engine.save_to_file(text, str(path))
                self._engine.runAndWait()
        except Exception as exc:  # a driver error, or a file we cannot remove
            raise TtsError(f"pyttsx3 faalde ({type(exc).__name__}: {exc})") from None
        if not path.exists() or path.stat().st_size == 0:
            raise TtsError("er kwam geen geluid uit pyttsx3")
        try:
            return read_wav(path)
        except AudioError as exc:
            raise TtsError(str(exc)) from None


class AudioSpeaker:
    """Says text: synthesis (cached per text: prompts repeat; fixed ones on disk too) then
    playback on the device.

    A synthesizer with `streams_sentences` (Piper) is given one sentence at a time: the first
    plays while the next is synthesised. A synthesis that fails is tried once more; failing
    again, that one utterance (sentence) is not said (one line on stderr) and the next is said
    as usual. A failing device turns speech off for the rest of the session (one line). Empty
    text is never synthesised. `disk`: the cache on disk; `fixed`: the sentences it may keep
    (speech_cache.fixed_sentences: the protocol's own words, never what a patient said)."""

    def __init__(self, synthesizer: Synthesizer, player: Playback, cache_size: int = 64,
                 on_error: Callable[[str], None] | None = None, *,
                 disk: DiskCache | None = None, fixed: Collection[str] = ()) -> None:
        self.synthesizer = synthesizer
        self.player = player
        self.failed: str | None = None  # why speech stopped working mid-consultation
        self.disk = disk
        self.fixed = frozenset(fixed)
        self._on_error = on_error or (lambda line: print(line, file=sys.stderr))
        self._cache: OrderedDict[str, tuple[np.ndarray, int]] = OrderedDict()
        self._cache_size = cache_size
        self._cut = threading.Event()
        self._late = 0.0  # s said beyond the sound's length, not yet taken (take_late)
        self._sounded = 0.0  # s of sound played by the current say()
        self._lock = threading.Lock()  # the memory cache, from the look-ahead thread too

    @property
    def voice(self) -> str:
        """The synthesizer's voice id (the disk cache's key)."""
        return str(getattr(self.synthesizer, "voice", type(self.synthesizer).__name__))

    def pieces(self, text: str) -> list[str]:
        """What is synthesised and played as one: for a synthesizer that streams sentences,
        each sentence (a long first one cut after its first clause), else the whole text."""
        if getattr(self.synthesizer, "streams_sentences", False):
            return stream_pieces(text) or [text]
        return [text]

    def kept(self, text: str) -> bool:
        """Whether `text` may be kept on disk: every sentence of it is a fixed one."""
        return self.disk is not None and (text in self.fixed or all(
            s in self.fixed for s in split_sentences(text)))

    def audio(self, text: str) -> tuple[np.ndarray, int]:
        """The synthesised audio for `text` (from the cache when said before, in this session
        or, for a fixed text, an earlier one); a failed synthesis is tried once more before its
        TtsError is raised."""
        with self._lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
        rate = getattr(self.synthesizer, "rate", None)
        kept = self.kept(text)
        audio = self.disk.get(self.voice, rate, text) if kept and self.disk else None
        if audio is None:
            try:
                audio = self.synthesizer.synthesize(text)
            except TtsError:  # pyttsx3 now and then writes an empty WAV (3 in ~340): once more
                audio = self.synthesizer.synthesize(text)
            if kept and self.disk is not None:
                self.disk.put(self.voice, rate, text, audio)
        with self._lock:
            self._cache[text] = audio
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return audio

    def take_late(self) -> float:
        """Seconds the speech has taken beyond the length of its sound since the last call
        (synthesis, the device starting, its tail): what a timed session makes up for in its
        next wait, so it keeps the time a recording of it keeps (intake/session_audio.py)."""
        late, self._late = self._late, 0.0
        return late

    def say(self, text: str) -> None:
        """Speak; a failure is one line on stderr, never the end of the consultation."""
        if self.failed is not None or not text.strip():
            return
        started, self._sounded = time.monotonic(), 0.0
        self._say(text)
        self._late += max(0.0, time.monotonic() - started - self._sounded)

    def _say(self, text: str) -> None:
        self._cut.clear()
        pieces = self.pieces(text)
        if len(pieces) == 1:
            self._say_piece(pieces[0], None)
            return
        with ThreadPoolExecutor(1, thread_name_prefix="tts") as ahead:
            made: Future[tuple[np.ndarray, int]] | None = None
            for i, piece in enumerate(pieces):
                audio = self._made(piece, made)
                # the next sentence is synthesised while this one is heard
                made = ahead.submit(self.audio, pieces[i + 1]) if i + 1 < len(pieces) else None
                if not self._play(audio) or self._cut.is_set():
                    if made is not None:
                        made.cancel()
                    return

    def _say_piece(self, piece: str, made: Future[tuple[np.ndarray, int]] | None) -> bool:
        """Play one piece; False when speech was cut off or the device failed."""
        return self._play(self._made(piece, made))

    def _made(self, piece: str, made: Future[tuple[np.ndarray, int]] | None,
              ) -> tuple[np.ndarray, int] | None:
        """The audio of `piece` (from `made` when it was made ahead); None, with one line,
        when its synthesis failed."""
        try:
            return made.result() if made is not None else self.audio(piece)
        except TtsError as exc:
            self._on_error(f"Spraakuitvoer mislukt voor één zin ({exc}); die staat alleen op "
                           "het scherm, de volgende wordt weer uitgesproken.")
            return None

    def _play(self, audio: tuple[np.ndarray, int] | None) -> bool:
        if audio is None:
            return True  # not said; the next piece is
        if self._cut.is_set():
            return False
        self._sounded += len(audio[0]) / audio[1]
        try:
            return self.player.play(*audio) is not False
        except AudioError as exc:
            self.failed = str(exc)
            self._on_error(f"Spraakuitvoer gestopt: {exc}.")
            return False

    def stop(self) -> None:
        """Cut off what is being said (barge-in, stop), the sentences still to come too."""
        self._cut.set()
        self.player.stop()

    def close(self) -> None:
        self.player.close()
