"""Dialog turn latency in text mode: an answer handed over → the next question emitted; and
the same consultations again with the intake journal on a real records store (SQLite, WAL,
synchronous=FULL), where a turn lasts until the answer is on disk."""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from assistant.dialog.consultation import DialogConfig
from assistant.dialog.events import Emit, Event
from assistant.intake.journal import IntakeJournal
from assistant.intake.run import SpeechOutput, run_consultation
from assistant.output.screen import Screen
from assistant.protocol.model import Protocol
from assistant.records.rows import JournalStatus
from assistant.records.store import Store
from assistant.speech.interfaces import SilentSpeaker, Utterance
from bench.disk import describe_disk, fsync_times
from bench.report import Row, Section, at_most
from bench.scenarios import Patient, Script, coverage, make_scripts
from bench.stats import Summary, ms

TARGET = 0.020  # s, p95
NEXT_QUESTION = frozenset({"ask", "confirm"})


class TurnTimer:
    """The last sink: stamps the next question after each hand-over, and the result."""

    def __init__(self, patient: Patient) -> None:
        self.patient = patient
        self.turns: list[float] = []  # s, hand-over → next ask/confirm
        self.to_result: list[float] = []  # s, last answer → result event
        self.ready: list[float] = []  # s, hand-over → the next listen() (see Listening)
        self.asked_after: float | None = None  # the hand-over that the last question followed
        self._stamped: float | None = None

    def __call__(self, event: Event) -> None:
        now = time.perf_counter()
        given = self.patient.handed_over
        if given is None or given == self._stamped:
            return
        if event.kind in NEXT_QUESTION:
            self.turns.append(now - given)
            self._stamped = self.asked_after = given
        elif event.kind == "result":
            self.to_result.append(now - given)
            self._stamped = given


class Listening:
    """The listener the session sees: stamps when it is asked for the next answer. By then the
    turn's work is all done — with a journal the answer appended (its first sink syncs the
    journal before the next question is emitted), and the next question emitted."""

    def __init__(self, patient: Patient, timer: TurnTimer) -> None:
        self.patient = patient
        self.timer = timer

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        now = time.perf_counter()
        given = self.patient.handed_over
        if given is not None and given == self.timer.asked_after:  # the turn ended in a question
            self.timer.ready.append(now - given)
            self.timer.asked_after = None
        return self.patient.listen(grammar)


