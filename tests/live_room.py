"""A whole consultation by voice on a simulated room: a microphone that hears the assistant's
own voice leak in, a scripted recogniser, and voice scripts computed from scripts by question
id (the dialog is rehearsed in process with the same utterances)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.dialog.consultation import DialogConfig
from assistant.intake.run import SpeechOutput, run_consultation
from assistant.speech.interfaces import Utterance
from assistant.speech.voice import VoiceListener
from tests.fakes import RATE, ScriptedRecognizer, silence, tone
from tests.harness import PROTOCOL, JsonEvent, collect
from tests.intake_lines import rehearse
from tests.intake_script import IntakeScript, Reply, Said

SPOKEN_AGE = "zevenenveertig"  # the first question, the age, as it is said
ECHO = tone(0.4, freq=180.0)  # what the microphone picks up of the assistant's own voice
CONFIDENCE = 0.95  # of what the recogniser hears, unless a script says otherwise
VOICE = DialogConfig(voice=True)


@dataclass
class LiveRoom:
    """A microphone in a room: speech played leaks in; each turn the user then answers."""

    turns: list[bytes]
    rate: int = RATE
    queued: bytes = b""
    timeline: list[str] = field(default_factory=list)
    echo_dropped: int = 0

    # the speaker side
    def say(self, text: str) -> None:
        self.timeline.append("say")
        self.queued += ECHO

    def close(self) -> None:
        return None

    def stop(self) -> None:
        return None

    def take_late(self) -> float:  # its speech takes no time beyond itself
        return 0.0

    # the microphone side
    def flush(self) -> None:
        self.timeline.append("listen")
        self.echo_dropped += self.queued.count(ECHO[:64]) and len(self.queued)
        self.queued = self.turns.pop(0) if self.turns else b""

    @property
    def ended(self) -> bool:
        return not self.turns and not self.queued

    def read(self, timeout: float) -> bytes | None:
        size = 2 * int(0.05 * self.rate)
        chunk, self.queued = self.queued[:size], self.queued[size:]
        return chunk or None


def answer_audio(seconds: float = 0.5) -> bytes:
    return silence(0.2) + tone(seconds) + silence(0.8)


def run_voice(script: list[tuple[str, float]], turns: list[bytes] | None = None,
              timeout: float = 2.0) -> tuple[list[JsonEvent], LiveRoom, ScriptedRecognizer]:
    """A consultation by voice: the recogniser hears `script` (text, confidence) in turn, one
    answer's audio per turn (or `turns`)."""
    room = LiveRoom(turns if turns is not None else [answer_audio() for _ in script])
    recognizer = ScriptedRecognizer(list(script))
    listener = VoiceListener(recognizer, room, timeout=timeout)
    events: list[JsonEvent] = []
    run_consultation(PROTOCOL, listener, [collect(events), SpeechOutput(room)], VOICE)
    return events, room, recognizer


def _aloud(reply: Reply) -> Reply:
    return Utterance(reply, CONFIDENCE, "voice") if isinstance(reply, str) else reply


def _spoken(said: Said) -> Said:
    return [_aloud(r) for r in said] if isinstance(said, list) else _aloud(said)


def spoken(inputs: IntakeScript) -> IntakeScript:
    """The same script said aloud: every typed reply heard by voice at CONFIDENCE."""
    return IntakeScript({k: _spoken(v) for k, v in inputs.answers.items()},
                        {k: _aloud(v) for k, v in inputs.defaults.items()},
                        {k: _spoken(v) for k, v in inputs.confirms.items()}, inputs.strict)


@dataclass(frozen=True)
class VoiceScript:
    """What the recogniser hears, in turn (text, confidence), and what each turn answered
    ("ask" or "confirm", the question id)."""

    heard: list[tuple[str, float]]
    answered: list[tuple[str, str]]

    def turn(self, question: str, mode: str = "ask") -> int:
        """The index of the first turn that answered `question` (of the recogniser's grammars,
        the decoders)."""
        return self.answered.index((mode, question))


def voice_script(inputs: IntakeScript, config: DialogConfig = VOICE) -> VoiceScript:
    """The recogniser's script for a consultation by voice answered by `inputs`: rehearsed in
    process by voice, up to its end or to where the script ends the input."""
    driver = rehearse(spoken(inputs), config)
    heard: list[tuple[str, float]] = []
    for reply in driver.said:
        if reply is None:
            break
        utterance = reply if isinstance(reply, Utterance) else Utterance(reply)
        heard.append((utterance.text, utterance.confidence))
    return VoiceScript(heard, driver.listened[:len(heard)])
