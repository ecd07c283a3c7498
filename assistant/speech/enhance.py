"""Noise suppression and automatic gain before the recogniser and the detector (WebRTC's
audio processing through webrtc-noise-gain, as Home Assistant's assist pipeline offers it),
on 10 ms frames of 16 kHz mono int16 audio. Switched off with `--no-enhance`.

pyspeex-noise (Home Assistant's other enhancer) was measured too: its automatic gain returns
silence for every frame in version 2.0.1 (any auto_gain above 0), so it is not used.
A source at another rate than 16 kHz is passed through as it is (the processor takes 16 kHz
only); so is all audio when webrtc-noise-gain cannot load (one Dutch line says so, once).
"""

from __future__ import annotations

from typing import Protocol, TextIO

RATE = 16000  # Hz
FRAME_BYTES = 320  # 10 ms of 16-bit mono at 16 kHz
AUTO_GAIN = 10  # WebRTC AGC target, dB below full scale (0: no gain; 0..31)
NOISE_SUPPRESSION = 2  # WebRTC noise suppression level (0: none … 4: strongest)


class Enhancer(Protocol):
    """Cleaned audio for each block of audio (the same length once the first frame is full)."""

    name: str

    def process(self, block: bytes) -> bytes: ...


class WebRtcEnhancer:
    """WebRTC noise suppression, high-pass filter and automatic gain; its noise estimate and
    gain follow the room across questions. A block's part that does not fill a 10 ms frame
    waits for the next block."""

    name = "webrtc-noise-gain"

    def __init__(self, auto_gain: int = AUTO_GAIN,
                 noise_suppression: int = NOISE_SUPPRESSION) -> None:
        from webrtc_noise_gain import AudioProcessor  # type: ignore[import-untyped]

        self._processor = AudioProcessor(auto_gain, noise_suppression)
        self._rest = b""

    def process(self, block: bytes) -> bytes:
        audio = self._rest + block
        whole = len(audio) - len(audio) % FRAME_BYTES
        self._rest = audio[whole:]
        return b"".join(bytes(self._processor.Process10ms(audio[i:i + FRAME_BYTES]).audio)
                        for i in range(0, whole, FRAME_BYTES))


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
