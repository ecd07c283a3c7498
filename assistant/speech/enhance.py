"""Noise suppression and automatic gain before the recogniser and the detector (WebRTC's
audio processing through webrtc-noise-gain, as Home Assistant's assist pipeline offers it),
on 10 ms frames of 16 kHz mono int16 audio. Switched off with `--no-enhance`.

Noise suppression only where there is noise to suppress: in a quiet room it costs the
recogniser words (its artefacts on clean speech; stand-in decoder, 20 clean clips: 15 heard
right with it, 20 with the gain alone: docs/benchmarks.md section 9), so the room decides.
Its floor is a low level (the 5th percentile of 50 ms levels, DC removed) over the last
5 s of audio heard, as in minimum statistics: no detector needed (WebRTC's calls loud
noise and babble speech for good, so a floor taken from its pauses never moved), and an
answer cannot raise it unless it runs on for 4.5 s without a pause. The room counts as
noisy when the floor is above NOISY_FLOOR, with hysteresis; the choice changes only on a
frame at the floor (between words). The level is absolute (dBFS before the gain): a
microphone set very loud makes a quiet room noisy, which is the suppression as it always
ran; a voice judged against the floor (a signal-to-noise rule) was tried and dropped, as
typing and coughs pulled its level down.

pyspeex-noise (Home Assistant's other enhancer) was measured too: its automatic gain returns
silence for every frame in version 2.0.1 (any auto_gain above 0), so it is not used.
A source at another rate than 16 kHz is passed through as it is (the processor takes 16 kHz
only); so is all audio when webrtc-noise-gain cannot load (one Dutch line says so, once).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Protocol, TextIO

import numpy as np

RATE = 16000  # Hz
FRAME_BYTES = 320  # 10 ms of 16-bit mono at 16 kHz
AUTO_GAIN = 10  # WebRTC AGC target, dB below full scale (0: no gain; 0..31)
NOISE_SUPPRESSION = 2  # WebRTC noise suppression level (0: none … 4: strongest)
NOISY_FLOOR = -55.0  # dBFS: a room's floor above this is noisy (a fan, traffic; a quiet room
# with a laptop's microphone lies near -60 dBFS or below)
HYSTERESIS = 3.0  # dB: the floor must move this far past the limit to change the choice
SMOOTH_FRAMES = 5  # 10 ms frames in one level (50 ms: a frame alone varies too much in noise)
FLOOR_FRAMES = 500  # the floor is a low level over the last 5 s heard (a new noise is
# noticed within them; an answer longer than about 4.5 s without a pause raises it)
FLOOR_PERCENTILE = 5  # of those levels: the floor (the lowest reads too low in noise)
AT_FLOOR = 6.0  # dB: a frame this close to the floor is between words (the choice may change)
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
        self._powers: deque[float] = deque(maxlen=SMOOTH_FRAMES)  # the last frames' powers
        self._levels = np.empty(FLOOR_FRAMES)  # smoothed levels, dBFS: a ring
        self._heard = 0  # frames followed
        self.floor: float | None = None  # dBFS, the room between the words (None: not heard)
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
        self._follow(power(frame))
        return bytes((cleaned if self.noisy else gained).audio)

    def _follow(self, frame_power: float) -> None:
        """Follow the room with a frame's power (mean square, full scale 1); at the floor,
        choose."""
        self._powers.append(frame_power)
        now = _db(sum(self._powers) / len(self._powers))
        self._levels[self._heard % FLOOR_FRAMES] = now
        self._heard += 1
        levels = self._levels[:min(self._heard, FLOOR_FRAMES)]
        low = len(levels) * FLOOR_PERCENTILE // 100
        self.floor = floor = float(np.partition(levels, low)[low])
        if now > floor + AT_FLOOR:
            return  # speech, or its edge: no change in the middle of a word
        margin = -HYSTERESIS if self.noisy else HYSTERESIS
        self.noisy = floor > NOISY_FLOOR + margin


def power(frame: bytes) -> float:
    """The mean square of int16 `frame` without its DC (full scale: 1.0; 0.0 when empty)."""
    samples = np.frombuffer(frame, dtype="<i2").astype(np.float64)
    if not samples.size:
        return 0.0
    samples -= samples.mean()  # an offset is no sound (WebRTC's high-pass removes it too)
    return float(np.mean(samples * samples)) / 32768.0 ** 2


def level(frame: bytes) -> float:
    """The RMS level of int16 `frame` in dBFS, without its DC (SILENT for silence)."""
    return _db(power(frame))


def _db(mean_square: float) -> float:
    return max(SILENT, 10 * math.log10(mean_square)) if mean_square > 0 else SILENT


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
