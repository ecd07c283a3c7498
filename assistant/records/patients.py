"""The patients table: which patients are stored, their ids as first spelled, and forgetting a
patient (every row of theirs, journals included). Part of `Store`."""

from __future__ import annotations

import sqlite3

from assistant.errors import RecordsError
from assistant.records.database import Database, now
from assistant.records.failures import records_error, sqlite_errors
from assistant.records.rows import Forgotten, validate_patient_id


class PatientTables(Database):
    """The patients, and the erasure of everything of one of them."""

    @sqlite_errors
    def patients(self) -> list[str]:
        """Every patient id, sorted."""
        return [str(r[0]) for r in self._conn.execute("SELECT id FROM patients ORDER BY id")]

    @sqlite_errors
    def has_patient(self, patient: str) -> bool:
        validate_patient_id(patient)
        row = self._conn.execute("SELECT 1 FROM patients WHERE id = ? COLLATE NOCASE",
                                 (patient,)).fetchone()
        return row is not None

    def _stored_id(self, conn: sqlite3.Connection, patient: str) -> str:
        """The patient's id as first stored ("P-0001" for "p-0001"), else `patient` itself."""
        row = conn.execute("SELECT id FROM patients WHERE id = ? COLLATE NOCASE ORDER BY created"
                           " LIMIT 1", (validate_patient_id(patient),)).fetchone()
        return patient if row is None else str(row[0])

    def _ensure_patient(self, conn: sqlite3.Connection, patient: str) -> str:
        stored = self._stored_id(conn, patient)
        conn.execute("INSERT OR IGNORE INTO patients (id, created) VALUES (?, ?)",
                     (stored, now()))
        return stored

    def forget(self, patient: str) -> bool:
        """`erase_patient`: whether anything of the patient was stored."""
        return self.erase_patient(patient).found

    @sqlite_errors
    def erase_patient(self, patient: str) -> Forgotten:
        """Erase every row of the patient (journals too) in one transaction (on any failure,
        a full disk included, nothing is erased), then compact the file so the data is really
        gone. The erased rows are overwritten at once (secure_delete); a compaction that fails
        (a full disk) is said in `compacted`, not raised: the erasure stands."""
        validate_patient_id(patient)
        with self._transaction() as conn:
            journals = [int(r[0]) for r in conn.execute(
                "SELECT id FROM journal WHERE patient = ? COLLATE NOCASE", (patient,))]
            conn.executemany("DELETE FROM journal_entries WHERE journal = ?",
                             [(j,) for j in journals])
            erased = {table: conn.execute(f"DELETE FROM {table} WHERE {column} = ? COLLATE "
                                          "NOCASE", (patient,)).rowcount
                      for table, column in (("journal", "patient"), ("evaluations", "patient"),
                                            ("consultations", "patient"), ("patients", "id"))}
        try:
            self._compact()
            compacted: RecordsError | None = None
        except sqlite3.Error as exc:
            compacted = records_error(self.path, exc)
        return Forgotten(erased["consultations"], erased["evaluations"], tuple(journals),
                         sum(erased.values()) > 0, compacted)

    def _compact(self) -> None:
        """Rebuild the file without free pages and empty the write-ahead log."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.execute("VACUUM")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
