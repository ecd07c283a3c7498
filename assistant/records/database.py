"""An open records file, as each group of tables works on it: the connection, its transactions
and the reading of stored rows. `Store` (records/store.py) opens, checks and closes it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from assistant.errors import RecordsCorrupt
from assistant.records.failures import sqlite_errors
from assistant.records.rows import parsed

R = TypeVar("R")


def now() -> str:
    """The time now, UTC, ISO 8601 to the second (a row's `created`)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """The connection to a records file (opened by `Store.open`), shared by its tables."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self._conn = conn
        self.path = path
        self.read_only = read_only  # opened as an immutable file (its folder is read-only)
        # the damaged rows a reader passed over (consultations/evaluations with skip_damaged)
        self.skipped: list[RecordsCorrupt] = []

    @property
    @sqlite_errors
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; any failure rolls it all back. SQLite itself already
        rolled back after some failures (SQLITE_FULL, an I/O error): the original failure is
        raised then, never the 'no transaction is active' of a second rollback (which once
        turned a full disk into a 'damaged file')."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
            self._conn.execute("COMMIT")  # may fail too: SQLITE_FULL (the log would not grow)
        except BaseException:
            if self._conn.in_transaction:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise

    def _rows(self, table: str, rows: Iterable[Sequence[Any]],
              parse: Callable[[Sequence[Any]], R], skip_damaged: bool) -> list[R]:
        """Each row parsed; a damaged one raises RecordsCorrupt, or with `skip_damaged` is passed
        over and added to `self.skipped` (each once) for the caller to name."""
        found: list[R] = []
        for row in rows:
            try:
                found.append(parsed(self.path, table, row, parse))
            except RecordsCorrupt as exc:
                if not skip_damaged:
                    raise
                if all((d.table, d.row) != (exc.table, exc.row) for d in self.skipped):
                    self.skipped.append(exc)
        return found
