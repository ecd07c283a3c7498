"""`assistant doctor`: is voice ready here? One line per check, with the fix for each failure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.cli.hints import cli_text
from assistant.dialog.phrases import accepted_phrases
from assistant.dialog.vocabulary import all_phrases, core_words
from assistant.invocation import command, python_module
from assistant.protocol.model import Protocol
from assistant.speech.recognizer import VoskRecognizer, grammar_words
from assistant.speech.setup import SpeechOptions, device_spec, vocabulary_problem

LOOPBACK_RATE = 16000  # Hz, what the recogniser is fed in the self-test


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = "OK  " if self.ok else "FOUT"
        fix = f" Oplossing: {self.fix}" if self.fix and not self.ok else ""
        return f"{mark} {self.name}: {self.detail}.{fix}"


def check_portaudio() -> Check:
    try:
        import sounddevice
    except OSError:
        return Check("PortAudio", False, "niet gevonden",
                     "sudo apt-get install libportaudio2")
    return Check("PortAudio", True, str(sounddevice.get_portaudio_version()[1]).split(",")[0])


def check_device(kind: str, spec: str | None) -> Check:
    from assistant.speech.audio import AudioError, find_device, supported_rate

    name = "Microfoon" if kind == "input" else "Luidspreker"
    flag = "--input-device" if kind == "input" else "--output-device"
    try:
        device = find_device(device_spec(spec), "input" if kind == "input" else "output")
        rate = supported_rate(device, "input" if kind == "input" else "output")
    except AudioError as exc:
        return Check(name, False, cli_text(exc),
                     f"sluit er een aan, of kies er een met {flag} (lijst: "
                     f"{python_module('sounddevice')})")
    return Check(name, True, f"'{device.name}', {rate} Hz")


Audio = tuple[np.ndarray, int]  # samples, rate (Hz)


def check_voice(options: SpeechOptions) -> tuple[Check, Audio | None]:
    from assistant.speech.tts import Pyttsx3Synthesizer, TtsError

    try:
        synthesizer = Pyttsx3Synthesizer(options.tts_voice, options.speech_rate)
        samples, rate = synthesizer.synthesize("ja")
    except TtsError as exc:
        return Check("Nederlandse stem", False, cli_text(exc),
                     "sudo apt-get install espeak-ng libespeak-ng1"), None
    seconds = len(samples) / rate
    return Check("Nederlandse stem", True, f"{synthesizer.voice} ({seconds:.1f} s voor 'ja')"), (
        samples, rate)


def check_piper(options: SpeechOptions) -> tuple[Check, Audio | None]:
    """The Piper voice: found, loads, speaks, Dutch. None installed is no fault: espeak-ng
    speaks (the portable default)."""
    from assistant.speech.piper_voice import (
        DEFAULT_VOICE,
        PiperSynthesizer,
        is_dutch,
        locate_voice,
    )
    from assistant.speech.tts import TtsError

    fix = f"{command('model download ' + DEFAULT_VOICE)} (of zet ASSISTANT_PIPER_VOICE)"
    try:
        location = locate_voice(options.tts_voice, models_dir=options.models_dir)
        if location is None:
            return Check("Piper-stem", True, "geen geïnstalleerd; espeak-ng spreekt (natuurlijker:"
                         f" {command('model download ' + DEFAULT_VOICE)})"), None
        synthesizer = PiperSynthesizer(location.path, options.speech_rate)
        samples, rate = synthesizer.synthesize("ja")
    except TtsError as exc:
        return Check("Piper-stem", False, cli_text(exc), fix), None
    if not is_dutch(location.path):
        return Check("Piper-stem", False, f"{synthesizer.name} is geen Nederlandse stem "
                     f"({synthesizer.language or 'taal onbekend'})", fix), None
    return Check("Piper-stem", True, f"{synthesizer.name} via {location.source} "
                 f"({len(samples) / rate:.1f} s voor 'ja')"), (samples, rate)


def check_model(options: SpeechOptions, protocol: Protocol) -> tuple[Check, VoskRecognizer | None]:
    from assistant.errors import ModelError, RecognizerError
    from assistant.speech.model_location import find_model

    fix = f"{command('model download')} (of zet ASSISTANT_VOSK_MODEL op de map van het model)"
    try:
        path = find_model(options.model, models_dir=options.models_dir)
    except ModelError as exc:
        return Check("Spraakmodel", False, cli_text(exc), fix), None
    if path is None:
        return Check("Spraakmodel", False, "niet gevonden", fix), None
    try:
        recognizer = VoskRecognizer(path)
    except RecognizerError as exc:
        return Check("Spraakmodel", False, cli_text(exc)), None  # the message says what to do
    problem = vocabulary_problem(recognizer.unknown_words(core_words(protocol)), path)
    if problem is not None:
        recognizer.close()
        return Check("Spraakmodel", False, cli_text(problem)), None
    phrases = all_phrases(protocol)
    words = grammar_words(phrases)
    unknown = recognizer.unknown_words(phrases)
    coverage = f"{len(words) - len(unknown)} van {len(words)} woorden bekend"
    if unknown:
        coverage += f" (onbekend: {', '.join(unknown[:8])})"
    return Check("Spraakmodel", True, f"{path}, laadt; {coverage}"), recognizer


def loopback(recognizer: VoskRecognizer, audio: Audio,
             protocol: Protocol) -> Check:
    """Say 'ja' with the TTS and recognise it with the yes/no grammar."""
    from assistant.speech.audio import resample
    from assistant.speech.recognizer import parse_result

    samples, rate = audio
    pcm = (np.clip(resample(samples, rate, LOOPBACK_RATE), -1, 1) * 32767).astype("<i2")
    padded = np.concatenate([np.zeros(LOOPBACK_RATE // 4, "<i2"), pcm,
                             np.zeros(LOOPBACK_RATE // 2, "<i2")]).tobytes()
    decoder = recognizer.decoder(accepted_phrases(protocol.vocabulary, None), LOOPBACK_RATE)
    block = LOOPBACK_RATE // 10 * 2
    for start in range(0, len(padded), block):
        decoder.accept(padded[start:start + block])
    heard = parse_result(decoder.final_result())
    if heard is not None and heard.text == "ja":
        return Check("Zelftest", True, f"'ja' gesproken en verstaan ({heard.confidence:.2f})")
    got = heard.text if heard else "niets"
    return Check("Zelftest", False, f"'ja' gesproken, '{got}' verstaan",
                 f"controleer of het model Nederlands is ({command('model verify')})")


def run_doctor(protocol: Protocol, options: SpeechOptions,
               out: Callable[[str], None]) -> bool:
    """Run every check, print one line each; True when voice is ready."""
    checks = [check_portaudio()]
    if checks[0].ok:
        checks += [check_device("input", options.input_device),
                   check_device("output", options.output_device)]
    voice_check, audio = check_voice(options)
    piper_check, piper_audio = check_piper(options)
    model_check, recognizer = check_model(options, protocol)
    checks += [voice_check, piper_check, model_check]
    audio = piper_audio or audio  # the self-test hears the voice that will speak
    for check in checks:
        out(check.line())
    ready = all(c.ok for c in checks)
    if recognizer is not None and audio is not None:
        self_test = loopback(recognizer, audio, protocol)
        out(self_test.line())
        ready = ready and self_test.ok
    out("Spraakbediening is klaar." if ready else "Spraakbediening is niet klaar; "
        f"de intake werkt wel met het toetsenbord ({command('intake --text')}).")
    return ready
