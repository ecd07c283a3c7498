"""The records side of an intake: the journal that makes it resumable, storing the finished
consultation under the patient's id, and the baseline measurement (NPRS and PSK)."""

from __future__ import annotations

import errno
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from filelock import FileLock, Timeout

from assistant.errors import (
    Advice,
    Hint,
    IntakeAlreadyStored,
    IntakeBusy,
    JournalMismatch,
    Part,
    RecordsError,
    RecordsFull,
    os_reason,
)
from assistant.errors import RecordsUnavailable as RecordsUnavailable
from assistant.intake.journal import (
    EndStatus,
    IntakeJournal,
    journal_events,
    standing_answers,
)
from assistant.intake.pending import FOLDER as PENDING_FOLDER
from assistant.intake.pending import PendingAnswers
from assistant.output.report import result_json
from assistant.protocol.findings import Findings
from assistant.protocol.result import Result
from assistant.records.locks import lock_path

if TYPE_CHECKING:
    from assistant.records.location import Location
    from assistant.records.rows import ConsultationRow, JournalRow
    from assistant.records.store import Store


class IntakeLock(Protocol):
    """A held intake lock: a lock file's (SQLite) or the server's advisory lock."""

    def release(self) -> None: ...


def intake_lock(db: Path, key: str) -> FileLock:
    """The lock one running intake holds on a patient's journal (or on one journal without a
    patient id), so a second window, the command line or the screen cannot answer the same
    intake at once. An OS lock (released when the process ends, also on a crash), in a private
    folder beside the resolved records file (a symbolic link to it shares the lock); the file
    is named by a keyed hash (records/locks.py), never by the patient id. OSError when the
    folder cannot be made."""
    return FileLock(lock_path(db, key), timeout=0, mode=0o600)  # private, as every file here


def hold_intake_lock(where: Path | Store, key: str, running: str) -> IntakeLock:
    """The intake lock for `key` ('patient:ID' or 'journal:N'), held: on a practice's server
    its advisory lock (`Store.try_lock`: a second therapist on another machine is stopped
    too), else the lock file beside the records file. IntakeBusy naming `running` ('de
    intake van patiënt …') when another process holds it."""
    from assistant.records.store import Store

    if isinstance(where, Store) and where.on_server:
        held = where.try_lock(key)
        if held is None:
            holder = where.lock_holder(key)
            by = f" (bij {holder})" if holder else ""
            raise IntakeBusy(f"{running} loopt al{by}, op een andere computer, in een ander "
                             "venster of op het scherm; rond die daar af of stop hem eerst")
        return held
    db = where.path if isinstance(where, Store) else where
    assert db is not None
    try:
        lock = intake_lock(db, key)
        lock.acquire()
    except Timeout:
        raise IntakeBusy(f"{running} loopt al, in een ander venster of op het scherm; rond "
                         "die daar af of stop hem eerst") from None
    except OSError as exc:
        kind = RecordsFull if exc.errno == errno.ENOSPC else RecordsError
        raise kind(f"kan de intake niet vastleggen naast {db}: {os_reason(exc)}") from None
    return lock


def pending_answers(store: Store) -> PendingAnswers | None:
    """Where this computer keeps the answers the practice's server did not take (None for a
    SQLite file: its answers never leave this computer)."""
    if not store.on_server:
        return None
    from assistant.records.location import app_data_dir

    return PendingAnswers(app_data_dir() / PENDING_FOLDER, store.identity)


def _not_stored_already(store: Store, found: JournalRow) -> None:
    """IntakeAlreadyStored when the interrupted intake `found` was stored already (an earlier
    version stored it, then was cut off before it closed the journal): its journal is set
    aside intact, and the line names the stored intake and how to see it."""
    stored = store.journal_stored(found)
    if stored is None:
        return
    store.journal_set_aside(found.id)
    raise IntakeAlreadyStored(
        f"de onderbroken intake van patiënt {stored.patient} ({stored.date.isoformat()}) is al "
        "opgeslagen; er wordt geen tweede gemaakt",
        Advice(Hint.SEE_HISTORY, patient=stored.patient, lead=". "),
        patient=stored.patient, consultation=stored.id)