class TimedJournalStore:
    """The real records store as the journal sees it, each append timed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.appends: list[float] = []  # s per journal_append (one transaction, fsynced)
        self.closes: list[float] = []

    def journal_append(self, journal_id: int, payload: dict[str, Any]) -> None:
        started = time.perf_counter()
        self.store.journal_append(journal_id, payload)
        self.appends.append(time.perf_counter() - started)

    def journal_close(self, journal_id: int, status: JournalStatus) -> None:
        started = time.perf_counter()
        self.store.journal_close(journal_id, status)
        self.closes.append(time.perf_counter() - started)


def run_one(protocol: Protocol, script: Script, devnull: Any,
            store: TimedJournalStore | None = None) -> tuple[TurnTimer, str | None]:
    """One consultation through session.run_consultation, with the CLI's sinks; with a `store`,
    journaled as the CLI does it (a journal opened for it, closed when it ends)."""
    patient = Patient(script)
    timer = TurnTimer(patient)
    sinks: list[Emit] = [patient, Screen(devnull, echo=True), SpeechOutput(SilentSpeaker()),
                         timer]
    journal = None
    if store is not None:
        journal = IntakeJournal(store, store.store.journal_open(None, date.today()))
    outcome = run_consultation(protocol, Listening(patient, timer), sinks, DialogConfig(),
                               journal=journal)
    result = outcome.consultation.result
    if journal is not None:
        journal.close("finished" if result is not None else "abandoned")
    ended = None if result is None else ("referral" if result.referral else result.profile)
    return timer, ended


def _consultations(protocol: Protocol, scripts: list[Script], devnull: Any,
                   store: TimedJournalStore | None) -> tuple[TurnTimer, Counter[str], int]:
    """All scripts after a warm-up run (first-call caches: grammars, SQLite statements); their
    timings pooled in one TurnTimer."""
    run_one(protocol, scripts[0], devnull, store)
    if store is not None:
        store.appends.clear()
        store.closes.clear()
    pooled = TurnTimer(Patient(scripts[0]))
    ended: Counter[str] = Counter()
    wrong = 0
    for script in scripts:
        timer, profile = run_one(protocol, script, devnull, store)
        pooled.turns += timer.turns
        pooled.to_result += timer.to_result
        pooled.ready += timer.ready
        ended[profile or "unfinished"] += 1
        wrong += profile != script.profile
    return pooled, ended, wrong


def measure(protocol: Protocol, consultations: int) -> Section:
    scripts = make_scripts(protocol, consultations)
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        plain, ended, wrong = _consultations(protocol, scripts, devnull, None)
        with tempfile.TemporaryDirectory(prefix="bench-journal-") as tmp:
            disk = describe_disk(tempfile.gettempdir())
            floor = Summary.of(fsync_times(tmp))
            store = TimedJournalStore(Store.open(Path(tmp) / "records.sqlite3"))
            try:
                journaled, _, wrong_j = _consultations(protocol, scripts, devnull, store)
            finally:
                store.store.close()
    turn, result = Summary.of(plain.turns), Summary.of(plain.to_result)
    ready, emitted = Summary.of(journaled.ready), Summary.of(journaled.turns)
    append, close = Summary.of(store.appends), Summary.of(store.closes)
    endings = ", ".join(f"{k}: {v}" for k, v in sorted(ended.items()))
    rows: list[Row] = [
        Row("dialog turn p50 (text)", ms(turn.p50)),
        at_most("dialog turn p95 (text)", turn.p95, TARGET, ms(turn.p95), "≤ 20 ms"),
        Row("dialog turn max (text)", ms(turn.max)),
        Row("last answer → result p95", ms(result.p95)),
        Row("dialog turn p50 (text, journaled)", ms(ready.p50)),
        at_most("dialog turn p95 (text, journaled)", ready.p95, TARGET, ms(ready.p95),
                "≤ 20 ms"),
        Row("dialog turn max (text, journaled)", ms(ready.max)),
        Row("journal append p50", ms(append.p50)),
        Row("journal append p95", ms(append.p95)),
        Row("journal append max", ms(append.max)),
    ]
    method = (
        f"{consultations} whole consultations ({endings}; {wrong} ended elsewhere than "
        f"scripted; {coverage(scripts)}), {turn.n} turns, through "
        "`assistant.intake.run.run_consultation` with the CLI's sinks (screen to /dev/null, "
        "speech output muted). A listener hands over each answer (the age first; when an "
        "accident was; whether a deficit is there now after a vascular or spinal-cord sign; "
        "the duration for the letter before a referral) — phrased as people say them, "
        "with doubt, `herhaal`, `help`, `terug`, `pauze`/`verder` and not-understood answers "
        "mixed in; each answer that raises an alarm is confirmed — and stamps "
        "`perf_counter()`; the last sink "
        "stamps the next `ask` or `confirm` event. One consultation is run first as a warm-up "
        "(the grammar cache). The last answer → `result` event (classification, report data, "
        "summary) is shown separately.\n\n"
        "**Journaled.** The same consultations again, each with its own intake journal "
        "(`IntakeJournal` on a real `assistant.records.store.Store`: SQLite, WAL, "
        "`synchronous = FULL`, one transaction per entry) in a new file under the OS's temp "
        f"directory, opened and closed as the CLI does ({wrong_j} ended elsewhere than "
        "scripted; one warm-up consultation first). The journal is the first sink: it appends "
        "the answer (`IntakeJournal.sync`) before the next question reaches the screen or the "
        "speaker. A journaled turn is timed from the hand-over to the moment the session asks "
        "its listener for the next answer: answer on disk *and* next question emitted "
        f"({ready.n} turns that ended in a question). The append alone is "
        f"`Store.journal_append` timed around the call ({append.n} appends: answers, and "
        "`back` for each `terug`).")
    details = (
        f"Disk: {disk.describe()} The append waits for fsync (WAL + `synchronous = FULL`: one "
        "`fdatasync` of the WAL per append), so its figure is mostly the disk's; on another "
        "disk it differs. A bare 4 KB write + `fsync` in the same directory took p50 "
        f"{ms(floor.p50)}, p95 {ms(floor.p95)}, max {ms(floor.max)} ({floor.n} of them).\n\n"
        f"In the journaled runs the hand-over → next question emitted was p50 {ms(emitted.p50)}, "
        f"p95 {ms(emitted.p95)}: the append comes first, so an answer is on disk before the "
        "next question is shown or spoken (until this was measured, it was written after the "
        "question: with speech on, seconds later). Closing a journal at the end of a "
        "consultation (status, and its entries "
        f"erased with `secure_delete`): p50 {ms(close.p50)}, max {ms(close.max)}.")
    return Section("dialog", "Dialog turn latency (text mode)", method, rows, details)
