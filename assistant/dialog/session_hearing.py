"""What the guided exercise session hears while it waits: the commands ('volgende', 'herhaal',
'pauze', 'verder', 'langzamer', 'sneller', 'stop'), heard at any moment of a wait on the
session's clock. A command that changes what the session does interrupts the wait
(`Interrupt`, naming the session machine's trigger); the tempo is changed here."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from assistant.clock import Clock
from assistant.dialog.events import Emit, Heard, Reprompt, Say, Tempo
from assistant.dialog.words import clean
from assistant.protocol.exercises import SessionTexts
from assistant.protocol.model import Vocabulary
from assistant.speech.commands import CommandSource

TEMPO_STEP: Final = 1.25  # 'langzamer' multiplies waits by this, 'sneller' divides
TEMPO_RANGE: Final = (0.5, 2.0)


class Interrupt(Exception):
    """A command that interrupts the current state's work: `trigger` names the session
    machine's trigger ('skip', 'repeat', 'pause', 'resume', 'stop')."""

    def __init__(self, trigger: str) -> None:
        super().__init__(trigger)
        self.trigger = trigger


def session_commands(texts: SessionTexts, vocab: Vocabulary) -> dict[str, str]:
    """Every phrase that commands the session, mapped to its trigger."""
    phrases: dict[str, str] = {}
    consult = dict(vocab.commands)
    for name, trigger in (("repeat", "repeat"), ("pause", "pause"), ("resume", "resume"),
                          ("stop", "stop"), ("help", "help")):
        for phrase in consult.get(name, ()):
            phrases[phrase] = trigger
    for name, session_phrases in texts.commands:
        trigger = {"next": "skip"}.get(name, name)
        for phrase in session_phrases:
            phrases[phrase] = trigger
    return phrases


@dataclass
class SessionHearing:
    """Waits on `clock` while hearing `commands`; `where` gives the session's state (for a
    phrase not understood). `stop_when_input_ends`: the end of the input stops the session."""

    texts: SessionTexts
    vocab: Vocabulary
    emit: Emit
    commands: CommandSource
    clock: Clock
    where: Callable[[], str]
    stop_when_input_ends: bool = False
    # s the speech ran beyond its sound since last asked (AudioSpeaker.take_late): made up
    # for in the next waits on a real clock, so the session keeps its recording's time
    late: Callable[[], float] | None = None
    tempo: float = 1.0  # waits are multiplied by this ('langzamer', 'sneller')
    owed: float = 0.0  # s of lateness not yet made up
    phrases: dict[str, str] = field(init=False)
    grammar: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.phrases = session_commands(self.texts, self.vocab)
        self.grammar = sorted(self.phrases)

    def wait(self, seconds: float, *, paced: bool = True) -> None:
        """Let `seconds` pass (scaled by the tempo when `paced`), hearing commands meanwhile;
        Interrupt on a command that changes what the session does. On a real clock the
        speech's lateness (`late`) is taken off this wait, and what does not fit off the next."""
        length = seconds * (self.tempo if paced else 1.0)
        if self.late is not None and not self.clock.fast:
            self.owed += self.late()
            made_up = min(self.owed, length)
            self.owed, length = self.owed - made_up, length - made_up
        self.wait_until(self.clock.now() + length)

    def wait_until(self, deadline: float) -> None:
        """Hear commands until the clock reaches `deadline` (s); Interrupt as `wait`."""
        while (remaining := deadline - self.clock.now()) > 1e-9:
            heard = self.commands.wait(self.grammar, 0 if self.clock.fast else remaining)
            if heard is None:
                if self.commands.ended and self.stop_when_input_ends:
                    raise Interrupt("stop")
                if self.clock.fast:
                    self.clock.advance(remaining)
                elif self.commands.ended:
                    time.sleep(max(0.0, deadline - self.clock.now()))
                continue
            self._hear(heard.text, heard.confidence, heard.source)

    def wait_paused(self) -> None:
        """While paused: only 'verder' (Interrupt 'resume') and 'stop' (or the end of the
        input) count; anything else is told that the session is paused."""
        while True:
            heard = self.commands.wait(self.grammar, None)
            if heard is None:
                if self.commands.ended:
                    raise Interrupt("stop")
                continue
            self.emit(Heard(heard.text, heard.confidence, heard.source))
            trigger = self.phrases.get(clean(heard.text, self.vocab))
            if trigger == "resume":
                self._say(self.texts.resumed)
                raise Interrupt("resume")
            if trigger == "stop":
                raise Interrupt("stop")
            self._say(self.texts.paused)

    def _hear(self, text: str, confidence: float, source: str) -> None:
        self.emit(Heard(text, confidence, source))
        trigger = self.phrases.get(clean(text, self.vocab))
        if trigger in ("slower", "faster"):
            self._change_tempo(TEMPO_STEP if trigger == "slower" else 1 / TEMPO_STEP)
        elif trigger in ("skip", "repeat", "pause", "stop"):
            if trigger == "repeat":
                self._say(self.texts.repeat)
            elif trigger == "pause":
                self._say(self.texts.paused)
            raise Interrupt(trigger)
        elif trigger == "resume":
            return  # not paused: nothing to resume
        else:
            self.emit(Reprompt(self.where(), "not_understood", self.texts.not_understood))

    def _change_tempo(self, factor: float) -> None:
        low, high = TEMPO_RANGE
        tempo = min(high, max(low, self.tempo * factor))
        if abs(tempo - self.tempo) < 1e-9:
            self._say(self.texts.tempo_limit)
            return
        self.tempo = tempo
        self._say(self.texts.slower if factor > 1 else self.texts.faster)
        self.emit(Tempo(round(self.tempo, 3)))

    def _say(self, text: str) -> None:
        self.emit(Say("notice", text))
