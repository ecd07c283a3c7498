"""The journal tables: each intake's answers written as they are given, so an interrupted
intake resumes with nothing lost, and the storing of a finished intake together with the mark
that ends its journal. Part of `Store`. (assistant/intake/journal.py writes the answers.)"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from assistant.errors import RecordsError
from assistant.records.consultations import ConsultationTables
from assistant.records.database import now
from assistant.records.failures import sqlite_errors
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

# the journal's last entry once its intake is stored (finish_intake): the `stored` event of
# dialog/events.py, {"event": "stored", "consultation": <id or null>}; a journal of an earlier
# version ends in {"kind": "stored", …}, read as the same
STORED: Final = "stored"
# a journal row of an interrupted intake: open, and holding an answer
INTERRUPTED: Final = ("status = 'open' AND EXISTS (SELECT 1 FROM journal_entries"
                      " WHERE journal = journal.id)")


class JournalTables(ConsultationTables):
    """The intakes in progress (or ended) and their answers."""

    @sqlite_errors
    def journal_open(self, patient: str | None, day: date) -> int:
        """Start a journal for an intake (patient None: anonymous); return its id."""
        with self._transaction() as conn:
            if patient is not None:
                patient = self._stored_id(conn, patient)
            cursor = conn.execute(
                "INSERT INTO journal (patient, date, started, status) VALUES (?, ?, ?, 'open')",
                (patient, day.isoformat(), now()))
        return int(cursor.lastrowid or 0)

    @sqlite_errors
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
            status = conn.execute("SELECT status FROM journal WHERE id = ?",
                                  (journal_id,)).fetchone()
            if status is None or status[0] != "open":
                raise RecordsError(f"geen open journaal met nummer {journal_id}")
            if self._stored_entry(conn, journal_id) is not None:
                raise RecordsError(f"de intake van journaal {journal_id} is al opgeslagen")
            stored = None if values is None else self._insert_consultation(conn, values)
            self._append(conn, journal_id, {"event": STORED, "consultation": stored})
        return stored

    @sqlite_errors
    def journal_append(self, journal_id: int, payload: dict[str, Any]) -> None:
        """Add one entry; it is on disk when this returns (synchronous = FULL)."""
        with self._transaction() as conn:
            status = conn.execute("SELECT status FROM journal WHERE id = ?",
                                  (journal_id,)).fetchone()
            if status is None:
                raise RecordsError(f"geen journaal met nummer {journal_id}")
            if status[0] != "open":
                raise RecordsError(f"journaal {journal_id} is al afgesloten ({status[0]})")
            if self._stored_entry(conn, journal_id) is not None:  # the answers are final
                raise RecordsError(f"de intake van journaal {journal_id} is al opgeslagen")
            self._append(conn, journal_id, payload)

    @staticmethod
    def _append(conn: sqlite3.Connection, journal_id: int, payload: dict[str, Any]) -> None:
        conn.execute(
            "INSERT INTO journal_entries (journal, seq, payload) VALUES (?, (SELECT"
            " COALESCE(MAX(seq), 0) + 1 FROM journal_entries WHERE journal = ?), ?)",
            (journal_id, journal_id, json.dumps(payload, ensure_ascii=False)))

    @staticmethod
    def _stored_entry(conn: sqlite3.Connection, journal_id: int) -> dict[str, Any] | None:
        """The journal's last entry when it is the 'stored' mark (finish_intake), else None."""
        row = conn.execute("SELECT payload FROM journal_entries WHERE journal = ? ORDER BY seq"
                           " DESC LIMIT 1", (journal_id,)).fetchone()
        entry = None if row is None else journal_entry(row[0])
        marked = entry is not None and STORED in (entry.get("event"), entry.get("kind"))
        return entry if marked else None

    @sqlite_errors
    def journal_stored_entry(self, journal_id: int) -> dict[str, Any] | None:
        """The 'stored' mark ending the journal ({"event": "stored", "consultation": id or
        null}): its intake is stored, its report and baseline may not be; None otherwise."""
        return self._stored_entry(self._conn, journal_id)

    @sqlite_errors
    def journal_entries(self, journal_id: int) -> list[dict[str, Any]]:
        """The journal's payloads, in the order they were appended."""
        rows = self._conn.execute(
            "SELECT payload FROM journal_entries WHERE journal = ? ORDER BY seq", (journal_id,))
        return [journal_entry(r[0]) for r in rows]

    @sqlite_errors
    def journal_find_open(self, patient: str | None) -> JournalRow | None:
        """The latest open journal of the patient that holds an answer (None: the latest such
        anonymous one; an anonymous intake is never offered to a patient). An empty open
        journal, left by an intake that failed before its first answer, is passed over."""
        query = ("SELECT id, patient, date, started, status FROM journal WHERE {who}"
                 f" AND {INTERRUPTED} ORDER BY id DESC LIMIT 1")
        if patient is None:
            row = self._conn.execute(query.format(who="patient IS NULL")).fetchone()
        else:
            validate_patient_id(patient)
            row = self._conn.execute(query.format(who="patient = ? COLLATE NOCASE"),
                                     (patient,)).fetchone()
        return None if row is None else parsed(self.path, "journal", row, journal_row)

    @sqlite_errors
    def journal_patients(self) -> list[str]:
        """The patients with an interrupted intake (an open journal that holds an answer),
        latest first, each once (for the screen's list of intakes to resume)."""
        rows = self._conn.execute(
            f"SELECT patient FROM journal WHERE patient IS NOT NULL AND {INTERRUPTED}"
            " GROUP BY patient COLLATE NOCASE ORDER BY MAX(id) DESC").fetchall()
        return [str(r[0]) for r in rows]

    @sqlite_errors
    def journal_close(self, journal_id: int, status: JournalStatus) -> None:
        """Mark a journal finished or abandoned, and erase its answers: a finished intake's
        answers are in its report (and its stored consultation), and no more is kept than
        needed."""
        if status not in JOURNAL_STATUSES or status == "open":
            raise RecordsError(f"een journaal sluit met finished of abandoned, niet {status!r}")
        with self._transaction() as conn:
            self._end_journal(conn, journal_id, status)

    @staticmethod
    def _end_journal(conn: sqlite3.Connection, journal_id: int, status: JournalStatus, *,
                     keep: bool = False) -> None:
        """Mark the journal `status` and (unless `keep`) erase its answers, in the caller's
        transaction. RecordsError when there is no such journal."""
        changed = conn.execute("UPDATE journal SET status = ? WHERE id = ?",
                               (status, journal_id)).rowcount
        if not changed:
            raise RecordsError(f"geen journaal met nummer {journal_id}")
        if not keep:
            conn.execute("DELETE FROM journal_entries WHERE journal = ?", (journal_id,))

    @sqlite_errors
    def journal_set_aside(self, journal_id: int) -> None:
        """A journal that cannot be replayed: marked abandoned (no --resume takes it again)
        with every entry kept, to be read back by hand or by a later version; never erased,
        except by `forget`."""
        with self._transaction() as conn:
            self._end_journal(conn, journal_id, "abandoned", keep=True)

    @sqlite_errors
    def journal_stored(self, row: JournalRow) -> ConsultationRow | None:
        """The stored intake of an open journal: the one its 'stored' mark names (finish_intake:
        stored, its report not yet written), or for a journal of an earlier version (which
        stored the intake and closed the journal in two steps) the patient's intake of the
        journal's date stored after the journal began. None when there is none (or the
        journal has no patient)."""
        if row.patient is None:
            return None
        mark = self._stored_entry(self._conn, row.id)
        if mark is not None:
            return next((c for c in self.consultations(row.patient, skip_damaged=True)
                         if c.id == mark.get("consultation")), None)
        found = [c for c in self.consultations(row.patient, skip_damaged=True)
                 if c.date == row.date and c.created >= row.started]
        return found[0] if found else None
