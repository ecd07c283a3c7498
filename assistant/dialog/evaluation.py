"""A follow-up evaluation by dialog: the pain (NPRS), the three PSK activities and, for profile
D, the neurological symptoms; at the baseline, first the names of the three PSK activities
(then each PSK question names its activity). A `transitions` machine declared as a table.

It hears through a Listener and reports typed events (ask, heard, answer, reprompt, say), so
the intake can run it right after the consultation for the baseline measurement, with the same
screen and speech, and `assistant followup` runs it without --nprs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Final

from assistant.dialog import readings
from assistant.dialog.events import Answer, Ask, Confirm, Emit, Say
from assistant.dialog.intents import read_yes_no
from assistant.dialog.loop import Outcome, run_dialog
from assistant.dialog.machine import MachineOutcome, Row, table_machine
from assistant.dialog.numbers import NUMBER_WORDS
from assistant.dialog.scores import SCALE, SCORE_WORDS, read_score
from assistant.dialog.turns import Turns
from assistant.dialog.words import clean
from assistant.protocol.dialog_texts import ACTIVITIES, MEASUREMENTS, EvaluationTexts
from assistant.protocol.followup import activity_name
from assistant.protocol.model import Protocol, Vocabulary
from assistant.speech.interfaces import Listener, Utterance
from assistant.text import normalise

DONE: Final = "done"
STOPPED: Final = "stopped"
STATES: Final = (*MEASUREMENTS, DONE, STOPPED)
NEURO_PROFILE: Final = "D"  # 'Afsluiting' of profile D: worsening of the neurological signs
SKIP_ACTIVITIES: Final = frozenset({"overslaan", "sla over", "geen", "geen activiteiten"})


@dataclass(frozen=True)
class Asked:
    """What the table's conditions see: the profile (empty at a baseline: nothing to be worse
    than yet) and whether the activities are named in this dialog."""

    profile: str
    names_activities: bool


def asks_neuro(asked: Asked) -> bool:
    """Profile D's closure looks at 'meer sensorische symptomen of een toenemend verlies van
    motorische controle'; the other profiles do not ask."""
    return asked.profile == NEURO_PROFILE


def names_activities(asked: Asked) -> bool:
    """The activities are asked at the first measurement, when none are named yet."""
    return asked.names_activities


# The evaluation, as a table (first matching row wins; a row without conditions is "otherwise").
TRANSITIONS: Final[list[Row]] = [
    {"trigger": "advance", "source": "activity1", "dest": "activity2"},
    {"trigger": "advance", "source": "activity2", "dest": "activity3"},
    {"trigger": "advance", "source": "activity3", "dest": "nprs"},
    {"trigger": "skip", "source": list(ACTIVITIES), "dest": "nprs"},
    {"trigger": "advance", "source": "nprs", "dest": "psk1"},
    {"trigger": "advance", "source": "psk1", "dest": "psk2"},
    {"trigger": "advance", "source": "psk2", "dest": "psk3"},
    {"trigger": "advance", "source": "psk3", "dest": "neuro", "conditions": [asks_neuro]},
    {"trigger": "advance", "source": "psk3", "dest": DONE},
    {"trigger": "advance", "source": "neuro", "dest": DONE},
    {"trigger": "back", "source": "activity2", "dest": "activity1"},
    {"trigger": "back", "source": "activity3", "dest": "activity2"},
    {"trigger": "back", "source": "nprs", "dest": "activity3", "conditions": [names_activities]},
    {"trigger": "back", "source": "psk1", "dest": "nprs"},
    {"trigger": "back", "source": "psk2", "dest": "psk1"},
    {"trigger": "back", "source": "psk3", "dest": "psk2"},
    {"trigger": "back", "source": "neuro", "dest": "psk3"},
    {"trigger": "stop", "source": list(MEASUREMENTS), "dest": STOPPED},
]


