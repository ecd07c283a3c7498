"""A single yes/no question with the shared turns: the offer to take the baseline measurement
(NPRS and PSK) after an intake, and whether to resume an interrupted intake. Three failed
tries, stop or the end of the input mean "nee"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Final

from assistant.dialog import readings
from assistant.dialog.events import Answer, Ask, Emit
from assistant.dialog.intents import read_yes_no
from assistant.dialog.loop import Outcome, run_dialog
from assistant.dialog.machine import MachineOutcome, Row, table_machine
from assistant.dialog.turns import Turns
from assistant.protocol.dialog_texts import TurnTexts
from assistant.protocol.model import Protocol, Vocabulary
from assistant.speech.interfaces import Listener, Utterance

BASELINE_OFFER: Final = "baseline_offer"
RESUME: Final = "resume"
STATES: Final = ("offered", "accepted", "declined")
TRANSITIONS: Final[list[Row]] = [
    {"trigger": "accept", "source": "offered", "dest": "accepted"},
    {"trigger": "decline", "source": "offered", "dest": "declined"},
]


@dataclass
class YesNoQuestion(MachineOutcome):
    """One question (`question` id, spoken `text` that ends with 'Zeg ja of nee.');
    `accepted` after a 'ja'."""

    ENDS: ClassVar[dict[str, Outcome]] = {"accepted": "done", "declined": "done"}
    accept: ClassVar[Callable[..., bool]]  # the machine's triggers, bound by `transitions`
    decline: ClassVar[Callable[..., bool]]

    question: str
    text: str
    vocab: Vocabulary
    texts: TurnTexts
    emit: Emit
    voice: bool = False
    state: str = STATES[0]

    def __post_init__(self) -> None:
        self.machine = table_machine(self, STATES, TRANSITIONS, STATES[0])
        self.turns = Turns(self, self.texts, self.vocab, voice=self.voice,
                           exhausted=self._decline)

    @property
    def accepted(self) -> bool:
        return self.state == "accepted"

    def start(self) -> None:
        # The text ends with 'Zeg ja of nee.': after a failed try it is asked again as it is.
        self.turns.ask(Ask(self.question, None, self.text), self.texts.yes_or_no, hint="")

    def grammar(self) -> list[str]:
        commands = [p for _, phrases in self.vocab.commands for p in phrases]
        return sorted(self.vocab.yes | self.vocab.no) + commands

    def hear(self, heard: Utterance | None) -> None:
        self.turns.hear(heard)

    # --- turns (called by self.turns) ---------------------------------------------------------

    def on_answer(self, heard: Utterance) -> None:
        """'ja', 'nee', also with an explanation ('nee, later': the note is kept); 'ja, nee'
        is asked again saying why; anything else (doubt too) is not understood."""
        reading = read_yes_no(heard.text, self.vocab)
        if isinstance(reading, readings.Unclear):
            self.turns.retry(reading.reason, self.texts.why(reading.reason))
            return
        if not isinstance(reading, readings.Understood) or not isinstance(reading.value, bool):
            self.turns.retry("not_understood", self.texts.not_understood)
            return
        self.emit(Answer(self.question, None, reading.value, reading.note))
        if reading.value:
            self.accept()
        else:
            self.decline()

    def on_back(self) -> None:
        self.turns.first_question()

    def on_stop(self) -> None:
        self._decline()

    def _decline(self) -> None:
        self.decline()


def ask_yes_no(listener: Listener, emit: Emit, protocol: Protocol, question: str, text: str,
               texts: TurnTexts, *, voice: bool = False) -> bool:
    """Ask one yes/no question through `emit`; True on 'ja'."""
    dialog = YesNoQuestion(question, text, protocol.vocabulary, texts, emit, voice=voice)
    run_dialog(dialog, listener)
    return dialog.accepted


def offer_baseline(listener: Listener, emit: Emit, protocol: Protocol, *,
                   voice: bool = False) -> bool:
    """Ask whether to take the baseline measurement now; True on 'ja'."""
    evaluation = protocol.dialog.evaluation
    return ask_yes_no(listener, emit, protocol, BASELINE_OFFER, evaluation.offer,
                      evaluation.turns, voice=voice)


def ask_resume(listener: Listener, emit: Emit, protocol: Protocol) -> bool:
    """Ask whether to continue the interrupted intake just named; True on 'ja'."""
    intake = protocol.dialog.intake
    return ask_yes_no(listener, emit, protocol, RESUME, intake.resume_question, intake.turns)
