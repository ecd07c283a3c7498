"""The records store: patients, consultations, evaluations and the intake journal, in SQLite.

The file is private (0600, its folder 0700 when we create it). `PRAGMA user_version` is the
schema version; MIGRATIONS brings an older file up to date, one transaction per step. A file
from a newer version of the assistant is refused, never changed.

Opening checks the file before anything is asked: its tables, its pages (`quick_check`) and,
for writing, that no other program holds it locked. Every SQLite failure becomes a
RecordsError subclass with one Dutch line that names the file (locked, read-only, damaged).
Patient ids compare case-insensitively: "p-0001" is patient "P-0001", kept as first spelled.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, Final, Literal, ParamSpec, TypeVar

from assistant.errors import RecordsCorrupt, RecordsLocked, RecordsReadOnly, os_reason
from assistant.errors import RecordsError as RecordsError
from assistant.protocol.followup import PSK_ACTIVITY_MAX, activity_name

JournalStatus = Literal["open", "finished", "abandoned"]
JOURNAL_STATUSES: Final = ("open", "finished", "abandoned")
PATIENT_ID = re.compile(r"(?=.*[A-Za-z0-9])[A-Za-z0-9._-]{1,64}")  # not '.' or '..'
SIDE_FILES: Final = ("-wal", "-shm")
BUSY_TIMEOUT: Final = 5.0  # s to wait for another program's lock before saying it is locked
TABLES: Final = ("patients", "consultations", "evaluations", "journal", "journal_entries")
P = ParamSpec("P")
R = TypeVar("R")

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
    (  # 2: the three PSK activities named at the baseline, scored again at each evaluation
        """ALTER TABLE consultations ADD COLUMN psk_activities TEXT NOT NULL DEFAULT '[]'
            CHECK (json_valid(psk_activities))""",
    ),
    (  # 3: the frequencies the therapist changed at the choice of exercises (code → words)
        """ALTER TABLE consultations ADD COLUMN exercise_frequencies TEXT NOT NULL DEFAULT '{}'
            CHECK (json_valid(exercise_frequencies))""",
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
    psk_activities: tuple[str, ...] = ()  # the PSK's three activities, or () if not named
    # the frequencies changed at the choice (code → Dutch words); the others are the defaults
    exercise_frequencies: dict[str, str] = field(default_factory=dict)


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
    """The id itself when it is valid (1–64 of A–Z a–z 0–9 - _ ., at least one letter or
    digit: '.' and '..' are no ids), else RecordsError. Ids compare case-insensitively."""
    if not isinstance(patient, str) or not PATIENT_ID.fullmatch(patient):
        raise RecordsError(
            f"ongeldige patiënt-id {patient!r}: gebruik 1 tot 64 tekens: letters zonder accent "
            "(a-z), cijfers, '-', '_' of '.', met minstens één letter of cijfer")
    return patient


def validate_psk_activities(activities: Sequence[str]) -> tuple[str, ...]:
    """Three different activity names, each as `activity_name` takes it; a RecordsError in
    Dutch otherwise."""
    example = "(bijvoorbeeld: traplopen,autorijden,lezen)"
    if len(activities) != 3 or not all(a.strip() for a in activities):
        raise RecordsError(f"de PSK heeft drie activiteiten nodig, elk met een naam {example}")
    names = []
    for given in activities:
        name = activity_name(given)
        if name is None:
            shown = "".join(c if c.isprintable() else "?" for c in given.strip()[:20])
            raise RecordsError(f"PSK-activiteit '{shown}' is geen naam van hooguit "
                               f"{PSK_ACTIVITY_MAX} tekens met letters {example}")
        names.append(name)
    if len({n.casefold() for n in names}) != 3:
        raise RecordsError(f"de PSK heeft drie verschillende activiteiten nodig {example}")
    return tuple(names)


def records_error(path: Path, exc: sqlite3.Error) -> RecordsError:
    """A SQLite failure on the records file as one Dutch line that names the file and the fix."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc):
        return RecordsLocked(f"{path} is in gebruik door een ander programma (vergrendeld); "
                             "sluit dat programma of wacht tot het klaar is, en probeer het "
                             "opnieuw")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
        if not _folder_writable(path.parent):
            return RecordsReadOnly(
                f"de map {path.parent} is alleen-lezen: SQLite maakt naast {path.name} een "
                f"logbestand ({path.name}-wal) en moet daar kunnen schrijven; geef schrijfrechten "
                "op de map, of kopieer het bestand naar een andere map en kies dat met --db")
        return RecordsReadOnly(f"kan niet schrijven in {path} ({exc}); controleer de rechten, "
                               "of kies een ander bestand met --db")
    if name.startswith("SQLITE_FULL"):
        return RecordsError(f"kan niet schrijven in {path}: de schijf is vol; maak ruimte vrij "
                            "en probeer het opnieuw")
    return RecordsCorrupt(f"{path} is geen bruikbaar gegevensbestand ({exc}); zet het opzij "
                          "en kies een ander bestand met --db")