@dataclass(frozen=True)
class Evaluation:
    """What was measured: NPRS, the three PSK scores (10 = impossible), arm symptoms worse."""

    nprs: int
    psk: tuple[int, int, int]
    neuro_worse: bool = False
    psk_activities: tuple[str, ...] = ()  # named in this dialog (a baseline), else ()


@dataclass
class EvaluationDialog(MachineOutcome):
    """One evaluation. Feed it utterances with `hear`; it reports everything through `emit`,
    asking and asking again with the shared turns."""

    # the machine's triggers (TRANSITIONS), bound by `transitions`; conditions see an Asked
    advance: ClassVar[Callable[..., bool]]
    skip: ClassVar[Callable[..., bool]]
    back: ClassVar[Callable[..., bool]]
    may_back: ClassVar[Callable[..., bool]]  # whether `back` would be taken
    stop: ClassVar[Callable[..., bool]]
    ENDS: ClassVar[dict[str, Outcome]] = {DONE: "done", STOPPED: "stopped"}

    profile: str
    vocab: Vocabulary
    texts: EvaluationTexts
    emit: Emit
    baseline: bool = False  # the first measurement: nothing to be worse than yet
    voice: bool = False  # answers are spoken (after the failed tries the keyboard is offered)
    activities: tuple[str, ...] = ()  # the PSK's activities, when already named
    name_activities: bool = False  # ask the activities' names first (when not named yet)
    # How a score taken from a longer phrase is read back ('ik zou zeggen een zes' → 'Dus 6.
    # Klopt dat?'), with {value}; empty: such a score is asked again instead.
    confirm: str = ""
    answers: dict[str, int | bool | str] = field(default_factory=dict)
    state: str = STATES[0]

    def __post_init__(self) -> None:
        first = "activity1" if self._asked.names_activities else "nprs"
        self.machine = table_machine(self, STATES, TRANSITIONS, first)
        self.turns = Turns(self, self.texts.turns, self.vocab, voice=self.voice)

    @property
    def _asked(self) -> Asked:
        """What the table's conditions see; a baseline asks no 'worse' question."""
        return Asked("" if self.baseline else self.profile,
                     self.name_activities and not self.activities)

    def _activities(self) -> tuple[str, ...]:
        named = tuple(str(self.answers[a]) for a in ACTIVITIES if a in self.answers)
        return self.activities or (named if len(named) == len(ACTIVITIES) else ())

    def start(self) -> None:
        self._ask()

    def grammar(self) -> list[str]:
        """What can be said now: the answers to this question and the commands."""
        commands = [p for _, phrases in self.vocab.commands for p in phrases]
        if self.state in ACTIVITIES:  # a name is typed: only the commands can be spoken
            return commands
        if self.state == "neuro":
            return sorted(self.vocab.yes | self.vocab.no) + commands
        return [*SCORE_WORDS, *(str(n) for n in range(11)), *commands]

    def hear(self, heard: Utterance | None) -> None:
        """Handle one utterance; None (end of input) counts as stop."""
        self.turns.hear(heard)

    def result(self) -> Evaluation | None:
        if self.state != DONE:
            return None
        psk = (int(self.answers["psk1"]), int(self.answers["psk2"]), int(self.answers["psk3"]))
        return Evaluation(nprs=int(self.answers["nprs"]), psk=psk,
                          neuro_worse=bool(self.answers.get("neuro", False)),
                          psk_activities=() if self.activities else self._activities())

    # --- turns (called by self.turns) ---------------------------------------------------------

    def on_answer(self, heard: Utterance) -> None:
        if self.state in ACTIVITIES:
            self._name_activity(heard)
            return
        reading = (read_yes_no(heard.text, self.vocab) if self.state == "neuro"
                   else read_score(heard.text, self.vocab))
        turns = self.texts.turns
        if isinstance(reading, readings.Doubt):
            self.turns.retry("doubt", "")  # the help, and the question again
        elif isinstance(reading, readings.Unclear):
            self.turns.retry(reading.reason, turns.why(reading.reason))
        elif not isinstance(reading, readings.Understood):
            self.turns.retry("not_understood", turns.not_understood)
        elif isinstance(reading.value, bool):
            self._take(reading.value, reading.note)
        elif isinstance(reading.value, float) and 0 <= reading.value <= SCALE[-1]:
            if reading.read_back:
                self._read_back(int(reading.value), reading.note)
            else:
                self._take(int(reading.value), reading.note)
        else:
            self.turns.retry("out_of_range", self.texts.turns.why("out_of_range"))

    def _read_back(self, score: int, note: str) -> None:
        """A score taken from a longer phrase counts after a "ja"; on "nee" the question comes
        again. The words as given are its note."""
        if not self.confirm:
            self.turns.retry("not_understood", self.texts.turns.not_understood)
            return
        self.turns.confirm(Confirm(self.state, None, score, self.confirm.format(value=score)),
                           yes=lambda: self._take(score, note), no=self._ask)

    def _name_activity(self, heard: Utterance) -> None:
        said = clean(heard.text, self.vocab)
        if said in SKIP_ACTIVITIES:
            self.answers = {k: v for k, v in self.answers.items() if k not in ACTIVITIES}
            self.skip(self._asked)
            self._ask()
            return
        others = {str(self.answers[a]).casefold() for a in ACTIVITIES
                  if a in self.answers and a != self.state}
        typed = " ".join(w for w in heard.text.split() if normalise(w) not in self.vocab.fillers)
        name = activity_name(typed.strip(" ,.;:"))  # 'autorijden, eh, inparkeren': no 'eh'
        score = bool(said) and all(w in NUMBER_WORDS or w.isdigit() for w in said.split())
        if name is None or name.casefold() in others or said in self.vocab.yes | self.vocab.no \
                or score:  # 'zes', said before the question for the score came: no activity
            self.turns.retry("not_understood", self.texts.turns.not_understood)
            return
        self._take(name)

    def _take(self, value: int | bool | str, note: str = "") -> None:
        """Keep the answer to the current question and ask the next one."""
        self.answers[self.state] = value
        self.emit(Answer(self.state, None, value, note))
        self.advance(self._asked)
        if self.outcome == "running":
            self._ask()

    def on_back(self) -> None:
        if not self.may_back(self._asked):
            self.turns.first_question()
            return
        self.back(self._asked)
        self.answers.pop(self.state, None)
        self._ask()

    def on_stop(self) -> None:
        self.stop()
        self.emit(Say("stopped", self.texts.stopped))

    def _ask(self) -> None:
        question = self.texts.measurement(self.state)
        text = question.text
        named = self._activities()
        if self.state.startswith("psk") and named:
            text = self.texts.psk_named.format(activity=named[int(self.state[-1]) - 1])
        self.turns.ask(Ask(self.state, None, text), question.help)


def run_evaluation(listener: Listener, emit: Emit, profile: str,
                   protocol: Protocol | None = None, *, baseline: bool = False,
                   voice: bool = False, activities: tuple[str, ...] = (),
                   name_activities: bool = False) -> Evaluation | None:
    """Ask the measurements; the evaluation, or None when it was stopped (or input ended).
    `activities`: the PSK's three activities as named before (each PSK question names its
    own); `name_activities`: when none are named, ask their names first (the baseline)."""
    if protocol is None:
        from assistant.protocol import load_protocol

        protocol = load_protocol()
    dialog = EvaluationDialog(profile=profile, vocab=protocol.vocabulary,
                              texts=protocol.dialog.evaluation, emit=emit, baseline=baseline,
                              voice=voice, activities=activities,
                              name_activities=name_activities,
                              confirm=protocol.dialog.intake.confirm_inferred)
    run_dialog(dialog, listener)
    return dialog.result()
