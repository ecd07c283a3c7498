"""The intake journal: every answer is written to the records store the moment it is given,
so an interrupted intake (a phone call, a crash, a flat battery) resumes with nothing lost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

from assistant.dialog.consultation import AnswerRecord
from assistant.dialog.events import json_value

EndStatus = Literal["finished", "abandoned"]
# the last entry of a journal whose intake is stored (records/store.py's Store.finish_intake
# writes it, in the same transaction): {"kind": "stored", "consultation": <id or null>}
STORED = "stored"


class JournalStore(Protocol):
    """What the journal needs of the records store."""

    def journal_append(self, journal_id: int, payload: dict[str, Any]) -> None: ...

    def journal_close(self, journal_id: int,
                      status: Literal["open", "finished", "abandoned"]) -> None: ...


class IntakeJournal:
    """Follows the consultation's answers: a new answer is appended, a 'terug' is appended as
    'back', the choice of exercises as 'choice'. Each append is durable before it returns."""

    def __init__(self, store: JournalStore, journal_id: int, recorded: int = 0) -> None:
        self.store = store
        self.id = journal_id
        self.recorded = recorded  # answers in the journal that still stand

    def sync(self, history: Sequence[AnswerRecord]) -> None:
        """Bring the journal up to date with the consultation's answers."""
        while self.recorded > len(history):
            self.store.journal_append(self.id, {"kind": "back"})
            self.recorded -= 1
        while self.recorded < len(history):
            record = history[self.recorded]
            entry: dict[str, Any] = {"kind": "answer", "question": record.question.id,
                     "heard": record.heard, "value": json_value(record.value)}
            if record.note:
                entry["note"] = record.note
            self.store.journal_append(self.id, entry)
            self.recorded += 1

    def choice(self, codes: Sequence[str], frequencies: Mapping[str, str] | None = None) -> None:
        """The confirmed choice of exercises: {"kind": "choice", "codes": [...]}, plus
        "frequencies": {code: words} when the therapist changed any (as an entry of an earlier
        version, none changed, has none)."""
        entry: dict[str, Any] = {"kind": "choice", "codes": list(codes)}
        if frequencies:
            entry["frequencies"] = dict(frequencies)
        self.store.journal_append(self.id, entry)

    def close(self, status: EndStatus) -> None:
        self.store.journal_close(self.id, status)
