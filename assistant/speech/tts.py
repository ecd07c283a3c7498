"""Speech output: pyttsx3 (espeak-ng, SAPI5 or NSSpeech) synthesises to a WAV file, which we
play ourselves through sounddevice, so the device, interruption and timing are ours."""

from __future__ import annotations

import io
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.errors import TtsError as TtsError
from assistant.speech.audio import AudioError, Player, read_wav

LANGUAGE = "nl"


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
            wanted = f"stem '{voice}'" if voice else "Nederlandse stem"
            raise TtsError(f"geen {wanted} gevonden; installeer espeak-ng (Linux) of een "
                           "Nederlandse stem (Windows/macOS)")
        self.voice = str(chosen[0].id)
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
    """Says text: synthesis (cached per text: prompts repeat) then playback on the device.

    A synthesis that fails is tried once more; failing again, that one utterance is not said
    (one line on stderr) and the next is said as usual. A failing device turns speech off for
    the rest of the session (one line). Empty text is never synthesised."""

    def __init__(self, synthesizer: Synthesizer, player: Player, cache_size: int = 64,
                 on_error: Callable[[str], None] | None = None) -> None:
        self.synthesizer = synthesizer
        self.player = player
        self.failed: str | None = None  # why speech stopped working mid-consultation
        self._on_error = on_error or (lambda line: print(line, file=sys.stderr))
        self._cache: OrderedDict[str, tuple[np.ndarray, int]] = OrderedDict()
        self._cache_size = cache_size

    def audio(self, text: str) -> tuple[np.ndarray, int]:
        """The synthesised audio for `text` (from the cache when said before); a failed
        synthesis is tried once more before its TtsError is raised."""
        if text in self._cache:
            self._cache.move_to_end(text)
            return self._cache[text]
        try:
            audio = self.synthesizer.synthesize(text)
        except TtsError:  # pyttsx3 now and then writes an empty WAV (3 in ~340): once more
            audio = self.synthesizer.synthesize(text)
        self._cache[text] = audio
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return audio

    def say(self, text: str) -> None:
        """Speak; a failure is one line on stderr, never the end of the consultation."""
        if self.failed is not None or not text.strip():
            return
        try:
            samples, rate = self.audio(text)
        except TtsError as exc:
            self._on_error(f"Spraakuitvoer mislukt voor één zin ({exc}); die staat alleen op "
                           "het scherm, de volgende wordt weer uitgesproken.")
            return
        try:
            self.player.play(samples, rate)
        except AudioError as exc:
            self.failed = str(exc)
            self._on_error(f"Spraakuitvoer gestopt: {exc}.")

    def stop(self) -> None:
        """Cut off what is being said (barge-in, stop)."""
        self.player.stop()

    def close(self) -> None:
        self.player.close()
