"""Speech output timings through the real synthesizer and PortAudio, in a process of its own:
ALSA reads ~/.asoundrc once, when sounddevice loads, so HOME must point at the private one first.

Run by bench/speech.py as `python -m bench.speech_probe TEXTS.json` with HOME set; prints one
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


if __name__ == "__main__":
    print(json.dumps(main(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))))
