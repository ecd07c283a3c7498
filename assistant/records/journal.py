"""The journal tables: each intake's answers written as they are given, so an interrupted
intake resumes with nothing lost, and the storing of a finished intake together with the mark
that ends its journal. Part of `Store`. (assistant/intake/journal.py writes the answers.)"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)

from assistant.errors import RecordsError
from assistant.records.consultations import ConsultationTables
from assistant.records.database import now
from assistant.records.failures import records_errors
from assistant.records.patients import same_patient
from assistant.records.rows import (
    JOURNAL_STATUSES,
    ConsultationRow,
    JournalRow,
    JournalStatus,
    journal_entry,
    journal_row,
    parsed,
    validate_patient_id,
)
from assistant.records.schema import journal, journal_entries

# the journal's last entry once its intake is stored (finish_intake): the `stored` event of
# dialog/events.py, {"event": "stored", "consultation": <id or null>}; a journal of an earlier
# version ends in {"kind": "stored", …}, read as the same
STORED: Final = "stored"
J, E = journal.c, journal_entries.c


def interrupted() -> ColumnElement[bool]:
    """A journal row of an interrupted intake: open, and holding an answer."""
    return and_(J.status == "open", exists().where(E.journal == J.id))


class JournalTables(ConsultationTables):
    """The intakes in progress (or ended) and their answers."""

    @records_errors
    def journal_open(self, patient: str | None, day: date) -> int:
        """Start a journal for an intake (patient None: anonymous); return its id."""
        with self._transaction() as conn:
            if patient is not None:
                patient = self._stored_id(conn, patient)
                self._log_access(conn, patient, "journal")
            return int(conn.execute(insert(journal).values(
                patient=patient, date=day.isoformat(), started=now(), status="open",
                **self._author()).returning(J.id)).scalar_one())

    @records_errors
    def finish_intake(self, journal_id: int, patient: str | None, day: date,
                      findings: dict[str, Any], result: dict[str, Any],
                      chosen_exercises: Sequence[str],
                      exercise_frequencies: Mapping[str, str] | None = None) -> int | None:
        """Store the finished intake under `patient` (None: nothing to store) and mark its
        journal with a last entry {"event": "stored", "consultation": <id or null>}, in ONE
        transaction: a failure or a kill at any point leaves either both done or neither.
        The journal stays open (its answers rebuild the report) until the report is written
        and the baseline taken (`journal_close(..., "finished")`); a run that finds it so
        finishes that, never stores a second intake (`journal_stored_entry`). The stored
        intake's id, or None without a patient. RecordsError when the journal is not open or
        was marked stored already."""
        values = (None if patient is None else self._consultation_values(
            patient, day, findings, result, chosen_exercises, exercise_frequencies))
        with self._transaction() as conn:
            self._check_open(conn, journal_id, closed="geen open journaal met nummer {id}")
            stored = None if values is None else self._insert_consultation(conn, values)
            self._append(conn, journal_id, {"event": STORED, "consultation": stored})
        return stored

    @records_errors
    def journal_append(self, journal_id: int, payload: dict[str, Any]) -> None:
        """Add one entry; it is durable when this returns (SQLite: synchronous = FULL; a
        server: committed)."""
        with self._transaction() as conn:
            self._check_open(conn, journal_id)
            self._append(conn, journal_id, payload)

    def _check_open(self, conn: Connection, journal_id: int, *, closed: str = "") -> None:
        """RecordsError unless the journal is open and not yet marked stored (its answers are
        final then). With `closed` one message for a missing or closed journal."""
        status = conn.execute(select(J.status).where(J.id == journal_id)
                              .with_for_update()).scalar()
        if closed and status != "open":
            raise RecordsError(closed.format(id=journal_id))
        if status is None:
            raise RecordsError(f"geen journaal met nummer {journal_id}")
        if status != "open":
            raise RecordsError(f"journaal {journal_id} is al afgesloten ({status})")
        if self._stored_entry(conn, journal_id) is not None:
            raise RecordsError(f"de intake van journaal {journal_id} is al opgeslagen")

    def _append(self, conn: Connection, journal_id: int, payload: dict[str, Any]) -> None:
        seq = conn.execute(select(func.coalesce(func.max(E.seq), 0) + 1)
                           .where(E.journal == journal_id)).scalar_one()
        conn.execute(insert(journal_entries).values(
            journal=journal_id, seq=seq, payload=json.dumps(payload, ensure_ascii=False),
            **self._author()))

    @staticmethod
    def _stored_entry(conn: Connection, journal_id: int) -> dict[str, Any] | None:
        """The journal's last entry when it is the 'stored' mark (finish_intake), else None."""
        row = conn.execute(select(E.payload).where(E.journal == journal_id)
                           .order_by(E.seq.desc()).limit(1)).first()
        entry = None if row is None else journal_entry(row[0])
        marked = entry is not None and STORED in (entry.get("event"), entry.get("kind"))
        return entry if marked else None

    @records_errors
    def journal_stored_entry(self, journal_id: int) -> dict[str, Any] | None:
        """The 'stored' mark ending the journal ({"event": "stored", "consultation": id or
        null}): its intake is stored, its report and baseline may not be; None otherwise."""
        with self._transaction(write=False) as conn:
            return self._stored_entry(conn, journal_id)

    @records_errors
    def journal_entries(self, journal_id: int) -> list[dict[str, Any]]:
        """The journal's payloads, in the order they were appended (a patient's answers read:
        logged as 'journal')."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(select(E.payload).where(E.journal == journal_id)
                                .order_by(E.seq)).all()
            patient = conn.execute(select(J.patient).where(J.id == journal_id)).scalar()
        if rows and patient is not None:
            self._logged_read(str(patient), "journal")
        return [journal_entry(r[0]) for r in rows]

    @records_errors
    def journal_find_open(self, patient: str | None) -> JournalRow | None:
        """The latest open journal of the patient that holds an answer (None: the latest such
        anonymous one; an anonymous intake is never offered to a patient). An empty open
        journal, left by an intake that failed before its first answer, is passed over."""
        who: ColumnElement[bool]
        if patient is None:
            who = J.patient.is_(None)
        else:
            validate_patient_id(patient)
            who = same_patient(J.patient, patient)
        with self._transaction(write=False) as conn:
            row = conn.execute(select(J.id, J.patient, J.date, J.started, J.status)
                               .where(who, interrupted()).order_by(J.id.desc())
                               .limit(1)).first()
        found = None if row is None else parsed(self.shown, "journal", row, journal_row)
        if found is not None and found.patient is not None:  # its answers are read to resume
            self._logged_read(found.patient, "journal")
        return found

    @records_errors
    def journal_patients(self) -> list[str]:
        """The patients with an interrupted intake (an open journal that holds an answer),
        latest first, each once (for the screen's list of intakes to resume)."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(select(J.patient, J.id).where(J.patient.is_not(None),
                                                                interrupted())
                                .order_by(J.id.desc())).all()
        found: dict[str, str] = {}
        for patient, _ in rows:  # latest first: the first spelling met is kept
            found.setdefault(str(patient).lower(), str(patient))
        return list(found.values())

    @records_errors
    def journal_close(self, journal_id: int, status: JournalStatus) -> None:
        """Mark a journal finished or abandoned, and erase its answers: a finished intake's
        answers are in its report (and its stored consultation), and no more is kept than
        needed."""
        if status not in JOURNAL_STATUSES or status == "open":
            raise RecordsError(f"een journaal sluit met finished of abandoned, niet {status!r}")
        with self._transaction() as conn:
            self._end_journal(conn, journal_id, status)

    @staticmethod
    def _end_journal(conn: Connection, journal_id: int, status: JournalStatus, *,
                     keep: bool = False) -> None:
        """Mark the journal `status` and (unless `keep`) erase its answers, in the caller's
        transaction. RecordsError when there is no such journal."""
        changed = conn.execute(update(journal).where(J.id == journal_id)
                               .values(status=status)).rowcount
        if not changed:
            raise RecordsError(f"geen journaal met nummer {journal_id}")
        if not keep:
            conn.execute(delete(journal_entries).where(E.journal == journal_id))

    @records_errors
    def journal_set_aside(self, journal_id: int) -> None:
        """A journal that cannot be replayed: marked abandoned (no --resume takes it again)
        with every entry kept, to be read back by hand or by a later version; never erased,
        except by `forget`."""
        with self._transaction() as conn:
            self._end_journal(conn, journal_id, "abandoned", keep=True)

    @records_errors
    def journal_stored(self, row: JournalRow) -> ConsultationRow | None:
        """The stored intake of an open journal: the one its 'stored' mark names (finish_intake:
        stored, its report not yet written), or for a journal of an earlier version (which
        stored the intake and closed the journal in two steps) the patient's intake of the
        journal's date stored after the journal began. None when there is none (or the
        journal has no patient)."""
        if row.patient is None:
            return None
        mark = self.journal_stored_entry(row.id)
        if mark is not None:
            return next((c for c in self.consultations(row.patient, skip_damaged=True)
                         if c.id == mark.get("consultation")), None)
        found = [c for c in self.consultations(row.patient, skip_damaged=True)
                 if c.date == row.date and c.created >= row.started]
        return found[0] if found else None
