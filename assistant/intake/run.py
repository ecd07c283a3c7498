"""Running a consultation: a listener feeds the dialog (dialog/loop.py's run_dialog), its events
go to every sink."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.dialog.consultation import Consultation, DialogConfig, unit_answers
from assistant.dialog.events import SPOKEN, Answer, Emit, Event, JournalEvent
from assistant.dialog.exercise_choice import QUESTION as CHOICE_QUESTION
from assistant.dialog.exercise_choice import ExerciseChoice
from assistant.dialog.loop import run_dialog
from assistant.errors import JournalMismatch
from assistant.intake.journal import IntakeJournal
from assistant.intake.resume import replay
from assistant.output.report_content import GivenAnswer
from assistant.protocol.exercises import Patient
from assistant.protocol.model import Protocol
from assistant.speech.interfaces import Listener, Speaker


class Fanout:
    """One emit callback that forwards each event to several sinks, in order."""

    def __init__(self, sinks: Iterable[Emit]) -> None:
        self.sinks = list(sinks)

    def __call__(self, event: Event) -> None:
        for sink in self.sinks:
            sink(event)


class SpeechOutput:
    """Speaks what the dialog says (questions, confirmations, notices, the conclusion)."""

    def __init__(self, speaker: Speaker) -> None:
        self.speaker = speaker

    def __call__(self, event: Event) -> None:
        if isinstance(event, SPOKEN) and getattr(event, "aloud", True):
            self.speaker.say(event.text)  # not what is only shown (by voice, after the tries)


@dataclass
class IntakeOutcome:
    """What an intake came to: its consultation (answers, findings, the result or None when it
    stopped) and the exercises chosen after it (dialog/loop.Outcome is a dialog's status)."""

    consultation: Consultation
    chosen_exercises: tuple[str, ...] | None = None  # None: no choice was made
    # the frequencies the therapist changed at the choice (code → Dutch words; defaults left out)
    exercise_frequencies: dict[str, str] = field(default_factory=dict)

    @property
    def answers(self) -> list[GivenAnswer]:
        return [GivenAnswer(r.question, r.heard, r.value, r.note)
                for r in self.consultation.history]


def run_consultation(
    protocol: Protocol,
    listener: Listener,
    sinks: Iterable[Emit],
    config: DialogConfig | None = None,
    *,
    choose_exercises: bool = True,
    journal: IntakeJournal | None = None,
    resume: Sequence[JournalEvent] = (),
) -> IntakeOutcome:
    """Run one intake to its end: a result, or a stop (also when the input ends). After a
    treatment profile the therapist chooses the home exercises from its menu.

    With a `journal` every answer is written down as it is given, before anything else is
    shown or said; `resume` applies the events of an interrupted intake's journal first
    (journal.journal_events; JournalMismatch when they do not fit)."""
    consultation = Consultation(protocol, _ignore, config or DialogConfig())
    outcome = IntakeOutcome(consultation)
    emit = Fanout(sinks)
    if journal is not None:
        emit = Fanout([JournalFirst(journal, consultation), *sinks])
    if resume:
        consultation.start()
        chosen = replay(consultation, resume)
        if chosen is not None:
            outcome.chosen_exercises, outcome.exercise_frequencies = chosen
        if journal is not None:
            journal.standing = [a.question for a in unit_answers(consultation.history)]
        consultation.emit = emit
        consultation.announce()
    else:
        consultation.emit = emit
    run_dialog(consultation, listener, started=bool(resume))
    result = consultation.result
    if (choose_exercises and result is not None and result.exercises
            and outcome.chosen_exercises is None):
        choice = ExerciseChoice(protocol.library, protocol.vocabulary, result.exercises, emit,
                                protocol.dialog.intake.turns, result.exercise_warning,
                                result.exercises_if_insufficient,
                                voice=consultation.config.voice,
                                max_tries=consultation.config.max_tries,
                                patient=Patient.from_intake(consultation.findings.to_json(),
                                                            result.profile))
        if run_dialog(choice, listener) == "done":
            outcome.chosen_exercises = choice.chosen
            outcome.exercise_frequencies = dict(choice.frequencies)
    return outcome


class JournalFirst:
    """The first sink: the journal catches up with the consultation before the screen shows,
    or the speaker says, what follows an answer (an answer is on disk before the next
    question is heard); the choice of exercises is journaled when it is confirmed."""

    def __init__(self, journal: IntakeJournal, consultation: Consultation) -> None:
        self.journal = journal
        self.consultation = consultation

    def __call__(self, event: Event) -> None:
        if isinstance(event, Answer) and event.question == CHOICE_QUESTION:
            self.journal.choice(event)
        else:
            self.journal.sync(self.consultation.history)


def rebuilt_outcome(protocol: Protocol, events: Sequence[JournalEvent],
                    config: DialogConfig | None = None) -> IntakeOutcome:
    """The outcome of a stored intake, rebuilt from its journal (`events`, ending in
    `stored`) without asking anything: its answers replayed, its result, the exercises
    chosen. JournalMismatch when the journal does not replay to a result."""
    consultation = Consultation(protocol, _ignore, config or DialogConfig())
    consultation.start()
    chosen = replay(consultation, events)
    if consultation.result is None:
        raise JournalMismatch("het dagboek van de opgeslagen intake komt niet tot een uitkomst")
    outcome = IntakeOutcome(consultation)
    if chosen is not None:
        outcome.chosen_exercises, outcome.exercise_frequencies = chosen
    return outcome


def _ignore(event: Event) -> None:
    return None
