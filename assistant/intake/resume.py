"""Resuming an interrupted intake: which one it is, in words for the therapist, and replaying
its journal into a new consultation (the journal itself is journal.py; finding the open one
is IntakeRecords.open)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from assistant.dialog.consultation import Consultation
from assistant.errors import JournalMismatch
from assistant.intake.records import IntakeRecords


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
    entry of an earlier version, without frequencies: none changed). JournalMismatch when the
    journal does not fit this protocol (and only then: any other failure is not the
    journal's)."""
    chosen: Chosen | None = None
    for entry in entries:
        kind = entry.get("kind")
        try:
            if kind == "answer":
                consultation.restore(str(entry["question"]), str(entry.get("heard", "")),
                                     entry["value"], str(entry.get("note", "")))
            elif kind == "back":
                consultation.undo()
            elif kind == "choice":
                chosen = (tuple(str(c) for c in entry["codes"]),
                          _frequencies(entry.get("frequencies")))
            else:
                raise JournalMismatch(f"onbekende regel in het dagboek: {entry!r}")
        except (KeyError, TypeError) as exc:
            raise JournalMismatch(f"onvolledige regel in het dagboek: {entry!r} ({exc!r})"
                                  ) from None
    return chosen


def _frequencies(entry: object) -> dict[str, str]:
    """A choice entry's "frequencies" (absent in an entry of an earlier version: {})."""
    if entry is None:
        return {}
    if not isinstance(entry, dict):
        raise TypeError(f"frequencies is no object: {entry!r}")
    return {str(code): str(words) for code, words in entry.items()}
