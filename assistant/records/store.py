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

import errno
import functools
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, Final, Literal, ParamSpec, TypeVar, cast

from assistant.errors import (
    RecordsCorrupt,
    RecordsFull,
    RecordsLocked,
    RecordsReadOnly,
    os_reason,
)
from assistant.errors import RecordsError as RecordsError
from assistant.protocol.followup import PSK_ACTIVITY_MAX, activity_name

JournalStatus = Literal["open", "finished", "abandoned"]
JOURNAL_STATUSES: Final = ("open", "finished", "abandoned")
STORED: Final = "stored"  # the journal entry that marks its intake stored (finish_intake)
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
class Forgotten:
    """What `Store.forget` erased."""

    intakes: int
    measurements: int
    journals: tuple[int, ...]  # the ids of the patient's journals (their lock files go too)
    found: bool  # anything of the patient was stored
    not_compacted: str | None = None  # why the file could not be compacted (None: it was)


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
    if _disk_full(path, name, exc):
        return RecordsFull(f"kan niet schrijven in {path}: de schijf is vol; er is niets half "
                           "bewaard. Maak ruimte vrij en probeer het opnieuw")
    return RecordsCorrupt(f"{path} is geen bruikbaar gegevensbestand ({exc}); zet het opzij "
                          "en kies een ander bestand met --db")


MIN_FREE_BYTES: Final = 1 << 20  # less free space than this beside an I/O error: the disk is full


