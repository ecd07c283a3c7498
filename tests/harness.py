"""One harness for whole consultations: scripted utterances in, the dialog's events out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from assistant.clock import FastClock
from assistant.dialog.consultation import DialogConfig
from assistant.dialog.events import Emit, Event
from assistant.dialog.exercise_choice import QUESTION as CHOICE_QUESTION
from assistant.dialog.exercise_session import ExerciseSession, SessionConfig
from assistant.intake.run import run_consultation as run_session
from assistant.protocol import load_protocol
from assistant.protocol.exercises import Patient
from assistant.protocol.findings import ArmSide, Findings
from assistant.protocol.rules import skipped
from assistant.speech.interfaces import Utterance
from assistant.speech.text import ScriptedListener

PROTOCOL = load_protocol()
JsonEvent = dict[str, Any]  # an event in its --events form: what the tests compare


def collect(events: list[JsonEvent]) -> Emit:
    """A sink that keeps each event in its JSON form."""
    def sink(event: Event) -> None:
        events.append(event.to_json())
    return sink

AGE = "47"  # the first question: the age (an adult under 65: no rule of its own applies)
# The red flags asked of a patient of that age (from fifty on, cancer history on its own; the
# '50+' signs not under fifty).
RED_FLAG_QUESTIONS = [q.id for q in PROTOCOL.section_questions("red_flags")
                      if not skipped(q, Findings(age_years=int(AGE)))]
NO_RED_FLAGS = ["nee"] * len(RED_FLAG_QUESTIONS)


def red_flag_questions(age: int | None) -> list[str]:
    """The red flags asked of a patient of `age` (None: not known)."""
    return [q.id for q in PROTOCOL.section_questions("red_flags")
            if not skipped(q, Findings(age_years=age))]


def no_red_flags(age: int | None) -> list[str]:
    """"nee" to every red flag asked of a patient of `age`."""
    return ["nee"] * len(red_flag_questions(age))
PRECAUTION_QUESTIONS = [q.id for q in PROTOCOL.section_questions("precautions")]
NO_PRECAUTIONS = ["nee"] * len(PRECAUTION_QUESTIONS)
NO_TRAUMA = ["nee"]
SCREENED = [*NO_RED_FLAGS, *NO_PRECAUTIONS, *NO_TRAUMA]  # no flag, no precaution, no trauma
AFTER_FLAGS = [*NO_PRECAUTIONS, *NO_TRAUMA]  # the screening goes on after a red flag
# By voice the red flags, all "nee", are read back as a whole: "ja" confirms them.
VOICE_SCREENED = [*NO_RED_FLAGS, "ja", *AFTER_FLAGS]
SCREENED_QUESTIONS = [*RED_FLAG_QUESTIONS, *PRECAUTION_QUESTIONS, "trauma_related"]
# With the age known the rule's age item is not asked.
HIGH_RISK_QUESTIONS = [q.id for q in PROTOCOL.section_questions("c_spine_high")
                       if q.answered_by is None]
# A trauma twelve weeks ago (the last week the rule applies), not imaged since: the Canadian
# C-spine rule follows.
TRAUMA = [*NO_RED_FLAGS, *NO_PRECAUTIONS, "ja", "twaalf weken", "nee"]
# A trauma the rule clears: no high-risk factor, a simple rear-end collision, rotates 45 degrees.
CLEARED_TRAUMA = [*TRAUMA, *["nee"] * len(HIGH_RISK_QUESTIONS), "ja", "ja"]
NO_NEURO = ["nee", "nee", "nee"]
# Grade III: reduced reflexes only, on the left, a positive radicular test, not referred for it.
GRADE_III = ["ja", "nee", "nee", "links", "positief", "nee"]


def run_consultation(
    inputs: Iterable[str | Utterance], config: DialogConfig | None = None,
    *, age: str | None = AGE,
) -> list[JsonEvent]:
    """Feed the utterances to a new consultation; return every event it emitted.

    The first question, the age, is answered with `age` before `inputs` (None: `inputs` answer
    it themselves). When the inputs run out the consultation gets end-of-input, which counts
    as 'stop'.
    """
    events: list[JsonEvent] = []
    script = [age, *inputs] if age is not None else list(inputs)
    run_session(PROTOCOL, ScriptedListener(script), [collect(events)], config)
    return events


def of(events: list[JsonEvent], kind: str) -> list[JsonEvent]:
    return [e for e in events if e["event"] == kind]


def asked(events: list[JsonEvent]) -> list[str]:
    """The intake's question ids asked, in order (repeats included; without the choice of
    exercises that follows a profile)."""
    return [e["question"] for e in of(events, "ask") if e["question"] != CHOICE_QUESTION]


def result_of(events: list[JsonEvent]) -> dict[str, Any]:
    results = of(events, "result")
    assert len(results) == 1, f"expected one result, got {len(results)}"
    result: dict[str, Any] = results[0]["result"]
    return result


def stopped(events: list[JsonEvent]) -> bool:
    return any(e["event"] == "say" and e["kind"] == "stopped" for e in events)


# --- guided exercise sessions ------------------------------------------------------------------

Cue = tuple[str, int, str]  # (event kind, how many of them, what is said after that)


class ScriptedCommands:
    """Says each cue's text at the first wait after the n-th event of its kind (in a pause:
    at once); when the cues run out the input has ended."""

    def __init__(self, events: list[JsonEvent], cues: Iterable[Cue]) -> None:
        self.events = events
        self.cues = list(cues)
        self.waits: list[float | None] = []

    @property
    def ended(self) -> bool:
        return not self.cues

    def wait(self, grammar: Sequence[str], timeout: float | None) -> Utterance | None:
        self.waits.append(timeout)
        if not self.cues:
            return None
        kind, count, text = self.cues[0]
        if timeout is None or len(of(self.events, kind)) >= count:
            self.cues.pop(0)
            return Utterance(text)
        return None


def run_exercises(
    codes: Iterable[str], cues: Iterable[Cue] = (), *, warning: str | None = None,
    clock: FastClock | None = None, arm_side: ArmSide | None = None,
    patient: Patient | None = None,
) -> list[JsonEvent]:
    """Guide a session through the exercises `codes` with spoken commands at the cues; return
    every event it emitted. Time is a fast clock: events carry the time they were emitted at.
    `patient` (profile, precautions, frequencies) brings its cautions; `arm_side` replaces
    its arm."""
    events: list[JsonEvent] = []
    clock = clock or FastClock()
    library = PROTOCOL.library
    patient = patient or Patient()
    if arm_side is not None:
        patient = replace(patient, arm_side=arm_side)

    def emit(event: Event) -> None:
        events.append({**event.to_json(), "t": clock.now()})

    session = ExerciseSession(
        [library.exercise(c) for c in codes], library.session, PROTOCOL.vocabulary, emit,
        ScriptedCommands(events, cues), clock,
        SessionConfig(warning=warning, patient=patient, cautions=library.cautions_for(patient)))
    session.run()
    return events


def said(events: list[JsonEvent], kind: str | None = None) -> list[str]:
    """What was said (of one kind of say-event), in order."""
    return [e["text"] for e in of(events, "say") if kind is None or e["kind"] == kind]
