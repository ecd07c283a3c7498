"""The one activity the screen runs at a time: an intake (the same run_consultation as
`assistant intake`, with its journal, resume, storing and baseline) or a guided exercise
session, each in a worker thread, fed by the page (and the microphone with --voice), its events
published to the pages through the hub and spoken unless muted."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from assistant.clock import clock_from_env
from assistant.dialog.consultation import DialogConfig
from assistant.dialog.events import Answer, Ask, Confirm, Emit, Event, ExerciseStart, ResultEvent
from assistant.dialog.exercise_session import ExerciseSession
from assistant.errors import (
    AssistantError,
    FolderUnwritable,
    InternalError,
    RecordsError,
    UsageError,
    describe,
)
from assistant.intake.guard import keeping_answers
from assistant.intake.records import IntakeRecords, RecordsUnavailable
from assistant.intake.resume import check_replay, describe_resume
from assistant.intake.run import (
    Fanout,
    Outcome,
    SpeechOutput,
    rebuilt_outcome,
    run_consultation,
)
from assistant.intake.session import file_report, report_error, store_intake, take_baseline
from assistant.output.report_content import Baseline, build_report, stored_baseline
from assistant.output.report_html import render_html
from assistant.output.report_markdown import render_markdown
from assistant.protocol.exercises import Patient
from assistant.protocol.model import Protocol
from assistant.records.location import check_reports_dir
from assistant.settings import PracticeSettings, load_settings
from assistant.speech.commands import CommandSource, KeyboardCommands, VoiceCommands
from assistant.speech.interfaces import Listener, SilentSpeaker, Speaker
from assistant.ui.hub import EventHub
from assistant.ui.messages import on_screen
from assistant.ui.page_input import (
    PageInput,
    PageListener,
    Prompting,
    VoiceKeyboard,
)
from assistant.ui.views import view_of

if TYPE_CHECKING:
    from assistant.intake.program import Program
    from assistant.speech.voice import VoiceListener

Activity = Literal["idle", "intake", "session"]
START_WAIT = 10.0  # s to wait for the records to open before an intake is said to start
JOIN_WAIT = 3.0  # s to wait for the worker at shutdown


class Conflict(AssistantError):
    """The request does not fit what the screen is doing now (the screen answers 409)."""

    code = "conflict"


class Busy(Conflict):
    """Another intake or session is running."""

    code = "busy"


class Stale(Conflict):
    """An answer or change for a prompt that is no longer the open one: nothing was sent."""

    code = "stale"


STOP = "stop"
SKIP = "volgende"
STALE = ("Dit antwoord hoort bij een vraag die niet meer open staat; het is niet verstuurd. "
         "Kijk naar de vraag die nu op het scherm staat.")
SESSION_STALE = "Deze opdracht hoort bij een oefening die al voorbij is; er is niets verstuurd."
SKIPPED_ALREADY = "Deze oefening wordt al overgeslagen."


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
    outcome: Outcome | None = None
    day: date | None = None
    folder: Path | None = None  # where its report was written (file_report)


class Engine:
    """Runs intakes and sessions for the pages. Thread-safe entry points: start_intake,
    start_session, say, change, shutdown."""

    def __init__(self, protocol: Protocol, hub: EventHub, *, db: Path | None = None,
                 speaker: Speaker | None = None, voice: VoiceListener | None = None,
                 today: Callable[[], date] = date.today) -> None:
        self.protocol = protocol
        self.hub = hub
        self.db = db
        self.speaker = speaker or SilentSpeaker()
        self.voice = voice
        self.today = today
        self.activity: Activity = "idle"
        self.page: PageInput | None = None
        self.intake = IntakeState()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = False
        self._begun = False  # the current activity has begun (see _begin)
        self.exercise_now = 0  # a session: the number of the exercise under way (0: none yet)
        self._skipped = -1  # a session: the exercise a 'volgende' was sent for

    # --- what the page asks -----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def say(self, text: str, prompt: object = None, exercise: object = None) -> None:
        """An utterance from the page for the running dialog (UsageError when none runs). In
        an intake it answers `prompt`, the prompt the page showed: Stale when that is no
        longer the open one (nothing is sent). 'stop' needs none: it answers nothing. In a
        session a command names the `exercise` (its number) it acts on: Stale when another
        is under way; 'volgende' is sent once per exercise (a double click skips one)."""
        page = self.page
        if page is None or not self.running:
            raise UsageError("er loopt geen intake of sessie")
        text = text[:500]
        word = text.strip().casefold()
        if word == STOP:
            page.put(text)
            return
        if self.activity == "session":
            with self._lock:
                if isinstance(exercise, int) and exercise != self.exercise_now:
                    raise Stale(SESSION_STALE)
                if word == SKIP:
                    if self._skipped == self.exercise_now:
                        raise Stale(SKIPPED_ALREADY)
                    self._skipped = self.exercise_now
                page.put(text)
            return
        if self.activity != "intake":
            page.put(text)
            return
        if not page.answer(prompt, [text]):
            raise Stale(STALE)

    def change(self, question: str, prompt: object = None) -> int:
        """Change the answer to `question`: 'terug' as often as it takes to reach it (the
        same as saying it), counted while `prompt` (the prompt the page showed) is held, so
        a second click cannot go back further. Returns how many were sent; UsageError when
        it was not answered, Stale when `prompt` is no longer the open one."""
        page = self.page
        if self.activity != "intake" or page is None or not self.running:
            raise UsageError("dit antwoord is niet (meer) te veranderen")
        counted: list[int] = []

        def back() -> list[str]:
            with self._lock:
                answers, confirming = list(self.intake.answers), self.intake.confirming
                concluded = self.intake.concluded
            if concluded:
                raise UsageError("de uitkomst is er al; begin een nieuwe intake om een "
                                 "antwoord te veranderen")
            if question not in answers:
                raise UsageError("dit antwoord is niet (meer) te veranderen")
            counted.append(len(answers) - answers.index(question) + (1 if confirming else 0))
            return ["terug"] * counted[0]

        if not page.answer(prompt, back):
            with self._lock:
                concluded = self.intake.concluded
            if concluded:
                raise UsageError("de uitkomst is er al; begin een nieuwe intake om een "
                                 "antwoord te veranderen")
            raise Stale(STALE)
        return counted[0]

    def start_intake(self, patient: str | None, *, resume: bool) -> None:
        """Begin an intake (`resume`: the interrupted one of `patient`, or the last without an
        id). Returns once its records are open; RecordsError or Busy otherwise."""
        opened = threading.Event()
        failure: list[BaseException] = []

        def work(page: PageInput) -> None:
            self._intake(page, patient, resume, opened, failure)

        self._start("intake", work)
        opened.wait(START_WAIT)
        if failure:
            raise failure[0]

    def start_session(self, program: Program) -> None:
        """Begin a guided session through `program` (Busy when something runs)."""
        if not program.codes:
            raise UsageError("er zijn geen oefeningen gekozen")
        self._start("session", lambda page: self._session(page, program))

    def session_program(self) -> Program | None:
        """The exercises chosen at the last intake, as a program for a session."""
        from assistant.intake.program import Program

        outcome = self.intake.outcome
        if outcome is None or not outcome.chosen_exercises:
            return None
        result = outcome.consultation.result
        assert result is not None
        return Program(outcome.chosen_exercises, result.exercise_warning,
                       result.exercises_if_insufficient,
                       Patient.from_intake(outcome.consultation.findings.to_json(),
                                           result.profile, outcome.exercise_frequencies))

    def patient_program(self, patient: str) -> Program:
        """The exercises chosen at the patient's intake (UsageError when none were)."""
        from assistant.intake.program import patient_program

        return patient_program(patient, self.db, self.protocol)

    def stop_input(self) -> None:
        """Stop: the dialog gets the end of its input (an intake keeps its journal for a
        resume), the pages' streams end, nothing new starts. Safe from a signal handler."""
        self._stopping = True
        if self.page is not None:
            self.page.close()
        self.hub.close()

    def shutdown(self) -> None:
        """stop_input, then wait briefly for the dialog's thread to end."""
        self.stop_input()
        thread = self._thread
        if thread is not None:
            thread.join(JOIN_WAIT)

    # --- running ----------------------------------------------------------------------------

    def check_free(self) -> None:
        """Busy when an intake or session runs (or the screen stops)."""
        if self._stopping:
            raise Busy("de assistent stopt")
        if self.running:
            what = "een intake" if self.activity == "intake" else "een oefensessie"
            raise Busy(f"er loopt al {what}; stop die eerst")

    def _start(self, activity: Activity, work: Callable[[PageInput], None]) -> None:
        with self._lock:
            self.check_free()
            page = PageInput()
            self.page, self._begun = page, False
            self._thread = threading.Thread(target=self._guarded, args=(work, page),
                                            name=f"ui-{activity}", daemon=True)
            self._thread.start()

    def _begin(self, activity: Activity) -> None:
        """The activity has really begun (an intake: its records are open): the pages clear
        their screen for it. Until then a failed start leaves the last one on screen."""
        with self._lock:
            self.activity, self._begun = activity, True
            self.exercise_now, self._skipped = 0, -1
            if activity == "intake":
                self.intake = IntakeState()
        self.hub.reset()
        self.hub.publish({"type": "status", "activity": activity, "running": True})

    def _guarded(self, work: Callable[[PageInput], None], page: PageInput) -> None:
        try:
            work(page)
        except AssistantError as exc:
            self.hub.publish({"type": "notice", "level": "error",
                              "text": on_screen(exc.message)})
        except Exception as exc:  # a bug must not kill the server: one line, as on the CLI
            self.hub.publish({"type": "notice", "level": "error",
                              "text": InternalError(describe(exc)).message})
        finally:
            if self._begun:
                self.hub.publish({"type": "status", "activity": self.activity,
                                  "running": False})

    def _listener(self, page: PageInput) -> Listener:
        if self.voice is None:
            return PageListener(page)
        self.voice.keyboard = VoiceKeyboard(page)
        return self.voice

    def _sinks(self) -> list[Emit]:
        return [self._publish, self._follow, SpeechOutput(self.speaker)]

    def _publish(self, event: Event) -> None:
        work = isinstance(event, ResultEvent) and self._work_related()
        self.hub.publish({"type": "event", "event": event.to_json(),
                          "view": view_of(event, self.protocol, work_related=work)})

    def _work_related(self) -> bool:
        """Whether the answers that stand say the neck pain is work-related (the finding the
        report's work advice depends on: rules.is_work_related)."""
        with self._lock:
            filled = list(self.intake.filled.values())
        return any(finding == "work_related" and value is True for finding, value in filled)

    def _follow(self, event: Event) -> None:
        """Keep the intake's answers as the page lists them: an answer adds one; a question
        asked again ('terug') takes it and those after it back. A session: the exercise under
        way."""
        if isinstance(event, ExerciseStart):
            with self._lock:
                self.exercise_now = event.number
            return
        if self.activity != "intake":
            return
        with self._lock:
            answers, filled = self.intake.answers, self.intake.filled
            if isinstance(event, Ask) and event.question in answers:
                for taken in answers[answers.index(event.question):]:
                    filled.pop(taken, None)
                del answers[answers.index(event.question):]
            if isinstance(event, Answer) and event.finding is not None:
                answers.append(event.question)
                filled[event.question] = (event.finding, event.value)
            if isinstance(event, Ask | Confirm | Answer):
                self.intake.confirming = isinstance(event, Confirm)
            if isinstance(event, ResultEvent):
                self.intake.concluded = True

    def _notice(self, text: str) -> None:
        self.hub.publish({"type": "notice", "level": "info", "text": on_screen(text)})

    @staticmethod
    def _check_reports() -> None:
        """Before the first question, as `assistant intake` does without --report: the folder
        the report will go to can be written; else FolderUnwritable, one line saying why and
        what to do, and the intake does not start (no answers asked and then lost)."""
        try:
            check_reports_dir()
        except FolderUnwritable as exc:
            raise FolderUnwritable(f"De intake is niet gestart: {on_screen(exc.message)}; maak "
                                   "de gegevensmap schrijfbaar en start de intake opnieuw"
                                   ) from None

    def _open_records(self, patient: str | None, resume: bool) -> tuple[
            IntakeRecords | None, str | None]:
        """The records and journal of this intake, or (None, why) when an intake without an
        id has to go on without them (as `assistant intake` does); RecordsError otherwise."""
        try:
            return IntakeRecords.open(self.db, patient, self.today(), resume=resume), None
        except RecordsUnavailable:
            raise
        except RecordsError as exc:
            if patient is not None or resume:
                raise
            return None, f"Geen dagboek voor hervatten: {exc.message}."

    def _intake(self, page: PageInput, patient: str | None, resume: bool,
                opened: threading.Event, failure: list[BaseException]) -> None:
        try:
            self._check_reports()
            records, why = self._open_records(patient, resume)
            if (records is not None and records.resumed is not None and not resume
                    and not records.finishing):
                found = describe_resume(records)  # never resumed unasked
                records.close()
                raise Conflict(f"Er is een onderbroken intake ({found}). Ga daarmee verder "
                               "met ‘Hervat’ bij Onderbroken intakes.")
        except RecordsUnavailable as exc:  # nothing to resume: said without the CLI's flag
            failure.append(UsageError(exc.message))
            opened.set()
            return
        except BaseException as exc:
            failure.append(exc)
            opened.set()
            return
        self._begin("intake")
        opened.set()
        if why is not None:
            self._notice(why)
        listener = Prompting(self._listener(page), page, self._prompt)
        sinks = self._sinks()
        if records is not None and records.finishing:
            self._finish_stored(records, listener, sinks)
            return
        if records is not None:
            self._warn_same_day(records)
        day = records.day if records is not None else self.today()
        self.intake.day = day
        kept = records is not None and records.journal is not None
        outcome: Outcome | None = None
        try:
            with keeping_answers(records, self.db):
                if records is not None and records.resume:
                    check_replay(self.protocol, records.resume, self._config(day))
                    self._standing_answers(records.resume)
                try:
                    outcome = run_consultation(
                        self.protocol, listener, sinks,
                        self._config(day),
                        journal=records.journal if records else None,
                        resume=records.resume if records else ())
                except Exception as exc:
                    report_error(sinks, exc)
                    raise
                self.intake.outcome = outcome
                patient = records.patient if records is not None else None
                written = self._publish_report(outcome, day, patient, kept=kept)
                if records is not None:
                    store_intake(records, outcome, listener, Fanout(sinks), self.protocol,
                                 None, (), None, notify=self._notice)
                    self._stored_referral(records, outcome)
                    baseline = stored_baseline(records)
                    if baseline is not None:  # the report again, with the baseline
                        written = self._publish_report(outcome, day, patient, baseline,
                                                       kept=kept)
                    self._done(records, written)
        finally:
            if records is not None:
                records.close()
        if outcome.consultation.result is None and outcome.consultation.history and kept:
            self._notice("Gestopt. De antwoorden zijn bewaard: hervat de intake op het "
                         "beginscherm.")

    def _done(self, records: IntakeRecords, written: bool) -> None:
        """The stored intake's report is written: its journal is closed. When it was not
        written, the journal stays open, marked stored: the next start of this intake (here
        or on the command line) writes it; the notice says so."""
        if written:
            records.done()
        elif records.stored and not records.closed:
            how = (f"de intake van patiënt {records.patient} opnieuw start"
                   if records.patient is not None
                   else "de onderbroken intake zonder patiënt-id hervat op het beginscherm")
            self._notice(f"De intake is opgeslagen; het verslag wordt alsnog geschreven als u "
                         f"{how}.")

    def _warn_same_day(self, records: IntakeRecords) -> None:
        """A second intake of a patient on one day is said, naming the first (as on the
        command line)."""
        earlier = records.same_day()
        if earlier is not None:
            self._notice(f"Let op: patiënt {earlier.patient} heeft al een intake van "
                         f"{earlier.date.isoformat()}; deze wordt een tweede.")

    def _finish_stored(self, records: IntakeRecords, listener: Listener,
                       sinks: list[Emit]) -> None:
        """The journal holds an intake that was stored, its run cut off before its report was
        written (as `assistant intake` finishes it): its answers replayed, its result shown,
        the baseline offered (unless measured already), the report written and shown, then
        the journal closed. No second intake is stored."""
        try:
            with keeping_answers(records, self.db):
                outcome = rebuilt_outcome(self.protocol, records.resume,
                                          self._config(records.day))
                self.intake.outcome, self.intake.day = outcome, records.day
                self._standing_answers(records.resume)
                outcome.consultation.emit = Fanout(sinks)
                outcome.consultation.announce()  # the result, as a resumed intake shows it
                which = (f"De intake van patiënt {records.patient}"
                         if records.patient is not None else "De intake zonder patiënt-id")
                take_baseline(records, outcome, listener, Fanout(sinks), self.protocol, None,
                              (), None, notify=self._notice)
                written = self._publish_report(outcome, records.day, records.patient,
                                               stored_baseline(records), kept=True,
                                               finished=f"{which} "
                                                        f"({records.day.isoformat()})")
                self._done(records, written)
        finally:
            records.close()

    def _stored_referral(self, records: IntakeRecords, outcome: Outcome) -> None:
        """A referral is stored as a profile is, but store_intake says so only for a
        profile: the screen says it for a referral too."""
        result = outcome.consultation.result
        if (result is not None and result.profile is None and records.patient is not None
                and records.consultation is not None):
            self._notice(f"Opgeslagen bij patiënt {records.patient} "
                         f"({records.day.isoformat()}).")

    def _prompt(self) -> int:
        """Tell the pages the dialog listens: the prompt's id (its seq) is what they answer."""
        return int(self.hub.publish({"type": "prompt"})["seq"])

    def _config(self, day: date) -> DialogConfig:
        """As `assistant intake` sets it: by voice, a model without [unk] forces any speech
        onto a grammar word, so every screening answer is read back, and a question none of
        whose answers the model knows goes to the keyboard at once (DESIGN.md)."""
        if self.voice is None:
            return DialogConfig(today=day)
        return DialogConfig(voice=True, today=day, confirm_screening=self.voice.forces_grammar,
                            hears=self.voice.hears)

    def _standing_answers(self, entries: Sequence[dict[str, Any]]) -> None:
        """A resumed intake's answers that still stand, shown as the answers they were (the
        consultation replays them silently): the page lists them and can change them."""
        standing: list[dict[str, Any]] = []
        for entry in entries:
            if entry.get("kind") == "answer":
                standing.append(entry)
            elif entry.get("kind") == "back" and standing:
                standing.pop()
        for entry in standing:
            try:
                finding = self.protocol.question(str(entry["question"])).finding
            except KeyError:
                return  # another protocol version: the replay itself will say so
            event = Answer(str(entry["question"]), finding, entry.get("value"),
                           str(entry.get("note", "")))
            self._publish(event)
            self._follow(event)

    def _settings(self) -> PracticeSettings | None:
        """The practice's details for the report; a damaged settings file is named once."""
        try:
            return load_settings()
        except AssistantError as exc:
            self._notice(f"Instellingen niet gebruikt: {exc.message}.")
            return None

    def _publish_report(self, outcome: Outcome, day: date, patient: str | None,
                        baseline: Baseline | None = None, *, kept: bool = False,
                        finished: str | None = None) -> bool:
        """Write the intake's report folder as `assistant intake` does (file_report: a new
        folder, then the same one again once the baseline is measured), keep report.md and
        report.html to show and print, and tell the pages it is ready and where it went.
        Whether it was written (or, by the rule of file_report, needed no folder).
        `finished`: whose stored intake's report a later start writes."""
        consultation = outcome.consultation
        settings = self._settings()
        folder: Path | None = None
        try:
            try:
                filed = file_report(self.protocol, outcome, day=day, patient=patient,
                                    baseline=baseline, settings=settings,
                                    folder=self.intake.folder, kept=kept)
                report, folder, written = filed.report, filed.folder, True
            except AssistantError as exc:  # not written: still shown and printable
                written = False
                self._notice(f"Het verslag kon niet worden bewaard: {exc.message}.")
                report = build_report(
                    protocol=self.protocol, answers=outcome.answers,
                    findings=consultation.findings, result=consultation.result, day=day,
                    chosen=outcome.chosen_exercises, patient=patient, baseline=baseline,
                    settings=settings, frequencies=outcome.exercise_frequencies)
            self.intake.report = render_markdown(report)
            self.intake.report_html = render_html(report)
        except Exception as exc:  # the intake is stored all the same: that comes first
            self._notice(f"Het verslag kon niet worden gemaakt: {describe(exc)}.")
            return False
        if folder is not None:
            self.intake.folder = folder
            self._notice(f"{finished} was al opgeslagen; het verslag is nu geschreven in "
                         f"{folder}" if finished is not None
                         else f"Verslag bewaard in {folder}")
        self.hub.publish({"type": "report", "finished": consultation.result is not None,
                          "chosen": list(outcome.chosen_exercises or ()),
                          "folder": str(folder) if folder is not None else None})
        return written

    def _session(self, page: PageInput, program: Program) -> None:
        self._begin("session")
        commands: CommandSource = (VoiceCommands(cast("VoiceListener", self._listener(page)))
                                   if self.voice is not None else KeyboardCommands(page))
        library = self.protocol.library
        session = ExerciseSession(
            [library.exercise(c) for c in program.codes], library.session,
            self.protocol.vocabulary, Fanout(self._sinks()), commands, clock_from_env(),
            program.session_config(library))
        session.run()


def status(engine: Engine) -> dict[str, Any]:
    """What the page needs to know about the engine when it loads."""
    return {"activity": engine.activity, "running": engine.running,
            "report": engine.intake.report is not None,
            "session": engine.session_program() is not None}
