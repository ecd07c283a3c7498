"""Speech output timings through the real synthesizer and PortAudio, in a process of its own:
ALSA reads ~/.asoundrc once, when sounddevice loads, so HOME must point at the private one first.

Run by bench/speech.py as `python -m bench.speech_probe TEXTS.json` (pyttsx3) or
`python -m bench.speech_probe TEXTS.json VOICE.onnx CACHE_DIR` (Piper) with HOME set; prints one
JSON object: {"skip": reason} or the figures.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


def main(texts: list[str]) -> dict[str, Any]:
    try:
        import sounddevice  # noqa: F401  (loads PortAudio and reads ~/.asoundrc)
    except OSError as exc:
        return {"skip": f"PortAudio cannot be loaded ({exc}); install libportaudio2"}
    from assistant.speech.audio import AudioError, Player
    from assistant.speech.tts import AudioSpeaker, Pyttsx3Synthesizer, TtsError

    class TimedPlayer(Player):
        """Notes when play() was called (its first_sample_latency counts from there)."""

        called = 0.0

        def play(self, samples: npt.ArrayLike, rate: int) -> bool:
            self.called = time.monotonic()
            return super().play(samples, rate)

    class TimedSynthesizer:
        def __init__(self, inner: Pyttsx3Synthesizer) -> None:
            self.inner = inner
            self.seconds = 0.0  # of the last synthesis

        def synthesize(self, text: str) -> tuple[np.ndarray, int]:
            started = time.monotonic()
            audio = self.inner.synthesize(text)
            self.seconds = time.monotonic() - started
            return audio

    started = time.monotonic()
    try:
        synthesizer = TimedSynthesizer(Pyttsx3Synthesizer())
        player = TimedPlayer()
    except (AudioError, TtsError) as exc:
        return {"skip": str(exc)}
    init = time.monotonic() - started
    errors: list[str] = []
    speaker = AudioSpeaker(synthesizer, player, cache_size=len(texts) + 8, on_error=errors.append)

    def say(text: str) -> dict[str, float]:
        before = time.monotonic()
        speaker.say(text)
        latency = player.called - before + (player.first_sample_latency or 0.0)
        return {"latency": latency, "synthesis": synthesizer.seconds}

    first = say("Welkom.")  # the process's first prompt: stream opened, voice loaded
    cold: list[dict[str, float]] = []
    for text in texts:
        figures = say(text)
        samples, rate = speaker.audio(text)
        figures["audio_seconds"] = len(samples) / rate
        cold.append(figures)
    warm = [say(text)["latency"] for text in texts]
    speaker.close()
    return {"init": init, "first": first["latency"], "cold": cold, "warm": warm,
            "rate": player.rate, "voice": synthesizer.inner.voice, "errors": errors,
            "underflows": player.underflows}


def rss_mb() -> float:
    """This process's resident memory (MB, Linux /proc)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def piper(texts: list[str], voice: Path, cache: Path) -> dict[str, Any]:
    """Piper through the AudioSpeaker: every prompt said new (each sentence synthesised, the
    next made while the first plays), then by a second speaker (a new consultation: an empty
    memory cache) from the disk cache; memory before and after the voice is loaded."""
    try:
        import sounddevice  # noqa: F401
    except OSError as exc:
        return {"skip": f"PortAudio cannot be loaded ({exc}); install libportaudio2"}
    from assistant.speech.audio import AudioError, Player
    from assistant.speech.piper_voice import PiperSynthesizer
    from assistant.speech.speech_cache import DiskCache, fixed_sentences
    from assistant.speech.tts import AudioSpeaker, TtsError

    class FirstPlay(Player):
        """Notes when the first play() of a say() was called and its first-sample latency."""

        called: float | None = None
        latency = 0.0

        def play(self, samples: npt.ArrayLike, rate: int) -> bool:
            first = self.called is None
            if first:
                self.called = time.monotonic()
            played = super().play(samples, rate)
            if first:
                self.latency = self.first_sample_latency or 0.0
            return played

    class Timed:
        streams_sentences = True

        def __init__(self, inner: PiperSynthesizer) -> None:
            self.inner = inner
            self.voice = inner.voice
            self.rate = inner.rate
            self.seconds = 0.0  # all synthesis so far
            self.audio = 0.0  # s of audio made

        def synthesize(self, text: str) -> tuple[np.ndarray, int]:
            started = time.monotonic()
            samples, rate = self.inner.synthesize(text)
            self.seconds += time.monotonic() - started
            self.audio += len(samples) / rate
            return samples, rate

    before = rss_mb()
    started = time.monotonic()
    try:
        synthesizer = Timed(PiperSynthesizer(voice))
        player = FirstPlay()
    except (AudioError, TtsError) as exc:
        return {"skip": str(exc)}
    load = time.monotonic() - started
    loaded = rss_mb()
    fixed = fixed_sentences(texts)
    errors: list[str] = []

    def say(speaker: AudioSpeaker, text: str) -> float:
        player.called = None
        before_say = time.monotonic()
        speaker.say(text)
        return (player.called or before_say) - before_say + player.latency

    first_speaker = AudioSpeaker(synthesizer, player, cache_size=8, on_error=errors.append,
                                 disk=DiskCache(cache), fixed=fixed)
    first = say(first_speaker, "Welkom.")
    new: list[float] = []  # prompts whose first piece was never made before
    seen: set[str] = set()
    for text in texts:
        pieces = first_speaker.pieces(text)
        latency = say(first_speaker, text)
        if pieces and pieces[0] not in seen:
            new.append(latency)
        seen.update(pieces)
    second_speaker = AudioSpeaker(synthesizer, player, cache_size=8, on_error=errors.append,
                                  disk=DiskCache(cache), fixed=fixed)
    made_before = synthesizer.seconds
    cached = [say(second_speaker, text) for text in texts]
    player.close()
    return {"load": load, "first": first, "new": new, "cached": cached,
            "resynthesised": synthesizer.seconds - made_before,
            "rtf": synthesizer.seconds / max(synthesizer.audio, 1e-9),
            "audio_seconds": synthesizer.audio, "rss_before": before, "rss_loaded": loaded,
            "rss_after": rss_mb(), "voice": synthesizer.inner.name, "errors": errors,
            "underflows": player.underflows, "files": len(list(DiskCache(cache).entries()))}


if __name__ == "__main__":
    TEXTS = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if len(sys.argv) > 2:
        print(json.dumps(piper(TEXTS, Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        print(json.dumps(main(TEXTS)))
