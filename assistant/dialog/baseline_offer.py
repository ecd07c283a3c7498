"""After an intake stored under a patient's id: the offer to take the baseline measurement (NPRS
and PSK) now. A yes/no question with the shared turns; three failed tries, stop or the end of
the input decline it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from transitions import Machine

from assistant.dialog.events import Answer, Ask, Emit
from assistant.dialog.intents import parse_yes_no
from assistant.dialog.loop import Outcome, run_dialog
from assistant.dialog.turns import Turns
from assistant.protocol.dialog_texts import EvaluationTexts
from assistant.protocol.model import Protocol, Vocabulary
from assistant.speech.interfaces import Listener, Utterance

QUESTION: Final = "baseline_offer"
STATES: Final = ("offered", "accepted", "declined")
TRANSITIONS: Final[list[dict[str, Any]]] = [
    {"trigger": "accept", "source": "offered", "dest": "accepted"},
    {"trigger": "decline", "source": "offered", "dest": "declined"},
]


@dataclass
class BaselineOffer:
    """The offer; `accepted` after a 'ja'."""

    vocab: Vocabulary
    texts: EvaluationTexts
    emit: Emit
    voice: bool = False
    state: str = STATES[0]

    def __post_init__(self) -> None:
        self.machine = Machine(model=self, states=list(STATES), transitions=TRANSITIONS,
                               initial=STATES[0], auto_transitions=False)
        self.turns = Turns(self, self.texts.turns, self.vocab, voice=self.voice,
                           exhausted=self._decline)

    @property
    def outcome(self) -> Outcome:
        return "running" if self.state == "offered" else "done"

    @property
    def accepted(self) -> bool:
        return self.state == "accepted"

    def start(self) -> None:
        # The offer ends with 'Zeg ja of nee.': after a failed try it is asked again as it is.
        self.turns.ask(Ask(QUESTION, None, self.texts.offer), self.texts.turns.yes_or_no,
                       hint="")

    def grammar(self) -> list[str]:
        commands = [p for _, phrases in self.vocab.commands for p in phrases]
        return sorted(self.vocab.yes | self.vocab.no) + commands

    def hear(self, heard: Utterance | None) -> None:
        self.turns.hear(heard)

    # --- turns (called by self.turns) ---------------------------------------------------------

    def on_answer(self, heard: Utterance) -> None:
        reply = parse_yes_no(heard.text, self.vocab)
        if reply is None:
            self.turns.retry("not_understood", self.texts.turns.not_understood)
            return
        self.emit(Answer(QUESTION, None, reply))
        self.machine.events["accept" if reply else "decline"].trigger(self)

    def on_back(self) -> None:
        self.turns.first_question()

    def on_stop(self) -> None:
        self._decline()

    def _decline(self) -> None:
        self.machine.events["decline"].trigger(self)


def offer_baseline(listener: Listener, emit: Emit, protocol: Protocol, *,
                   voice: bool = False) -> bool:
    """Ask whether to take the baseline measurement now; True on 'ja'."""
    offer = BaselineOffer(protocol.vocabulary, protocol.dialog.evaluation, emit, voice=voice)
    run_dialog(offer, listener)
    return offer.accepted