def _disk_full(path: Path, name: str, exc: sqlite3.Error) -> bool:
    """Whether a SQLite failure is a full disk: SQLITE_FULL (or its text), or an I/O error
    (SQLite does not pass the system's ENOSPC on) where the file's disk has (almost) no room."""
    if name.startswith("SQLITE_FULL") or "disk is full" in str(exc):
        return True
    if not (name.startswith("SQLITE_IOERR") or "disk I/O error" in str(exc)):
        return False
    try:
        stat = os.statvfs(path.parent)
    except (OSError, AttributeError):  # no statvfs (Windows), or no folder: not known
        return False
    return stat.f_bavail * stat.f_frsize < MIN_FREE_BYTES


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
        # the damaged rows a reader passed over (consultations/evaluations with skip_damaged)
        self.skipped: list[RecordsCorrupt] = []

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
            if exc.errno == errno.ENOSPC:
                raise RecordsFull(f"kan {path} niet maken: de schijf is vol; maak ruimte vrij "
                                  "en probeer het opnieuw") from None
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
        """BEGIN IMMEDIATE … COMMIT; any failure rolls it all back. SQLite itself already
        rolled back after some failures (SQLITE_FULL, an I/O error): the original failure is
        raised then, never the 'no transaction is active' of a second rollback (which once
        turned a full disk into a 'damaged file')."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            if self._conn.in_transaction:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise
        try:
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:  # SQLITE_FULL at the commit (the log would not grow)
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise

    # --- patients -----------------------------------------------------------------------------

    @_sqlite_errors
    def patients(self) -> list[str]:
        """Every patient id, sorted."""
        return [str(r[0]) for r in self._conn.execute("SELECT id FROM patients ORDER BY id")]

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

    def forget(self, patient: str) -> bool:
        """`erase_patient`: whether anything of the patient was stored."""
        return self.erase_patient(patient).found

    @_sqlite_errors
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
            compacted: str | None = None
        except sqlite3.Error as exc:
            compacted = records_error(self.path, exc).message
        return Forgotten(erased["consultations"], erased["evaluations"], tuple(journals),
                         sum(erased.values()) > 0, compacted)

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
        values = self._consultation_values(patient, day, findings, result, chosen_exercises,
                                           exercise_frequencies)
        with self._transaction() as conn:
            return self._insert_consultation(conn, values)

    def _consultation_values(self, patient: str, day: date, findings: dict[str, Any],
                             result: dict[str, Any], chosen_exercises: Sequence[str],
                             exercise_frequencies: Mapping[str, str] | None,
                             ) -> dict[str, Any]:
        values = {"patient": patient, "date": day.isoformat(),
                  "findings": json.dumps(findings, ensure_ascii=False),
                  "result": json.dumps(result, ensure_ascii=False),
                  "chosen_exercises": json.dumps(list(chosen_exercises), ensure_ascii=False),
                  "exercise_frequencies": json.dumps(dict(exercise_frequencies or {}),
                                                     ensure_ascii=False),
                  "created": _now()}
        if self.schema_version < 3:  # opened with the migrations of an older version (tests)
            del values["exercise_frequencies"]
        return values

    def _insert_consultation(self, conn: sqlite3.Connection, values: dict[str, Any]) -> int:
        values["patient"] = self._ensure_patient(conn, values["patient"])
        cursor = conn.execute(
            f"INSERT INTO consultations ({', '.join(values)})"
            f" VALUES ({', '.join('?' * len(values))})", tuple(values.values()))
        return int(cursor.lastrowid or 0)

    @_sqlite_errors
    def finish_intake(self, journal_id: int, patient: str | None, day: date,
                      findings: dict[str, Any], result: dict[str, Any],
                      chosen_exercises: Sequence[str],
                      exercise_frequencies: Mapping[str, str] | None = None) -> int | None:
        """Store the finished intake under `patient` (None: nothing to store) and mark its
        journal with a last entry {"kind": "stored", "consultation": <id or null>}, in ONE
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
            self._append(conn, journal_id, {"kind": STORED, "consultation": stored})
        return stored

    def _rows(self, table: str, rows: Iterable[Sequence[Any]],
              parse: Callable[[Sequence[Any]], R], skip_damaged: bool) -> list[R]:
        """Each row parsed; a damaged one raises RecordsCorrupt, or with `skip_damaged` is passed
        over and added to `self.skipped` (each once) for the caller to name."""
        found: list[R] = []
        for row in rows:
            try:
                found.append(_parsed(self.path, table, row, parse))
            except RecordsCorrupt as exc:
                if not skip_damaged:
                    raise
                if all((d.table, d.row) != (exc.table, exc.row) for d in self.skipped):
                    self.skipped.append(exc)
        return found

    @_sqlite_errors
    def consultations(self, patient: str, *, skip_damaged: bool = False,
                      ) -> list[ConsultationRow]:
        """The patient's intakes, oldest first. A damaged row (RecordsCorrupt naming the file and
        the row) fails the read, or with `skip_damaged` is passed over into `self.skipped`:
        for readers only (history, export), never before storing anything."""
        validate_patient_id(patient)
        version = self.schema_version
        rows = self._conn.execute(
            "SELECT id, patient, date, findings, result, chosen_exercises, created, "
            # a file of an older schema opened read-only is not migrated: the defaults then
            + ("psk_activities" if version >= 2 else "'[]'") + ", "
            + ("exercise_frequencies" if version >= 3 else "'{}'") +
            " FROM consultations WHERE patient = ? COLLATE NOCASE"
            " ORDER BY date, id", (patient,))
        return self._rows("consultations", rows, _consultation, skip_damaged)

    def latest_consultation(self, patient: str, *, skip_damaged: bool = False,
                            ) -> ConsultationRow | None:
        """The patient's latest intake (RecordsCorrupt as `consultations`, unless skipped)."""
        rows = self.consultations(patient, skip_damaged=skip_damaged)
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
    def evaluations(self, patient: str, consultation: int | None = None, *,
                    skip_damaged: bool = False) -> list[EvaluationRow]:
        """The patient's measurements in date order (of one intake, when given); a damaged
        row as in `consultations`."""
        validate_patient_id(patient)
        query = ("SELECT e.id, e.patient, e.consultation, e.date, e.nprs, e.psk1, e.psk2,"
                 " e.psk3, e.neuro_worse, e.created, c.date FROM evaluations e"
                 " LEFT JOIN consultations c ON c.id = e.consultation"
                 " WHERE e.patient = ? COLLATE NOCASE")
        params: tuple[Any, ...] = (patient,)
        if consultation is not None:
            query += " AND e.consultation = ?"
            params += (consultation,)
        rows = self._conn.execute(query + " ORDER BY e.date, e.id", params)
        return self._rows("evaluations", rows, _evaluation, skip_damaged)

    # --- export -------------------------------------------------------------------------------

    @_sqlite_errors
    def export(self, patient: str) -> dict[str, Any]:
        """Everything stored about the patient, JSON-ready. A damaged row is passed over,
        named in `damaged` ([{"table", "id", "reason"}], only when there is one) and in
        `self.skipped`."""
        if not self.has_patient(patient):
            raise RecordsError(f"onbekende patiënt: {patient}")
        self.skipped = []
        data: dict[str, Any] = {
            "patient": self._stored_id(self._conn, patient),
            "consultations": [
                {"id": c.id, "date": c.date.isoformat(), "findings": c.findings,
                 "result": c.result, "chosen_exercises": list(c.chosen_exercises),
                 "exercise_frequencies": dict(c.exercise_frequencies),
                 "psk_activities": list(c.psk_activities), "created": c.created}
                for c in self.consultations(patient, skip_damaged=True)
            ],
            "evaluations": [
                {"id": e.id, "consultation": e.consultation, "date": e.date.isoformat(),
                 "nprs": e.nprs, "psk": list(e.psk), "neuro_worse": e.neuro_worse,
                 "created": e.created}
                for e in self.evaluations(patient, skip_damaged=True)
            ],
        }
        if self.skipped:
            data["damaged"] = [{"table": d.table, "id": d.row, "reason": d.message}
                               for d in self.skipped]
        return data

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
        entry = None if row is None else _entry(row[0])
        return entry if entry is not None and entry.get("kind") == STORED else None

    @_sqlite_errors
    def journal_stored_entry(self, journal_id: int) -> dict[str, Any] | None:
        """The 'stored' mark ending the journal ({"kind": "stored", "consultation": id or
        null}): its intake is stored, its report and baseline may not be; None otherwise."""
        return self._stored_entry(self._conn, journal_id)

    @_sqlite_errors
    def journal_entries(self, journal_id: int) -> list[dict[str, Any]]:
        """The journal's payloads, in the order they were appended."""
        rows = self._conn.execute(
            "SELECT payload FROM journal_entries WHERE journal = ? ORDER BY seq", (journal_id,))
        return [_entry(r[0]) for r in rows]

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
        return None if row is None else _parsed(self.path, "journal", row, _journal)

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
            self._end_journal(conn, journal_id, status)

    @staticmethod
    def _end_journal(conn: sqlite3.Connection, journal_id: int, status: JournalStatus, *,
                     keep: bool = False, require_open: bool = False) -> None:
        """Mark the journal `status` and (unless `keep`) erase its answers, in the caller's
        transaction. RecordsError when there is no such journal (or, with `require_open`,
        it was closed already: nothing may be stored twice)."""
        where = " AND status = 'open'" if require_open else ""
        changed = conn.execute(f"UPDATE journal SET status = ? WHERE id = ?{where}",
                               (status, journal_id)).rowcount
        if not changed:
            raise RecordsError(f"geen open journaal met nummer {journal_id}" if require_open
                               else f"geen journaal met nummer {journal_id}")
        if not keep:
            conn.execute("DELETE FROM journal_entries WHERE journal = ?", (journal_id,))

    @_sqlite_errors
    def journal_set_aside(self, journal_id: int) -> None:
        """A journal that cannot be replayed: marked abandoned (no --resume takes it again)
        with every entry kept, to be read back by hand or by a later version; never erased,
        except by `forget`."""
        with self._transaction() as conn:
            self._end_journal(conn, journal_id, "abandoned", keep=True)

    @_sqlite_errors
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


