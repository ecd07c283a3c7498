"""Answers a practice's server did not take: kept on this computer until it is back.

When the server is lost mid-intake, the answer being written is appended to a private file
here (0600, in a 0700 folder of the user's data folder, named by a keyed hash of the database
and the journal, never by the patient) with the place it takes in the journal (`seq`), and the
intake stops with every answer kept and the command that continues it (intake/guard.py). That
run sends the kept answers to the server first, then replays the journal as always.

No answer is lost, and none is doubled or put out of order: an answer is sent only at its own
place. One the journal already holds there (the server stored it and lost only its reply) is
left out; one whose place another answer took meanwhile (a colleague went on with the intake
from another computer), or a file that cannot be read, is set aside whole (`*.apart`, kept
for reading by hand) and said in one line (PendingConflict): never sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Protocol

from assistant.dialog.events import Answer, Back, event_from_json
from assistant.errors import PendingConflict
from assistant.files import make_private_dirs
from assistant.records.locks import store_key

FOLDER: Final = "wachtrij"
ASIDE: Final = ".apart"


def _an_answer(payload: object) -> bool:
    """Whether `payload` is what a journal keeps for an intake's answer (an `answer` or a
    `back` event): nothing else is ever sent from here."""
    if not isinstance(payload, dict):
        return False
    try:
        return isinstance(event_from_json(payload), Answer | Back)
    except (ValueError, TypeError, KeyError):
        return False


class PendingStore(Protocol):
    """What sending the kept answers needs of the records store."""

    def journal_entries(self, journal_id: int) -> list[dict[str, Any]]: ...

    def journal_append(self, journal_id: int, payload: dict[str, Any]) -> None: ...


class PendingAnswers:
    """The answers of one practice database's journals kept on this computer (`folder`: the
    private folder; `database`: which database, however its address was written — the
    store's `identity`: the server's cluster id and the database's name)."""

    def __init__(self, folder: Path, database: str) -> None:
        self.folder = folder
        self.database = database

    def _file(self, journal_id: int) -> Path:
        key = store_key(make_private_dirs(self.folder))
        digest = hmac.new(key, f"{self.database}|{journal_id}".encode(), hashlib.sha256)
        return self.folder / f"{digest.hexdigest()[:32]}.jsonl"

    def keep(self, journal_id: int, seq: int, payload: Mapping[str, Any]) -> None:
        """Append one answer, the journal's entry number `seq`, on disk (fsync) when this
        returns. OSError when it cannot be."""
        path = self._file(journal_id)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(json.dumps({"seq": seq, "payload": payload}, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def kept(self, journal_id: int) -> list[tuple[int, dict[str, Any]]]:
        """The answers kept for the journal, (seq, payload) in order; none: []. PendingConflict
        (the file set aside) when a line is not one this module wrote."""
        path = self._file(journal_id)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise self._aside(path, f"onleesbaar ({type(exc).__name__})") from None
        found: list[tuple[int, dict[str, Any]]] = []
        for line in text.splitlines():
            try:
                item = json.loads(line)
                seq, payload = item["seq"], item["payload"]
            except (ValueError, TypeError, KeyError):
                raise self._aside(path, "een regel is beschadigd") from None
            if type(seq) is not int or seq < 1 or not _an_answer(payload):
                raise self._aside(path, "een regel is beschadigd")
            found.append((seq, payload))
        return found

    def send(self, store: PendingStore, journal_id: int) -> int:
        """Put the kept answers in the journal on the server, each at its place, then remove
        them here; how many were appended. PendingConflict when they no longer fit (set aside:
        the journal on the server goes on as it is)."""
        kept = self.kept(journal_id)
        if not kept:
            return 0
        path = self._file(journal_id)
        entries = store.journal_entries(journal_id)
        sent = 0
        for seq, payload in kept:
            if seq <= len(entries) and entries[seq - 1] == payload:
                continue  # stored already, its reply lost
            if seq != len(entries) + 1:
                raise self._aside(path, "de intake ging op de server verder zonder deze "
                                        "antwoorden")
            store.journal_append(journal_id, payload)
            entries.append(payload)
            sent += 1
        path.unlink(missing_ok=True)
        return sent

    def discard(self, journals: Iterable[int]) -> None:
        """Remove what is kept for these journals (their patient was erased: forget)."""
        for journal_id in journals:
            path = self._file(journal_id)
            path.unlink(missing_ok=True)
            path.with_name(path.name + ASIDE).unlink(missing_ok=True)

    @staticmethod
    def _aside(path: Path, why: str) -> PendingConflict:
        aside = path.with_name(path.name + ASIDE)
        os.replace(path, aside)
        return PendingConflict(f"de antwoorden die op deze computer wachtten op de server passen "
                               f"niet meer bij de intake ({why}); ze staan apart in {aside}. "
                               "Start de intake opnieuw: die gaat verder met wat de server "
                               "heeft")
