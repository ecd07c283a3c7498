"""One intake, for every front end: open its records (the journal to resume, the lock), run the
consultation, store it with its baseline measurement, file its report, close the journal.

The command line (`assistant intake`, cli/intake.py) and the therapist's screen (`assistant
ui`, ui/engine.py) both run an intake through `IntakeFlow`; they only choose the input and the
outputs and word what the flow tells them (`Notify`). The dialog's settings are made in one
place, `dialog_config`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.records.location import Location

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.dialog.consultation import DialogConfig
from assistant.dialog.evaluation import run_evaluation
from assistant.dialog.events import Emit, ErrorEvent, JournalEvent
from assistant.dialog.yes_no import offer_baseline
from assistant.errors import Advice, AssistantError, InternalError, RecordsError, describe
from assistant.intake.filing import FiledReport, file_report
from assistant.intake.guard import keeping_answers
from assistant.intake.journal import journal_events
from assistant.intake.records import IntakeRecords, RecordsUnavailable
from assistant.intake.resume import check_replay
from assistant.intake.run import IntakeOutcome, rebuilt_outcome, run_consultation
from assistant.output.report_content import Baseline
from assistant.protocol.findings import Findings
from assistant.protocol.model import Protocol
from assistant.settings import PracticeSettings
from assistant.speech.interfaces import HearingListener, Listener

Notify = Callable[[str], None]  # one line for the therapist (stdout; a notice on the screen)
Scores = tuple[int, tuple[int, int, int]]  # a baseline given before the intake: NPRS, PSK


def dialog_config(day: date, *, voice: HearingListener | None = None,
                  given: Findings | None = None, confirm_below: float = 0.5,
                  confirm_red_flag_no_below: float = 0.8) -> DialogConfig:
    """How the intake's dialog behaves, the one place it is decided. By `voice` (a listener that
    declares its recogniser): a model without [unk] forces any speech onto a grammar word, so
    every screening answer is read back, and a question none of whose answers the model knows
    goes to the keyboard at once (DESIGN.md "Voice safety"). From a findings file (`given`):
    which arm signs are named only when the file names them (its values are typed, so nothing
    is cross-checked: the file is stored as given). Confidences 0..1."""
    return DialogConfig(
        voice=voice is not None, confirm_below=confirm_below,
        confirm_red_flag_no_below=confirm_red_flag_no_below,
        record_also=given is None or given.arm_signs is not None, today=day,
        confirm_screening=voice is not None and voice.forces_grammar,
        hears=voice.hears if voice is not None else None)


@dataclass(frozen=True)
class IntakeStart:
    """Which intake to run: of `patient` (None: without an id) on `day`, the interrupted one
    when `resume`; `journaled` False when the answers come from a findings file."""

    db: Location | None
    patient: str | None
    day: date
    resume: bool = False
    journaled: bool = True


class IntakeFlow:
    """One intake from its records to its report. Open it with `open`, close it with `close`
    (or use it as a context manager); run the steps inside `guarded()`, which keeps every
    answer given when a step fails (intake/guard.py)."""

    def __init__(self, protocol: Protocol, records: IntakeRecords | None, start: IntakeStart,
                 notify: Notify) -> None:
        self.protocol = protocol
        self.records = records
        self.start = start
        self.notify = notify
        # why no journal keeps this intake's answers (a notice, worded by the front end)
        self.unjournaled: RecordsUnavailable | None = None
        self._events: list[JournalEvent] | None = None  # the journal's, once read

    @classmethod
    def open(cls, protocol: Protocol, start: IntakeStart, notify: Notify) -> IntakeFlow:
        """Open the records and the journal (resume, lock: IntakeRecords.open). An intake
        without an id and not resumed goes on without them when they cannot be opened
        (`unjournaled` says why); RecordsError (with its own class) otherwise. `notify`
        gets what is stored, a line each."""
        try:
            records = IntakeRecords.open(start.db, start.patient, start.day,
                                         resume=start.resume, journaled=start.journaled)
        except RecordsUnavailable:
            raise
        except RecordsError as exc:
            if start.patient is not None or start.resume:
                raise
            flow = cls(protocol, None, start, notify)
            flow.unjournaled = RecordsUnavailable("Geen dagboek voor hervatten: ", exc, ".")
            return flow
        return cls(protocol, records, start, notify)

    def __enter__(self) -> IntakeFlow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the records and the lock (the journal stays as it is)."""
        if self.records is not None:
            self.records.close()

    # --- what the front ends ask ------------------------------------------------------------

    @property
    def day(self) -> date:
        """The consultation's day (a resumed intake keeps the day it began)."""
        return self.records.day if self.records is not None else self.start.day

    @property
    def patient(self) -> str | None:
        return self.records.patient if self.records is not None else self.start.patient

    @property
    def finishing(self) -> bool:
        """The journal found holds an intake stored already, its report not yet written."""
        return self.records is not None and self.records.finishing

    @property
    def resuming(self) -> bool:
        """An interrupted intake is found, to be continued (not one only to finish)."""
        return (self.records is not None and self.records.resumed is not None
                and not self.records.finishing)

    @property
    def kept(self) -> bool:
        """A journal keeps the answers (for a resume)."""
        return self.records is not None and self.records.journal is not None

    def stopped_with_answers(self, outcome: IntakeOutcome) -> bool:
        """The intake stopped with answers its journal keeps for a resume."""
        consultation = outcome.consultation
        return consultation.result is None and self.kept and bool(consultation.history)

    @property
    def report_pending(self) -> bool:
        """The intake is stored but its report not yet written: its journal stays open, and
        the next start of this intake writes it."""
        return (self.records is not None and self.records.stored
                and not self.records.closed)

    @contextmanager
    def guarded(self) -> Iterator[None]:
        """Run steps of the intake: a failure after an answer was journaled becomes
        IntakeInterrupted (IntakeStopped for Ctrl-C) naming the answers kept."""
        with keeping_answers(self.records, self.start.db):
            yield

    def journal(self) -> list[JournalEvent]:
        """The events of the interrupted (or stored) intake's journal, read once; [] for a new
        intake. JournalMismatch when an entry is no journal event (call it guarded)."""
        if self._events is None:
            entries = self.records.resume if self.records is not None else ()
            self._events = journal_events(entries)
        return self._events

    def check_replay(self, config: DialogConfig) -> None:
        """JournalMismatch when the interrupted intake's journal does not replay (before
        anything of it is shown)."""
        if self.journal():
            check_replay(self.protocol, self.journal(), config)

    # --- the steps --------------------------------------------------------------------------

    def run(self, listener: Listener, sinks: Sequence[Emit], config: DialogConfig) -> IntakeOutcome:
        """Run the consultation (resumed from the journal when one was found) to a result or a
        stop; every answer is journaled as it is given. An error goes into the event stream
        too, then is raised."""
        records = self.records
        try:
            return run_consultation(self.protocol, listener, sinks, config,
                                    journal=records.journal if records else None,
                                    resume=self.journal())
        except Exception as exc:
            report_error(sinks, exc)
            raise

    def rebuilt(self, config: DialogConfig) -> IntakeOutcome:
        """The stored intake this run only finishes, rebuilt from its journal."""
        return rebuilt_outcome(self.protocol, self.journal(), config)

    def store(self, outcome: IntakeOutcome, given: Findings | None = None) -> None:
        """Store the finished intake under the patient's id (its journal marked stored, open
        until `done`), said through `notify`; a stopped intake's journal stays open for a
        resume. RecordsError when storing fails."""
        if self.records is None:
            return
        consultation = outcome.consultation
        saved = self.records.finish(given or consultation.findings, consultation.result,
                                    outcome.chosen_exercises,
                                    len(consultation.history),  # a findings file: as given
                                    outcome.exercise_frequencies)
        if saved is not None:
            self.notify(saved)

    def take_baseline(self, outcome: IntakeOutcome, listener: Listener, emit: Emit, *,
                      given: Scores | None = None, activities: tuple[str, ...] = (),
                      from_file: bool = False) -> None:
        """The stored intake's baseline measurement: offered through `listener` (unless
        `given`, or the answers came from a file) and stored, with the PSK's activities; each
        stored thing said through `notify`. Nothing without a treatment profile (said when a
        baseline was given), or when the intake's baseline was stored already (a run cut off
        before its report)."""
        records, result = self.records, outcome.consultation.result
        if (records is None or result is None or records.patient is None
                or records.consultation is None):
            return
        if result.profile is None:
            if given is not None or activities:
                self.notify("Geen beginmeting bewaard: bij graad IV volgt geen behandeling.")
            return
        if records.store.evaluations(records.patient, records.consultation):
            return  # measured before the earlier run was cut off
        voice = outcome.consultation.config.voice
        if given is None and not from_file and offer_baseline(listener, emit, self.protocol,
                                                              voice=voice):
            measured = run_evaluation(listener, emit, result.profile, self.protocol,
                                      baseline=True, voice=voice, activities=activities,
                                      name_activities=True)
            if measured is not None:
                given = measured.nprs, measured.psk
                activities = activities or measured.psk_activities
        if activities:  # named on the command line or at the baseline: kept with the intake
            records.name_activities(activities)
        if given is not None:
            self.notify(records.baseline(*given, activities))
        elif activities:
            self.notify(f"PSK-activiteiten opgeslagen: {', '.join(activities)}.")

    def measured(self) -> Baseline | None:
        """The baseline measurement stored with this intake (the first measurement of it), with
        the PSK's activities; None when there is none. RecordsError when unreadable."""
        records = self.records
        if records is None or records.patient is None or records.consultation is None:
            return None
        store = records.store
        measured = store.evaluations(records.patient, records.consultation)
        if not measured:
            return None
        intake = next((c for c in store.consultations(records.patient)
                       if c.id == records.consultation), None)
        activities = intake.psk_activities if intake is not None else ()
        return Baseline(measured[0].nprs, measured[0].psk, activities)

    def file(self, outcome: IntakeOutcome, *, settings: PracticeSettings | None,
             baseline: Baseline | None, given: Findings | None = None,
             folder: Path | None = None, again: Advice | None = None,
             final: bool = True) -> FiledReport:
        """Write the report (intake/filing.file_report) for this intake's day and patient;
        not `final`: a report shown before the baseline, completed by a later write."""
        return file_report(self.protocol, outcome, day=self.day, patient=self.patient,
                           baseline=baseline, settings=settings, given=given, folder=folder,
                           kept=self.kept, again=again, final=final)

    def done(self) -> None:
        """The report is written: a stored intake's journal is closed."""
        if self.records is not None:
            self.records.done()


def report_error(sinks: Iterable[Emit], exc: BaseException) -> None:
    """The error goes into the event stream too (DESIGN.md "Events": `error`), so a tool
    following the events sees why the intake ended; a sink that fails now is passed over."""
    code = exc.code if isinstance(exc, AssistantError) else InternalError.code
    event = ErrorEvent(code, describe(exc))
    for sink in sinks:
        with suppress(Exception):
            sink(event)

