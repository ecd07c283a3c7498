"""A follow-up evaluation by dialog: the pain (NPRS), the three PSK activities and, for profile
D, the neurological symptoms. A `transitions` machine declared as a table, like the intake.

It talks only through a Listener and a `say` callback, so the intake can run it right after the
consultation for the baseline measurement, and `assistant followup` runs it without --nprs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from transitions import Machine

from assistant.dialog.intents import clean, parse_command, parse_yes_no
from assistant.dialog.numbers import parse_amount
from assistant.protocol.dialog_texts import MEASUREMENTS, EvaluationTexts, Measurement
from assistant.protocol.model import Protocol, Vocabulary
from assistant.speech.interfaces import Listener, Utterance

DONE: Final = "done"
STOPPED: Final = "stopped"
QUESTIONS: Final = MEASUREMENTS
STATES: Final = (*QUESTIONS, DONE, STOPPED)
NEURO_PROFILE: Final = "D"  # 'Afsluiting' of profile D: worsening of the neurological signs


def asks_neuro(profile: str) -> bool:
    """Profile D's closure looks at 'meer sensorische symptomen of een toenemend verlies van
    motorische controle'; the other profiles do not ask."""
    return profile == NEURO_PROFILE


# The evaluation, as a table (first matching row wins; a row without conditions is "otherwise").
TRANSITIONS: Final[list[dict[str, Any]]] = [
    {"trigger": "advance", "source": "nprs", "dest": "psk1"},
    {"trigger": "advance", "source": "psk1", "dest": "psk2"},
    {"trigger": "advance", "source": "psk2", "dest": "psk3"},
    {"trigger": "advance", "source": "psk3", "dest": "neuro", "conditions": [asks_neuro]},
    {"trigger": "advance", "source": "psk3", "dest": DONE},
    {"trigger": "advance", "source": "neuro", "dest": DONE},
    {"trigger": "back", "source": "psk1", "dest": "nprs"},
    {"trigger": "back", "source": "psk2", "dest": "psk1"},
    {"trigger": "back", "source": "psk3", "dest": "psk2"},
    {"trigger": "back", "source": "neuro", "dest": "psk3"},
    {"trigger": "stop", "source": list(QUESTIONS), "dest": STOPPED},
]

# Words around a score that do not change it: 'een zes', 'zes op tien', 'ongeveer zes'.
_SCORE_NEUTRAL: Final = frozenset({"ongeveer", "zo", "rond", "de", "het", "cijfer", "score",
                                   "pijn", "punten", "punt", "is", "een"})
_OUT_OF: Final = (("op", "tien"), ("van", "tien"), ("uit", "tien"), ("op", "10"), ("van", "10"))
SCORE_WORDS: Final = ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht",
                      "negen", "tien")


@dataclass(frozen=True)
class Evaluation:
    """What was measured: NPRS, the three PSK scores (10 = impossible), arm symptoms worse."""

    nprs: int
    psk: tuple[int, int, int]
    neuro_worse: bool = False


def parse_score(text: str, vocab: Vocabulary) -> int | None:
    """A whole score 0–10: '6', 'zes', 'een zes', 'zes op tien'; None when it is not one."""
    tokens = clean(text, vocab).split()
    for suffix in _OUT_OF:
        if tuple(tokens[-2:]) == suffix and len(tokens) > 2:
            tokens = tokens[:-2]
    if len(tokens) > 1:
        tokens = [t for t in tokens if t not in _SCORE_NEUTRAL] or tokens[-1:]
    amount = parse_amount(tokens, 0)
    if amount is None or amount[1] != len(tokens):
        return None
    value = amount[0]
    if not float(value).is_integer() or not 0 <= value <= 10:
        return None
    return int(value)


