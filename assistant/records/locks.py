"""The lock files beside the records file: one running intake per patient (or per journal).

The folder is `.<name>.locks` beside the *resolved* records file, so the same file reached
through a symbolic link (or a relative path) is the same lock. Lock files are named by a keyed
hash (HMAC-SHA-256) of 'patient:ID' or 'journal:N' with a random per-store key kept in that
folder (0600): a name cannot be reversed to the patient id by hashing guesses. Versions before
this one named them by a plain SHA-256 of the key; `remove_patient_locks` removes those too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Final

KEY_FILE: Final = "key"
KEY_BYTES: Final = 32
NAME_CHARS: Final = 32  # hex characters of a lock file's name


def locks_folder(db: Path) -> Path:
    """The private folder of the lock files of the records file `db` (resolved: a symbolic link
    to the file has the same folder). Not made here."""
    real = db.expanduser().resolve()
    return real.parent / f".{real.name}.locks"


def _private_folder(folder: Path) -> Path:
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def store_key(folder: Path) -> bytes:
    """The folder's random key (made once, 0600, atomically: two processes that make it at
    once end up with the same one). OSError when the folder cannot be written."""
    path = _private_folder(folder) / KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    if len(key) >= KEY_BYTES // 2:
        return key
    fd, tmp = tempfile.mkstemp(prefix=".key.", dir=folder)  # 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_hex(KEY_BYTES).encode("ascii"))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            if len(path.read_bytes()) < KEY_BYTES // 2:  # an empty or cut key: replaced
                os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path.read_bytes()


def lock_path(db: Path, key: str) -> Path:
    """The lock file for `key` ('patient:ID', the id compared case-insensitively, or
    'journal:N'); its folder is made (0700) and its key with it. OSError when they cannot be."""
    folder = _private_folder(locks_folder(db))
    digest = hmac.new(store_key(folder), key.casefold().encode("utf-8"), hashlib.sha256)
    return folder / f"{digest.hexdigest()[:NAME_CHARS]}.lock"


def _legacy_lock_path(db: Path, key: str) -> Path:
    """Where a version before keyed names put the lock for `key`: beside `db` as given."""
    name = hashlib.sha256(key.casefold().encode("utf-8")).hexdigest()[:24]
    return db.parent / f".{db.name}.locks" / f"{name}.lock"


def remove_patient_locks(db: Path, patient: str, journals: Iterable[int] = ()) -> int:
    """Remove the lock files of the patient and of its `journals` (forget), in the current
    and the old naming; the number removed. OSError when one cannot be removed."""
    keys = [f"patient:{patient}", *(f"journal:{n}" for n in journals)]
    removed = 0
    folder = locks_folder(db)
    candidates: list[Path] = []
    if folder.is_dir():
        candidates += [lock_path(db, key) for key in keys]
    candidates += [_legacy_lock_path(where, key) for where in {db, db.expanduser().resolve()}
                   for key in keys]
    for path in dict.fromkeys(candidates):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed += 1
    return removed