class _Bad(ValueError):
    """A stored value of the wrong form (turned into RecordsCorrupt by `_parsed`)."""


def _day(text: object) -> date:
    if not isinstance(text, str):
        raise _Bad(f"datum {text!r} is geen tekst")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"onmogelijke datum {text!r}") from None


def _json(text: object, kind: type, what: str) -> Any:
    try:
        value = json.loads(text) if isinstance(text, str | bytes) else None
    except (ValueError, RecursionError):
        raise _Bad(f"{what} is geen geldige JSON") from None
    if not isinstance(value, kind):
        raise _Bad(f"{what} heeft de verkeerde vorm")
    return value


def _words(text: object, what: str) -> tuple[str, ...]:
    value = _json(text, list, what)
    if not all(isinstance(v, str) for v in value):
        raise _Bad(f"{what} heeft de verkeerde vorm")
    return tuple(value)


def _parsed(path: Path, table: str, row: Sequence[Any], parse: Callable[[Sequence[Any]], R],
            ) -> R:
    """A stored row read by `parse`; RecordsCorrupt naming the file, the table and the row when a
    value has the wrong form (an impossible date, JSON of the wrong shape: edited by hand)."""
    try:
        return parse(row)
    except (_Bad, TypeError, ValueError, IndexError) as exc:
        shown = str(exc) if isinstance(exc, _Bad) else type(exc).__name__
        what = {"consultations": "de intake", "evaluations": "de meting",
                "journal": "de onderbroken intake"}.get(table, "de rij")
        raise RecordsCorrupt(f"{path}: {what} met nummer {row[0]} (tabel {table}) is beschadigd "
                         f"({shown}); herstel of verwijder die rij, of zet het bestand opzij en "
                         "kies een ander met --db", table=table, row=int(row[0])) from None


