"""The records store: patients, consultations, evaluations, the intake journal and the access
log, in a SQLite file (the default, one laptop) or on a practice's PostgreSQL server, through
SQLAlchemy Core.

A SQLite file is private (0600, its folder 0700 when we create it) and is brought up to date
in place by the Alembic migrations (migrate.py), one transaction per step. A server's schema
is made and brought up to date by `assistant practice init` (practice.py), never by a
therapist's role. A database from a newer version of the assistant is refused, never changed.

Opening checks the records before anything is asked: their tables, a file's pages
(`quick_check`) and, for writing, that no other program holds the file locked. Every failure
becomes a RecordsError subclass with one Dutch line that names the file or the server (locked,
read-only, damaged; a wrong password, TLS, a missing grant, the server gone).
Patient ids compare case-insensitively: "p-0001" is patient "P-0001", kept as first spelled.

This module holds the opening and checks; each group of tables is a layer of `Store` in its
own module: database.py (connection, transactions, access log), patients.py, consultations.py
(with evaluations and the export), journal.py; schema.py describes the tables, rows.py holds
the rows and their checks, failures.py and server.py the error lines.
"""

from __future__ import annotations

import errno
import getpass
import hashlib
import os
import sqlite3
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import Final

from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool, StaticPool

from assistant.errors import (
    Advice,
    Hint,
    RecordsCorrupt,
    RecordsError,
    RecordsFull,
    RecordsReadOnly,
    RecordsUnavailable,
    os_reason,
)
from assistant.records.database import BEGIN
from assistant.records.failures import records_error, records_errors
from assistant.records.journal import JournalTables
from assistant.records.migrate import HEAD, REVISIONS, behind, current_revision, has_tables, upgrade
from assistant.records.schema import TABLES, consultations
from assistant.records.server import PracticeServer, connect_args, server_error

# The rows, their checks and RecordsError are imported from here by modules outside
# assistant/records (cli/records.py, cli/common.py, intake/records.py, intake/program.py,
# ui/app.py, ui/records_view.py, bench/dialog.py, tests/test_errors.py); their home is
# rows.py (assistant/errors.py for RecordsError).
SIDE_FILES: Final = ("-wal", "-shm")
APP_NAME: Final = "nekpijn-assistent"  # how the server lists our connections
BUSY_TIMEOUT: Final = 5.0  # s to wait for another program's lock before saying it is locked
SINCE: Final = {"access_log": "r0004"}  # the revision that made a table later than the first


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