@dataclass
class IntakeRecords:
    """Opened before the intake; `journal` follows its answers, `resume` holds the entries of an
    interrupted one."""

    store: Store
    patient: str | None
    day: date
    journal: IntakeJournal | None
    resume: Sequence[dict[str, Any]] = ()
    resumed: JournalRow | None = None  # the interrupted intake this one continues
    closed: bool = False  # the journal is closed (finished or set aside)
    consultation: int | None = None  # the stored intake's id
    lock: IntakeLock | None = None  # held while this intake runs (hold_intake_lock)
    # the intake is stored and its journal marked so (Store.finish_intake), but the journal
    # stays open until the report is written and the baseline taken (`done`)
    stored: bool = False

    @property
    def finishing(self) -> bool:
        """The journal found was stored already (by a run cut off before its report): this
        run only finishes it (intake/flow.py: IntakeFlow.rebuilt, the baseline, the report)."""
        return self.stored and self.resumed is not None

    @property
    def resumed_from(self) -> date | None:
        return self.resumed.date if self.resumed is not None else None

    @classmethod
    def open(cls, db: Location | None, patient: str | None, day: date, *,
             resume: bool, journaled: bool = True) -> IntakeRecords:
        """Open the store and the journal: an interrupted intake when `resume` (or when this
        patient has one), else a new one; no journal at all when not `journaled` (answers from
        a file). A RecordsError (locked, damaged, read-only: its own class and code) when that
        is not possible; RecordsUnavailable when there is nothing to resume."""
        from assistant.records.location import resolve_db
        from assistant.records.rows import validate_patient_id
        from assistant.records.store import Store

        if patient is not None:
            validate_patient_id(patient)
        store = Store.open(resolve_db(db))
        lock: IntakeLock | None = None
        try:
            if patient is not None:  # before looking: one running intake per patient (one
                # from a findings file too: it stores an intake of the patient)
                lock = hold_intake_lock(store, f"patient:{patient}",
                                        f"de intake van patiënt '{patient}'")
            if not journaled:
                return cls(store, patient, day, None, lock=lock)
            found = store.journal_find_open(patient) if resume or patient else None
            if found is None and resume:
                who = f"patiënt '{patient}'" if patient else "een intake zonder patiënt-id"
                waiting = [] if patient else store.journal_patients()
                other: tuple[Part, ...] = (
                    f"; wel van {', '.join(repr(p) for p in waiting[:5])}: ga verder",
                    Advice(Hint.WITH_PATIENT, patient=waiting[0], lead=" ")) if waiting else ()
                raise RecordsUnavailable(f"geen onderbroken intake gevonden voor {who}", *other,
                                         option="resume")
            if found is not None:
                if lock is None:
                    lock = hold_intake_lock(store, f"journal:{found.id}", "deze intake")
                pending = pending_answers(store)
                if pending is not None:  # answers kept here while the server was gone
                    pending.send(store, found.id)
                mark = store.journal_stored_entry(found.id)
                entries = store.journal_entries(found.id)
                if mark is None and not any("event" in entry for entry in entries):
                    _not_stored_already(store, found)  # an earlier version's journal: stored
                    # without its mark? (a journal of events always gets its mark)
                journal = IntakeJournal(store, found.id, pending=pending, entries=len(entries))
                stored_id = mark.get("consultation") if mark is not None else None
                return cls(store, found.patient, found.date, journal, entries, found, lock=lock,
                           stored=mark is not None,
                           consultation=stored_id if type(stored_id) is int else None)
            journal = IntakeJournal(store, store.journal_open(patient, day),
                                    pending=pending_answers(store))
            if lock is None:  # found only by a --resume, which takes the same lock
                lock = hold_intake_lock(store, f"journal:{journal.id}", "deze intake")
            return cls(store, patient, day, journal, lock=lock)
        except BaseException:
            if lock is not None:
                lock.release()
            store.close()
            raise

    @property
    def standing_answers(self) -> int:
        """The answers of the interrupted intake that still stand (a 'terug' took one back);
        0 for a journal that cannot be read (its replay says why)."""
        return _standing(self.resume) or 0

    def close(self) -> None:
        self.store.close()
        if self.lock is not None:
            self.lock.release()

    def abandon(self) -> None:
        """The journal cannot be replayed (another protocol version, a damaged entry): set
        aside intact (Store.journal_set_aside), never erased; no --resume takes it again."""
        if self.journal is not None and not self.closed:
            self.store.journal_set_aside(self.journal.id)
            self.closed = True

    def _close(self, status: EndStatus) -> None:
        if self.journal is not None and not self.closed:
            self.journal.close(status)
            self.closed = True

    def done(self) -> None:
        """The stored intake's report is written and its baseline taken: its journal is
        closed as finished (its answers erased: they are in the report and the records).
        Nothing for an intake that was not stored (stopped: its journal stays open)."""
        if self.stored:
            self._close("finished")

    def same_day(self) -> ConsultationRow | None:
        """Another intake of this patient stored on this intake's day (not this one), the
        latest; None without a patient or when there is none (a damaged row is passed
        over: this only warns)."""
        if self.patient is None:
            return None
        found = [c for c in self.store.consultations(self.patient, skip_damaged=True)
                 if c.date == self.day and c.id != self.consultation]
        return found[-1] if found else None

    def settle(self) -> int | None:
        """After the intake failed part-way: the answers its journal keeps for a resume, the
        journal left open for it. A journal without any entry is closed (nothing to resume:
        a later --resume must not take it for the real interrupted intake); 0 then, and also
        without a journal. None when the journal cannot be read (it stays as it is)."""
        if self.journal is None or self.closed:
            return 0
        try:
            entries = self.store.journal_entries(self.journal.id)
            if not entries:
                self._close("abandoned")
        except RecordsError:
            return None
        return _standing(entries)

    def finish(self, findings: Findings, result: Result | None,
               chosen: Sequence[str] | None, answered: int,
               frequencies: Mapping[str, str] | None = None) -> str | None:
        """After the intake: store the consultation under the patient's id (with the
        `frequencies` changed at the choice) and mark the journal stored when it reached a
        result, in one transaction (Store.finish_intake: when it fails, or the process is
        killed, nothing is stored and the journal still holds every answer for a resume).
        The journal stays open until `done` (after the report and the baseline): a run cut
        off before then is finished by the next one. Returns a line for the screen, or
        None."""
        if result is None:
            if answered == 0:
                self._close("abandoned")  # stopped before any answer: nothing to resume
            return None  # stopped: the journal stays open, to be resumed
        stored = (findings.to_json(), result_json(result, chosen, frequencies),
                  list(chosen or ()))
        if self.journal is not None and not self.closed:  # both or neither: one transaction
            self.consultation = self.store.finish_intake(
                self.journal.id, self.patient, self.day, *stored, frequencies)
            self.stored = True
        elif self.patient is not None:
            self.consultation = self.store.add_consultation(
                self.patient, self.day, *stored, exercise_frequencies=frequencies)
        if self.patient is None:
            return None
        return f"Opgeslagen bij patiënt {self.patient} ({self.day.isoformat()})."

    def name_activities(self, activities: Sequence[str]) -> None:
        """The PSK's three activities, kept with the stored intake."""
        assert self.consultation is not None
        self.store.set_psk_activities(self.consultation, activities)

    def baseline(self, nprs: int, psk: tuple[int, int, int],
                 activities: Sequence[str] = ()) -> str:
        """Store the baseline measurement; a line for the screen, with the PSK's activities
        when they are named."""
        assert self.patient is not None and self.consultation is not None
        self.store.add_evaluation(self.patient, self.day, nprs, psk,
                                  consultation=self.consultation)
        if activities:
            scores = ", ".join(f"{name} {score}" for name, score in zip(activities, psk,
                                                                       strict=True))
        else:
            scores = ", ".join(str(score) for score in psk)
        return f"Beginmeting opgeslagen: pijnscore {nprs}, activiteiten {scores}."


def _standing(entries: Sequence[Mapping[str, Any]]) -> int | None:
    """How many answers of a journal's `entries` still stand; None when it cannot be read."""
    try:
        return len(standing_answers(journal_events(entries)))
    except JournalMismatch:
        return None
