"""Failures on the records as RecordsError lines: one Dutch line that names the file and the fix
(locked, read-only, a full disk, damaged) for SQLite; the server's are worded in server.py."""

from __future__ import annotations

import functools
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, Final, ParamSpec, Protocol, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from assistant.errors import (
    Advice,
    Hint,
    RecordsCorrupt,
    RecordsError,
    RecordsFull,
    RecordsLocked,
    RecordsReadOnly,
)

MIN_FREE_BYTES: Final = 1 << 20  # less free space than this beside an I/O error: the disk is full
P = ParamSpec("P")
R = TypeVar("R")


class _OnRecords(Protocol):
    """Anything that works on the records (the Store): it words its own failures."""

    def _failure(self, exc: BaseException) -> RecordsError: ...


S = TypeVar("S", bound=_OnRecords)


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
                "op de map, of kopieer het bestand naar een andere map",
                Advice(Hint.CHOOSE_DB, what="dat", lead=" en "))
        return RecordsReadOnly(f"kan niet schrijven in {path} ({exc}); controleer de rechten",
                               Advice(Hint.CHOOSE_DB, what="een ander bestand", lead=", of "))
    if _disk_full(path, name, exc):
        return RecordsFull(f"kan niet schrijven in {path}: de schijf is vol; er is niets half "
                           "bewaard. Maak ruimte vrij en probeer het opnieuw")
    return RecordsCorrupt(f"{path} is geen bruikbaar gegevensbestand ({exc}); zet het opzij",
                          Advice(Hint.CHOOSE_DB, what="een ander bestand", lead=" en "))


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


def records_errors(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """A Store method whose database failures (SQLite's, the server's, as SQLAlchemy raises
    them) become RecordsError lines naming the file or the server."""
    def run(store: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(store, *args, **kwargs)
        except (sqlite3.Error, SQLAlchemyError) as exc:
            raise store._failure(exc) from None
    functools.update_wrapper(run, method)
    return run


def sqlite_cause(exc: BaseException) -> sqlite3.Error | None:
    """The SQLite failure behind `exc` (itself, or the one SQLAlchemy wraps), if any."""
    orig = getattr(exc, "orig", exc)
    return orig if isinstance(orig, sqlite3.Error) else None