def _folder_writable(folder: Path) -> bool:
    """Whether a file can be made in `folder` (tried, not guessed: root on a read-only mount)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _sqlite_errors(method: Callable[Concatenate[Store, P], R],
                   ) -> Callable[Concatenate[Store, P], R]:
    """A Store method whose SQLite failures become RecordsError lines naming the file."""
    def run(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(store, *args, **kwargs)
        except sqlite3.Error as exc:
            raise records_error(store.path, exc) from None
    functools.update_wrapper(run, method)
    return run


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
        except OSError:  # absent, or on a read-only disk (where nobody can change it either)
            continue


class Store:
    """The records database. Open with `Store.open(path)`; use as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self._conn = conn
        self.path = path
        self.read_only = read_only  # opened as an immutable file (its folder is read-only)

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, migrations: Sequence[Sequence[str]] = MIGRATIONS, *,
             write: bool = True) -> Store:
        """Open (or create) the database at `path`, bring its schema up to date and check it.

        With `write` False (history, export) a valid file in a read-only folder is still read,
        as an immutable file: SQLite's write-ahead log needs the folder otherwise."""
        try:
            is_dir, exists, parent_is_dir = path.is_dir(), path.exists(), path.parent.is_dir()
        except OSError as exc:
            raise RecordsError(f"kan de patiëntgegevens niet openen: {path} ({os_reason(exc)}); "
                               "controleer de map en de rechten, of kies een ander bestand "
                               "met --db") from None
        if is_dir:
            raise RecordsError(f"{path} is een map, geen gegevensbestand; kies een bestand met "
                               "--db")
        if not write and not exists and parent_is_dir:  # reading makes nothing
            raise RecordsError(f"er zijn nog geen patiëntgegevens: {path} bestaat niet; "
                               "kies het juiste bestand met --db")
        try:
            _create_private(path)
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
        except OSError as exc:
            if not write and path.is_file():
                return cls._open_immutable(path, migrations)
            raise RecordsError(f"kan de patiëntgegevens niet openen: {path} ({os_reason(exc)}); "
                               "controleer de map en de rechten, of kies een ander bestand "
                               "met --db") from None
        except sqlite3.Error as exc:
            raise records_error(path, exc) from None
        store = cls(conn, path)
        try:
            store._prepare(migrations, write=write)
        except sqlite3.Error as exc:
            conn.close()
            error = records_error(path, exc)
            if not write and isinstance(error, RecordsReadOnly):
                return cls._open_immutable(path, migrations)
            raise error from None
        except RecordsError:
            conn.close()
            raise
        _chmod_private(path)
        return store

    @classmethod
    def _open_immutable(cls, path: Path, migrations: Sequence[Sequence[str]]) -> Store:
        """Read a file nobody can change here (its folder is read-only): no log, no locks."""
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True,
                                   isolation_level=None)
            store = cls(conn, path, read_only=True)
            try:
                store._check_version(migrations)
                store._check()
            except BaseException:
                conn.close()
                raise
        except sqlite3.Error as exc:
            raise records_error(path, exc) from None
        return store

    def _check_version(self, migrations: Sequence[Sequence[str]]) -> int:
        version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(migrations):
            raise RecordsError(
                f"{self.path} komt van een nieuwere versie van de assistent (schema {version}, "
                f"deze versie kent {len(migrations)}); werk de assistent bij")
        return version

    def _prepare(self, migrations: Sequence[Sequence[str]], *, write: bool) -> None:
        conn = self._conn
        version = self._check_version(migrations)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")  # every commit is on disk (journal, resume)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")  # forgotten rows are overwritten, not freed
        for target, steps in enumerate(migrations[version:], start=version + 1):
            with self._transaction():
                for statement in steps:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")
        self._check()
        if write:  # another program's lock, or a read-only file, is found now, not mid-intake
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")

    def _check(self) -> None:
        """The file has our tables and its pages are sound (a damaged file is found before the
        first question, not when the intake is saved)."""
        found = {r[0] for r in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in TABLES if t not in found]
        if missing:
            raise RecordsCorrupt(f"{self.path} mist de tabel '{missing[0]}' en is dus beschadigd; "
                                 "zet het opzij en kies een ander bestand met --db")
        problems = [str(r[0]) for r in self._conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise RecordsCorrupt(f"{self.path} is beschadigd ({problems[0]}); zet het opzij en "
                                 "kies een ander bestand met --db")

    @property
    @_sqlite_errors
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

    @_sqlite_errors
    def patients(self) -> list[str]:
        """Every patient id, sorted."""
        return [r[0] for r in self._conn.execute("SELECT id FROM patients ORDER BY id")]

    @_sqlite_errors
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
                     (stored, _now()))
        return stored

    @_sqlite_errors
    def forget(self, patient: str) -> bool:
        """Erase every row of the patient (journals too) and compact the file so the data is
        really gone; False when there was nothing to erase."""
        validate_patient_id(patient)
        with self._transaction() as conn:
            journals = conn.execute("SELECT id FROM journal WHERE patient = ? COLLATE NOCASE",
                                    (patient,)).fetchall()
            conn.executemany("DELETE FROM journal_entries WHERE journal = ?", journals)
            deleted = conn.execute("DELETE FROM journal WHERE patient = ? COLLATE NOCASE",
                                   (patient,)).rowcount
            deleted += conn.execute("DELETE FROM evaluations WHERE patient = ? COLLATE NOCASE",
                                    (patient,)).rowcount
            deleted += conn.execute("DELETE FROM consultations WHERE patient = ? COLLATE NOCASE",
                                    (patient,)).rowcount
            deleted += conn.execute("DELETE FROM patients WHERE id = ? COLLATE NOCASE",
                                    (patient,)).rowcount
        self._compact()
        return deleted > 0

    def _compact(self) -> None:
        """Rebuild the file without free pages and empty the write-ahead log."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.execute("VACUUM")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- consultations ------------------------------------------------------------------------

    @_sqlite_errors
    def add_consultation(self, patient: str, day: date, findings: dict[str, Any],
                         result: dict[str, Any], chosen_exercises: list[str], *,
                         exercise_frequencies: Mapping[str, str] | None = None) -> int:
        """Store an intake (with the frequencies changed at the choice); return its id."""
        values = {"patient": patient, "date": day.isoformat(),
                  "findings": json.dumps(findings, ensure_ascii=False),
                  "result": json.dumps(result, ensure_ascii=False),
                  "chosen_exercises": json.dumps(list(chosen_exercises), ensure_ascii=False),
                  "exercise_frequencies": json.dumps(dict(exercise_frequencies or {}),
                                                     ensure_ascii=False),
                  "created": _now()}
        if self.schema_version < 3:  # opened with the migrations of an older version (tests)
            del values["exercise_frequencies"]
        with self._transaction() as conn:
            values["patient"] = self._ensure_patient(conn, patient)
            cursor = conn.execute(
                f"INSERT INTO consultations ({', '.join(values)})"
                f" VALUES ({', '.join('?' * len(values))})", tuple(values.values()))
        return int(cursor.lastrowid or 0)

    @_sqlite_errors
    def consultations(self, patient: str) -> list[ConsultationRow]:
        """The patient's intakes, oldest first."""
        validate_patient_id(patient)
        version = self.schema_version
        rows = self._conn.execute(
            "SELECT id, patient, date, findings, result, chosen_exercises, created, "
            # a file of an older schema opened read-only is not migrated: the defaults then
            + ("psk_activities" if version >= 2 else "'[]'") + ", "
            + ("exercise_frequencies" if version >= 3 else "'{}'") +
            " FROM consultations WHERE patient = ? COLLATE NOCASE"
            " ORDER BY date, id", (patient,))
        return [_consultation(r) for r in rows]

    def latest_consultation(self, patient: str) -> ConsultationRow | None:
        rows = self.consultations(patient)
        return rows[-1] if rows else None

    @_sqlite_errors
    def set_psk_activities(self, consultation: int, activities: Sequence[str]) -> None:
        """Name the PSK's three activities for an intake (at its baseline measurement)."""
        checked = validate_psk_activities(activities)
        with self._transaction() as conn:
            conn.execute("UPDATE consultations SET psk_activities = ? WHERE id = ?",
                         (json.dumps(list(checked), ensure_ascii=False), consultation))

    # --- evaluations --------------------------------------------------------------------------

    @_sqlite_errors
    def add_evaluation(self, patient: str, day: date, nprs: int, psk: tuple[int, int, int],
                       neuro_worse: bool = False, *, consultation: int | None = None) -> int:
        """Store a measurement, attached to the intake `consultation` (default: the patient's
        latest); return its id."""
        if len(psk) != 3:
            raise RecordsError(f"de PSK heeft drie scores nodig, niet {len(psk)}")
        scores = (_score(nprs, "NPRS"), *(_score(s, "PSK") for s in psk))
        found = self.consultations(patient)
        intake = (found[-1] if found else None) if consultation is None else next(
            (c for c in found if c.id == consultation), None)
        if intake is None:
            raise RecordsError(f"patiënt {patient} heeft nog geen intake; doe eerst de intake "
                               f"met --patient {patient}")
        if day < intake.date:
            raise RecordsError(f"de datum {day.isoformat()} ligt voor de intake "
                               f"({intake.date.isoformat()})")
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO evaluations (patient, consultation, date, nprs, psk1, psk2, psk3,"
                " neuro_worse, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (intake.patient, intake.id, day.isoformat(), *scores,
                 int(bool(neuro_worse)),
                 _now()))
        return int(cursor.lastrowid or 0)

    @_sqlite_errors
    def evaluations(self, patient: str, consultation: int | None = None) -> list[EvaluationRow]:
        """The patient's measurements in date order (of one intake, when given)."""
        validate_patient_id(patient)
        query = ("SELECT id, patient, consultation, date, nprs, psk1, psk2, psk3, neuro_worse,"
                 " created FROM evaluations WHERE patient = ? COLLATE NOCASE")
        params: tuple[Any, ...] = (patient,)
        if consultation is not None:
            query += " AND consultation = ?"
            params += (consultation,)
        rows = self._conn.execute(query + " ORDER BY date, id", params)
        return [_evaluation(r) for r in rows]

    # --- export -------------------------------------------------------------------------------

    @_sqlite_errors
    def export(self, patient: str) -> dict[str, Any]:
        """Everything stored about the patient, JSON-ready."""
        if not self.has_patient(patient):
            raise RecordsError(f"onbekende patiënt: {patient}")
        return {
            "patient": self._stored_id(self._conn, patient),
            "consultations": [
                {"id": c.id, "date": c.date.isoformat(), "findings": c.findings,
                 "result": c.result, "chosen_exercises": list(c.chosen_exercises),
                 "exercise_frequencies": dict(c.exercise_frequencies),
                 "psk_activities": list(c.psk_activities), "created": c.created}
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

    @_sqlite_errors
    def journal_open(self, patient: str | None, day: date) -> int:
        """Start a journal for an intake (patient None: anonymous); return its id."""
        with self._transaction() as conn:
            if patient is not None:
                patient = self._stored_id(conn, patient)
            cursor = conn.execute(
                "INSERT INTO journal (patient, date, started, status) VALUES (?, ?, ?, 'open')",
                (patient, day.isoformat(), _now()))
        return int(cursor.lastrowid or 0)

    @_sqlite_errors
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

    @_sqlite_errors
    def journal_entries(self, journal_id: int) -> list[dict[str, Any]]:
        """The journal's payloads, in the order they were appended."""
        rows = self._conn.execute(
            "SELECT payload FROM journal_entries WHERE journal = ? ORDER BY seq", (journal_id,))
        return [json.loads(r[0]) for r in rows]

    @_sqlite_errors
    def journal_find_open(self, patient: str | None) -> JournalRow | None:
        """The latest open journal of the patient that holds an answer (None: the latest such
        anonymous one; an anonymous intake is never offered to a patient). An empty open
        journal, left by an intake that failed before its first answer, is passed over."""
        query = ("SELECT id, patient, date, started, status FROM journal WHERE {who}"
                 " AND status = 'open' AND EXISTS (SELECT 1 FROM journal_entries"
                 " WHERE journal = journal.id) ORDER BY id DESC LIMIT 1")
        if patient is None:
            row = self._conn.execute(query.format(who="patient IS NULL")).fetchone()
        else:
            validate_patient_id(patient)
            row = self._conn.execute(query.format(who="patient = ? COLLATE NOCASE"),
                                     (patient,)).fetchone()
        return None if row is None else JournalRow(row[0], row[1], date.fromisoformat(row[2]),
                                                   row[3], row[4])

    @_sqlite_errors
    def journal_patients(self) -> list[str]:
        """The patients with an interrupted intake (an open journal that holds an answer),
        latest first, each once (for the screen's list of intakes to resume)."""
        rows = self._conn.execute(
            "SELECT patient FROM journal WHERE patient IS NOT NULL AND status = 'open'"
            " AND EXISTS (SELECT 1 FROM journal_entries WHERE journal = journal.id)"
            " GROUP BY patient COLLATE NOCASE ORDER BY MAX(id) DESC").fetchall()
        return [str(r[0]) for r in rows]

    @_sqlite_errors
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
        result=json.loads(row[4]), chosen_exercises=tuple(json.loads(row[5])), created=row[6],
        psk_activities=tuple(json.loads(row[7])), exercise_frequencies=_frequencies(row[8]))


def _frequencies(text: str) -> dict[str, str]:
    """The stored frequencies; anything but an object of words (edited by hand) counts as
    none changed."""
    value = json.loads(text)
    if not isinstance(value, dict):
        return {}
    return {str(code): words for code, words in value.items() if isinstance(words, str)}


def _evaluation(row: Sequence[Any]) -> EvaluationRow:
    return EvaluationRow(
        id=row[0], patient=row[1], consultation=row[2], date=date.fromisoformat(row[3]),
        nprs=row[4], psk=(row[5], row[6], row[7]), neuro_worse=bool(row[8]), created=row[9])
