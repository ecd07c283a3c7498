"""The guided exercise session: each exercise read aloud, holds and repetitions counted, with
'volgende / herhaal / pauze / verder / langzamer / sneller / stop' heard at any moment.

The machine is declared in the table below; each state's work (speaking, waiting) is in a
`_perform_<state>` method. A command heard during a wait (session_hearing.py) interrupts that
work and fires its trigger; the position (exercise, side, set, repetition, step) is kept, so
pause and repeat go on exactly where they left off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from assistant.clock import Clock
from assistant.dialog.events import Done, Emit, ExerciseStart, Hold, Rep, Say, Step
from assistant.dialog.machine import Row, table_machine
from assistant.dialog.session_hearing import Interrupt, SessionHearing
from assistant.dialog.spoken import spoken_number, spoken_video
from assistant.protocol.exercises import (
    Caution,
    Exercise,
    Patient,
    SessionTexts,
    Side,
    adapted,
    excluded,
    session_lines,
)
from assistant.protocol.model import Vocabulary
from assistant.speech.commands import CommandSource
from assistant.text import dutch_list

STEP_SECONDS: Final = 4.0  # s to follow one spoken step of a counted exercise
GET_READY_SECONDS: Final = 5.0  # s to take the starting position
COUNTDOWN: Final = 3  # the last seconds of a hold are counted aloud
HOLD_SLACK: Final = 0.25  # s a hold's count may come late before it is left out
REST_WARNING: Final = 5  # s before a rest ends that the next set is announced (rest_ending)

STATES: Final = ["ready", "intro", "exercise", "steps", "counting", "rest", "closing",
                 "paused", "done", "stopped"]
ACTIVE: Final = ["exercise", "steps", "counting", "rest"]

TRANSITIONS: Final[list[Row]] = [
    {"trigger": "advance", "source": "ready", "dest": "intro"},
    {"trigger": "advance", "source": "intro", "dest": "exercise", "conditions": "has_exercises"},
    {"trigger": "advance", "source": "intro", "dest": "closing"},
    {"trigger": "advance", "source": "exercise", "dest": "steps"},
    {"trigger": "advance", "source": "steps", "dest": "counting", "unless": "is_timed"},
    {"trigger": "advance", "source": "counting", "dest": "rest", "conditions": "more_sets"},
    {"trigger": "advance", "source": "rest", "dest": "counting"},
    {"trigger": "advance", "source": ["steps", "counting"], "dest": "exercise",
     "conditions": "more_exercises", "before": "finish_exercise"},
    {"trigger": "advance", "source": ["steps", "counting"], "dest": "closing",
     "before": "finish_exercise"},
    {"trigger": "advance", "source": "closing", "dest": "done"},
    # Commands.
    {"trigger": "skip", "source": ACTIVE, "dest": "exercise", "conditions": "more_exercises",
     "before": "skip_exercise"},
    {"trigger": "skip", "source": ACTIVE, "dest": "closing", "before": "skip_exercise"},
    {"trigger": "repeat", "source": ["exercise", "steps"], "dest": None},
    {"trigger": "repeat", "source": ["counting", "rest"], "dest": "steps",
     "before": "restart_steps"},
    {"trigger": "pause", "source": ACTIVE, "dest": "paused", "before": "remember_state"},
    *[{"trigger": "resume", "source": "paused", "dest": state, "conditions": f"paused_in_{state}"}
      for state in ACTIVE],
    {"trigger": "stop", "source": [*ACTIVE, "ready", "intro", "paused"], "dest": "stopped"},
]


@dataclass
class Position:
    """Where the session is within the current exercise."""

    step: int = 0  # the next step to say
    side: int = 0  # index in the exercise's sides (left, then right, when it has two)
    set: int = 0
    rep: int = 0  # repetitions done in this set
    explained: bool = False  # the steps were said at least once
    side_said: int = 0  # the last side whose beginning was said (side_texts)


@dataclass(frozen=True)
class SessionConfig:
    warning: str | None = None  # profile D: avoid movements that provoke radiating arm pain
    patient: Patient = field(default_factory=Patient)  # the exercise arm, the frequencies
    cautions: tuple[Caution, ...] = ()  # Library.cautions_for(patient): said where they apply
    step_seconds: float = STEP_SECONDS
    get_ready_seconds: float = GET_READY_SECONDS
    # the end of typed input (Ctrl-D at a terminal) stops the session, as it stops an intake;
    # False: the session goes on without commands (input piped from a file or closed)
    stop_when_input_ends: bool = False


@dataclass
class SessionOutcome:
    completed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    stopped: bool = False


class ExerciseSession:
    """One guided session through `exercises`, talking through `emit` and hearing `commands`;
    `late` (AudioSpeaker.take_late) lets it keep time when speaking takes longer than its
    sound."""

    # the machine's triggers (TRANSITIONS), bound by `transitions`
    advance: Callable[[], bool]
    skip: Callable[[], bool]
    repeat: Callable[[], bool]
    pause: Callable[[], bool]
    resume: Callable[[], bool]
    stop: Callable[[], bool]

    def __init__(self, exercises: Sequence[Exercise], texts: SessionTexts, vocab: Vocabulary,
                 emit: Emit, commands: CommandSource, clock: Clock,
                 config: SessionConfig | None = None,
                 late: Callable[[], float] | None = None) -> None:
        self.config = config or SessionConfig()
        cautions = self.config.cautions
        # what a caution leaves out is not done: said why at the start, counted as skipped
        self.left_out = [(e, c) for e in exercises if (c := excluded(e, cautions)) is not None]
        self.exercises = [adapted(e, cautions) for e in exercises
                          if excluded(e, cautions) is None]
        self.texts = texts
        self.emit = emit
        self.clock = clock
        self.hearing = SessionHearing(texts, vocab, emit, commands, clock, lambda: self.state,
                                      self.config.stop_when_input_ends, late)
        self.index = 0
        self.position = Position()
        self.outcome = SessionOutcome(skipped=[e.code for e, _ in self.left_out])
        self._paused_from = "exercise"
        self.state: str = STATES[0]
        self.machine = table_machine(self, STATES, TRANSITIONS, "ready")

    # --- conditions and callbacks named in the table --------------------------------------------
    def has_exercises(self) -> bool:
        return bool(self.exercises)

    def is_timed(self) -> bool:
        return self.current.dosage.timed

    def more_sets(self) -> bool:
        d, p = self.current.dosage, self.position
        return p.set < d.sets and p.side < len(self.sides)

    def more_exercises(self) -> bool:
        return self.index + 1 < len(self.exercises)

    def finish_exercise(self) -> None:
        self.outcome.completed.append(self.current.code)
        self._say(self.texts.exercise_done, "exercise")
        self._next_exercise()

    def skip_exercise(self) -> None:
        self.outcome.skipped.append(self.current.code)
        self._say(self.texts.skipped, "notice")
        self._next_exercise()

    def restart_steps(self) -> None:
        self.position.step = 0

    def remember_state(self) -> None:
        self._paused_from = str(self.state)

    def paused_in_exercise(self) -> bool:
        return self._paused_from == "exercise"

    def paused_in_steps(self) -> bool:
        return self._paused_from == "steps"

    def paused_in_counting(self) -> bool:
        return self._paused_from == "counting"

    def paused_in_rest(self) -> bool:
        return self._paused_from == "rest"

    # --- running --------------------------------------------------------------------------------
    @property
    def current(self) -> Exercise:
        return self.exercises[min(self.index, len(self.exercises) - 1)]

    @property
    def sides(self) -> tuple[Side | None, ...]:
        """The current exercise's sides, in turn (one-arm: the exercise arm, or both)."""
        return self.current.sides(self.config.patient.arm_side)

    def run(self) -> SessionOutcome:
        """Run the session to its end: the closing words, or a stop."""
        self._fire(self.advance)
        while self.state not in ("done", "stopped"):
            try:
                getattr(self, f"_perform_{self.state}")()
                self._fire(self.advance)
            except Interrupt as heard:
                self._fire(self._command(heard.trigger))
        if self.state == "stopped":
            self.outcome.stopped = True
            self._say(self.texts.stopped, "stopped")
        self.emit(Done(tuple(self.outcome.completed), tuple(self.outcome.skipped),
                       self.outcome.stopped))
        return self.outcome

    def _fire(self, trigger: Callable[[], bool]) -> None:
        state = self.state
        fired = trigger()
        assert fired, f"no transition for {trigger} from {state}"

    def _command(self, name: str) -> Callable[[], bool]:
        """The trigger of a command heard ('skip', 'repeat', 'pause', 'resume', 'stop')."""
        triggers = {"skip": self.skip, "repeat": self.repeat, "pause": self.pause,
                    "resume": self.resume, "stop": self.stop}
        return triggers[name]

    def _next_exercise(self) -> None:
        self.index += 1
        self.position = Position()

    def _say(self, text: str, kind: str) -> None:
        self.emit(Say(kind, text))

    # --- the work of each state -----------------------------------------------------------------
    def _perform_intro(self) -> None:
        for line in self.texts.intro:
            self._say(line, "intro")
        for line in self.texts.pain_rule_for(self.config.patient.profile):  # (issue 22)
            self._say(line, "safety")
        for line in session_lines(self.texts.safety, self.config.cautions):
            self._say(line, "safety")
        if self.config.warning:
            self._say(self.config.warning, "safety")
        for caution in self.config.cautions:  # those of the whole session (profile D's arm)
            if caution.whole_session:
                for line in caution.patient:
                    self._say(line, "safety")
        for caution in dict.fromkeys(c for _, c in self.left_out):  # why one is not done
            for line in caution.patient:
                self._say(line, "safety")
        count = len(self.exercises)
        if count:
            self._say(self.texts.program_one if count == 1 else
                      self.texts.program_many.format(count=spoken_number(count)), "intro")

    def _perform_exercise(self) -> None:
        ex, t = self.current, self.texts
        self.position = Position()
        self.emit(ExerciseStart(ex.name, self.index + 1, len(self.exercises), ex.code))
        self._say(t.exercise.format(number=spoken_number(self.index + 1),
                                    total=spoken_number(len(self.exercises)), name=ex.name),
                  "exercise")
        self._say(ex.purpose, "exercise")
        self._say(t.video.format(video=spoken_video(ex.video)), "exercise")
        if ex.equipment:
            self._say(t.equipment.format(items=dutch_list(list(ex.equipment))), "exercise")
        for line in (*ex.safety, *(line for caution in self.config.cautions
                                    if caution.concerns(ex) and not caution.exclude
                                    for line in caution.patient)):
            self._say(line, "safety")
        if ex.side_texts:  # the side before the starting position
            self._say(ex.side_texts[0], "exercise")
        if ex.one_arm:  # the arm too, before a starting position that names it
            self._say(t.arm(self.config.patient.arm_side), "step")
        self._say(t.start, "exercise")
        self._say(ex.start, "step")
        if ex.setup_seconds:
            self._say(t.setup, "exercise")
        self.hearing.wait(ex.setup_seconds or self.config.get_ready_seconds)

    def _dosage_lines(self) -> list[str]:
        d, t = self.current.dosage, self.texts
        frequency = t.frequency.format(frequency=self.config.patient.frequency(self.current))
        if d.timed:
            return [t.timed.format(minutes=spoken_number(d.minutes)), frequency]
        lines = [t.dosage_reps.format(repetitions=spoken_number(d.repetitions))]
        if d.sets > 1:
            lines.append(t.dosage_sets.format(sets=spoken_number(d.sets)))
        if d.hold_seconds:
            lines.append(t.dosage_hold.format(seconds=spoken_number(d.hold_seconds)))
        if d.sides == 2:
            lines.append(t.dosage_sides)
        return [*lines, frequency]

    def _perform_steps(self) -> None:
        ex, p = self.current, self.position
        timed = ex.dosage.timed
        if p.step == 0:
            if timed and not p.explained:  # how long it takes, before it starts
                p.explained = True
                for line in self._dosage_lines():
                    self._say(line, "exercise")
            self._say(self.texts.steps, "exercise")
        pause = (ex.dosage.minutes * 60 / len(ex.steps)) if timed else self.config.step_seconds
        while p.step < len(ex.steps):
            self.emit(Step(p.step + 1, ex.steps[p.step], ex.code))
            self._say(ex.steps[p.step], "step")
            self.hearing.wait(pause, paced=not timed)
            p.step += 1
        if not p.explained:
            p.explained = True
            for line in self._dosage_lines():
                self._say(line, "exercise")

    def _perform_counting(self) -> None:
        d, p, t, sides = self.current.dosage, self.position, self.texts, self.sides
        if p.rep == 0:
            if p.set == 0 and p.side == 0:
                self._say(t.begin, "exercise")
            if len(sides) == 2 and p.set == 0:
                if p.side and self.current.side_texts:  # how the other side begins
                    self._say_other_side()  # unless said as the rest began
                else:
                    self._say(t.side_left if sides[p.side] == "left" else t.side_right,
                              "exercise")
            if d.sets > 1:
                self._say(t.set_start.format(set=spoken_number(p.set + 1),
                                             sets=spoken_number(d.sets)), "exercise")
        while p.rep < d.repetitions:
            self.emit(Rep(p.rep + 1, d.repetitions, p.set + 1, d.sets, sides[p.side],
                          self.current.code))
            self._say(t.rep.format(number=spoken_number(p.rep + 1)), "count")
            cues = self.current.rep_cues
            if d.hold_seconds:  # held where the movement turns: out, hold, back
                self.hearing.wait(d.pace_seconds / 2)
                self._hold(d.hold_seconds)
                self.hearing.wait(d.pace_seconds / 2)
            elif cues:  # the parts of one repetition, each in its share of the pace
                for cue in cues:
                    self._say(cue, "count")
                    self.hearing.wait(d.pace_seconds / len(cues))
            else:
                self.hearing.wait(d.pace_seconds)
            p.rep += 1
        p.rep = 0
        p.set += 1
        if p.set == d.sets and p.side + 1 < len(sides):
            p.set, p.side = 0, p.side + 1

    def _hold(self, seconds: int) -> None:
        """'Houd de open stand vast … nog twee, nog één … en rustig terug', on time whatever
        the speech takes."""
        start = self.clock.now()
        self.emit(Hold(seconds, self.current.code))
        self._say(self.current.hold_cue, "count")
        for left in range(min(COUNTDOWN, seconds), 0, -1):
            if self.clock.now() > start + seconds - left + HOLD_SLACK:
                continue  # the cue took that second: a count said late sounds rushed
            self.hearing.wait_until(start + seconds - left)
            self._say(self.texts.hold_left.format(number=spoken_number(left)), "count")
        self.hearing.wait_until(start + seconds)
        self._say(self.texts.release, "count")

    def _perform_rest(self) -> None:
        seconds, p = self.current.dosage.rest_seconds, self.position
        if p.set == 0 and p.side and self.current.side_texts:
            self._say_other_side()  # after this rest: turning over takes its time
        if seconds:
            self._say(self.texts.rest.format(seconds=spoken_number(seconds)), "exercise")
        if seconds > 2 * REST_WARNING:  # the next set is announced, not sprung on the patient
            ends = self.clock.now() + seconds
            self.hearing.wait(seconds - REST_WARNING, paced=False)
            self._say(self.texts.rest_ending, "exercise")
            self.hearing.wait_until(ends)
        else:
            self.hearing.wait(seconds, paced=False)

    def _say_other_side(self) -> None:
        """How the current side begins ('Draai om en ga op uw linkerzij liggen.'), once."""
        p = self.position
        if p.side_said != p.side:
            self._say(self.current.side_texts[p.side], "exercise")
            p.side_said = p.side

    def _perform_closing(self) -> None:
        for line in self.texts.closing:
            self._say(line, "closing")

    def _perform_paused(self) -> None:
        self.hearing.wait_paused()