@dataclass
class EvaluationDialog:
    """One evaluation. Feed it utterances with `hear`; it speaks through `say`."""

    profile: str
    vocab: Vocabulary
    texts: EvaluationTexts
    say: Callable[[str], None]
    baseline: bool = False  # the first measurement: nothing to be worse than yet
    answers: dict[str, int | bool] = field(default_factory=dict)
    state: str = STATES[0]
    paused: bool = False

    def __post_init__(self) -> None:
        self.machine = Machine(model=self, states=list(STATES), transitions=TRANSITIONS,
                               initial=STATES[0], auto_transitions=False)

    @property
    def _rule_profile(self) -> str:
        """The profile the table's conditions see; a baseline asks no 'worse' question."""
        return "" if self.baseline else self.profile

    @property
    def _question(self) -> Measurement:
        return self.texts.measurement(self.state)

    @property
    def finished(self) -> bool:
        return self.state in (DONE, STOPPED)

    def start(self) -> None:
        self._ask()

    def grammar(self) -> list[str]:
        """What can be said now: the answers to this question and the commands."""
        commands = [p for _, phrases in self.vocab.commands for p in phrases]
        if self.state == "neuro":
            return sorted(self.vocab.yes | self.vocab.no) + commands
        return [*SCORE_WORDS, *(str(n) for n in range(11)), *commands]

    def hear(self, utterance: Utterance | None) -> None:
        """Handle one utterance; None (end of input) counts as stop."""
        if self.finished:
            return
        if utterance is None:
            self._stop()
            return
        if not utterance.text.strip():
            self.say(f"{self.texts.turns.silence} {self._question.text}")
            return
        command = parse_command(utterance.text, self.vocab)
        if command is not None:
            self._command(command.name)
        elif self.paused:
            self.say(self.texts.turns.still_paused)
        elif self.state == "neuro":
            self._answer(parse_yes_no(utterance.text, self.vocab))
        else:
            self._answer(parse_score(utterance.text, self.vocab))

    def result(self) -> Evaluation | None:
        if self.state != DONE:
            return None
        psk = (int(self.answers["psk1"]), int(self.answers["psk2"]), int(self.answers["psk3"]))
        return Evaluation(nprs=int(self.answers["nprs"]), psk=psk,
                          neuro_worse=bool(self.answers.get("neuro", False)))

    def _command(self, name: str) -> None:
        if name == "stop":
            self._stop()
        elif name == "pause":
            self.paused = True
            self.say(self.texts.turns.paused)
        elif name in ("resume", "repeat"):
            self.paused = False
            self._ask()
        elif name == "help":
            self.say(f"{self._question.help} {self.texts.turns.command_hint}")
        elif name == "back":
            self.paused = False
            if "back" in self.machine.get_triggers(self.state):
                self.machine.events["back"].trigger(self, self._rule_profile)
                self.answers.pop(self.state, None)
            else:
                self.say(self.texts.turns.first_question)
            self._ask()

    def _answer(self, value: int | bool | None) -> None:
        if value is None:
            self.say(f"{self.texts.turns.not_understood} {self._question.help}")
            self._ask()
            return
        self.answers[self.state] = value
        self.machine.events["advance"].trigger(self, self._rule_profile)
        if not self.finished:
            self._ask()

    def _stop(self) -> None:
        self.machine.events["stop"].trigger(self)
        self.say(self.texts.stopped)

    def _ask(self) -> None:
        self.say(self._question.text)


def run_evaluation(listener: Listener, say: Callable[[str], None], profile: str,
                   protocol: Protocol | None = None, *,
                   baseline: bool = False) -> Evaluation | None:
    """Ask the measurements; the evaluation, or None when it was stopped (or input ended)."""
    if protocol is None:
        from assistant.protocol import load_protocol

        protocol = load_protocol()
    dialog = EvaluationDialog(profile=profile, vocab=protocol.vocabulary,
                              texts=protocol.dialog.evaluation, say=say, baseline=baseline)
    dialog.start()
    while not dialog.finished:
        dialog.hear(listener.listen(dialog.grammar()))
    return dialog.result()
