"""One harness for whole consultations: scripted answers in, the dialog's events out.

Scripts answer by question id (tests/intake_script.py; the presets below: SCREENED_BY_ID,
PROFILE_ANSWERS, `profile`, `intake`, `choosing`); tests/intake_lines.py turns a script into the
lines typed at the command line or the screen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from assistant.clock import FastClock
from assistant.dialog.consultation import DialogConfig
from assistant.dialog.events import Emit, Event
from assistant.dialog.exercise_choice import QUESTION as CHOICE_QUESTION
from assistant.dialog.exercise_session import ExerciseSession, SessionConfig
from assistant.intake.run import IntakeOutcome
from assistant.intake.run import run_consultation as run_intake_dialog
from assistant.protocol import load_protocol
from assistant.protocol.exercises import Patient
from assistant.protocol.findings import ArmSide, Findings
from assistant.protocol.model import Protocol
from assistant.protocol.rules import skipped
from assistant.speech.interfaces import Utterance
from assistant.speech.text import ScriptedListener
from tests.intake_script import IntakeScript, Reply, Said, ScriptDriver, script

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
PRECAUTION_QUESTIONS = [q.id for q in PROTOCOL.section_questions("precautions")]
SCREENED_QUESTIONS = [*RED_FLAG_QUESTIONS, *PRECAUTION_QUESTIONS, "trauma_related"]
# With the age known the rule's age item is not asked.
HIGH_RISK_QUESTIONS = [q.id for q in PROTOCOL.section_questions("c_spine_high")
                       if q.answered_by is None]


def red_flag_questions(age: int | None) -> list[str]:
    """The red flags asked of a patient of `age` (None: not known)."""
    return [q.id for q in PROTOCOL.section_questions("red_flags")
            if not skipped(q, Findings(age_years=age))]


# --- answers by question id (tests/intake_script.py) --------------------------------------------

# Every red flag (of the history and the examination) and every precaution "nee" unless a
# script names it.
SCREENING_DEFAULTS: dict[str, Reply] = {"red_flags": "nee", "precautions": "nee",
                                        "examination": "nee"}
# The complaint, asked first (issue 25), unless a script names it: three weeks, no accident,
# improving, not recurrent, a little impact, no arm complaints (the gate "nee", unless the
# script names the arm signs).
COMPLAINT_DEFAULTS: dict[str, Reply] = {
    "onset": "vandaag", "trauma": "nee", "improving": "ja", "recurrent": "nee",
    "impact": "een beetje", "arm_complaints": "nee", "psychosocial": "nee", "employment": "nee"}
# The age, and no trauma (with SCREENING_DEFAULTS: no flag, no precaution).
SCREENED_BY_ID: dict[str, Said] = {"age_years": AGE, "trauma_related": "nee"}
# A trauma twelve weeks ago (the last week the rule applies), not imaged since: the Canadian
# C-spine rule follows.
TRAUMA_BY_ID: dict[str, Said] = {"age_years": AGE, "trauma_related": "ja",
                                 "trauma_weeks_ago": "twaalf weken", "fracture_ruled_out": "nee"}
NO_HIGH_RISK: dict[str, Said] = dict.fromkeys(HIGH_RISK_QUESTIONS, "nee")
# A trauma the rule clears: no high-risk factor, a simple rear-end collision, rotates 45 degrees.
CLEARED_TRAUMA_BY_ID: dict[str, Said] = {**TRAUMA_BY_ID, **NO_HIGH_RISK,
                                         "cs_simple_rear_end": "ja", "cs_rotation_45": "ja"}
NO_NEURO_BY_ID: dict[str, Said] = dict.fromkeys(
    ["neuro_reflexes", "neuro_weakness", "neuro_sensory"], "nee")
GRADE_III_BY_ID: dict[str, Said] = {
    "neuro_reflexes": "ja", "neuro_weakness": "nee", "neuro_sensory": "nee", "arm_side": "links",
    "radicular_test": "positief", "referred_for_arm_signs": "nee"}


# After the screening: the answers that lead to each treatment profile (A: grade I, improving;
# B: fors for two months, work-related with five weeks' absence; C: psychosocial factors, not
# improving; D: GRADE_III_BY_ID).
PROFILE_ANSWERS: dict[str, dict[str, Said]] = {
    "A": {**NO_NEURO_BY_ID, "adl_impact": "een beetje", "weeks_since_onset": "drie weken",
          "improving": "ja", "recurrent": "nee", "has_work": "nee"},
    "B": {**NO_NEURO_BY_ID, "adl_impact": "fors", "weeks_since_onset": "twee maanden",
          "psychosocial_dominant": "nee", "has_work": "ja", "work_related": "ja",
          "work_absence_weeks": "vijf weken"},
    "C": {**NO_NEURO_BY_ID, "adl_impact": "fors", "weeks_since_onset": "vier weken",
          "improving": "nee", "psychosocial_dominant": "ja", "has_work": "nee"},
    "D": {**GRADE_III_BY_ID, "adl_impact": "een beetje", "weeks_since_onset": "drie weken",
          "improving": "ja", "recurrent": "nee", "has_work": "nee"},
}
# Profile B's answers for a patient without work (nothing more is asked about it).
PROFILE_B_NOT_WORKING: dict[str, Said] = {
    **{key: said for key, said in PROFILE_ANSWERS["B"].items()
       if key not in ("work_related", "work_absence_weeks")}, "has_work": "nee"}
# Screened, then profile B without work: fors for ten weeks, no psychosocial factors.
PROFILE_B_TEN_WEEKS: dict[str, Said] = {**SCREENED_BY_ID, **PROFILE_B_NOT_WORKING,
                                        "weeks_since_onset": "tien weken"}
# The input ends at the choice of exercises (nothing chosen: a stop after the result).
END_AT_CHOICE: dict[str, Said] = {"exercise_choice": None}


# A referral: the complaint (three weeks, improving, a little impact, no arm complaints); a
# sign of the spinal cord not ruled out in the history (doubted twice: the red flags one by
# one), and one found in the examination, confirmed (no deficit now, asked right after it).
REFERRAL_BY_ID: dict[str, Said] = {
    **SCREENED_BY_ID, **NO_NEURO_BY_ID, "weeks_since_onset": "drie weken", "improving": "ja",
    "recurrent": "nee", "adl_impact": "een beetje",
    "rf_spinal_cord_lhermitte": ["weet ik niet", "weet ik niet"],
    "has_work": "nee", "rf_spinal_cord_hoffmann": "ja", "acute_deficit_now": "nee"}


def profile(letter: str, *more: Mapping[str, Said], confirms: Mapping[str, Said] | None = None,
            defaults: Mapping[str, Reply] | None = None, strict: bool = False) -> IntakeScript:
    """The screened intake that reaches profile `letter` (A-D), the input ending at the choice
    of exercises; `more`: answers added or overridden; the options as for `intake`."""
    return intake(SCREENED_BY_ID, PROFILE_ANSWERS[letter], END_AT_CHOICE, *more,
                  confirms=confirms, defaults=defaults, strict=strict)


def choosing(base: Mapping[str, Said], said: Said, read_back: Said = "ja",
             *more: Mapping[str, Said]) -> IntakeScript:
    """The intake answered by `base` and `more` (as `intake`), then at the choice of exercises
    `said` each time it is asked and `read_back` at each read-back of it; strict: every reply
    named must be said."""
    return intake(base, *more, {CHOICE_QUESTION: said}, confirms={CHOICE_QUESTION: read_back},
                  strict=True)


def intake(*parts: Mapping[str, Said], confirms: Mapping[str, Said] | None = None,
           defaults: Mapping[str, Reply] | None = None, strict: bool = False) -> IntakeScript:
    """A script by question id: `parts` merged left to right (SCREENED_BY_ID first, typically);
    every red flag and precaution "nee" unless named (or `defaults` instead); the complaint
    as COMPLAINT_DEFAULTS unless named."""
    return script(*parts, defaults={**COMPLAINT_DEFAULTS, **(
        SCREENING_DEFAULTS if defaults is None else defaults)}, confirms=confirms, strict=strict)


def run_consultation(
    inputs: IntakeScript | Iterable[str | Utterance], config: DialogConfig | None = None,
    *, age: str | None = AGE, protocol: Protocol = PROTOCOL,
) -> list[JsonEvent]:
    """Feed the answers to a new consultation; return every event it emitted.

    An IntakeScript answers each question by its id (the age too; `age` is not used), and fails
    the test at a question it does not cover. A list of utterances is said in order (random
    input): the first question, the age, is answered with `age` before them (None: they answer
    it themselves). When the inputs run out the consultation gets end-of-input ('stop').
    """
    if isinstance(inputs, IntakeScript):
        return run_intake(inputs, config, protocol=protocol)[1]
    events: list[JsonEvent] = []
    script_ = [age, *inputs] if age is not None else list(inputs)
    run_intake_dialog(protocol, ScriptedListener(script_), [collect(events)], config)
    return events


def run_intake(inputs: IntakeScript, config: DialogConfig | None = None, *,
               protocol: Protocol = PROTOCOL, also: Iterable[Emit] = (),
               ) -> tuple[IntakeOutcome, list[JsonEvent]]:
    """Run a consultation answered by `inputs` (see run_consultation); its outcome (findings,
    result, the exercises chosen) and every event it emitted. `also`: more sinks (a speaker)."""
    events: list[JsonEvent] = []
    driver = ScriptDriver(inputs, protocol)
    outcome = run_intake_dialog(protocol, driver, [collect(events), driver, *also], config)
    driver.check()
    return outcome, events


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
