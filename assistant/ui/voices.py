"""The voices the screen speaks with (issue 26: "`--tts-voice` and the screen's settings choose"):
each installed Piper voice (the models folder's, and the one --tts-voice or
ASSISTANT_PIPER_VOICE names) and espeak-ng through pyttsx3, the portable default; which one is
chosen, with the line that says so ("Stem: …", as setup.choose_synthesizer words it); and
speakers in it: the screen's own (loudspeaker) and one playing into a recording (the session
to take home, intake/session_audio.py).

The choice lives in the screen's process only (it starts as the speech flags say). At start the
chosen voice is the one the flags find, opened with the flags as they are, so the screen speaks
and says its voice exactly as the command line does. The engine's speaker is swapped by the
page (app.py), only while nothing runs."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from assistant.errors import TtsError, VoiceUnavailable
from assistant.speech.setup import SpeechOptions, open_speaker

if TYPE_CHECKING:
    from assistant.speech.tts import AudioSpeaker, Playback

ESPEAK: Final = "espeak"  # the key of espeak-ng (pyttsx3)
ESPEAK_LABEL: Final = "espeak-ng (standaard)"
CHOSEN_HERE: Final = "gekozen op het scherm"
# a command to type, in a voice's line ("('assistant model download …' haalt …)"): the screen
# names no commands (hints.py)
COMMAND: Final = re.compile(r"\s*\('[^']*'[^)]*\)")
VIA: Final = re.compile(r"\(via [^)]*\)\.$")  # how a Piper voice was found (its line's end)


@dataclass(frozen=True)
class VoiceChoice:
    """A voice the page offers: its `key` (what the page sends back: ESPEAK or the voice
    file's path), its Dutch `label`, and the Piper voice file (None: espeak-ng)."""

    key: str
    label: str
    path: Path | None = None


ESPEAK_CHOICE: Final = VoiceChoice(ESPEAK, ESPEAK_LABEL)


def _piper_choice(path: Path) -> VoiceChoice:
    from assistant.speech.piper_voice import voice_language

    name = path.name.removesuffix(".onnx")
    language = voice_language(path)
    return VoiceChoice(str(path), f"{name} (Piper{', ' + language if language else ''})", path)


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except OSError:
        return first == second


class ScreenVoices:
    """The screen's voices. `options`: the speech flags (--tts-voice, --speech-rate, the
    models and cache folders); `fixed`: the sentences the disk cache may keep
    (speech_cache.fixed_sentences). `live`: the engine's speaker is one of these (opened by
    `open_live`), so a new choice replaces it; otherwise the screen speaks nothing aloud
    (--mute, no loudspeaker) and the choice is the recording's alone."""

    def __init__(self, options: SpeechOptions | None = None,
                 fixed: Collection[str] = ()) -> None:
        self.options = options or SpeechOptions()
        self.fixed = frozenset(fixed)
        self.live = False
        self._initial = self._found()
        self.chosen = self._initial
        self.line: str | None = None  # the last "Stem: …" line (None: no voice opened yet)
        self._pyttsx3_voice: str | None = None

    def _found(self) -> VoiceChoice:
        """The voice the flags choose (setup.choose_synthesizer's search), before loading it:
        the Piper voice located, else espeak-ng (also when the named voice is no voice: then
        the flags' own line says why)."""
        from assistant.speech.piper_voice import locate_voice

        try:
            location = locate_voice(self.options.tts_voice, models_dir=self.options.models_dir)
        except TtsError:
            return ESPEAK_CHOICE
        return ESPEAK_CHOICE if location is None else _piper_choice(location.path)

    def choices(self) -> list[VoiceChoice]:
        """espeak-ng, then every Piper voice installed in the models folder and the one the
        flags name (each once), with the chosen one always among them."""
        from assistant.speech.piper_voice import installed_voices

        found = [ESPEAK_CHOICE]
        paths = installed_voices(self.options.models_dir)
        for extra in (self._initial.path, self.chosen.path):
            if extra is not None:
                paths.append(extra)
        for path in paths:
            if not any(c.path is not None and _same_file(c.path, path) for c in found):
                found.append(_piper_choice(path))
        return found

    def find(self, key: object) -> VoiceChoice | None:
        """The choice the page sent (its key), or None for anything else."""
        if not isinstance(key, str) or not key:
            return None
        return next((c for c in self.choices() if c.key == key), None)

    @property
    def shown(self) -> str:
        """The line the page shows: the last opened voice's line (without a command to type),
        else the choice's name."""
        return COMMAND.sub("", self.line) if self.line else f"Stem: {self.chosen.label}."

    # --- speakers -------------------------------------------------------------------------------

    def _options_for(self, choice: VoiceChoice) -> SpeechOptions:
        """The flags as they are for the voice they choose themselves; for another, the flags
        naming that voice (a Piper file, or pyttsx3's Dutch voice by its id)."""
        if choice.key == self._initial.key:
            return self.options
        if choice.path is not None:
            return replace(self.options, tts_voice=str(choice.path))
        return replace(self.options, tts_voice=self._dutch_pyttsx3_voice())

    def _dutch_pyttsx3_voice(self) -> str:
        """pyttsx3's Dutch voice by its id: named, it keeps a Piper voice in the models folder
        (or ASSISTANT_PIPER_VOICE) from being taken instead. VoiceUnavailable without one."""
        if self._pyttsx3_voice is None:
            from assistant.speech.tts import Pyttsx3Synthesizer

            try:
                self._pyttsx3_voice = Pyttsx3Synthesizer(None).voice
            except TtsError as exc:
                raise VoiceUnavailable(exc) from None
        return self._pyttsx3_voice

    def open(self, choice: VoiceChoice, playback: Playback | None = None,
             on_error: Callable[[str], None] | None = None) -> tuple[AudioSpeaker, str]:
        """A speaker in `choice` on the loudspeaker, or into `playback` (a recording), with
        its "Stem: …" line. VoiceUnavailable (one Dutch line) when it cannot speak, or when
        `choice` is a Piper voice that does not load (pyttsx3 would speak instead)."""
        speaker, line, spoken = self._open(choice, playback, on_error)
        if spoken != choice:
            speaker.close()
            why = line.split("): ", 1)[-1].rstrip(".")
            raise VoiceUnavailable(f"de stem {choice.label} werkt niet: {why}")
        return speaker, line

    def _open(self, choice: VoiceChoice, playback: Playback | None,
              on_error: Callable[[str], None] | None,
              ) -> tuple[AudioSpeaker, str, VoiceChoice]:
        """A speaker as `open` makes it, its line, and the voice it speaks with: `choice`, or
        espeak-ng when a Piper voice did not load (setup.choose_synthesizer falls back)."""
        from assistant.speech.piper_voice import PiperSynthesizer

        notice = io.StringIO()
        speaker = open_speaker(self._options_for(choice), self.fixed, notice=notice,
                               playback=playback, on_error=on_error)
        line = " ".join(notice.getvalue().split())
        spoken = choice
        if choice.path is not None and not isinstance(speaker.synthesizer, PiperSynthesizer):
            spoken = ESPEAK_CHOICE
        return speaker, line, spoken

    def open_live(self) -> AudioSpeaker:
        """The screen's speaker at start, in the voice the flags choose, as the command line
        opens it (a Piper voice that does not load: espeak-ng, the line says why); its line
        is kept. VoiceUnavailable as open_speaker raises it."""
        speaker, self.line, self.chosen = self._open(self.chosen, None, None)
        self.live = True
        return speaker

    def choose(self, choice: VoiceChoice) -> AudioSpeaker | None:
        """Make `choice` the screen's voice: loaded first (VoiceUnavailable when it cannot
        speak: nothing changes). The new speaker for the engine when the screen speaks aloud,
        else None (the voice was loaded only to check it, and closed)."""
        speaker, line = self.open(choice, None if self.live else _Nowhere())
        if not self.live:
            speaker.close()
        # chosen here: the line says so, not how the flags would have found it
        line = (VIA.sub(f"({CHOSEN_HERE}).", line) if choice.path is not None
                else f"Stem: espeak-ng via pyttsx3 ({speaker.voice}), {CHOSEN_HERE}.")
        self.chosen, self.line = choice, line
        return speaker if self.live else None


class _Nowhere:
    """A playback that plays nothing (a voice loaded only to check it)."""

    def play(self, samples: object, rate: int) -> bool:
        return True

    def stop(self) -> None:
        return None

    def close(self) -> None:
        return None
