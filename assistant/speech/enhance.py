"""Noise suppression and automatic gain before the recogniser and the detector (WebRTC's
audio processing through webrtc-noise-gain, as Home Assistant's assist pipeline offers it),
on 10 ms frames of 16 kHz mono int16 audio. Switched off with `--no-enhance`.

Noise suppression only where there is noise to suppress: in a quiet room it costs the
recogniser words (its artefacts on clean speech; stand-in decoder, 20 clean clips: 15 heard
right with it, 20 with the gain alone: docs/benchmarks.md section 9), so the room's noise
floor decides. The floor is the level of the frames WebRTC's own detector calls non-speech;
the room counts as noisy when the floor is above NOISY_FLOOR, or, once speech has been
heard, less than NOISY_SNR below it; the choice changes only while nobody speaks, so an
answer is never cleaned two ways.

pyspeex-noise (Home Assistant's other enhancer) was measured too: its automatic gain returns
silence for every frame in version 2.0.1 (any auto_gain above 0), so it is not used.
A source at another rate than 16 kHz is passed through as it is (the processor takes 16 kHz
only); so is all audio when webrtc-noise-gain cannot load (one Dutch line says so, once).
"""

from __future__ import annotations

import math
from typing import Protocol, TextIO

import numpy as np

RATE = 16000  # Hz
FRAME_BYTES = 320  # 10 ms of 16-bit mono at 16 kHz
AUTO_GAIN = 10  # WebRTC AGC target, dB below full scale (0: no gain; 0..31)
NOISE_SUPPRESSION = 2  # WebRTC noise suppression level (0: none … 4: strongest)
NOISY_FLOOR = -50.0  # dBFS: a room's floor above this is noisy (a fan, traffic; a quiet room
# with a laptop's microphone lies near -60 dBFS or below)
NOISY_SNR = 30.0  # dB: speech less than this above the floor: noisy (clean speech: 40 dB+)
HYSTERESIS = 3.0  # dB: the floor must move this far past a limit to change the choice
FLOOR_FRAMES = 50  # 10 ms frames: how fast the floor and speech levels follow the room (~0.5 s)
SILENT = -120.0  # dBFS: the level of digital silence


class Enhancer(Protocol):
    """Cleaned audio for each block of audio (the same length once the first frame is full)."""

    name: str

    def process(self, block: bytes) -> bytes: ...


class WebRtcEnhancer:
    """WebRTC noise suppression, high-pass filter and automatic gain; its noise estimate and
    gain follow the room across questions. A block's part that does not fill a 10 ms frame
    waits for the next block.

    `adaptive` (the default): the noise is suppressed only while the room is noisy (module
    docstring); two processors, with and without suppression, hear every frame, so each is
    settled on the room when the choice changes. `adaptive=False`: always suppressed (as
    before the choice; kept for the benchmark's comparison)."""

    name = "webrtc-noise-gain"

    def __init__(self, auto_gain: int = AUTO_GAIN, noise_suppression: int = NOISE_SUPPRESSION,
                 *, adaptive: bool = True) -> None:
        from webrtc_noise_gain import AudioProcessor  # type: ignore[import-untyped]

        self._processor = AudioProcessor(auto_gain, noise_suppression)
        self._gain_only = AudioProcessor(auto_gain, 0) if adaptive else None
        self._rest = b""
        self.floor: float | None = None  # dBFS, the room between the words (None: not heard)
        self.speech: float | None = None  # dBFS, the speech heard (None: none yet)
        self.noisy = not adaptive  # whether the noise is suppressed now

    def process(self, block: bytes) -> bytes:
        audio = self._rest + block
        whole = len(audio) - len(audio) % FRAME_BYTES
        self._rest = audio[whole:]
        return b"".join(self._frame(audio[i:i + FRAME_BYTES]) for i in range(0, whole, FRAME_BYTES))

    def _frame(self, frame: bytes) -> bytes:
        cleaned = self._processor.Process10ms(frame)
        if self._gain_only is None:
            return bytes(cleaned.audio)
        gained = self._gain_only.Process10ms(frame)
        self._follow(level(frame), bool(cleaned.is_speech))
        return bytes((cleaned if self.noisy else gained).audio)

    def _follow(self, db: float, speech: bool) -> None:
        """Follow the room's levels with a frame of `db` dBFS; between words, choose."""
        if speech:
            self.speech = db if self.speech is None else _toward(self.speech, db)
            return
        self.floor = db if self.floor is None else _toward(self.floor, db)
        limit = NOISY_FLOOR if self.speech is None else min(NOISY_FLOOR,
                                                            self.speech - NOISY_SNR)
        margin = -HYSTERESIS if self.noisy else HYSTERESIS
        self.noisy = self.floor > limit + margin


def level(frame: bytes) -> float:
    """The RMS level of int16 `frame` in dBFS (SILENT for digital silence)."""
    samples = np.frombuffer(frame, dtype="<i2").astype(np.float64)
    power = float(np.mean(samples * samples)) / 32768.0 ** 2 if samples.size else 0.0
    return max(SILENT, 10 * math.log10(power)) if power > 0 else SILENT


def _toward(mean: float, db: float) -> float:
    return mean + (db - mean) / FLOOR_FRAMES


_warned: set[str] = set()


def make_enhancer(rate: int, warn: TextIO | None = None) -> Enhancer | None:
    """The enhancer for a source at `rate` Hz, or None (not at 16 kHz, or it cannot load:
    then one Dutch line on `warn`, once per process)."""
    if rate != RATE:
        return None
    try:
        return WebRtcEnhancer()
    except (ImportError, OSError) as exc:
        line = (f"Let op: de ruisonderdrukking (webrtc-noise-gain) laadt niet ({exc}); er wordt "
                "zonder geluisterd.")
        if warn is not None and line not in _warned:
            _warned.add(line)
            print(line, file=warn)
        return None
