"""End of speech: when an answer starts and ends, from (seconds, is_speech) steps. No clock, no
device: the caller feeds it the length of each audio block and whether it held speech."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

EPSILON = 1e-9  # s; block lengths add up with rounding errors
# s of silence that end a whole answer ('fors') for the energy detector, as it always was: its
# decision dips to silence inside an answer (a stop consonant, a soft syllable; on the 30 Dutch
# answers of docs/benchmarks.md section 9, runs of up to 0.1 s in clean speech and at pink
# 24 dB, 0.35 s at 12 dB). A detector that bridges such dips itself brings a shorter one
# (its `quick_end`, assistant/speech/vad.py).
QUICK_END = 0.3


class Segment(Enum):
    WAITING = "waiting"  # nothing said yet
    SPEAKING = "speaking"
    ENDED = "ended"  # speech, then enough silence (or the maximum length)
    TIMEOUT = "timeout"  # no speech within the timeout


@dataclass
class EndOfSpeech:
    """A short-answer segmenter, in the spirit of Home Assistant's VoiceCommandSegmenter."""

    timeout: float = 8.0  # s without speech → TIMEOUT
    speech_start: float = 0.12  # s of speech before it counts (coughs and clicks don't)
    # s of silence after speech → ENDED, for every detector. Not shorter for Silero although it
    # says silence 0.1–0.25 s after an answer's end: inside a half-second pause ('drie …
    # weken') it says silence for up to 0.55 s in clean speech (0.35–0.45 s in pink noise;
    # docs/benchmarks.md, section 9), so 0.6 s is the least that keeps such pauses whole.
    silence_end: float = 0.6
    quick_end: float = QUICK_END  # s of silence → ENDED once a whole answer was heard
    max_speech: float = 8.0  # s; a long monologue is not an answer
    state: Segment = Segment.WAITING
    _elapsed: float = 0.0
    _speech: float = 0.0
    _silence: float = 0.0
    _whole: bool = False  # a whole answer was heard in the present silence
    _quickly: bool = False  # ENDED by the quick end
    _started_at: float = field(default=0.0, repr=False)

    def process(self, seconds: float, is_speech: bool, complete: bool = False) -> Segment:
        """Advance by one block; return the state after it. `complete`: what the decoder has
        heard so far is a whole answer of the grammar ('nee'), so a short silence ends it.

        Once a whole answer was heard in a silence, the quick end holds until speech comes
        back, even when the decoder's partial then grows: in noise the decoder makes words
        of the noise after the answer ('네' → '네 아니' 50–250 ms into the silence; with the
        stand-in model 2 of 12 words at pink 12 dB, 4 at 6 dB), which put the answer back on
        the long window although nobody spoke. The detector, not the decoder, says whether someone
        speaks; a pause inside an answer is never cut by this, since a partial that a longer
        phrase begins with ('drie' before 'drie weken') is no whole answer."""
        if self.state in (Segment.ENDED, Segment.TIMEOUT):
            return self.state
        self._elapsed += seconds
        if self.state is Segment.WAITING:
            self._speech = self._speech + seconds if is_speech else 0.0
            if self._speech >= self.speech_start - EPSILON:
                self.state, self._started_at, self._silence = Segment.SPEAKING, self._elapsed, 0.0
            elif self._elapsed >= self.timeout - EPSILON:
                self.state = Segment.TIMEOUT
            return self.state
        self._silence = 0.0 if is_speech else self._silence + seconds
        self._whole = not is_speech and (self._whole or complete)
        spoken = self._elapsed - self._started_at
        needed = self.quick_end if self._whole else self.silence_end
        if self._silence >= needed - EPSILON or spoken >= self.max_speech - EPSILON:
            self.state = Segment.ENDED
            self._quickly = (self._whole and self._silence < self.silence_end - EPSILON
                             and spoken < self.max_speech - EPSILON)
        return self.state

    @property
    def ended_quickly(self) -> bool:
        """ENDED by the quick end: a whole answer was heard, then a short silence (not the
        full window, nor the maximum length)."""
        return self.state is Segment.ENDED and self._quickly

    def reopen(self) -> None:
        """Back to SPEAKING after a quick end the decoder took back (its final result was no
        whole answer): the silence so far still counts, the full window now ends it."""
        if self.ended_quickly:
            self.state, self._whole, self._quickly = Segment.SPEAKING, False, False


def level_dbfs(block: bytes) -> float:
    """RMS level of 16-bit mono audio, in dB relative to full scale (silence: -inf)."""
    samples = np.frombuffer(block, dtype="<i2").astype(np.float64)
    if samples.size == 0:
        return -math.inf
    rms = float(np.sqrt(np.mean(samples * samples))) / 32768.0
    return 20 * math.log10(rms) if rms > 0 else -math.inf


@dataclass
class EnergyDetector:
    """Speech or not, by level above an adaptive noise floor."""

    min_level: float = -50.0  # dBFS; quieter is never speech
    margin: float = 12.0  # dB above the noise floor
    noise_floor: float = -70.0  # dBFS, adapts to the room
    adapt: float = 0.05  # how fast the floor follows quiet blocks
    # Steady noise (a fan, a road) above min_level is all "speech" at first. After this many
    # blocks of unbroken "speech" (2 s: longer than any answer) the floor follows it too, so
    # the noise becomes the floor within about a second more; answers never move it.
    steady_after: int = 40
    # Right after a prompt nobody answers yet (a turn-taking gap is longer than 0.2 s): the
    # quietest of these first blocks of a question is the room's level, so steady noise is the
    # floor from the start (DESIGN.md "Voice safety"). They never count as speech.
    settle_blocks: int = 4
    voice_margin: float = 6.0  # dB above the floor: a block that stands out of steady noise
    quick_end: float = QUICK_END  # s of silence that end a whole answer (see QUICK_END)
    level: float = -math.inf  # dBFS of the last block judged
    _speech_run: int = 0
    _settling: int = 0
    _quietest: float = math.inf

    @property
    def threshold(self) -> float:
        """The level in dBFS from which a block is speech."""
        return max(self.min_level, self.noise_floor + self.margin)

    def settle(self) -> None:
        """A question was just asked: measure the room on the next `settle_blocks` blocks."""
        self._settling, self._quietest = self.settle_blocks, math.inf

    @property
    def settling(self) -> bool:
        """The room is still being measured (the first blocks after a prompt)."""
        return self._settling > 0

    @property
    def stood_out(self) -> bool:
        """Whether the last block judged rose `voice_margin` above the floor: weaker evidence
        than `is_speech` (speech at 12 dB SNR does, steady noise does not)."""
        return self.level >= self.noise_floor + self.voice_margin

    def is_speech(self, block: bytes) -> bool:
        """Whether the block (16-bit mono) is speech; the floor learns from it."""
        level = self.level = level_dbfs(block)
        if self._settling > 0:
            self._settling -= 1
            self._quietest = min(self._quietest, level)
            if self._settling == 0 and math.isfinite(self._quietest):
                self.noise_floor = max(self.noise_floor, self._quietest)
            return False
        speech = level >= self.threshold
        self._speech_run = self._speech_run + 1 if speech else 0
        if math.isfinite(level) and (not speech or self._speech_run > self.steady_after):
            self.noise_floor += self.adapt * (level - self.noise_floor)
        return speech