def _os_user() -> str:
    """Who works on a SQLite file: the operating-system user (the access log's `who`)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name to be found (a bare container)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "onbekend"


def _sqlite_engine(raw: sqlite3.Connection) -> Engine:
    """An engine on our own SQLite connection (opened and checked by `Store.open`), whose
    transactions begin as `_transaction` asks: BEGIN IMMEDIATE to write, BEGIN to read
    (SQLAlchemy's pysqlite recipe: the driver's own transaction handling is off)."""
    engine = create_engine("sqlite+pysqlite://", creator=lambda: raw, poolclass=StaticPool)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.info.get(BEGIN, "BEGIN"))

    return engine


class AdvisoryLock:
    """A held PostgreSQL advisory lock (`Store.try_lock`)."""

    def __init__(self, conn: Connection, number: int) -> None:
        self._conn = conn
        self.number = number

    def release(self) -> None:
        """Let the lock go (closing its connection frees it, also when the server is gone)."""
        with suppress(SQLAlchemyError):
            self._conn.execute(select(func.pg_advisory_unlock(self.number)))
            self._conn.commit()
        with suppress(SQLAlchemyError):
            self._conn.close()


class Store(JournalTables):
    """The records database. Open with `Store.open(path or server)`; use as a context manager.

    Its methods come in layers, each on the one below: the connection, transactions and
    access log (database.py), the patients (patients.py), their intakes and measurements
    (consultations.py), the journal of intakes in progress (journal.py)."""

    def __init__(self, engine: Engine, conn: Connection, shown: str, user: str, *,
                 path: Path | None = None, read_only: bool = False) -> None:
        super().__init__(conn, shown, user, path=path, read_only=read_only)
        self._engine = engine

    @classmethod
    def open(cls, where: Path | PracticeServer, *, write: bool = True) -> Store:
        """Open the records: a SQLite file (made when missing, its schema brought up to date)
        or a practice's server (its schema made by `assistant practice init`), checked before
        anything is asked. With `write` False (history, export) a valid file in a read-only
        folder is still read, as an immutable file: SQLite's write-ahead log needs the folder
        otherwise. RecordsError (its subclasses) in one Dutch line when that is not possible."""
        if isinstance(where, PracticeServer):
            return cls._open_server(where)
        return cls._open_file(where, write=write)

    @classmethod
    def _open_server(cls, server: PracticeServer) -> Store:
        engine = create_engine(server.url(), poolclass=NullPool,
                               connect_args=connect_args(APP_NAME))
        try:
            conn = engine.connect()
        except SQLAlchemyError as exc:
            engine.dispose()
            raise server_error(server.shown, exc) from None
        try:
            user, cluster = conn.execute(text(
                "SELECT session_user, (SELECT system_identifier FROM pg_control_system())")).one()
            store = cls(engine, conn, server.shown, str(user))
            store.identity = f"{cluster}/{store.database}"
            revision = current_revision(conn)
            conn.rollback()
            if revision is None:
                raise RecordsUnavailable(
                    f"de praktijkserver {server.shown} is nog niet ingericht; laat de beheerder "
                    "`assistant practice init` draaien")
            store._refuse_newer(revision)
            if revision != HEAD:
                raise RecordsUnavailable(
                    f"de praktijkserver {server.shown} heeft een ouder schema ({revision}); laat "
                    "de beheerder `assistant practice init` draaien om het bij te werken")
            store._check()
        except SQLAlchemyError as exc:
            conn.close()
            engine.dispose()
            raise server_error(server.shown, exc) from None
        except BaseException:
            conn.close()
            engine.dispose()
            raise
        return store

    @classmethod
    def _open_file(cls, path: Path, *, write: bool) -> Store:
        try:
            is_dir, exists, parent = path.is_dir(), path.exists(), path.parent
            parent_ok = not parent.exists() or parent.is_dir()  # not: a file in the way
        except OSError as exc:
            raise _unopenable(path, exc) from None
        if is_dir:
            raise RecordsError(f"{path} is een map, geen gegevensbestand",
                               Advice(Hint.CHOOSE_DB, what="een bestand"))
        if not write and not exists and parent_ok:  # reading makes nothing, not a folder either
            raise RecordsError(f"er zijn nog geen patiëntgegevens: {path} bestaat niet",
                               Advice(Hint.CHOOSE_DB, what="het juiste bestand"))
        try:
            _create_private(path)
            raw = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT,
                                  check_same_thread=False)
        except OSError as exc:
            if not write and path.is_file():
                return cls._open_immutable(path)
            if exc.errno == errno.ENOSPC:
                raise RecordsFull(f"kan {path} niet maken: de schijf is vol; maak ruimte vrij "
                                  "en probeer het opnieuw") from None
            raise _unopenable(path, exc) from None
        except sqlite3.Error as exc:
            raise records_error(path, exc) from None
        engine = _sqlite_engine(raw)
        conn = engine.connect()
        store = cls(engine, conn, str(path), _os_user(), path=path)
        try:
            store._prepare(raw, write=write)
        except (sqlite3.Error, SQLAlchemyError, RecordsError) as exc:
            store.close()  # (RecordsError: from a step that words its own, e.g. `_revision`)
            error = exc if isinstance(exc, RecordsError) else store._failure(exc)
            if not write and isinstance(error, RecordsReadOnly):
                return cls._open_immutable(path)
            raise error from None
        except BaseException:
            store.close()
            raise
        _chmod_private(path)
        return store

    @classmethod
    def _open_immutable(cls, path: Path) -> Store:
        """Read a file nobody can change here (its folder is read-only): no log, no locks, no
        migration (a column an older schema lacks reads as its default)."""
        try:
            raw = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True,
                                  isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise records_error(path, exc) from None
        engine = _sqlite_engine(raw)
        store = cls(engine, engine.connect(), str(path), _os_user(), path=path, read_only=True)
        try:
            revision = store._revision()
            store._refuse_newer(revision)
            store._check(revision or HEAD)
            wanted = {c.name for c in consultations.columns}
            store.absent = frozenset(wanted - {
                c["name"] for c in inspect(store._conn).get_columns("consultations")})
        except (sqlite3.Error, SQLAlchemyError) as exc:
            store.close()
            raise store._failure(exc) from None
        except BaseException:
            store.close()
            raise
        return store

    def try_lock(self, key: str) -> AdvisoryLock | None:
        """On a server: PostgreSQL's advisory lock for `key` ('patient:ID', the id compared
        case-insensitively, or 'journal:N'), held on a connection of its own until `release`
        (or until that connection ends: a crash or a lost network frees it); None when another
        session holds it. A SQLite file's intakes lock with files (intake/records.py)."""
        assert self.on_server
        number = self._lock_number(key)
        try:
            conn = self._engine.connect()
            held = bool(conn.execute(select(func.pg_try_advisory_lock(number))).scalar_one())
            conn.commit()
        except SQLAlchemyError as exc:
            raise self._failure(exc) from None
        if not held:
            conn.close()
            return None
        return AdvisoryLock(conn, number)

    def _lock_number(self, key: str) -> int:
        """The advisory lock's number for `key`: locks are the whole server's, so the
        database's name keeps practices apart."""
        return int.from_bytes(hashlib.sha256(
            f"{self.database}|{key.casefold()}".encode()).digest()[:8], "big", signed=True)

    def lock_holder(self, key: str) -> str | None:
        """On a server: the role whose session holds the advisory lock for `key` (None: none,
        or not to be seen)."""
        number = self._lock_number(key) & 0xFFFF_FFFF_FFFF_FFFF
        try:
            with self._transaction(write=False) as conn:
                found = conn.execute(text(
                    "SELECT a.usename FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                    " AND l.classid::bigint = :high AND l.objid::bigint = :low"),
                    {"high": number >> 32, "low": number & 0xFFFF_FFFF}).scalar()
        except SQLAlchemyError:
            return None
        return None if found is None else str(found)

    def _refuse_newer(self, revision: str | None) -> None:
        """RecordsError when the schema comes from a newer version of the assistant (a
        revision this one does not know): refused, never changed."""
        if revision is not None and revision not in REVISIONS:
            raise RecordsError(f"{self.shown} komt van een nieuwere versie van de assistent "
                               f"(schema {revision}, deze versie kent tot {HEAD}); werk de "
                               "assistent bij")

    @property
    def revision(self) -> str | None:
        """The schema's Alembic revision (migrate.HEAD once open for writing)."""
        return self._revision()

    @records_errors
    def _revision(self) -> str | None:
        try:
            return current_revision(self._conn)
        finally:
            self._conn.rollback()

    def _prepare(self, raw: sqlite3.Connection, *, write: bool) -> None:
        """Check the file's schema version, set its pragmas, bring it up to date (Alembic, one
        transaction per step) and check it; with `write`, find another program's lock now,
        not mid-intake."""
        revision = self._revision()
        self._refuse_newer(revision)
        if revision is None and has_tables(self._conn):  # a file that is not ours: refused
            self._check()  # as it is (before WAL changes its header)
        self._conn.rollback()
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = FULL")  # every commit is on disk (journal, resume)
        raw.execute("PRAGMA foreign_keys = ON")
        raw.execute("PRAGMA secure_delete = ON")  # forgotten rows are overwritten, not freed
        if behind(revision):
            self._conn.info[BEGIN] = "BEGIN IMMEDIATE"
            upgrade(self._conn, revision)
        self._check()
        if write:  # another program's lock, or a read-only file, is found now
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("ROLLBACK")

    def _check(self, revision: str = HEAD) -> None:
        """The records have our tables (those of the schema at `revision`: a file read where
        it cannot be migrated may be older) and (SQLite) the file's pages are sound: a damaged
        file is found before the first question, not when the intake is saved."""
        try:
            found = set(inspect(self._conn).get_table_names())
            missing = [t for t in TABLES if t not in found and REVISIONS.index(
                SINCE.get(t, REVISIONS[0])) <= REVISIONS.index(revision)]
            problems = ["ok"] if self.on_server or missing else [
                str(r[0]) for r in self._conn.exec_driver_sql("PRAGMA quick_check")]
        finally:
            self._end_open_transaction()
        if missing:
            raise RecordsCorrupt(f"{self.shown} mist de tabel '{missing[0]}' en is dus "
                                 "beschadigd; zet het opzij",
                                 Advice(Hint.CHOOSE_DB, what="een ander bestand", lead=" en "))
        if problems != ["ok"]:
            raise RecordsCorrupt(f"{self.shown} is beschadigd ({problems[0]}); zet het opzij",
                                 Advice(Hint.CHOOSE_DB, what="een ander bestand", lead=" en "))

    def close(self) -> None:
        with suppress(SQLAlchemyError, sqlite3.Error):
            self._conn.close()
        self._engine.dispose()
        if self.path is not None and not self.read_only:
            _chmod_private(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
