"""The patients table: which patients are stored, their ids as first spelled, the access log of
their records (NEN 7513), and forgetting a patient (every row of theirs, journals included).
Part of `Store`."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from assistant.errors import RecordsError, RecordsLocked, RecordsReadOnly
from assistant.records.database import Database, now
from assistant.records.failures import records_errors
from assistant.records.rows import Forgotten, validate_patient_id
from assistant.records.schema import (
    ACTIONS,
    access_log,
    consultations,
    evaluations,
    journal,
    journal_entries,
    patients,
)


def same_patient(column: Any, patient: str) -> ColumnElement[bool]:
    """`column` names the patient `patient`: ids compare case-insensitively (they are ASCII,
    validate_patient_id), on both engines."""
    return func.lower(column) == patient.lower()


class PatientTables(Database):
    """The patients, and the erasure of everything of one of them."""

    @records_errors
    def patients(self) -> list[str]:
        """Every patient id, sorted."""
        with self._transaction(write=False) as conn:
            return [str(r[0]) for r in conn.execute(
                select(patients.c.id).order_by(patients.c.id))]

    @records_errors
    def has_patient(self, patient: str) -> bool:
        validate_patient_id(patient)
        with self._transaction(write=False) as conn:
            return conn.execute(select(patients.c.id).where(
                same_patient(patients.c.id, patient)).limit(1)).first() is not None

    def _stored_id(self, conn: Connection, patient: str) -> str:
        """The patient's id as first stored ("P-0001" for "p-0001"), else `patient` itself."""
        row = conn.execute(select(patients.c.id).where(
            same_patient(patients.c.id, validate_patient_id(patient)))
            .order_by(patients.c.created).limit(1)).first()
        return patient if row is None else str(row[0])

    def _ensure_patient(self, conn: Connection, patient: str) -> str:
        stored = self._stored_id(conn, patient)
        dialect = postgresql if self.on_server else sqlite
        conn.execute(dialect.insert(patients).values(id=stored, created=now())
                     .on_conflict_do_nothing())
        return stored

    def _log_access(self, conn: Connection, patient: str, action: str) -> None:
        """NEN 7513: one access-log row for `action` (schema.ACTIONS) on the patient's records,
        in the caller's transaction, once per action and patient while the store is open (a
        command that reads a history twice is one access). A file opened read-only (its folder
        cannot be written) logs nothing: nothing there can be written."""
        assert action in ACTIONS, action
        key = (patient.casefold(), action)
        if key in self._logged or key in self._logging or self.read_only:
            return
        values = {"patient": self._stored_id(conn, patient), "action": action}
        if not self.on_server:  # on a server the role and its clock fill these in
            values |= {"who": self.user, "at": now()}
        conn.execute(insert(access_log).values(**values))
        self._logging.add(key)  # counted as logged once its transaction commits

    def _logged_read(self, patient: str, action: str | None = None) -> None:
        """Log a read of the patient's records in a transaction of its own, after the read
        found them (nothing shown: nothing to log): `action`, else what the store is reading
        for (`_reading_for`: an export reads the intakes too), else 'read'."""
        action = action or self._reading_for or "read"
        if (patient.casefold(), action) in self._logged or self.read_only:
            return
        try:
            with self._transaction() as conn:
                self._log_access(conn, patient, action)
        except (sqlite3.Error, SQLAlchemyError) as exc:
            error = self._failure(exc)
            if self.on_server or not isinstance(error, RecordsReadOnly | RecordsLocked):
                raise error from None
            # a file this user may read but not write (its folder writable), or one another
            # program is writing (reading goes on meanwhile): read, unlogged, and not tried
            # again while open (a locked file would keep each read waiting)
            self._logged.add((patient.casefold(), action))

    def forget(self, patient: str) -> bool:
        """`erase_patient`: whether anything of the patient was stored."""
        return self.erase_patient(patient).found

    @records_errors
    def erase_patient(self, patient: str) -> Forgotten:
        """Erase every row of the patient (journals too) in one transaction (on any failure,
        a full disk included, nothing is erased), then compact a SQLite file so the data is
        really gone. The erased rows are overwritten at once (secure_delete); a compaction
        that fails (a full disk) is said in `compacted`, not raised: the erasure stands.
        The access log keeps its rows (NEN 7513 asks them kept) and gains one: 'forget'.
        On a server only the practice's admin role may erase (RecordsDenied otherwise)."""
        validate_patient_id(patient)
        with self._transaction() as conn:
            patient = self._stored_id(conn, patient)  # as first spelled, for the log
            journals = [int(r[0]) for r in conn.execute(
                select(journal.c.id).where(same_patient(journal.c.patient, patient)))]
            if journals:
                conn.execute(delete(journal_entries).where(journal_entries.c.journal.in_(journals)))
            erased = {table.name: conn.execute(delete(table).where(
                same_patient(column, patient))).rowcount
                for table, column in ((journal, journal.c.patient),
                                      (evaluations, evaluations.c.patient),
                                      (consultations, consultations.c.patient),
                                      (patients, patients.c.id))}
            found = sum(erased.values()) > 0
            if found:  # nothing erased: nothing of theirs was touched
                self._log_access(conn, patient, "forget")
        compacted: RecordsError | None = None
        if not self.on_server:
            try:
                self._compact()
            except (SQLAlchemyError, sqlite3.Error) as exc:
                compacted = self._failure(exc)
        return Forgotten(erased["consultations"], erased["evaluations"], tuple(journals),
                         found, compacted)

    def _compact(self) -> None:
        """Rebuild the SQLite file without free pages and empty the write-ahead log."""
        self._end_open_transaction()
        raw = self._conn.connection.driver_connection  # VACUUM runs outside a transaction
        assert isinstance(raw, sqlite3.Connection)
        for statement in ("PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM",
                          "PRAGMA wal_checkpoint(TRUNCATE)"):
            raw.execute(statement)
