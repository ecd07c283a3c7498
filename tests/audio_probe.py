"""Drives assistant.speech.audio through real PortAudio/ALSA (the ALSA `file` plugin, no sound
card) in a process of its own, because ALSA reads ~/.asoundrc once, when sounddevice loads.

Run by tests/test_audio.py as `python tests/audio_probe.py DIR` with HOME=DIR; prints one JSON
object: {"skip": reason} or one entry of figures per scenario ({"error": traceback} on failure).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

RAW_RATE = 16000  # Hz of the raw files played.raw, exact.raw and heard.raw (S16_LE, mono)
TONE_RATE = 22050  # Hz of the tones played (espeak-ng's rate, so playback must convert)
RAW = f"format S16_LE; rate {RAW_RATE}; channels 1"
# The paced pipe carries S32_LE stereo 48 kHz: 384 kB/s, so one 4 KiB pipe page is 10.7 ms of
# sound and the reader's real-time pacing is fine-grained (S16 mono 16 kHz would be 128 ms).
PACED = "format S32_LE; rate 48000; channels 2"
PACED_BYTE_RATE = 48000 * 4 * 2  # bytes/s
F_SETPIPE_SZ = 1031  # fcntl command (Linux) to set a pipe's buffer size
PIPE_BYTES = 4096  # bytes the paced pipe buffers (one page)

PCMS = {  # ALSA device -> (the file it plays into, the file it records from, its raw layout)
    "default": ("played.raw", "heard.raw", RAW),
    "exact": ("exact.raw", None, RAW),
    "paced": ("paced.fifo", None, PACED),
}


def asoundrc(folder: Path) -> str:
    """The ALSA configuration: each device converts (plug) to a fixed layout, then a file."""
    lines = []
    for name, (played, heard, layout) in PCMS.items():
        key = "!default" if name == "default" else name
        infile = f' infile "{folder / heard}";' if heard else ""
        lines.append(f'pcm.{key} {{ type plug; slave {{ pcm "{name}_file"; {layout} }} }}')
        lines.append(f'pcm.{name}_file {{ type file; slave.pcm "null"; '
                     f'file "{folder / played}";{infile} format "raw" }}')
    return "\n".join(lines) + "\n"


def tone(frequency: float, seconds: float, rate: int = TONE_RATE,
         amplitude: float = 0.5) -> np.ndarray:
    """A sine tone, float32."""
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


class PacedReader:
    """Empties the paced pipe at the rate a sound card would (PACED_BYTE_RATE)."""

    def __init__(self, path: Path) -> None:
        import fcntl  # Linux only, like the rest of this probe

        self.received = 0  # bytes
        # Open both ends first, so the pipe exists (and is shrunk) before ALSA writes, and
        # stays open (no end of file) while the player opens and closes it.
        self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self._keep = os.open(path, os.O_WRONLY)
        fcntl.fcntl(self._fd, F_SETPIPE_SZ, PIPE_BYTES)
        os.set_blocking(self._fd, True)
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        clock = time.monotonic()  # when the bytes read so far have been "heard"
        while chunk := os.read(self._fd, 640):
            self.received += len(chunk)
            clock = max(clock, time.monotonic()) + len(chunk) / PACED_BYTE_RATE
            time.sleep(max(0.0, clock - time.monotonic()))


def play_default(folder: Path) -> dict[str, Any]:
    """Two tones at 22050 Hz on the default device, the stream opened at their rate."""
    from assistant.speech.audio import Player

    with Player() as player:
        first = player.play(tone(440, 0.5), TONE_RATE)
        latency = player.first_sample_latency
        second = player.play(tone(660, 0.3), TONE_RATE)
        rate = player.rate
    return {"returned": [first, second], "rate": rate, "first_sample_latency": latency,
            "underflows": player.underflows}


def play_exact(folder: Path) -> dict[str, Any]:
    """A 22050 Hz tone on a 16 kHz stream: resampled by us, so played.raw is predictable."""
    from assistant.speech.audio import Player

    with Player("exact", rate=RAW_RATE) as player:
        returned = player.play(tone(440, 0.5), TONE_RATE)
        return {"returned": returned, "rate": player.rate,
                "first_sample_latency": player.first_sample_latency}


def play_paced(folder: Path) -> dict[str, Any]:
    """Real-time playback into a pipe: play() blocks while playing; stop() cuts it off."""
    from assistant.speech.audio import Player

    reader = PacedReader(folder / "paced.fifo")
    with Player("paced") as player:
        started = time.monotonic()
        full = player.play(tone(440, 0.6), TONE_RATE)
        full_seconds = time.monotonic() - started
        latency = player.first_sample_latency
        outcome: dict[str, Any] = {}

        def long_play() -> None:
            outcome["returned"] = player.play(tone(440, 5.0), TONE_RATE)
            outcome["at"] = time.monotonic()

        thread = threading.Thread(target=long_play)
        started = time.monotonic()
        thread.start()
        time.sleep(0.3)
        stopped_at = time.monotonic()
        player.stop()
        thread.join(5)
        again = player.play(tone(440, 0.2), TONE_RATE)
    return {"full_returned": full, "full_seconds": full_seconds, "first_sample_latency": latency,
            "stopped_returned": outcome.get("returned"),
            "stop_to_return": outcome["at"] - stopped_at if "at" in outcome else None,
            "stopped_play_seconds": outcome["at"] - started if "at" in outcome else None,
            "again_returned": again, "bytes_through_pipe": reader.received}


def microphone(folder: Path) -> dict[str, Any]:
    """Capture from the default device (its infile is heard.raw) until as long as heard.raw."""
    from assistant.speech.audio import Microphone

    wanted = (folder / "heard.raw").stat().st_size
    with Microphone() as mic:
        blocks: list[bytes] = []
        deadline = time.monotonic() + 3
        while sum(map(len, blocks)) < wanted and time.monotonic() < deadline:
            block = mic.read(timeout=1.0)
            if block is not None:
                blocks.append(block)
        mic.flush()
        after_flush = mic.read(timeout=1.0)
        (folder / "mic.raw").write_bytes(b"".join(blocks))
        return {"rate": mic.rate, "block_bytes": sorted({len(b) for b in blocks}),
                "blocks": len(blocks), "overflows": mic.overflows,
                "after_flush_bytes": None if after_flush is None else len(after_flush)}


def errors(folder: Path) -> dict[str, Any]:
    """The messages for an unknown device and for a rate list no device accepts."""
    from assistant.speech.audio import (
        AudioError,
        Device,
        Microphone,
        Player,
        find_device,
        supported_rate,
    )

    def message(action: Callable[[], object]) -> str | None:
        try:
            action()
        except AudioError as exc:
            return str(exc)
        return None

    real = find_device(None, "output")
    impossible = Device(real.index, real.name, 3_000_000)
    return {
        "unknown_output": message(lambda: Player("geen-zo-apparaat")),
        "unknown_input": message(lambda: Microphone("hw:9")),
        "unknown_index": message(lambda: find_device(999, "input")),
        "impossible_rates": message(
            lambda: supported_rate(impossible, "output", (1_000_000, 2_000_000))),
        "fallback_rate": supported_rate(real, "output", (1_000_000,)),
        "default_rate": real.default_rate,
        "default_name": real.name,
    }


# microphone before play_default: opening "default" (even to record) truncates played.raw
SCENARIOS = [errors, microphone, play_default, play_exact, play_paced]


def usable(sd: Any) -> str | None:
    """Why the ALSA file plugin setup cannot be used here, or None when it can."""
    names = {device["name"] for device in sd.query_devices()}
    if not set(PCMS) <= names:
        return (f"PortAudio does not list the ALSA devices of ~/.asoundrc ({sorted(names)}); "
                "needs ALSA (libasound2) as PortAudio's host API")
    try:
        sd.check_output_settings(device="default", channels=1, dtype="float32",
                                 samplerate=RAW_RATE)
        sd.check_input_settings(device="default", channels=1, dtype="int16",
                                samplerate=RAW_RATE)
    except sd.PortAudioError as exc:
        return (f"the ALSA file/null/plug PCM plugins are unusable ({exc}); they ship with "
                "libasound2, install it to run the real-audio tests")
    return None


def main(folder: Path) -> dict[str, Any]:
    try:
        import sounddevice
    except OSError as exc:
        return {"skip": f"PortAudio cannot be loaded (import sounddevice: {exc}); install "
                        "libportaudio2 (apt-get install libportaudio2) to run these tests"}
    reason = usable(sounddevice)
    if reason:
        return {"skip": reason}
    results: dict[str, Any] = {}
    for scenario in SCENARIOS:
        try:
            results[scenario.__name__] = scenario(folder)
        except Exception:
            results[scenario.__name__] = {"error": traceback.format_exc()}
    return results


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
