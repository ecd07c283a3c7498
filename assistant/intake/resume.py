"""Resuming an interrupted intake: which one it is, in words for the therapist, and replaying
its journal into a new consultation (the journal itself is journal.py; finding the open one
is IntakeRecords.open)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from assistant.dialog.consultation import Consultation, DialogConfig
from assistant.errors import JournalMismatch
from assistant.intake.journal import STORED
from assistant.intake.records import IntakeRecords
from assistant.protocol.findings import UNKNOWN, Value
from assistant.protocol.model import AnswerType, Protocol


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


def replay(consultation: Consultation, entries: Sequence[dict[str, Any]]) -> Chosen | None:
    """Apply journaled entries to a started consultation (whose output goes nowhere yet);
    return the exercises chosen with the frequencies changed, if the journal got that far (an
    entry of an earlier version, without frequencies: none changed). A last 'stored' entry
    (the intake was stored: Store.finish_intake) adds nothing. JournalMismatch when the
    journal does not fit this protocol, or an entry has the wrong shape (edited by hand, a
    value of another type): such a journal is set aside intact, not replayed into an error."""
    chosen: Chosen | None = None
    for number, entry in enumerate(entries, 1):
        kind = entry.get("kind")
        try:
            if kind == "answer":
                question = str(entry["question"])
                value = _checked_value(consultation, question, entry["value"])
                consultation.restore(question, str(entry.get("heard", "")), value,
                                     str(entry.get("note", "")))
            elif kind == "back":
                consultation.undo()
            elif kind == "choice":
                chosen = (tuple(_word(c) for c in entry["codes"]),
                          _frequencies(entry.get("frequencies")))
            elif kind == STORED and number == len(entries):
                continue
            else:
                raise JournalMismatch(f"onbekende regel in het dagboek: {entry!r}")
        except JournalMismatch:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, AssertionError):
            # the dialog trips over an entry it was never given live: the entry's fault
            raise JournalMismatch(f"een regel van de verkeerde vorm in het dagboek: {entry!r}"
                                  ) from None
    return chosen


def check_replay(protocol: Protocol, entries: Sequence[dict[str, Any]],
                 config: DialogConfig) -> None:
    """JournalMismatch when `entries` do not replay (as `replay`), tried on a consultation of
    its own, so nothing of a journal that does not fit is shown first (the screen)."""
    consultation = Consultation(protocol, lambda event: None, config)
    consultation.start()
    replay(consultation, entries)


def _checked_value(consultation: Consultation, question_id: str, value: object) -> Value:
    """An answer's journaled value, if it has the form its question's answers have: a yes/no
    is true or false, a duration or an age a number, a choice a word (each may be 'unknown':
    a doubt). TypeError otherwise; KeyError for a question this protocol does not have."""
    kind = consultation.protocol.question(question_id).type
    if value == UNKNOWN:
        return UNKNOWN
    if kind is AnswerType.YES_NO and isinstance(value, bool):
        return value
    if (kind in (AnswerType.DURATION, AnswerType.AGE) and isinstance(value, int | float)
            and not isinstance(value, bool) and math.isfinite(value) and value >= 0):
        return value
    if kind is AnswerType.CHOICE and isinstance(value, str):
        return value
    raise TypeError(f"{question_id}: {value!r}")


def _word(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is no word")
    return value


def _frequencies(entry: object) -> dict[str, str]:
    """A choice entry's "frequencies" (absent in an entry of an earlier version: {})."""
    if entry is None:
        return {}
    if not isinstance(entry, dict):
        raise TypeError(f"frequencies is no object: {entry!r}")
    return {_word(code): _word(words) for code, words in entry.items()}
