"""Answers a practice's server did not take: kept on this computer until it is back.

When the server is lost mid-intake, the answer being written is appended to a private file
here (0600, in a 0700 folder of the user's data folder; named by a keyed hash, never by the
patient) and the intake stops with every answer kept and the command that continues it
(intake/guard.py). That `--resume` sends these answers to the server first, in order, then
replays the journal as always: no answer is lost.

Nor is one doubled: the server may have stored the answer and lost only its reply. So the
first answer kept here is sent only when it is not already the journal's last entry (two equal
entries in a row never happen in a journal: an answer is followed by another question's
answer or by a 'back').
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Protocol

from assistant.files import make_private_dirs
from assistant.records.locks import store_key

FOLDER: Final = "wachtrij"


class PendingStore(Protocol):
    """What sending the kept answers needs of the records store."""

    def journal_entries(self, journal_id: int) -> list[dict[str, Any]]: ...

    def journal_append(self, journal_id: int, payload: dict[str, Any]) -> None: ...


class PendingAnswers:
    """The answers of one server's journals kept on this computer (`folder`: the private
    folder; `server`: the server's shown address, so two servers never mix)."""

    def __init__(self, folder: Path, server: str) -> None:
        self.folder = folder
        self.server = server

    def _file(self, journal_id: int) -> Path:
        key = store_key(make_private_dirs(self.folder))
        digest = hmac.new(key, f"{self.server}|{journal_id}".encode(), hashlib.sha256)
        return self.folder / f"{digest.hexdigest()[:32]}.jsonl"

    def keep(self, journal_id: int, payload: Mapping[str, Any]) -> None:
        """Append one answer, on disk (fsync) when this returns. OSError when it cannot be."""
        path = self._file(journal_id)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(json.dumps(payload, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def kept(self, journal_id: int) -> list[dict[str, Any]]:
        """The answers kept for the journal, in order (none: [])."""
        try:
            text = self._file(journal_id).read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def send(self, store: PendingStore, journal_id: int) -> int:
        """Append the kept answers to the journal on the server, in order, then remove them
        here; how many were sent. The first is left out when the journal already ends with
        it (stored, its reply lost). A failure midway keeps the file: a later run sends the
        rest, the ones sent then being the journal's last entries, and are left out again."""
        kept = self.kept(journal_id)
        if not kept:
            return 0
        entries = store.journal_entries(journal_id)
        start = _already_sent(entries, kept)
        for payload in kept[start:]:
            store.journal_append(journal_id, payload)
        self._file(journal_id).unlink(missing_ok=True)
        return len(kept) - start


def _already_sent(entries: list[dict[str, Any]], kept: list[dict[str, Any]]) -> int:
    """How many of the `kept` answers the journal's `entries` already end with."""
    for count in range(min(len(kept), len(entries)), 0, -1):
        if entries[-count:] == kept[:count]:
            return count
    return 0
