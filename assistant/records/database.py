"""An open records database, as each group of tables works on it: the connection (SQLAlchemy
Core, on SQLite or PostgreSQL), its transactions, who is working, the reading of stored rows
and the access log. `Store` (records/store.py) opens, checks and closes it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from assistant.errors import RecordsCorrupt, RecordsError
from assistant.records.failures import records_error, sqlite_cause
from assistant.records.rows import parsed
from assistant.records.server import server_error

R = TypeVar("R")
BEGIN: Final = "sqlite_begin"  # the connection's info key: the BEGIN the next transaction uses


def now() -> str:
    """The time now, UTC, ISO 8601 to the second (a row's `created`)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """The connection to the records (opened by `Store.open`), shared by its tables.

    `path` is the SQLite file (None on a practice server), `shown` the file or the server's
    address as a message names it, `user` who is working (the database role on PostgreSQL,
    the operating-system user on SQLite)."""

    def __init__(self, conn: Connection, shown: str, user: str, *, path: Path | None = None,
                 read_only: bool = False) -> None:
        self._conn = conn
        self.path = path
        self.shown = shown
        self.user = user
        self.read_only = read_only  # opened as an immutable file (its folder is read-only)
        # the damaged rows a reader passed over (consultations/evaluations with skip_damaged)
        self.skipped: list[RecordsCorrupt] = []
        self._logged: set[tuple[str, str]] = set()  # (patient, action) logged while open
        self._logging: set[tuple[str, str]] = set()  # logged in the open transaction
        self._reading_for: str | None = None  # the access log's action of the reads now
        # which database this is, however its address was written: the server's cluster id
        # and the database's name (a SQLite file: empty)
        self.identity = ""
        # columns a file of an older schema lacks, read where it cannot be migrated (read_only)
        self.absent: frozenset[str] = frozenset()

    @property
    def database(self) -> str:
        """The server's database name (a SQLite file: empty)."""
        return str(self._conn.engine.url.database or "") if self.on_server else ""

    @property
    def on_server(self) -> bool:
        """Whether the records are on a practice's PostgreSQL server (else a SQLite file)."""
        return self._conn.dialect.name == "postgresql"

    def _failure(self, exc: BaseException) -> RecordsError:
        """A database failure as one Dutch line naming the file or the server."""
        if self.path is not None:  # a file: SQLite's failure, or SQLAlchemy's own (closed)
            return records_error(self.path, sqlite_cause(exc) or sqlite3.DatabaseError(str(exc)))
        return server_error(self.shown, exc)

    def _author(self) -> dict[str, str]:
        """The `recorded_by` of a new row: on a server its default (the role), which a
        therapist's role cannot set; on SQLite the operating-system user."""
        return {} if self.on_server else {"recorded_by": self.user}

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """One transaction: on SQLite BEGIN IMMEDIATE to write (BEGIN DEFERRED to read) …
        COMMIT; any failure rolls it all back. SQLite itself already rolled back after some
        failures (SQLITE_FULL, an I/O error): the original failure is raised then, never the
        'no transaction is active' of a second rollback (which once turned a full disk into a
        'damaged file')."""
        conn = self._conn
        self._end_open_transaction()  # left open by autobegin, or by a failed COMMIT
        conn.info[BEGIN] = "BEGIN IMMEDIATE" if write else "BEGIN"
        conn.begin()
        try:
            yield conn
            conn.commit()  # may fail too: SQLITE_FULL (the log would not grow)
        except BaseException:
            self._logging.clear()  # the log rows went with the transaction
            with suppress(SQLAlchemyError, sqlite3.Error):
                self._end_open_transaction()
            raise
        self._logged |= self._logging  # the access log's rows are in: not written again
        self._logging.clear()

    def _end_open_transaction(self) -> None:
        """Roll back what is still open: SQLAlchemy's transaction (also the inactive one a
        failed COMMIT leaves), and SQLite's own, which a failed COMMIT (a deferred foreign key,
        a full disk) may keep open while SQLAlchemy counts it ended: it would hold the file's
        write lock and refuse every later BEGIN."""
        if self._conn.get_transaction() is not None:
            self._conn.rollback()
        if self.on_server:  # the server ends its own with the rollback (or the connection)
            return
        raw = self._conn.connection.driver_connection
        if isinstance(raw, sqlite3.Connection) and raw.in_transaction:
            raw.rollback()

    def _rows(self, table: str, rows: Iterable[Sequence[Any]],
              parse: Callable[[Sequence[Any]], R], skip_damaged: bool) -> list[R]:
        """Each row parsed; a damaged one raises RecordsCorrupt, or with `skip_damaged` is passed
        over and added to `self.skipped` (each once) for the caller to name."""
        found: list[R] = []
        for row in rows:
            try:
                found.append(parsed(self.shown, table, row, parse))
            except RecordsCorrupt as exc:
                if not skip_damaged:
                    raise
                if all((d.table, d.row) != (exc.table, exc.row) for d in self.skipped):
                    self.skipped.append(exc)
        return found
