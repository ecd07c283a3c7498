"""Asking, confirming and asking again: what every question-and-answer dialog shares.

The global commands (herhaal, terug, help, pauze, verder, stop), silence, failed tries counted
per question with a hint from the `max_tries`-th on (the commands when typed, the keyboard when
spoken), and an answer waiting for ja or nee. The dialog that owns the turns (a `TurnOwner`)
says what an answer means, where `terug` goes and what `stop` does; everything is reported as
typed events through the owner's `emit`.

Whether an answer waits for ja or nee, and whether the dialog is paused, is the state of a
`transitions` machine declared in the table below (TRANSITIONS).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, Final, Protocol

from assistant.dialog.events import Ask, Confirm, Emit, Event, Heard, Reprompt
from assistant.dialog.intents import parse_command, read_yes_no
from assistant.dialog.loop import Outcome
from assistant.dialog.machine import Row, table_machine
from assistant.dialog.phrases import command_phrases
from assistant.dialog.readings import Doubt, Understood
from assistant.protocol.dialog_texts import TurnTexts
from assistant.protocol.model import Vocabulary
from assistant.speech.interfaces import Utterance

MAX_UTTERANCE: Final = 500  # characters: a longer utterance is no answer (and is cut in events)
MAX_TRIES: Final = 3  # failed tries before the commands (text) or the keyboard (voice) are offered

ASKING: Final = "asking"  # a question is open
CONFIRMING: Final = "confirming"  # an answer was read back and waits for ja or nee
PAUSED: Final = "paused"  # 'pauze' while asking
PAUSED_CONFIRMING: Final = "paused_confirming"  # 'pauze' while an answer waits for ja or nee
STATES: Final = (ASKING, CONFIRMING, PAUSED, PAUSED_CONFIRMING)
# The turns, as a table (first matching row wins; a `dest` of None stays in the state).
TRANSITIONS: Final[list[Row]] = [
    # an answer read back; a new read-back (a corrected choice) takes the place of the old
    {"trigger": "read_back", "source": [ASKING, CONFIRMING], "dest": CONFIRMING},
    # the answer waiting is settled: 'ja', 'nee', or doubt (when the owner takes doubt)
    {"trigger": "yes", "source": CONFIRMING, "dest": ASKING},
    {"trigger": "no", "source": CONFIRMING, "dest": ASKING},
    {"trigger": "doubt", "source": CONFIRMING, "dest": ASKING},
    {"trigger": "pause", "source": ASKING, "dest": PAUSED},
    {"trigger": "pause", "source": CONFIRMING, "dest": PAUSED_CONFIRMING},
    {"trigger": "pause", "source": [PAUSED, PAUSED_CONFIRMING], "dest": None},
    # 'verder' or 'herhaal' (also when not paused: the question or read-back again)
    {"trigger": "resume", "source": PAUSED, "dest": ASKING},
    {"trigger": "resume", "source": PAUSED_CONFIRMING, "dest": CONFIRMING},
    {"trigger": "resume", "source": [ASKING, CONFIRMING], "dest": None},
    # 'terug' ends a pause and drops an answer waiting for confirmation
    {"trigger": "back", "source": list(STATES), "dest": ASKING},
    # 'stop' (or the end of the input) drops an answer waiting; the owner ends the dialog
    {"trigger": "stop", "source": CONFIRMING, "dest": ASKING},
    {"trigger": "stop", "source": PAUSED_CONFIRMING, "dest": PAUSED},
    {"trigger": "stop", "source": [ASKING, PAUSED], "dest": None},
]


class TurnOwner(Protocol):
    """The dialog the turns belong to."""

    @property
    def emit(self) -> Emit: ...

    @property
    def outcome(self) -> Outcome: ...

    def grammar(self) -> Sequence[str]:
        """The phrases that can be said now (answers and commands)."""
        ...

    def on_answer(self, heard: Utterance) -> None:
        """What was said, when it is no command and nothing is paused or waits for ja/nee."""
        ...

    def on_back(self) -> None:
        """`terug`, with no answer waiting for confirmation."""
        ...

    def on_stop(self) -> None:
        """`stop`, or the input has ended."""
        ...


@dataclass(frozen=True)
class _Waiting:
    """An answer read back, waiting for ja or nee."""

    event: Confirm
    yes: Callable[[], None]
    no: Callable[[], None]  # also `terug`: the unconfirmed answer is dropped
    doubt: Callable[[str], None] | None  # None: doubt is neither ja nor nee


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


@dataclass(eq=False)
class Turns:
    """The turns of one dialog: its owner asks with `ask`, reads an answer back with `confirm`,
    and counts a failed try with `retry`; `hear` takes what was said."""

    # the machine's triggers (TRANSITIONS), bound by `transitions`
    read_back: ClassVar[Callable[..., bool]]
    yes: ClassVar[Callable[..., bool]]
    no: ClassVar[Callable[..., bool]]
    doubt: ClassVar[Callable[..., bool]]
    pause: ClassVar[Callable[..., bool]]
    resume: ClassVar[Callable[..., bool]]
    back: ClassVar[Callable[..., bool]]
    stop: ClassVar[Callable[..., bool]]

    owner: TurnOwner
    texts: TurnTexts
    vocab: Vocabulary
    max_tries: int = MAX_TRIES
    voice: bool = False  # answers are spoken: after the failed tries, offer the keyboard
    reask: bool = True  # a failed try asks the question again (else the hint says what to say)
    exhausted: Callable[[], None] | None = None  # instead of the hints: give up (an offer)
    hears: Callable[[Sequence[str]], bool] | None = None  # by voice: can the recogniser hear
    # any of these phrases (None: every phrase can be heard)
    state: str = ASKING  # of the machine (STATES)
    tries: int = 0  # failed tries on the current question
    asked: Ask | None = None  # the current question
    again: Ask | None = None  # how it is asked again after a failed try (a checklist: its
    # question without the signs read out; `herhaal` reads them): None, as `asked`
    help: str = ""  # the current question's answer to `help`
    hint: str = ""  # said after a failed try on it
    _waiting: _Waiting | None = None  # what the answer read back does (while `confirming`)

    def __post_init__(self) -> None:
        self.machine = table_machine(self, STATES, TRANSITIONS, self.state)

    @property
    def confirming(self) -> bool:
        """An answer waits for ja or nee (also while paused)."""
        return self.state in (CONFIRMING, PAUSED_CONFIRMING)

    @property
    def paused(self) -> bool:
        """'pauze' was said: answers wait for 'verder'."""
        return self.state in (PAUSED, PAUSED_CONFIRMING)

    def ask(self, event: Ask, help: str, hint: str | None = None,
            again: Ask | None = None) -> None:
        """Ask a question; `hint` (by default the help) follows a failed try, and then
        `again` (by default the question as asked). Another question than the current one
        starts with no failed tries."""
        if self.asked is None or self.asked.question != event.question:
            self.tries = 0
        self.asked, self.help, self.again = event, help, again
        self.hint = help if hint is None else hint
        self._emit(event)
        if self.voice and not self.audible():
            self.tries = self.max_tries + 1  # quiet: it waits on screen for a typed answer
            self._emit(Reprompt(event.question, "keyboard", self.texts.keyboard_only))

    def audible(self) -> bool:
        """Whether the recogniser knows at least one answer to the current question (a model
        that knows none of them could only force other speech onto a command: DESIGN.md "Voice
        safety"). Without a recogniser's word list, every answer counts as known."""
        if self.hears is None:
            return True
        commands = set(command_phrases(self.vocab))
        answers = [p for p in self.owner.grammar() if p not in commands]
        return not answers or self.hears(answers)

    def ask_again(self, *, short: bool = False) -> None:
        """The answer waiting for confirmation read back again, or else the question (`short`:
        after a failed try, as `again` has it)."""
        if self.confirming:
            self._emit(self._read_back().event)
        else:
            assert self.asked is not None
            asked = self.again if short and self.again is not None else self.asked
            self._emit(replace(asked, aloud=not self.quiet))

    def confirm(self, event: Confirm, *, yes: Callable[[], None], no: Callable[[], None],
                doubt: Callable[[str], None] | None = None) -> None:
        """Read an answer back: `yes` on ja; `no` on nee (after saying the question comes
        again) or on terug; `doubt` (when given) on doubt, with what was said. A read-back
        while another waits takes its place."""
        self.read_back()
        self._waiting = _Waiting(event, yes, no, doubt)
        self._emit(event)

    @property
    def quiet(self) -> bool:
        """By voice, after the keyboard was offered: the question waits on screen for a typed
        or spoken answer, and is no longer asked aloud (DESIGN.md "Voice behaviour")."""
        return self.voice and self.tries > self.max_tries

    def reprompt(self, reason: str, text: str) -> None:
        assert self.asked is not None
        self._emit(Reprompt(self.asked.question, reason, text, aloud=not self.quiet))

    def retry(self, reason: str, opening: str) -> None:
        """A failed try: `opening` and the hint, then the question again (when `reask`). From
        the `max_tries`-th try on, the commands follow the hint (text) or the keyboard is
        offered before it (voice) — or `exhausted` ends the question."""
        self.tries += 1
        if self.tries >= self.max_tries and self.exhausted is not None:
            self.exhausted()
            return
        if self.tries < self.max_tries:
            self.reprompt(reason, _join(opening, self.hint))
        elif self.voice:
            self.reprompt("keyboard", _join(opening, self.texts.keyboard_hint, self.hint))
        else:
            self.reprompt(reason, _join(opening, self.hint, self.texts.command_hint))
        if self.reask:
            self.ask_again(short=True)

    def first_question(self) -> None:
        """`terug` at the first question: say so, and ask it again."""
        self.reprompt("first_question", self.texts.first_question)
        self.ask_again()

    def go_back(self) -> None:
        """`terug`: the pause ends; an answer waiting for confirmation is dropped (its `no`),
        else the owner goes back (`on_back`)."""
        waiting = self._read_back() if self.confirming else None
        self.back()
        self._waiting = None
        if waiting is not None:
            waiting.no()
        else:
            self.owner.on_back()

    def hear(self, heard: Utterance | None) -> None:
        """Take one utterance (None: the input has ended, which counts as stop)."""
        if self.owner.outcome != "running":
            return
        if heard is None:
            self._stop()
            return
        if not heard.text.strip():
            self._silence()
            return
        if len(heard.text) > MAX_UTTERANCE:  # no answer is this long; parsing it would stall
            self._emit(Heard(heard.text[:MAX_UTTERANCE], heard.confidence, heard.source))
            self.retry("not_understood", self.texts.not_understood)
            return
        self._emit(Heard(heard.text, heard.confidence, heard.source))
        command = parse_command(heard.text, self.vocab)
        if command is not None:
            self._command(command.name)
        elif self.paused:
            self.reprompt("paused", self.texts.still_paused)
        elif self.confirming:
            self._reply(self._read_back(), heard.text)
        else:
            self.owner.on_answer(heard)

    def _command(self, name: str) -> None:
        if name == "stop":
            self._stop()
        elif name == "pause":
            self.pause()
            self.reprompt("paused", self.texts.paused)
        elif name in ("resume", "repeat"):
            self.resume()
            self.ask_again()
        elif name == "help":
            helps = self.texts.confirm_help if self.confirming else self.help
            self.reprompt("help", _join(helps, self.texts.command_hint))
        elif name == "back":
            self.go_back()

    def _stop(self) -> None:
        self.stop()
        self._waiting = None
        self.owner.on_stop()

    def _read_back(self) -> _Waiting:
        """The answer waiting for ja or nee (only while `confirming`)."""
        assert self._waiting is not None
        return self._waiting

    def _silence(self) -> None:
        """Nothing was said before the listener's timeout: ask again (not while paused)."""
        if self.paused or self.quiet:  # quiet: the question waits on screen, not asked again
            return
        if self.confirming:
            self._emit(self._read_back().event)
        else:
            self.retry("silence", self.texts.silence)

    def _reply(self, waiting: _Waiting, text: str) -> None:
        reading = read_yes_no(text, self.vocab)
        reply = reading.value is True if isinstance(reading, Understood) else None
        if reply and isinstance(reading, Understood) and reading.note:
            reply = None  # 'ja, maar eigenlijk pas vier weken': not what was read back
        if isinstance(reading, Doubt) and waiting.doubt is not None:
            self._settled(self.doubt)
            waiting.doubt(text)
        elif reply is None:
            self.reprompt("not_understood", self.texts.yes_or_no)
            self._emit(waiting.event)
        elif reply:
            self._settled(self.yes)
            waiting.yes()
        else:
            self._settled(self.no)
            self.reprompt("not_confirmed", self.texts.ask_again)
            waiting.no()

    def _settled(self, trigger: Callable[[], bool]) -> None:
        """The answer waiting is settled by `trigger` (yes, no, doubt): no longer waiting."""
        trigger()
        self._waiting = None

    def _emit(self, event: Event) -> None:
        self.owner.emit(event)
