"""The records store: patients, consultations, evaluations and the intake journal, in SQLite.

The file is private (0600, its folder 0700 when we create it). `PRAGMA user_version` is the
schema version; MIGRATIONS brings an older file up to date, one transaction per step. A file
from a newer version of the assistant is refused, never changed.

Opening checks the file before anything is asked: its tables, its pages (`quick_check`) and,
for writing, that no other program holds it locked. Every SQLite failure becomes a
RecordsError subclass with one Dutch line that names the file (locked, read-only, damaged).
Patient ids compare case-insensitively: "p-0001" is patient "P-0001", kept as first spelled.

This module holds the file (schema, opening, migrations, checks); each group of tables is a
layer of `Store` in its own module: patients.py, consultations.py (with evaluations and the
export), journal.py; rows.py holds the rows and their checks, failures.py the error lines.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Final

from assistant.errors import (
    Advice,
    Hint,
    RecordsCorrupt,
    RecordsError,
    RecordsFull,
    RecordsReadOnly,
    os_reason,
)
from assistant.records.failures import records_error
from assistant.records.journal import JournalTables

# The rows, their checks and RecordsError are imported from here by modules outside
# assistant/records (cli/records.py, cli/common.py, intake/records.py, intake/program.py,
# ui/app.py, ui/records_view.py, bench/dialog.py, tests/test_errors.py); their home is
# rows.py (assistant/errors.py for RecordsError).
SIDE_FILES: Final = ("-wal", "-shm")
BUSY_TIMEOUT: Final = 5.0  # s to wait for another program's lock before saying it is locked
TABLES: Final = ("patients", "consultations", "evaluations", "journal", "journal_entries")

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


def _unopenable(path: Path, exc: OSError) -> RecordsError:
    return RecordsError(f"kan de patiëntgegevens niet openen: {path} ({os_reason(exc)}); "
                        "controleer de map en de rechten",
                        Advice(Hint.CHOOSE_DB, what="een ander bestand", lead=", of "))


class Store(JournalTables):
    """The records database. Open with `Store.open(path)`; use as a context manager.

    Its methods come in layers, each on the one below: the connection and transactions
    (database.py), the patients (patients.py), their intakes and measurements
    (consultations.py), the journal of intakes in progress (journal.py)."""

    @classmethod
    def open(cls, path: Path, migrations: Sequence[Sequence[str]] = MIGRATIONS, *,
             write: bool = True) -> Store:
        """Open (or create) the database at `path`, bring its schema up to date and check it.

        With `write` False (history, export) a valid file in a read-only folder is still read,
        as an immutable file: SQLite's write-ahead log needs the folder otherwise."""
        try:
            is_dir, exists, parent_is_dir = path.is_dir(), path.exists(), path.parent.is_dir()
        except OSError as exc:
            raise _unopenable(path, exc) from None
        if is_dir:
            raise RecordsError(f"{path} is een map, geen gegevensbestand",
                               Advice(Hint.CHOOSE_DB, what="een bestand"))
        if not write and not exists and parent_is_dir:  # reading makes nothing
            raise RecordsError(f"er zijn nog geen patiëntgegevens: {path} bestaat niet",
                               Advice(Hint.CHOOSE_DB, what="het juiste bestand"))
        try:
            _create_private(path)
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
        except OSError as exc:
            if not write and path.is_file():
                return cls._open_immutable(path, migrations)
            if exc.errno == errno.ENOSPC:
                raise RecordsFull(f"kan {path} niet maken: de schijf is vol; maak ruimte vrij "
                                  "en probeer het opnieuw") from None
            raise _unopenable(path, exc) from None
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
                                 "zet het opzij",
                                 Advice(Hint.CHOOSE_DB, what="een ander bestand", lead=" en "))
        problems = [str(r[0]) for r in self._conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise RecordsCorrupt(f"{self.path} is beschadigd ({problems[0]}); zet het opzij",
                                 Advice(Hint.CHOOSE_DB, what="een ander bestand", lead=" en "))

    def close(self) -> None:
        self._conn.close()
        _chmod_private(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
