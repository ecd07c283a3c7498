"""Putting the voice together: model, microphone (or a WAV file), recogniser, speech output.

Each step either works or raises Unavailable with a one-line Dutch reason that says the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from assistant.errors import Advice, Hint, ModelError, VoiceUnavailable, os_reason
from assistant.invocation import command

if TYPE_CHECKING:
    from assistant.speech.tts import AudioSpeaker, Playback, Synthesizer
    from assistant.speech.voice import VoiceListener

MAX_LISTED_WORDS = 8
Unavailable = VoiceUnavailable  # the name the callers know


@dataclass(frozen=True)
class SpeechOptions:
    model: Path | None = None  # --model
    models_dir: Path | None = None  # the assistant's models folder (None: none is searched)
    input_device: str | None = None  # --input-device (name or index)
    output_device: str | None = None  # --output-device
    audio_in: Path | None = None  # --audio-in: a WAV file instead of the microphone
    timeout: float = 8.0  # s of silence before a question is asked again
    tts_voice: str | None = None  # a Piper voice (file, folder, installed name) or pyttsx3 voice
    speech_rate: int | None = None  # words per minute
    cache_dir: Path | None = None  # where synthesised fixed prompts are kept (None: nowhere)
    enhance: bool = True  # noise suppression and gain before listening (--no-enhance)


def device_spec(value: str | None) -> str | int | None:
    """A device flag: an index when it is a number, else a name."""
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else value


def open_speaker(options: SpeechOptions, fixed: Collection[str] = (),
                 notice: TextIO | None = None, playback: Playback | None = None,
                 on_error: Callable[[str], None] | None = None) -> AudioSpeaker:
    """Speech output on the output device (an AudioSpeaker), or into `playback` (a recording)
    when given: Piper when a voice is found (speech/piper_voice.py), else pyttsx3 (espeak-ng).
    One line on `notice` says which voice and why. `fixed`: the sentences the disk cache may
    keep (speech_cache.fixed_sentences); `on_error` hears the one line about a sentence that
    could not be said (default: stderr)."""
    from assistant.speech.audio import AudioError, Player, find_device
    from assistant.speech.speech_cache import DiskCache, cache_dir
    from assistant.speech.tts import AudioSpeaker, TtsError

    try:
        if playback is None:
            find_device(device_spec(options.output_device), "output")
        synthesizer, line = choose_synthesizer(options, strict=playback is not None)
        player = playback or Player(device_spec(options.output_device))
    except (AudioError, TtsError) as exc:
        raise Unavailable(exc) from None
    if notice is not None:
        print(line, file=notice)
    folder = None if options.cache_dir is None else cache_dir(options.cache_dir)
    return AudioSpeaker(synthesizer, player, fixed=fixed, on_error=on_error,
                        disk=None if folder is None else DiskCache(folder))


def choose_synthesizer(options: SpeechOptions, *, strict: bool = False,
                       ) -> tuple[Synthesizer, str]:
    """The synthesizer to speak with and one line saying which voice and why: a Piper voice
    when one is found and loads, else pyttsx3 (TtsError when that fails too). `strict`: a
    voice asked for (--tts-voice, ASSISTANT_PIPER_VOICE) that cannot speak is a TtsError,
    not espeak-ng instead (a file to take home is made in the voice asked for, or not)."""
    from assistant.speech.piper_voice import DEFAULT_VOICE, PiperSynthesizer, locate_voice
    from assistant.speech.tts import Pyttsx3Synthesizer, TtsError

    why = (f"geen Piper-stem geïnstalleerd ('{command('model download ' + DEFAULT_VOICE)}' "
           "haalt een natuurlijke Nederlandse stem)")
    pyttsx3_voice = options.tts_voice
    try:
        location = locate_voice(options.tts_voice, models_dir=options.models_dir)
    except TtsError as exc:
        if strict:
            raise
        location, why, pyttsx3_voice = None, f"{exc}", None
    if location is not None:
        pyttsx3_voice = None
        try:
            piper = PiperSynthesizer(location.path, options.speech_rate)
        except TtsError as exc:
            if strict and location.source != "models/":
                raise
            why = f"{exc}"
        else:
            language = f", {piper.language}" if piper.language else ""
            return piper, f"Stem: Piper {piper.name}{language} (via {location.source})."
    synthesizer = Pyttsx3Synthesizer(pyttsx3_voice, options.speech_rate)
    return synthesizer, f"Stem: espeak-ng via pyttsx3 ({synthesizer.voice}): {why}."


def vocabulary_problem(unknown_core: list[str], path: Path | None = None,
                       ) -> VoiceUnavailable | None:
    """The error, in one line, when the model (in `path`) lacks core words
    (dialog/vocabulary.py `core_words`): such a model cannot hold a Dutch consultation,
    whatever else it knows. It names the words a therapist knows first (ja, nee) and the fix
    (Hint.OMIT_MODEL)."""
    if not unknown_core:
        return None
    first = [w for w in ("ja", "nee") if w in unknown_core]
    shown = ", ".join([*first, *(w for w in unknown_core if w not in first)][:MAX_LISTED_WORDS])
    model = "dit model" if path is None else f"het spraakmodel {path}"
    return VoiceUnavailable(f"{model} kent de Nederlandse antwoordwoorden niet ({shown}): het "
                            "is geen Nederlands model. Haal dat op met "
                            f"'{command('model download')}'",
                            Advice(Hint.OMIT_MODEL, lead=" en "))


def vocabulary_warning(unknown: list[str]) -> str | None:
    """One line naming grammar words the model does not know (they cannot be recognised)."""
    if not unknown:
        return None
    shown = ", ".join(unknown[:MAX_LISTED_WORDS])
    more = f" en nog {len(unknown) - MAX_LISTED_WORDS}" if len(unknown) > MAX_LISTED_WORDS else ""
    return f"Let op: het spraakmodel kent deze woorden niet: {shown}{more}."


def open_listener(options: SpeechOptions, core: Collection[str], phrases: Collection[str],
                  keyboard_stream: TextIO | None, warn: TextIO) -> VoiceListener:
    """A VoiceListener on the microphone (or --audio-in), with the model loaded.

    `core`: the words a model must know to be used at all (else Unavailable); `phrases`: every
    phrase the dialogs can accept (the words the model lacks are named on `warn`). Both come
    from the dialog layer (dialog/vocabulary.py). `keyboard_stream`: typed answers beside the
    voice (None: none)."""
    from assistant.speech.model_location import find_model

    try:
        model = find_model(options.model, models_dir=options.models_dir)
    except ModelError as exc:
        raise Unavailable(exc) from None
    if model is None:
        raise Unavailable("geen spraakmodel gevonden; haal het op met "
                          f"'{command('model download')}' of zet ASSISTANT_VOSK_MODEL")
    # Only now the audio side (numpy alone takes ~0.17 s to import): without a model the
    # fallback to text mode starts as fast as --text (docs/benchmarks.md, start-up).
    from assistant.speech.audio import AudioError, Microphone, WavSource
    from assistant.speech.keyboard import KeyboardInput
    from assistant.speech.recognizer import RecognizerError, VoskRecognizer
    from assistant.speech.voice import VoiceListener

    # The model first: a model that cannot work is the problem to name, whatever the audio
    try:
        recognizer = VoskRecognizer(model)
    except RecognizerError as exc:
        raise Unavailable(exc) from None
    problem = vocabulary_problem(recognizer.unknown_words(core), model)
    if problem is not None:
        recognizer.close()
        raise problem
    try:
        source = (WavSource(options.audio_in) if options.audio_in is not None
                  else Microphone(device_spec(options.input_device)))
    except AudioError as exc:
        recognizer.close()
        raise Unavailable(exc) from None
    except OSError as exc:
        recognizer.close()
        raise Unavailable(f"{options.audio_in}: niet te lezen ({os_reason(exc)})") from None
    warning = vocabulary_warning(recognizer.unknown_words(phrases))
    if warning:
        print(warning, file=warn)
    keyboard = KeyboardInput(keyboard_stream) if keyboard_stream is not None else None
    from assistant.speech.enhance import make_enhancer
    from assistant.speech.vad import make_factory

    enhancer = make_enhancer(source.rate, warn) if options.enhance else None
    return VoiceListener(recognizer, source, keyboard, timeout=options.timeout,
                         detectors=make_factory(warn=warn), enhancer=enhancer)
