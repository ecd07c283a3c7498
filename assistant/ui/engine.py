"""The one activity the screen runs at a time: an intake (screen_intake.py: the intake's flow
that `assistant intake` runs too) or a guided exercise session, each in a worker thread, fed by
the page (and the microphone with --voice), its events published to the pages through the hub
and spoken unless muted. The engine manages the threads and what the pages send."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, cast

from assistant.clock import clock_from_env
from assistant.dialog.consultation import CONCLUDED, NOT_CHANGEABLE
from assistant.dialog.events import Emit, Event, ExerciseStart, ResultEvent
from assistant.dialog.exercise_session import ExerciseSession
from assistant.errors import AssistantError, InputError, InternalError, UsageError, describe
from assistant.intake.run import Fanout, SpeechOutput
from assistant.protocol.exercises import Patient
from assistant.protocol.model import Protocol
from assistant.speech.commands import CommandSource, KeyboardCommands, VoiceCommands
from assistant.speech.interfaces import Correction, Listener, SilentSpeaker, Speaker
from assistant.ui.checklist import NONE_OPEN
from assistant.ui.hints import screen_text
from assistant.ui.hub import EventHub
from assistant.ui.page_input import Line, PageInput, PageListener, Prompting, VoiceKeyboard
from assistant.ui.screen_intake import Conflict, IntakeState, ScreenIntake
from assistant.ui.views import view_of

if TYPE_CHECKING:
    from assistant.intake.program import Program
    from assistant.records.location import Location
    from assistant.speech.voice import VoiceListener

Activity = Literal["idle", "intake", "session"]
START_WAIT = 10.0  # s to wait for the records to open before an intake is said to start
JOIN_WAIT = 3.0  # s to wait for the worker at shutdown


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


class Engine:
    """Runs intakes and sessions for the pages. Thread-safe entry points: start_intake,
    start_session, say, change, shutdown."""

    def __init__(self, protocol: Protocol, hub: EventHub, *, db: Location | None = None,
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
        self._aside: str | None = None  # a job beside the dialogs under way (see aside)

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

    def answer_checklist(self, values: object, prompt: object = None) -> None:
        """The page's choices for the checklist on screen (`values`: sign id → true, false or
        "unknown"), sent as its typed answer while `prompt` is held: InputError (400) when no
        checklist is open or the choices do not fit it, Stale when `prompt` is no longer the
        open one."""
        page = self.page
        if self.activity != "intake" or page is None or not self.running:
            raise UsageError("er loopt geen intake")

        def given() -> list[Line]:
            with self._lock:
                checklist = self.intake.checklist
            if checklist is None:
                raise InputError(NONE_OPEN)
            return [checklist.given(values)]

        if not page.answer(prompt, given):
            raise Stale(STALE)

    def change(self, question: str, prompt: object = None) -> int:
        """Change the answer to `question`: a correction (speech.interfaces.Correction) the
        intake takes as that many 'terug's (Consultation.change), checked and sent while
        `prompt` (the prompt the page showed) is held, so a second click cannot go back
        further. Returns how many answers go back; UsageError when it was not answered,
        Stale when `prompt` is no longer the open one."""
        page = self.page
        if self.activity != "intake" or page is None or not self.running:
            raise UsageError(NOT_CHANGEABLE)
        counted: list[int] = []

        def back() -> list[Correction]:
            with self._lock:
                answers, confirming = list(self.intake.answers), self.intake.confirming
                concluded = self.intake.concluded
            if concluded:
                raise UsageError(CONCLUDED)
            if question not in answers:
                raise UsageError(NOT_CHANGEABLE)
            counted.append(len(answers) - answers.index(question) + (1 if confirming else 0))
            return [Correction(question)]

        if not page.answer(prompt, back):
            with self._lock:
                concluded = self.intake.concluded
            if concluded:
                raise UsageError(CONCLUDED)
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
        """Busy when an intake or session runs, a job beside them does (aside), or the screen
        stops."""
        if self._stopping:
            raise Busy("de assistent stopt")
        if self._aside is not None:
            raise Busy(f"er wordt nu {self._aside}; probeer het zo opnieuw")
        if self.running:
            what = "een intake" if self.activity == "intake" else "een oefensessie"
            raise Busy(f"er loopt al {what}; stop die eerst")

    @contextmanager
    def aside(self, what: str) -> Iterator[None]:
        """A job beside the dialogs that needs speech to itself (a recording to take home, a
        voice being loaded): Busy when an intake or session runs or another such job does;
        while it runs nothing starts (Busy, saying `what` is being done: "een opname voor
        thuis gemaakt"). Two speakers must not synthesise at once: pyttsx3 shares one engine
        in a process."""
        with self._lock:
            self.check_free()
            self._aside = what
        try:
            yield
        finally:
            with self._lock:
                self._aside = None

    def use_speaker(self, speaker: Speaker) -> None:
        """Speak with `speaker` from the next intake or session on (the screen's voice was
        changed); the previous one is closed. Only inside `aside`, so nothing speaks now."""
        with self._lock:
            previous, self.speaker = self.speaker, speaker
        if previous is not speaker:
            previous.close()

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
                              "text": screen_text(exc)})
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
        work = False
        if isinstance(event, ResultEvent):
            with self._lock:
                work = self.intake.work_related()
        self.hub.publish({"type": "event", "event": event.to_json(),
                          "view": view_of(event, self.protocol, work_related=work)})

    def _follow(self, event: Event) -> None:
        """Keep what the pages need of the dialog: an intake's answers (IntakeState.follow); a
        session's exercise under way."""
        with self._lock:
            if isinstance(event, ExerciseStart):
                self.exercise_now = event.number
            elif self.activity == "intake":
                self.intake.follow(event)

    def _notice(self, text: str) -> None:
        self.hub.publish({"type": "notice", "level": "info", "text": text})

    def _intake(self, page: PageInput, patient: str | None, resume: bool,
                opened: threading.Event, failure: list[BaseException]) -> None:
        screen = ScreenIntake(self.protocol, self.hub, self.intake, self._lock, self.db,
                              self.voice, self._notice, self._publish)
        try:
            flow = screen.open(patient, resume, self.today())
        except BaseException as exc:
            failure.append(exc)
            opened.set()
            return
        self._begin("intake")
        screen.state = self.intake
        opened.set()
        listener = Prompting(self._listener(page), page, self._prompt)
        screen.run(flow, listener, self._sinks())

    def _prompt(self) -> int:
        """Tell the pages the dialog listens: the prompt's id (its seq) is what they answer."""
        return int(self.hub.publish({"type": "prompt"})["seq"])

    def _session(self, page: PageInput, program: Program) -> None:
        self._begin("session")
        commands: CommandSource = (VoiceCommands(cast("VoiceListener", self._listener(page)))
                                   if self.voice is not None else KeyboardCommands(page))
        library = self.protocol.library
        session = ExerciseSession(
            [library.exercise(c) for c in program.codes], library.session,
            self.protocol.vocabulary, Fanout(self._sinks()), commands, clock_from_env(),
            program.session_config(library),
            late=self.speaker.take_late)
        session.run()


def status(engine: Engine) -> dict[str, Any]:
    """What the page needs to know about the engine when it loads."""
    return {"activity": engine.activity, "running": engine.running,
            "report": engine.intake.report is not None,
            "session": engine.session_program() is not None}
