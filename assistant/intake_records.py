"""The records side of an intake: the journal that makes it resumable, storing the finished
consultation under the patient's id, and the baseline measurement (NPRS and PSK)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.journal import IntakeJournal
from assistant.protocol.findings import Findings
from assistant.protocol.rules import Result
from assistant.report import result_json

if TYPE_CHECKING:
    from assistant.records.store import Store



class RecordsUnavailable(Exception):
    """The records cannot be used; the message is one Dutch line."""


@dataclass
class IntakeRecords:
    """Opened before the intake; `journal` follows its answers, `resume` holds the entries of an
    interrupted one."""

    store: Store
    patient: str | None
    day: date
    journal: IntakeJournal | None
    resume: Sequence[dict[str, Any]] = ()
    resumed_from: date | None = None

    @classmethod
    def open(cls, db: Path | None, patient: str | None, day: date, *,
             resume: bool, journaled: bool = True) -> IntakeRecords:
        """Open the store and the journal: an interrupted intake when `resume` (or when this
        patient has one), else a new one; no journal at all when not `journaled` (answers from
        a file). RecordsUnavailable when that is not possible."""
        from assistant.records.location import resolve_db_path
        from assistant.records.store import RecordsError, Store, validate_patient_id

        try:
            if patient is not None:
                validate_patient_id(patient)
            store = Store.open(resolve_db_path(db))
        except RecordsError as exc:
            raise RecordsUnavailable(str(exc)) from None
        try:
            if not journaled:
                return cls(store, patient, day, None)
            found = store.journal_find_open(patient) if resume or patient else None
            if found is None and resume:
                who = f"patiënt '{patient}'" if patient else "een intake zonder patiënt-id"
                raise RecordsUnavailable(f"--resume: geen onderbroken intake gevonden voor {who}")
            if found is not None:
                entries = store.journal_entries(found.id)
                journal = IntakeJournal(store, found.id)
                return cls(store, patient, found.date, journal, entries, found.date)
            journal = IntakeJournal(store, store.journal_open(patient, day))
            return cls(store, patient, day, journal)
        except RecordsError as exc:
            store.close()
            raise RecordsUnavailable(str(exc)) from None

    @property
    def standing_answers(self) -> int:
        """The answers of the interrupted intake that still stand (a 'terug' took one back)."""
        kinds = [entry.get("kind") for entry in self.resume]
        return kinds.count("answer") - kinds.count("back")

    def close(self) -> None:
        self.store.close()

    def abandon(self) -> None:
        """The journal cannot be replayed (another protocol version): set it aside."""
        if self.journal is not None:
            self.journal.close("abandoned")

    def finish(self, findings: Findings, result: Result | None,
               chosen: Sequence[str] | None, answered: int) -> str | None:
        """After the intake: close the journal when it reached a result, and store the
        consultation under the patient's id. Returns a line for the screen, or None."""
        if result is None:
            if answered == 0 and self.journal is not None:
                self.journal.close("abandoned")  # stopped before any answer: nothing to resume
            return None  # stopped: the journal stays open, to be resumed
        if self.journal is not None:
            self.journal.close("finished")
        if self.patient is None:
            return None
        self.store.add_consultation(self.patient, self.day, findings.to_json(),
                                    result_json(result, chosen), list(chosen or ()))
        return f"Opgeslagen bij patiënt {self.patient} ({self.day.isoformat()})."

    def baseline(self, nprs: int, psk: tuple[int, int, int]) -> str:
        assert self.patient is not None
        self.store.add_evaluation(self.patient, self.day, nprs, psk)
        scores = ", ".join(str(score) for score in psk)
        return f"Beginmeting opgeslagen: pijnscore {nprs}, activiteiten {scores}."

