"""An intake on the therapist's screen: the intake's flow (intake/flow.py, as `assistant
intake` runs it) fed by the page (and the microphone with --voice), its events published to the
pages and spoken, its notices and report shown. The engine (engine.py) runs it in its worker
thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.dialog.events import Answer, Ask, Confirm, Emit, Event, ResultEvent
from assistant.errors import (
    AssistantError,
    FolderUnwritable,
    RecordsUnavailable,
    UsageError,
    describe,
)
from assistant.intake.flow import IntakeFlow, IntakeStart, dialog_config
from assistant.intake.journal import standing_answers
from assistant.intake.resume import describe_resume
from assistant.intake.run import Fanout, IntakeOutcome
from assistant.output.report_build import build_report
from assistant.output.report_content import Baseline
from assistant.output.report_html import render_html
from assistant.output.report_markdown import render_markdown
from assistant.records.location import check_reports_dir
from assistant.settings import PracticeSettings, load_settings
from assistant.speech.interfaces import Listener
from assistant.ui.checklist import Checklist
from assistant.ui.hints import screen_text

if TYPE_CHECKING:
    from assistant.dialog.consultation import DialogConfig
    from assistant.protocol.model import Protocol
    from assistant.records.location import Location
    from assistant.speech.voice import VoiceListener
    from assistant.ui.hub import EventHub


class Conflict(AssistantError):
    """The request does not fit what the screen is doing now (the screen answers 409)."""

    code = "conflict"


@dataclass
class IntakeState:
    """What the screen knows of the last intake: its answers (for 'change this answer'), its
    report, and the program for a guided session."""

    answers: list[str] = field(default_factory=list)  # intake question ids, in order
    # what each of those answers filled: question id → (finding, value), for the result view
    filled: dict[str, tuple[str, Any]] = field(default_factory=dict)
    confirming: bool = False  # an answer is read back, waiting for ja or nee
    concluded: bool = False  # the result is given: its answers can no longer change
    report: str | None = None  # report.md of the finished or stopped intake
    report_html: str | None = None  # report.html of the same, to print
    outcome: IntakeOutcome | None = None
    day: date | None = None
    folder: Path | None = None  # where its report was written (filing.file_report)
    checklist: Checklist | None = None  # the checklist on screen, while it is open

    def follow(self, event: Event) -> None:
        """Keep the intake's answers as the page lists them: an answer adds one; a question
        asked again ('terug') takes it and those after it back."""
        answers, filled = self.answers, self.filled
        if isinstance(event, Ask) and event.question in answers:
            for taken in answers[answers.index(event.question):]:
                filled.pop(taken, None)
            del answers[answers.index(event.question):]
        if isinstance(event, Answer) and event.finding is not None:
            answers.append(event.question)
            filled[event.question] = (event.finding, event.value)
        if isinstance(event, Ask | Confirm | Answer):
            self.confirming = isinstance(event, Confirm)
            self.checklist = Checklist.of(event) if isinstance(event, Ask) else None
        if isinstance(event, ResultEvent):
            self.concluded = True

    def work_related(self) -> bool:
        """Whether the answers that stand say the neck pain is work-related (the finding the
        report's work advice depends on: rules.is_work_related)."""
        return any(finding == "work_related" and value is True
                   for finding, value in self.filled.values())


@dataclass
class ScreenIntake:
    """One intake run for the pages (in the engine's worker thread): `notice` shows a line,
    `publish` shows an event; `state` is what the pages know of it."""

    protocol: Protocol
    hub: EventHub
    state: IntakeState
    lock: threading.Lock  # guards `state` against the server's threads
    db: Location | None
    voice: VoiceListener | None
    notice: Callable[[str], None]
    publish: Callable[[Event], None]

    def open(self, patient: str | None, resume: bool, day: date) -> IntakeFlow:
        """The intake's flow, its records open (RecordsError, UsageError, Conflict, or
        FolderUnwritable before the first question otherwise)."""
        self._check_reports()
        try:
            flow = IntakeFlow.open(self.protocol, IntakeStart(self.db, patient, day,
                                                              resume=resume), self.notice)
        except RecordsUnavailable as exc:  # nothing to resume
            raise UsageError(*exc.parts) from None
        if flow.resuming and not resume:
            assert flow.records is not None
            found = describe_resume(flow.records)  # never resumed unasked
            flow.close()
            raise Conflict(f"Er is een onderbroken intake ({found}). Ga daarmee verder "
                           "met ‘Hervat’ bij Onderbroken intakes.")
        return flow

    def run(self, flow: IntakeFlow, listener: Listener, sinks: Sequence[Emit]) -> None:
        """Run the intake through `flow` to its report (a stored intake only finished)."""
        if flow.unjournaled is not None:
            self.notice(screen_text(flow.unjournaled))
        with flow:
            if flow.finishing:
                self._finish_stored(flow, listener, sinks)
                return
            self._warn_same_day(flow)
            self.state.day = flow.day
            config = dialog_config(flow.day, voice=self.voice)
            with flow.guarded():
                self._show_standing(flow, config)
                outcome = flow.run(listener, sinks, config)
                self.state.outcome = outcome
                flow.store(outcome)
                # shown while the baseline is offered; its folder stays marked unfinished, so
                # a run cut off now completes it there (filing.UNFINISHED), not in a second one
                written = self._publish_report(flow, outcome, final=False)
                flow.take_baseline(outcome, listener, Fanout(sinks))
                baseline = flow.measured()
                if baseline is not None or self.state.folder is not None:  # complete, with it
                    written = self._publish_report(flow, outcome, baseline)
                self._done(flow, written)
        if flow.stopped_with_answers(outcome):
            self.notice("Gestopt. De antwoorden zijn bewaard: hervat de intake op het "
                        "beginscherm.")

    def _done(self, flow: IntakeFlow, written: bool) -> None:
        """The stored intake's report is written: its journal is closed. When it was not
        written, the journal stays open, marked stored: the next start of this intake (here
        or on the command line) writes it; the notice says so."""
        if written:
            flow.done()
        elif flow.report_pending:
            how = (f"de intake van patiënt {flow.patient} opnieuw start"
                   if flow.patient is not None
                   else "de onderbroken intake zonder patiënt-id hervat op het beginscherm")
            self.notice(f"De intake is opgeslagen; het verslag wordt alsnog geschreven als u "
                        f"{how}.")

    def _warn_same_day(self, flow: IntakeFlow) -> None:
        """A second intake of a patient on one day is said, naming the first (as on the
        command line)."""
        earlier = flow.records.same_day() if flow.records is not None else None
        if earlier is not None:
            self.notice(f"Let op: patiënt {earlier.patient} heeft al een intake van "
                        f"{earlier.date.isoformat()}; deze wordt een tweede.")

    def _finish_stored(self, flow: IntakeFlow, listener: Listener,
                       sinks: Sequence[Emit]) -> None:
        """The journal holds an intake that was stored, its run cut off before its report was
        written (as `assistant intake` finishes it): its answers replayed, its result shown,
        the baseline offered (unless measured already), the report written and shown, then
        the journal closed. No second intake is stored."""
        with flow.guarded():
            outcome = flow.rebuilt(dialog_config(flow.day, voice=self.voice))
            self.state.outcome, self.state.day = outcome, flow.day
            self._show_standing(flow, None)
            outcome.consultation.emit = Fanout(sinks)
            outcome.consultation.announce()  # the result, as a resumed intake shows it
            which = (f"De intake van patiënt {flow.patient}" if flow.patient is not None
                     else "De intake zonder patiënt-id")
            flow.take_baseline(outcome, listener, Fanout(sinks))
            written = self._publish_report(flow, outcome, flow.measured(),
                                           finished=f"{which} ({flow.day.isoformat()})")
            self._done(flow, written)

    @staticmethod
    def _check_reports() -> None:
        """Before the first question, as `assistant intake` does without --report: the folder
        the report will go to can be written; else FolderUnwritable, one line saying why and
        what to do, and the intake does not start (no answers asked and then lost)."""
        try:
            check_reports_dir()
        except FolderUnwritable as exc:
            raise FolderUnwritable("De intake is niet gestart: ", exc, "; maak de gegevensmap "
                                   "schrijfbaar en start de intake opnieuw") from None

    def _show_standing(self, flow: IntakeFlow, config: DialogConfig | None) -> None:
        """A resumed intake's answers that still stand, shown as the answers they were (the
        consultation replays them silently): the page lists them and can change them. With
        `config`, the journal is first checked to replay (nothing of one that does not fit is
        shown)."""
        if config is not None:
            flow.check_replay(config)
        for answer in standing_answers(flow.journal()):
            if answer.finding is None:  # an earlier version's journal does not keep it
                try:
                    answer = replace(answer,
                                     finding=self.protocol.question(answer.question).finding)
                except KeyError:
                    return  # another protocol version: the replay itself will say so
            shown = replace(answer, heard="")  # as the consultation emitted it
            self.publish(shown)
            with self.lock:
                self.state.follow(shown)

    def _settings(self) -> PracticeSettings | None:
        """The practice's details for the report; a damaged settings file is named once."""
        try:
            return load_settings()
        except AssistantError as exc:
            self.notice(f"Instellingen niet gebruikt: {screen_text(exc)}.")
            return None

    def _publish_report(self, flow: IntakeFlow, outcome: IntakeOutcome,
                        baseline: Baseline | None = None, *,
                        finished: str | None = None, final: bool = True) -> bool:
        """Write the intake's report folder as `assistant intake` does (a new folder, then the
        same one again, `final`, once the baseline is taken), keep report.md and report.html to
        show and print, and tell the pages it is ready and where it went (once per folder).
        Whether it was written (or, by the rule of file_report, needed no folder). `finished`:
        whose stored intake's report a later start writes."""
        consultation = outcome.consultation
        settings = self._settings()
        folder: Path | None = None
        try:
            try:
                filed = flow.file(outcome, settings=settings, baseline=baseline,
                                  folder=self.state.folder, final=final)
                report, folder, written = filed.report, filed.folder, True
            except AssistantError as exc:  # not written: still shown and printable
                written = False
                self.notice(f"Het verslag kon niet worden bewaard: {screen_text(exc)}.")
                report = build_report(
                    protocol=self.protocol, answers=outcome.answers,
                    findings=consultation.findings, result=consultation.result, day=flow.day,
                    chosen=outcome.chosen_exercises, patient=flow.patient, baseline=baseline,
                    settings=settings, frequencies=outcome.exercise_frequencies)
            self.state.report = render_markdown(report)
            self.state.report_html = render_html(report)
        except Exception as exc:  # the intake is stored all the same: that comes first
            self.notice(f"Het verslag kon niet worden gemaakt: {describe(exc)}.")
            return False
        if folder is not None and folder != self.state.folder:
            self.state.folder = folder
            self.notice(f"{finished} was al opgeslagen; het verslag is nu geschreven in "
                        f"{folder}" if finished is not None else f"Verslag bewaard in {folder}")
        self.hub.publish({"type": "report", "finished": consultation.result is not None,
                          "chosen": list(outcome.chosen_exercises or ()),
                          "folder": str(folder) if folder is not None else None})
        return written
