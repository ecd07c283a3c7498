"""Records as earlier versions left them when an intake was cut off."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assistant.records.store import Store
from tests.records_fixtures import add_intake


def stored_but_open(db: Path, patient: str, day: date) -> None:
    """As an earlier version left it when cut off between storing the intake and closing its
    journal: an open journal with an answer, and the intake of that day (profile B) stored
    after it."""
    with Store.open(db) as store:
        journal = store.journal_open(patient, day)
        store.journal_append(journal, {"kind": "answer", "question": "age_years",
                                       "heard": "47", "value": 47})
    add_intake(db, patient, "B", day)
