"""Resuming an interrupted intake: which one it is, in words for the therapist, and replaying
its journal into a new consultation (the journal itself is journal.py; finding the open one
is IntakeRecords.open)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from assistant.dialog.consultation import Consultation, DialogConfig
from assistant.dialog.events import Answer, Back, JournalEvent, Stored
from assistant.dialog.exercise_choice import QUESTION as CHOICE_QUESTION
from assistant.errors import JournalMismatch
from assistant.intake.journal import shown_entry
from assistant.intake.records import IntakeRecords
from assistant.protocol.model import Protocol


def describe_resume(records: IntakeRecords) -> str:
    """Which interrupted intake would be continued: 'begonnen op 2026-11-02 om 10:42,
    12 antwoorden, patiënt P-1' (or 'zonder id')."""
    row = records.resumed
    assert row is not None
    try:
        started = datetime.fromisoformat(row.started).astimezone()
        when = f"{started:%Y-%m-%d} om {started:%H:%M}"
    except ValueError:
        when = row.date.isoformat()
    answers = records.standing_answers
    counted = "1 antwoord" if answers == 1 else f"{answers} antwoorden"
    who = f"patiënt {row.patient}" if row.patient is not None else "zonder id"
    return f"begonnen op {when}, {counted}, {who}"


Chosen = tuple[tuple[str, ...], dict[str, str]]  # the codes, the changed frequencies


def replay(consultation: Consultation, events: Sequence[JournalEvent]) -> Chosen | None:
    """Apply a journal's events (journal_events) to a started consultation (whose output goes
    nowhere yet); return the exercises chosen with the frequencies changed, if the journal got
    that far. A last `stored` (the intake was stored: Store.finish_intake) adds nothing.
    JournalMismatch when the journal does not fit this protocol, or anything in it could not
    have been given live (a value out of range, a choice before the result or outside its
    menu: edited by hand, another version): such a journal is set aside intact."""
    chosen: Chosen | None = None
    for number, event in enumerate(events, 1):
        try:
            if isinstance(event, Answer) and event.question == CHOICE_QUESTION:
                chosen = _checked_choice(consultation, event)
            elif isinstance(event, Answer):
                consultation.restore(event.question, event.heard, event.value, event.note)
            elif isinstance(event, Back):
                _check_back(consultation, event)
                consultation.undo()
            elif not (isinstance(event, Stored) and number == len(events)):
                raise JournalMismatch(f"onbekende regel in het dagboek: "
                                      f"{shown_entry(event.to_json())}")
        except JournalMismatch:
            raise
        except Exception:  # the dialog trips over an entry it was never given live
            raise JournalMismatch(f"een regel van de verkeerde vorm in het dagboek: "
                                  f"{shown_entry(event.to_json())}") from None
    return chosen


def _checked_choice(consultation: Consultation, event: Answer) -> Chosen:
    """The journaled choice of exercises, when it could have been made live: after the
    result, its codes in the result's menu, each changed frequency one the choice offers for
    one of them (JournalMismatch otherwise)."""
    result = consultation.result
    codes = tuple(event.value)
    offered = consultation.protocol.library.choice.frequencies
    if (result is None or not set(codes) <= {*result.exercises, *result.exercises_if_insufficient}
            or any(code not in codes or words not in offered
                   for code, words in event.frequencies.items())):
        raise JournalMismatch(f"een keuze van oefeningen die zo niet gemaakt kan zijn: "
                              f"{shown_entry(event.to_json())}")
    return codes, dict(event.frequencies)


def check_replay(protocol: Protocol, events: Sequence[JournalEvent],
                 config: DialogConfig) -> None:
    """JournalMismatch when `events` do not replay (as `replay`), tried on a consultation of
    its own, so nothing of a journal that does not fit is shown first (the screen)."""
    consultation = Consultation(protocol, lambda event: None, config)
    consultation.start()
    replay(consultation, events)


def _check_back(consultation: Consultation, back: Back) -> None:
    """A `back` takes back the last answer that stands, which must be the one it names."""
    history = consultation.history
    if history and history[-1].question.id != back.question:
        raise JournalMismatch(f"het dagboek neemt '{back.question}' terug, maar het laatste "
                              f"antwoord is op '{history[-1].question.id}'")