def _entry(text: str) -> dict[str, Any]:
    """A journal entry; one of the wrong shape (edited by hand) as an entry no replay knows,
    so the journal is set aside intact (JournalMismatch), not read as something else."""
    try:
        value = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        value = None
    return value if isinstance(value, dict) else {"kind": "damaged", "payload": text}


PROFILES: Final = ("A", "B", "C", "D")  # the result's treatment profile (DESIGN.md "Result")


def _consultation(row: Sequence[Any]) -> ConsultationRow:
    result = _json(row[4], dict, "result")
    if result.get("profile") not in (None, *PROFILES):
        raise _Bad(f"onbekend behandelprofiel {result.get('profile')!r}")
    chosen = _words(row[5], "chosen_exercises")
    unknown = sorted(set(chosen) - set(_exercise_codes()))
    if unknown:
        raise _Bad(f"onbekende oefening {unknown[0]!r}")
    return ConsultationRow(
        id=int(row[0]), patient=str(row[1]), date=_day(row[2]),
        findings=_json(row[3], dict, "findings"), result=result,
        chosen_exercises=chosen, created=str(row[6]),
        psk_activities=_words(row[7], "psk_activities"), exercise_frequencies=_frequencies(row[8]))


def _exercise_codes() -> tuple[str, ...]:
    """The exercise library's codes (a stored choice names only these)."""
    from assistant.protocol.exercise_loader import load_library  # loaded once, when needed

    return load_library().codes


def _frequencies(text: str) -> dict[str, str]:
    """The stored frequencies; anything but an object of words (edited by hand) counts as
    none changed."""
    try:
        value = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(code): words for code, words in value.items() if isinstance(words, str)}


def _evaluation(row: Sequence[Any]) -> EvaluationRow:
    day = _day(row[3])
    if len(row) > 10 and row[10] is not None and day < _day(row[10]):
        raise _Bad(f"meting van {day.isoformat()} ligt vóór de intake van {row[10]}")
    return EvaluationRow(
        id=int(row[0]), patient=str(row[1]), consultation=int(row[2]), date=day,
        nprs=int(row[4]), psk=(int(row[5]), int(row[6]), int(row[7])),
        neuro_worse=bool(row[8]), created=str(row[9]))


def _journal(row: Sequence[Any]) -> JournalRow:
    status = str(row[4])
    if status not in JOURNAL_STATUSES:
        raise _Bad(f"status {status!r}")
    return JournalRow(int(row[0]), None if row[1] is None else str(row[1]), _day(row[2]),
                      str(row[3]), cast(JournalStatus, status))
