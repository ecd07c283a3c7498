"""Putting the voice together: model, microphone (or a WAV file), recogniser, speech output.

Each step either works or raises Unavailable with a one-line Dutch reason that says the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from assistant.dialog.exercise_choice import choice_phrases
from assistant.dialog.exercise_session import session_commands
from assistant.dialog.numbers import NUMBER_WORDS
from assistant.dialog.phrases import accepted_phrases
from assistant.errors import VoiceUnavailable, os_reason
from assistant.invocation import command
from assistant.protocol.model import Protocol

if TYPE_CHECKING:
    from assistant.speech.tts import AudioSpeaker
    from assistant.speech.voice import VoiceListener

MAX_LISTED_WORDS = 8
Unavailable = VoiceUnavailable  # the name the callers know


@dataclass(frozen=True)
class SpeechOptions:
    model: Path | None = None  # --model
    input_device: str | None = None  # --input-device (name or index)
    output_device: str | None = None  # --output-device
    audio_in: Path | None = None  # --audio-in: a WAV file instead of the microphone
    timeout: float = 8.0  # s of silence before a question is asked again
    tts_voice: str | None = None  # pyttsx3 voice id or name
    speech_rate: int | None = None  # words per minute


def device_spec(value: str | None) -> str | int | None:
    """A device flag: an index when it is a number, else a name."""
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else value


def open_speaker(options: SpeechOptions) -> AudioSpeaker:
    """Speech output on the output device (an AudioSpeaker)."""
    from assistant.speech.audio import AudioError, Player, find_device
    from assistant.speech.tts import AudioSpeaker, Pyttsx3Synthesizer, TtsError

    try:
        find_device(device_spec(options.output_device), "output")
        synthesizer = Pyttsx3Synthesizer(options.tts_voice, options.speech_rate)
        return AudioSpeaker(synthesizer, Player(device_spec(options.output_device)))
    except (AudioError, TtsError) as exc:
        raise Unavailable(str(exc)) from None


def all_phrases(protocol: Protocol) -> set[str]:
    """Every phrase the assistant listens for: the answers to any question (or a
    confirmation), the choice of exercises, and the exercise session's commands."""
    vocab = protocol.vocabulary
    phrases = set(accepted_phrases(vocab, None))
    for question in protocol.questions:
        phrases.update(accepted_phrases(vocab, question))
    library = protocol.library
    phrases.update(choice_phrases(library.codes, vocab, library.choice.none,
                                  library.choice.frequencies))
    phrases.update(session_commands(library.session, vocab))
    return phrases


def core_words(protocol: Protocol) -> set[str]:
    """The words no Dutch consultation can do without (DESIGN.md "Voice safety"): ja and nee,
    one word for each global command, and the numbers nul to tien."""
    vocab = protocol.vocabulary
    commands = {min((p for p in phrases if " " not in p), key=len, default="")
                for _, phrases in vocab.commands}
    numbers = {w for w, v in NUMBER_WORDS.items() if float(v).is_integer() and 0 <= v <= 10}
    return ({"ja", "nee"} | commands | numbers) - {""}


def vocabulary_problem(unknown_core: list[str], path: Path | None = None) -> str | None:
    """One line when the model (in `path`) lacks core words (`core_words`): such a model
    cannot hold a Dutch consultation, whatever else it knows. It names the words a therapist
    knows first (ja, nee) and the fix."""
    if not unknown_core:
        return None
    first = [w for w in ("ja", "nee") if w in unknown_core]
    shown = ", ".join([*first, *(w for w in unknown_core if w not in first)][:MAX_LISTED_WORDS])
    model = "dit model" if path is None else f"het spraakmodel {path}"
    return (f"{model} kent de Nederlandse antwoordwoorden niet ({shown}): het is geen "
            f"Nederlands model. Haal dat op met '{command('model download')}' en laat "
            "--model en ASSISTANT_VOSK_MODEL dan weg")


def vocabulary_warning(unknown: list[str]) -> str | None:
    """One line naming grammar words the model does not know (they cannot be recognised)."""
    if not unknown:
        return None
    shown = ", ".join(unknown[:MAX_LISTED_WORDS])
    more = f" en nog {len(unknown) - MAX_LISTED_WORDS}" if len(unknown) > MAX_LISTED_WORDS else ""
    return f"Let op: het spraakmodel kent deze woorden niet: {shown}{more}."


def open_listener(options: SpeechOptions, protocol: Protocol, keyboard_stream: TextIO | None,
                  warn: TextIO) -> VoiceListener:
    """A VoiceListener on the microphone (or --audio-in), with the model loaded."""
    from assistant.speech.models import ModelError, find_model

    try:
        model = find_model(options.model)
    except ModelError as exc:
        raise Unavailable(str(exc)) from None
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
        raise Unavailable(str(exc)) from None
    problem = vocabulary_problem(recognizer.unknown_words(core_words(protocol)), model)
    if problem is not None:
        recognizer.close()
        raise Unavailable(problem)
    try:
        source = (WavSource(options.audio_in) if options.audio_in is not None
                  else Microphone(device_spec(options.input_device)))
    except AudioError as exc:
        recognizer.close()
        raise Unavailable(str(exc)) from None
    except OSError as exc:
        recognizer.close()
        raise Unavailable(f"{options.audio_in}: niet te lezen ({os_reason(exc)})") from None
    warning = vocabulary_warning(recognizer.unknown_words(all_phrases(protocol)))
    if warning:
        print(warning, file=warn)
    keyboard = KeyboardInput(keyboard_stream) if keyboard_stream is not None else None
    return VoiceListener(recognizer, source, keyboard, timeout=options.timeout)
