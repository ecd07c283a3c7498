"""Private files for patient data: written atomically (complete or absent), mode 0600; and
the one JSON form of what the assistant writes (indented, UTF-8, a final newline)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from assistant.errors import OutputError, os_reason

SQLITE_HEADER = b"SQLite format 3\x00"


def check_overwritable(path: Path, *, stream: bool = False) -> None:
    """Refuse to write over what is not ours to replace: a folder, a database (such as the
    patient records, named by mistake), and, unless the output is a `stream` written in place
    (the event log: a pipe or a device another tool reads is fine), anything but a regular
    file. OutputError, in one line."""
    try:
        real = path.resolve()  # a symbolic link to the records file's log is that log
    except (OSError, RuntimeError):
        real = path
    side_of = sqlite_file_of(real) or sqlite_file_of(path) or locks_of(real)
    if side_of is not None:
        raise OutputError(f"{path} hoort bij het databasebestand {side_of} (zoals de "
                          "patiëntgegevens); dat overschrijf ik niet: kies een andere naam")
    if not path.exists():
        return
    if path.is_dir():
        raise OutputError(f"{path} is een map; kies een bestandsnaam")
    if not path.is_file():
        if stream:
            return
        raise OutputError(f"{path} is geen gewoon bestand; kies een bestandsnaam")
    try:
        with path.open("rb") as existing:
            header = existing.read(len(SQLITE_HEADER))
    except OSError:
        return  # not readable: writing will say why
    if header == SQLITE_HEADER:
        raise OutputError(f"{path} is een databasebestand (zoals de patiëntgegevens); dat "
                          "overschrijf ik niet: kies een andere naam")


def check_writable(path: Path) -> None:
    """Before long work that ends in writing `path`: what check_overwritable refuses, and a
    folder that cannot be made or written (tried with a temporary file, removed at once).
    OutputError, in one Dutch line."""
    check_overwritable(path)
    try:
        make_private_dirs(path.parent)
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"kan niet schrijven in {path.parent}: {os_reason(exc)}") from None


def make_private_dirs(folder: Path) -> Path:
    """Make `folder` and every missing folder above it, each 0700 (`mkdir(parents=True)` gives
    the ones above the default mode); folders that exist are left as they are. OSError."""
    missing = []
    for part in (folder, *folder.parents):
        if part.exists():
            break
        missing.append(part)
    for part in reversed(missing):
        try:
            part.mkdir(mode=0o700)
        except FileExistsError:
            continue
    return folder


SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def sqlite_file_of(path: Path) -> Path | None:
    """The SQLite database whose side file (`-wal`, `-shm`, `-journal`) `path` names, when
    that database exists (such a file may be absent between runs; writing it then still
    damages the database at its next open), else None."""
    name = path.name
    for suffix in SQLITE_SIDE_FILES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = path.with_name(name[:-len(suffix)])
            try:
                with base.open("rb") as existing:
                    if existing.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                        return base
            except OSError:
                continue
    return None


def locks_of(path: Path) -> Path | None:
    """The SQLite database whose lock folder (`.<name>.locks`, records/locks.py) holds `path`,
    when that database exists: its key and lock files are not ours to replace."""
    folder = path.parent
    name = folder.name
    if not (name.startswith(".") and name.endswith(".locks")) or len(name) <= len("..locks"):
        return None
    base = folder.with_name(name[1:-len(".locks")])
    try:
        with base.open("rb") as existing:
            return base if existing.read(len(SQLITE_HEADER)) == SQLITE_HEADER else None
    except OSError:
        return None


def write_private(path: Path, data: bytes | str, *, replace: bool = True) -> Path:
    """Write `data` to `path` atomically with mode 0600; a new folder is made 0700. What
    `check_overwritable` refuses is left alone (OutputError). `replace=False`: a file that
    is there by the time of writing is kept (FileExistsError; the new file is linked into
    place, never renamed over it)."""
    check_overwritable(path)
    make_private_dirs(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # FileExistsError when something is there now
            os.unlink(tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def to_json_text(data: Any) -> str:
    """JSON as the assistant writes it: indented, non-ASCII kept, ending in a newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
