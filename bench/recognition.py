"""Recognition with a Vosk model: Dutch answers spoken by espeak-ng (several voices and
rates), mixed with noise at a given SNR by sox, recognised through the full voice path (the
VoiceListener with the question's grammar, a WAV file as microphone). Skipped without a model.

The helpers that need no model (synthesis, noise, mixing, SNR) are tested in tests/test_bench.py.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from assistant.protocol.model import Protocol
from bench.report import Row, Section, at_least, at_most
from bench.stats import Summary, ms

RATE = 16000  # Hz: what the recogniser gets
VARIANTS = (("nl", 150), ("nl+f3", 150), ("nl+m3", 130), ("nl+f2", 175))  # voice, words/min
SNRS = (None, 24.0, 12.0, 6.0)  # dB; None = clean
LEAD = 0.5  # s of noise (or silence) before the answer
TAIL = 1.5  # s after it: room for the end-of-speech decision
CLEAN_TARGET, NOISY_TARGET = 0.99, 0.95
EOS_TARGET = 0.4  # s, end of speech → next prompt audible (Home Assistant waits 0.7 s)
SKIP = ("skipped: no Vosk model; run `assistant model download` or set ASSISTANT_VOSK_MODEL")
# (question id, spoken answer, expected): grammar answers, doubt and commands on every
# answer type
PHRASES = (
    ("improving", "ja", "yes"), ("improving", "nee", "no"), ("improving", "nee hoor", "no"),
    ("rf_infection", "ja hoor", "yes"), ("rf_infection", "klopt", "yes"),
    ("rf_infection", "weet ik niet", "doubt"),
    ("recurrent", "herhaal", "cmd:repeat"), ("recurrent", "terug", "cmd:back"),
    ("recurrent", "help", "cmd:help"), ("recurrent", "pauze", "cmd:pause"),
    ("recurrent", "verder", "cmd:resume"), ("recurrent", "stop", "cmd:stop"),
    ("adl_impact", "geen", "choice:none"), ("adl_impact", "een beetje", "choice:mild"),
    ("adl_impact", "fors", "choice:severe"),
    ("weeks_since_onset", "drie weken", "3:weeks"),
    ("weeks_since_onset", "anderhalve maand", "1.5:months"),
    ("weeks_since_onset", "tien dagen", "10:days"),
    ("work_absence_weeks", "geen", "0:weeks"),
)

Samples = npt.NDArray[np.float32]


def espeak(text: str, voice: str, rate: int, path: Path) -> None:
    """`text` spoken by espeak-ng (`-v voice -s rate`) into a 16 kHz mono 16-bit WAV file."""
    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(raw), text],
                   check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(path)],
                   check=True, capture_output=True)
    raw.unlink()


def noise(path: Path, samples: int, colour: str = "pinknoise") -> None:
    """`samples` of noise at 16 kHz by sox (repeatable: -R)."""
    # the rate goes before -n too: else sox synthesises at 48 kHz and converts
    subprocess.run(["sox", "-R", "-r", str(RATE), "-c", "1", "-n", "-b", "16", str(path),
                    "synth", f"{samples}s", colour, "vol", "0.5"],
                   check=True, capture_output=True)


def speech_span(samples: Samples, threshold: float = 0.02) -> tuple[int, int]:
    """First and last+1 sample above `threshold` × the peak: where the speech is."""
    loud = np.flatnonzero(np.abs(samples) >= threshold * float(np.max(np.abs(samples))))
    if loud.size == 0:
        raise ValueError("no speech in the samples")
    return int(loud[0]), int(loud[-1]) + 1


def power(samples: Samples) -> float:
    return float(np.mean(np.square(samples, dtype=np.float64)))


@dataclass(frozen=True)
class Mix:
    """A mixed clip and what it is made of, so its SNR can be checked."""

    path: Path
    speech_gain: float  # the padded speech was scaled by this
    noise_gain: float  # the noise was scaled by this (0 for a clean clip)
    start: int  # sample where the speech starts in the clip
    end: int  # sample after it ends


def mix_at_snr(speech_wav: Path, snr_db: float | None, folder: Path,
               make_noise: Callable[[Path, int], None] | None = None, tag: str = "") -> Mix:
    """The answer with LEAD s before and TAIL s after, noise over all of it at `snr_db` (speech
    power over the speech itself vs the noise's power), mixed by sox; None = no noise.
    `make_noise(path, samples)` writes the noise (default: sox's pink noise); `tag` goes into
    the file's name (one clip per kind of noise)."""
    from assistant.speech.audio import read_wav, write_wav

    samples, rate = read_wav(speech_wav)
    if rate != RATE:
        raise ValueError(f"{speech_wav}: {rate} Hz, expected {RATE}")
    first, last = speech_span(samples)
    speech = samples[first:last]
    lead, tail = round(LEAD * RATE), round(TAIL * RATE)
    padded = np.concatenate([np.zeros(lead, np.float32), speech, np.zeros(tail, np.float32)])
    track = folder / f"{speech_wav.stem}.track.wav"
    out = folder / f"{speech_wav.stem}.{tag}{'clean' if snr_db is None else f'{snr_db:g}dB'}.wav"
    peak = float(np.max(np.abs(speech)))
    if snr_db is None:
        gain = 0.5 / peak
        write_wav(track, padded, RATE)
        subprocess.run(["sox", "-D", "-v", f"{gain:.9f}", str(track), str(out)], check=True,
                       capture_output=True)
        return Mix(out, gain, 0.0, lead, lead + len(speech))
    noise_wav = folder / f"{speech_wav.stem}.noise.wav"
    (make_noise or noise)(noise_wav, len(padded))
    noise_samples, _ = read_wav(noise_wav)
    if len(noise_samples) != len(padded):
        raise RuntimeError(f"sox made {len(noise_samples)} samples of noise, not {len(padded)}")
    wanted = power(speech) / 10 ** (snr_db / 10)  # noise power relative to the speech
    under_speech = noise_samples[lead:lead + len(speech)]  # the SNR is over the spoken part
    relative = math.sqrt(wanted / power(under_speech))
    # scale both so the sum cannot clip; the ratio (the SNR) stays the same
    scale = 0.9 / (peak + relative * float(np.max(np.abs(noise_samples))))
    write_wav(track, padded, RATE)
    subprocess.run(["sox", "-D", "-m", "-v", f"{scale:.9f}", str(track),
                    "-v", f"{scale * relative:.9f}", str(noise_wav), str(out)],
                   check=True, capture_output=True)
    return Mix(out, scale, scale * relative, lead, lead + len(speech))


def measured_snr(mix: Mix, speech_wav: Path) -> float:
    """The SNR (dB) of a mix, measured: the mix minus the scaled speech is the noise."""
    from assistant.speech.audio import read_wav

    mixed, _ = read_wav(mix.path)
    samples, _ = read_wav(speech_wav)
    first, last = speech_span(samples)
    speech = mix.speech_gain * samples[first:last].astype(np.float64)
    residual = mixed[mix.start:mix.end].astype(np.float64) - speech
    return 10 * math.log10(power(speech.astype(np.float32)) / power(residual.astype(np.float32)))


_LOAD = """
import json, resource, sys, time
import vosk
vosk.SetLogLevel(-2)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
model = vosk.Model(sys.argv[1])
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rss_mb": (after - before) / 1024}))
"""


def model_load(path: Path) -> dict[str, float]:
    """Loading a Vosk model in a fresh process: {'seconds': wall time, 'rss_mb': RSS added}."""
    run = subprocess.run([sys.executable, "-c", _LOAD, str(path)], capture_output=True,
                         text=True, timeout=300, check=True)
    result: dict[str, float] = json.loads(run.stdout)
    return result


def tools_missing() -> list[str]:
    return [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]


def skipped(reason: str) -> Section:
    """The section without a Dutch model: every row it will fill, with its target, waiting."""
    labels = ["clean" if snr is None else f"{snr:g} dB SNR" for snr in SNRS]
    rows = [Row("model load", "—", "", "skipped"),
            Row("RSS added by the model", "—", "", "skipped")]
    for label in labels:
        target = {"clean": "≥ 99 %", "6 dB SNR": "≥ 95 %"}.get(label, "")
        rows.append(Row(f"accepted, {label}", "—", target, "skipped"))
    rows.append(Row("recogniser real-time factor p50 / p95", "—", "", "skipped"))
    rows += [Row(f"end of speech → result p95, {label}", "—", "", "skipped") for label in labels]
    rows.append(Row("end of speech → next prompt audible p95 (clean)", "—", "≤ 0.4 s", "skipped"))
    return Section("recognition", "Recognition with a Vosk model (voice)", METHOD, rows, reason)


METHOD = (
    f"{len(PHRASES)} answers, doubt and commands on the four answer types, each spoken by "
    f"espeak-ng in {len(VARIANTS)} voice variants and rates "
    f"({', '.join(f'`-v {v} -s {r}`' for v, r in VARIANTS)}), resampled to 16 kHz by sox, "
    f"with {LEAD} s before and {TAIL} s after, then mixed by sox with pink noise at 24, 12 and "
    "6 dB SNR (speech power over the spoken part; the mix's SNR is checked with numpy). Each "
    "clip goes through the full voice path: `VoiceListener` with a `WavSource` "
    "(ASSISTANT_FAST_CLOCK=1) and the `VoskRecognizer` restricted to the question's grammar; "
    "accepted = what was heard, read as the dialog reads it (`bench.understanding.read`: a "
    "command, doubt on a yes/no question, or an answer), gives the expected reading. "
    "Recogniser real-time factor = listen() wall time / audio consumed. End of speech → next "
    "prompt audible = (audio consumed − end of the speech in the clip) + one block's decoding "
    "+ the dialog turn p95 + the warm prompt → first sample p95 (sections 1 and 5).")


def measure(protocol: Protocol, turn_p95: float | None, prompt_p95: float | None) -> Section:
    from assistant.cli.model_folder import models_dir
    from assistant.errors import ModelError
    from assistant.speech.model_location import find_model

    try:
        model = find_model(None, models_dir=models_dir())
    except ModelError as exc:
        return skipped(f"{SKIP} ({exc})")
    if model is None:
        return skipped(SKIP)
    missing = tools_missing()
    if missing:
        return skipped(f"skipped: {', '.join(missing)} not installed")
    from assistant.dialog.phrases import accepted_phrases
    from assistant.speech.audio import WavSource
    from assistant.speech.recognizer import VoskRecognizer
    from assistant.speech.voice import VoiceListener
    from bench.understanding import expected_intent, matches, read

    loaded = model_load(model)
    os.environ["ASSISTANT_FAST_CLOCK"] = "1"
    recognizer = VoskRecognizer(model)
    accepted: dict[float | None, list[bool]] = {snr: [] for snr in SNRS}
    rtf: list[float] = []
    eos: dict[float | None, list[float]] = {snr: [] for snr in SNRS}
    misses: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-asr-") as tmp:
        folder = Path(tmp)
        for n, (question_id, text, expected) in enumerate(PHRASES):
            question = protocol.question(question_id)
            grammar = accepted_phrases(protocol.vocabulary, question)
            for voice, rate in VARIANTS:
                speech = folder / f"a{n}-{voice.replace('+', '_')}-{rate}.wav"
                espeak(text, voice, rate, speech)
                for snr in SNRS:
                    mix = mix_at_snr(speech, snr, folder)
                    source = WavSource(mix.path)
                    listener = VoiceListener(recognizer, source, None, timeout=8.0)
                    started = time.perf_counter()
                    heard = listener.listen(grammar)
                    wall = time.perf_counter() - started
                    consumed = source._position / 2 / source.rate
                    blocks = max(1, round(consumed / source.block_seconds))
                    rtf.append(wall / consumed)
                    eos[snr].append(max(0.0, consumed - mix.end / RATE) + wall / blocks)
                    got = None if heard is None else read(heard.text, question.id, protocol)
                    ok = matches(got, expected_intent(expected))
                    accepted[snr].append(ok)
                    if not ok:
                        label = "clean" if snr is None else f"{snr:g} dB"
                        misses.append(f"{text!r} ({voice} {rate}, {label}) → "
                                      f"{heard.text if heard else None!r}")
                    listener.close()
    rows = [Row("model load", f"{loaded['seconds']:.2f} s"),
            Row("RSS added by the model", f"{loaded['rss_mb']:.0f} MB")]
    for snr in SNRS:
        share = sum(accepted[snr]) / len(accepted[snr])
        label = "clean" if snr is None else f"{snr:g} dB SNR"
        shown = f"{100 * share:.1f} % of {len(accepted[snr])}"
        if snr is None:
            rows.append(at_least(f"accepted, {label}", share, CLEAN_TARGET, shown, "≥ 99 %"))
        elif snr == min(s for s in SNRS if s is not None):
            rows.append(at_least(f"accepted, {label}", share, NOISY_TARGET, shown, "≥ 95 %"))
        else:
            rows.append(Row(f"accepted, {label}", shown))
    ratio = Summary.of(rtf)
    rows.append(Row("recogniser real-time factor p50 / p95", f"{ratio.p50:.3f} / {ratio.p95:.3f}"))
    for snr in SNRS:
        label = "clean" if snr is None else f"{snr:g} dB SNR"
        rows.append(Row(f"end of speech → result p95, {label}", ms(Summary.of(eos[snr]).p95)))
    delay = Summary.of(eos[None]).p95 + (turn_p95 or 0.0) + (prompt_p95 or 0.0)
    rows.append(at_most("end of speech → next prompt audible p95 (clean)", delay, EOS_TARGET,
                        ms(delay), "≤ 0.4 s"))
    details = ("Misses:\n\n" + "\n".join(f"- {m}" for m in misses)) if misses else "No misses."
    return Section("recognition", "Recognition with a Vosk model (voice)", METHOD, rows,
                   details)
