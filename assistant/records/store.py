"""The records store: patients, consultations, evaluations and the intake journal, in SQLite.

The file is private (0600, its folder 0700 when we create it). `PRAGMA user_version` is the
schema version; MIGRATIONS brings an older file up to date, one transaction per step. A file
from a newer version of the assistant is refused, never changed.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal

from assistant.errors import RecordsError as RecordsError

JournalStatus = Literal["open", "finished", "abandoned"]
JOURNAL_STATUSES: Final = ("open", "finished", "abandoned")
PATIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
SIDE_FILES: Final = ("-wal", "-shm")

# Each entry takes the schema from version i to i + 1. Add a step; never edit a released one.
MIGRATIONS: Final[list[tuple[str, ...]]] = [
    (
        """CREATE TABLE patients (
            id TEXT PRIMARY KEY,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE consultations (
            id INTEGER PRIMARY KEY,
            patient TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            findings TEXT NOT NULL CHECK (json_valid(findings)),
            result TEXT NOT NULL CHECK (json_valid(result)),
            chosen_exercises TEXT NOT NULL CHECK (json_valid(chosen_exercises)),
            created TEXT NOT NULL
        )""",
        "CREATE INDEX consultations_patient ON consultations(patient, date)",
        """CREATE TABLE evaluations (
            id INTEGER PRIMARY KEY,
            patient TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            consultation INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            nprs INTEGER NOT NULL CHECK (nprs BETWEEN 0 AND 10),
            psk1 INTEGER NOT NULL CHECK (psk1 BETWEEN 0 AND 10),
            psk2 INTEGER NOT NULL CHECK (psk2 BETWEEN 0 AND 10),
            psk3 INTEGER NOT NULL CHECK (psk3 BETWEEN 0 AND 10),
            neuro_worse INTEGER NOT NULL DEFAULT 0 CHECK (neuro_worse IN (0, 1)),
            created TEXT NOT NULL
        )""",
        "CREATE INDEX evaluations_patient ON evaluations(patient, date)",
        """CREATE TABLE journal (
            id INTEGER PRIMARY KEY,
            patient TEXT,
            date TEXT NOT NULL,
            started TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'finished', 'abandoned'))
        )""",
        """CREATE TABLE journal_entries (
            journal INTEGER NOT NULL REFERENCES journal(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            PRIMARY KEY (journal, seq)
        )""",
    ),
]


@dataclass(frozen=True)
class ConsultationRow:
    """A stored intake."""

    id: int
    patient: str
    date: date
    findings: dict[str, Any]
    result: dict[str, Any]  # the result JSON (DESIGN.md "Result")
    chosen_exercises: tuple[str, ...]
    created: str  # UTC timestamp, ISO 8601


@dataclass(frozen=True)
class EvaluationRow:
    """A stored follow-up measurement."""

    id: int
    patient: str
    consultation: int
    date: date
    nprs: int  # 0–10, pain
    psk: tuple[int, int, int]  # 0–10 each, 10 = the activity is impossible
    neuro_worse: bool
    created: str

    @property
    def psk_mean(self) -> float:
        return sum(self.psk) / 3


@dataclass(frozen=True)
class JournalRow:
    """An intake in progress (or ended), for resuming after a crash."""

    id: int
    patient: str | None
    date: date
    started: str
    status: JournalStatus


def validate_patient_id(patient: str) -> str:
    """The id itself when it is valid (1–64 of A–Z a–z 0–9 - _ .), else RecordsError."""
    if not isinstance(patient, str) or not PATIENT_ID.fullmatch(patient):
        raise RecordsError(
            f"ongeldige patiënt-id {patient!r}: gebruik 1 tot 64 letters, cijfers, '-', '_' of '.'"
        )
    return patient


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _score(value: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
        raise RecordsError(f"{what} moet een heel getal van 0 tot en met 10 zijn, niet {value!r}")
    return value


def _create_private(path: Path) -> None:
    """Create the database file 0600 (and its folder 0700) before SQLite opens it."""
    parent = path.parent
    if not parent.exists():
        parent.mkdir(mode=0o700, parents=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _chmod_private(path: Path) -> None:
    for candidate in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        try:
            os.chmod(candidate, 0o600)
        except FileNotFoundError:
            continue


class Store:
    """The records database. Open with `Store.open(path)`; use as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, migrations: Sequence[Sequence[str]] = MIGRATIONS) -> Store:
        """Open (or create) the database at `path` and bring its schema up to date."""
        try:
            _create_private(path)
            conn = sqlite3.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise RecordsError(f"kan de patiëntgegevens niet openen: {path} ({exc}); "
                               "controleer de map en de rechten, of kies een ander bestand "
                               "met --db") from None
        store = cls(conn, path)
        try:
            store._prepare(migrations)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise RecordsError(f"{path} is geen bruikbaar gegevensbestand ({exc}); zet het "
                               "opzij en kies een ander bestand met --db") from None
        except RecordsError:
            conn.close()
            raise
        _chmod_private(path)
        return store

    def _prepare(self, migrations: Sequence[Sequence[str]]) -> None:
        conn = self._conn
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(migrations):
            raise RecordsError(
                f"{self.path} komt van een nieuwere versie van de assistent (schema {version}, "
                f"deze versie kent {len(migrations)}); werk de assistent bij")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")  # every commit is on disk (journal, resume)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")  # forgotten rows are overwritten, not freed
        for target, steps in enumerate(migrations[version:], start=version + 1):
            with self._transaction():
                for statement in steps:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self._conn.close()
        _chmod_private(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # --- patients -----------------------------------------------------------------------------

    def patients(self) -> list[str]:
        """Every patient id, sorted."""
        return [r[0] for r in self._conn.execute("SELECT id FROM patients ORDER BY id")]

    def has_patient(self, patient: str) -> bool:
        validate_patient_id(patient)
        row = self._conn.execute("SELECT 1 FROM patients WHERE id = ?", (patient,)).fetchone()
        return row is not None

    def _ensure_patient(self, conn: sqlite3.Connection, patient: str) -> None:
        conn.execute("INSERT OR IGNORE INTO patients (id, created) VALUES (?, ?)",
                     (validate_patient_id(patient), _now()))

    def forget(self, patient: str) -> bool:
        """Erase every row of the patient (journals too) and compact the file so the data is
        really gone; False when there was nothing to erase."""
        validate_patient_id(patient)
        with self._transaction() as conn:
            journals = conn.execute("SELECT id FROM journal WHERE patient = ?",
                                    (patient,)).fetchall()
            conn.executemany("DELETE FROM journal_entries WHERE journal = ?", journals)
            deleted = conn.execute("DELETE FROM journal WHERE patient = ?", (patient,)).rowcount
            deleted += conn.execute("DELETE FROM evaluations WHERE patient = ?",
                                    (patient,)).rowcount
            deleted += conn.execute("DELETE FROM consultations WHERE patient = ?",
                                    (patient,)).rowcount
            deleted += conn.execute("DELETE FROM patients WHERE id = ?", (patient,)).rowcount
        self._compact()
        return deleted > 0

    def _compact(self) -> None:
        """Rebuild the file without free pages and empty the write-ahead log."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.execute("VACUUM")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- consultations ------------------------------------------------------------------------

    def add_consultation(self, patient: str, day: date, findings: dict[str, Any],
                         result: dict[str, Any], chosen_exercises: list[str]) -> int:
        """Store an intake; return its id."""
        with self._transaction() as conn:
            self._ensure_patient(conn, patient)
            cursor = conn.execute(
                "INSERT INTO consultations (patient, date, findings, result, chosen_exercises,"
                " created) VALUES (?, ?, ?, ?, ?, ?)",
                (patient, day.isoformat(), json.dumps(findings, ensure_ascii=False),
                 json.dumps(result, ensure_ascii=False),
                 json.dumps(list(chosen_exercises), ensure_ascii=False), _now()))
        return int(cursor.lastrowid or 0)

    def consultations(self, patient: str) -> list[ConsultationRow]:
        """The patient's intakes, oldest first."""
        validate_patient_id(patient)
        rows = self._conn.execute(
            "SELECT id, patient, date, findings, result, chosen_exercises, created"
            " FROM consultations WHERE patient = ? ORDER BY date, id", (patient,))
        return [_consultation(r) for r in rows]

    def latest_consultation(self, patient: str) -> ConsultationRow | None:
        rows = self.consultations(patient)
        return rows[-1] if rows else None

    # --- evaluations --------------------------------------------------------------------------

    def add_evaluation(self, patient: str, day: date, nprs: int, psk: tuple[int, int, int],
                       neuro_worse: bool = False) -> int:
        """Store a measurement, attached to the patient's latest intake; return its id."""
        if len(psk) != 3:
            raise RecordsError(f"de PSK heeft drie scores nodig, niet {len(psk)}")
        scores = (_score(nprs, "NPRS"), *(_score(s, "PSK") for s in psk))
        consultation = self.latest_consultation(patient)
        if consultation is None:
            raise RecordsError(f"patiënt {patient} heeft nog geen intake; doe eerst de intake "
                               f"met --patient {patient}")
        if day < consultation.date:
            raise RecordsError(f"de datum {day.isoformat()} ligt voor de intake "
                               f"({consultation.date.isoformat()})")
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO evaluations (patient, consultation, date, nprs, psk1, psk2, psk3,"
                " neuro_worse, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (patient, consultation.id, day.isoformat(), *scores, int(bool(neuro_worse)),
                 _now()))
        return int(cursor.lastrowid or 0)

    def evaluations(self, patient: str, consultation: int | None = None) -> list[EvaluationRow]:
        """The patient's measurements in date order (of one intake, when given)."""
        validate_patient_id(patient)
        query = ("SELECT id, patient, consultation, date, nprs, psk1, psk2, psk3, neuro_worse,"
                 " created FROM evaluations WHERE patient = ?")
        params: tuple[Any, ...] = (patient,)
        if consultation is not None:
            query += " AND consultation = ?"
            params += (consultation,)
        rows = self._conn.execute(query + " ORDER BY date, id", params)
        return [_evaluation(r) for r in rows]

    # --- export -------------------------------------------------------------------------------

    def export(self, patient: str) -> dict[str, Any]:
        """Everything stored about the patient, JSON-ready."""
        if not self.has_patient(patient):
            raise RecordsError(f"onbekende patiënt: {patient}")
        return {
            "patient": patient,
            "consultations": [
                {"id": c.id, "date": c.date.isoformat(), "findings": c.findings,
                 "result": c.result, "chosen_exercises": list(c.chosen_exercises),
                 "created": c.created}
                for c in self.consultations(patient)
            ],
            "evaluations": [
                {"id": e.id, "consultation": e.consultation, "date": e.date.isoformat(),
                 "nprs": e.nprs, "psk": list(e.psk), "neuro_worse": e.neuro_worse,
                 "created": e.created}
                for e in self.evaluations(patient)
            ],
        }

    # --- journal (crash-safe intake) ----------------------------------------------------------

    def journal_open(self, patient: str | None, day: date) -> int:
        """Start a journal for an intake (patient None: anonymous); return its id."""
        if patient is not None:
            validate_patient_id(patient)
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO journal (patient, date, started, status) VALUES (?, ?, ?, 'open')",
                (patient, day.isoformat(), _now()))
        return int(cursor.lastrowid or 0)

    def journal_append(self, journal_id: int, payload: dict[str, Any]) -> None:
        """Add one entry; it is on disk when this returns (synchronous = FULL)."""
        text = json.dumps(payload, ensure_ascii=False)
        with self._transaction() as conn:
            status = conn.execute("SELECT status FROM journal WHERE id = ?",
                                  (journal_id,)).fetchone()
            if status is None:
                raise RecordsError(f"geen journaal met nummer {journal_id}")
            if status[0] != "open":
                raise RecordsError(f"journaal {journal_id} is al afgesloten ({status[0]})")
            conn.execute(
                "INSERT INTO journal_entries (journal, seq, payload) VALUES (?, (SELECT"
                " COALESCE(MAX(seq), 0) + 1 FROM journal_entries WHERE journal = ?), ?)",
                (journal_id, journal_id, text))

    def journal_entries(self, journal_id: int) -> list[dict[str, Any]]:
        """The journal's payloads, in the order they were appended."""
        rows = self._conn.execute(
            "SELECT payload FROM journal_entries WHERE journal = ? ORDER BY seq", (journal_id,))
        return [json.loads(r[0]) for r in rows]

    def journal_find_open(self, patient: str | None) -> JournalRow | None:
        """The latest open journal of the patient (None: the latest open anonymous one)."""
        if patient is None:
            row = self._conn.execute(
                "SELECT id, patient, date, started, status FROM journal WHERE patient IS NULL"
                " AND status = 'open' ORDER BY id DESC LIMIT 1").fetchone()
        else:
            validate_patient_id(patient)
            row = self._conn.execute(
                "SELECT id, patient, date, started, status FROM journal WHERE patient = ?"
                " AND status = 'open' ORDER BY id DESC LIMIT 1", (patient,)).fetchone()
        return None if row is None else JournalRow(row[0], row[1], date.fromisoformat(row[2]),
                                                   row[3], row[4])

    def journal_close(self, journal_id: int, status: JournalStatus) -> None:
        """Mark a journal finished or abandoned, and erase its answers: a finished intake's
        answers are in its report (and its stored consultation), and no more is kept than
        needed."""
        if status not in JOURNAL_STATUSES or status == "open":
            raise RecordsError(f"een journaal sluit met finished of abandoned, niet {status!r}")
        with self._transaction() as conn:
            changed = conn.execute("UPDATE journal SET status = ? WHERE id = ?",
                                   (status, journal_id)).rowcount
            conn.execute("DELETE FROM journal_entries WHERE journal = ?", (journal_id,))
        if not changed:
            raise RecordsError(f"geen journaal met nummer {journal_id}")


def _consultation(row: Sequence[Any]) -> ConsultationRow:
    return ConsultationRow(
        id=row[0], patient=row[1], date=date.fromisoformat(row[2]), findings=json.loads(row[3]),
        result=json.loads(row[4]), chosen_exercises=tuple(json.loads(row[5])), created=row[6])


def _evaluation(row: Sequence[Any]) -> EvaluationRow:
    return EvaluationRow(
        id=row[0], patient=row[1], consultation=row[2], date=date.fromisoformat(row[3]),
        nprs=row[4], psk=(row[5], row[6], row[7]), neuro_worse=bool(row[8]), created=row[9])
